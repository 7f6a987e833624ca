"""The console's one translation catalogue: ``locales/<locale>.json``, a flat key → text map.

Every label the console shows comes from here, so adding a language is adding one file; a key
missing from a catalogue fails loudly (``KeyError``) instead of showing a raw key to a user.
"""

import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files

#: A viewer's ``t``: the text of a key in the viewer's language, placeholders filled.
Translate = Callable[..., str]

#: The languages the console speaks; the first is the default (SPEC §9).
LOCALES = ("zh-CN", "en")


def supported(locale: str | None) -> str:
    """``locale`` when the console speaks it, else the default, so a stale value never breaks a
    page."""
    return locale if locale in LOCALES else LOCALES[0]


@cache
def catalogue(locale: str) -> dict[str, str]:
    """The texts of one locale, read once per process."""
    text = files("memberops.console").joinpath("locales", f"{locale}.json").read_text("utf-8")
    entries: dict[str, str] = json.loads(text)
    return entries


def translate(locale: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``locale`` with ``{placeholders}`` filled from ``values``."""
    return catalogue(supported(locale))[key].format(**values)
