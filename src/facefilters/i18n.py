"""Words shown to people, from plain text files a teacher can edit.

Each language is one UTF-8 file, ``locales/<lang>.txt``, of ``key = text`` lines. Lines
starting with ``#`` are comments; ``\\n`` in a text starts a new line; ``{name}`` is
filled in by the program. A key missing from a language falls back to English. The
languages are the files that are there: adding one is adding a file (and its
``number.decimal`` key says how it writes 0.25).
"""

from __future__ import annotations

import locale
import os
from functools import cache
from importlib import resources

from .errors import FaceFiltersError

DEFAULT_LANGUAGE = "en"


def _shipped_languages() -> tuple[str, ...]:
    folder = resources.files("facefilters").joinpath("locales")
    return tuple(sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".txt")))


LANGUAGES = _shipped_languages()


def parse_messages(text: str, source: str) -> dict[str, str]:
    """Parse ``key = text`` lines.

    Raises:
        FaceFiltersError: a line that is not a comment, blank, or ``key = text``, naming
            the source and the line number.
    """
    messages: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        key = key.strip()
        if not sep or not key or " " in key:
            raise FaceFiltersError(f"{source}:{number}: expected 'key = text', got {line!r}")
        messages[key] = value.strip().replace("\\n", "\n")
    return messages


@cache
def load_language(lang: str) -> dict[str, str]:
    """All messages of one language (built-in file), keyed by message key."""
    if lang not in LANGUAGES:
        raise FaceFiltersError(f"unknown language '{lang}'; available: {', '.join(LANGUAGES)}")
    source = resources.files("facefilters").joinpath(f"locales/{lang}.txt")
    return parse_messages(source.read_text(encoding="utf-8"), f"locales/{lang}.txt")


def system_language() -> str:
    """The language of the system locale if we have it, else English.

    Variables are read in GNU gettext's order: LANGUAGE, LC_ALL, LC_MESSAGES, LANG.
    """
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            code = value.split(":")[0].split("_")[0].split(".")[0].lower()
            return code if code in LANGUAGES else DEFAULT_LANGUAGE
    try:
        code = (locale.getlocale()[0] or "").split("_")[0].lower()
    except ValueError:  # pragma: no cover - exotic locale names
        code = ""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class Messages:
    """Look up words in one language: ``messages("key", name=value)``."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang or system_language()
        self._own = load_language(self.lang)
        self._fallback = load_language(DEFAULT_LANGUAGE)

    def __call__(self, key: str, **values: object) -> str:
        text = self._own.get(key, self._fallback.get(key))
        if text is None:
            raise KeyError(f"no message '{key}'")
        return text.format(**values) if values else text

    def get(self, key: str, default: str) -> str:
        """The text of ``key`` (in English if this language lacks it), else ``default``."""
        return self._own.get(key, self._fallback.get(key, default))

    def number(self, value: float, digits: int = 2) -> str:
        """``value`` with ``digits`` decimals, in this language's way: 0.25 or 0,25."""
        return f"{value:.{digits}f}".replace(".", self("number.decimal"))
