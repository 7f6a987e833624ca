"""Helpers of the import tests."""

from typer.testing import CliRunner, Result

from memberops.cli import app


def run(*args: str) -> Result:
    """The ``memberops`` command in-process (it reads ``MEMBEROPS_DATABASE_URL``)."""
    return CliRunner().invoke(app, list(args))
