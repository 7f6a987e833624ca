"""The error catalogue: one stable code per error, each documented, and docs/errors.md exactly
what the code generates."""

import subprocess
import sys
from pathlib import Path

from memberops.api.problems import _HTTP_CODES
from memberops.kernel.catalogue import HTTP_ERRORS, _subclasses, error_catalogue, errors_markdown
from memberops.kernel.errors import DomainError, error_anchor
from tests.architecture.everything import import_everything

ROOT = Path(__file__).parents[2]
ERRORS_MD = ROOT / "docs" / "errors.md"


def _errors() -> list[type[DomainError]]:
    import_everything()
    return [DomainError, *_subclasses(DomainError)]


def test_every_error_declares_its_own_code_status_and_title() -> None:
    inherited = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _errors()
        if not {"code", "title"} <= set(vars(cls))
    ]
    assert inherited == []
    assert all(400 <= cls.status <= 599 for cls in _errors())
    assert all(cls.title.strip() or (cls.__doc__ or "").strip() for cls in _errors())


def test_error_codes_and_anchors_are_unique() -> None:
    codes = [cls.code for cls in _errors()] + [code for code, *_ in HTTP_ERRORS]
    assert len(codes) == len(set(codes))
    assert len({error_anchor(code) for code in codes}) == len(codes)


def test_every_code_the_http_layer_answers_with_is_in_the_catalogue() -> None:
    catalogued = {code for code, *_ in error_catalogue()}
    assert set(_HTTP_CODES.values()) - catalogued == set()


def test_docs_errors_md_is_what_the_code_generates() -> None:
    """Regenerate with ``.venv/bin/memberops docs errors`` when this fails."""
    import_everything()
    assert ERRORS_MD.read_text(encoding="utf-8") == errors_markdown()


def test_the_cli_sees_every_error(tmp_path: Path) -> None:
    """``memberops docs errors`` in a fresh interpreter imports every room that has errors."""
    out = tmp_path / "errors.md"
    command = "from memberops.cli import app; app()"
    subprocess.run(
        [sys.executable, "-c", command, "docs", "errors", "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    import_everything()
    assert out.read_text(encoding="utf-8") == errors_markdown()
