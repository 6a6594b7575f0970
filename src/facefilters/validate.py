"""Typed reads from a parsed ``filter.toml``, with errors that name the file and the key.

Every effect kind reads its keys through a :class:`Validator`, so a wrong type, an
out-of-range value or a missing picture always gets one line like
``filters/dog/filter.toml: layers[1].width: expected a positive number, got 'wide'``.
Its words are message keys (``error.filter.*``), so the live window and the lesson say
it in their language; the file, the key and the value stay as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .errors import FilterError, Number, Phrase
from .io.files import DAMAGED, picture_problem
from .quiet import native_stderr_muted

MAX_PICTURE_SIDE = 4096
"""A filter's picture (sticker, texture, face photo) is at most this many pixels a side."""
MAX_PICTURE_BYTES = 32 * 1024 * 1024
MAX_STRING = 1000
"""The longest string a filter.toml may hold (a description is a sentence or two)."""


class Validator:
    """Typed reads from parsed TOML, with errors that name the file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, key: str | Phrase, problem: Phrase, got: Any = None) -> FilterError:
        """``PATH: KEY: PROBLEM, got VALUE``: what is wrong with ``key`` in this file.

        Args:
            key: the key as written in the file (``layers[1].width``), a `Phrase` naming
                where it is (its line), or "" for the file itself.
            problem: what was expected, in words from the language files.
            got: the value found, shown as written (cut short); None for none.
        """
        shape = "error.filter.at" if key else "error.filter.file"
        if got is None:
            return FilterError.said(shape, path=self.path, field=key, problem=problem)
        return FilterError.said(
            f"{shape}_got", path=self.path, field=key, problem=problem, got=_short(got)
        )

    def only(self, table: dict[str, Any], key: str, allowed: set[str]) -> None:
        for k in table:
            if k not in allowed:
                full = f"{key}.{k}" if key else k
                names = ", ".join(sorted(allowed))
                raise self.error(full, Phrase("error.filter.unknown_key", names=names))

    _MISSING = object()

    def _get(self, key: str, table: dict[str, Any], default: Any) -> Any:
        leaf = key.rsplit(".", 1)[-1]
        if leaf in table:
            return table[leaf]
        if default is self._MISSING:
            raise self.error(key, Phrase("error.filter.missing_key"))
        return default

    def string(
        self, table: dict[str, Any], key: str, default: Any = _MISSING, *, longest: int = MAX_STRING
    ) -> str:
        value = self._get(key, table, default)
        if not isinstance(value, str):
            raise self.error(key, Phrase("error.filter.string"), value)
        if len(value) > longest:
            raise self.error(
                key, Phrase("error.filter.long_string", most=longest, count=len(value))
            )
        return value

    def number(
        self,
        table: dict[str, Any],
        key: str,
        default: Any = _MISSING,
        *,
        positive: bool = False,
        integer: bool = False,
        low: float | None = None,
        high: float | None = None,
    ) -> float:
        """A finite number; ``low``/``high`` bound it (inclusive)."""
        value = self._get(key, table, default)
        ok = _is_number(value)
        if integer:
            ok = ok and float(value).is_integer()
        if ok and positive:
            ok = value > 0
        what = Phrase(_NUMBER_WORDS[positive, integer])
        if not ok:
            raise self.error(key, Phrase("error.filter.number", what=what), value)
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = _bounds(low, high)
            raise self.error(key, Phrase("error.filter.number_in", what=what, bounds=bounds), value)
        return float(value)

    def boolean(self, table: dict[str, Any], key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, table, default)
        if not isinstance(value, bool):
            raise self.error(key, Phrase("error.filter.boolean"), value)
        return value

    def pair(
        self,
        table: dict[str, Any],
        key: str,
        default: Any = _MISSING,
        *,
        low: tuple[float, float] | None = None,
        high: tuple[float, float] | None = None,
    ) -> tuple[float, float]:
        """Two finite numbers ``[x, y]``; ``low``/``high`` bound each (inclusive)."""
        value = self._get(key, table, default)
        if (
            not isinstance(value, (list, tuple))
            or len(value) != 2
            or not all(_is_number(x) for x in value)
        ):
            raise self.error(key, Phrase("error.filter.pair"), value)
        for k in (0, 1):
            if (low is not None and value[k] < low[k]) or (high is not None and value[k] > high[k]):
                lo = (None, None) if low is None else low
                hi = (None, None) if high is None else high
                x, y = _bounds(lo[0], hi[0]), _bounds(lo[1], hi[1])
                raise self.error(key, Phrase("error.filter.pair_in", x=x, y=y), value)
        return float(value[0]), float(value[1])

    def items(self, value: Any, key: str, most: int, what: Phrase) -> list[Any]:
        """A non-empty list of at most ``most`` entries (``what`` names them, plural)."""
        if not isinstance(value, list) or not value:
            raise self.error(key, Phrase("error.filter.list", what=what), value)
        if len(value) > most:
            raise self.error(
                key, Phrase("error.filter.long_list", most=most, what=what, count=len(value))
            )
        return value

    def choice(
        self, table: dict[str, Any], key: str, options: Iterable[str], default: Any = _MISSING
    ) -> str:
        options = tuple(options)
        value = self._get(key, table, default)
        if value not in options:
            raise self.error(key, Phrase("error.filter.choice", names=", ".join(options)), value)
        return value

    def color(self, table: dict[str, Any], key: str, default: str) -> tuple[int, int, int]:
        value = self._get(key, table, default)
        if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
            raise self.error(key, Phrase("error.filter.colour"), value)
        r, g, b = (int(value[k : k + 2], 16) for k in (1, 3, 5))
        return b, g, r

    def picture(self, folder: Path, table: dict[str, Any], key: str) -> np.ndarray:
        """A picture file inside the filter's folder.

        Returns:
            ndarray of shape (h, w, 4), uint8, BGRA (straight alpha).
        """
        name = self.string(table, key)
        root = folder.resolve()
        asset = (folder / name).resolve()
        # Resolving first also catches symlinks that lead out of the folder.
        if Path(name).is_absolute() or root not in asset.parents:
            raise self.error(key, Phrase("error.filter.outside"), name)
        if not asset.is_file():
            raise self.error(key, Phrase("error.filter.no_png"), name)
        if asset.stat().st_size > MAX_PICTURE_BYTES:
            most = MAX_PICTURE_BYTES // 2**20
            raise self.error(key, Phrase("error.filter.big_picture", most=most), name)
        data = asset.read_bytes()
        # The header first: a small PNG can unpack to gigabytes.
        problem = picture_problem(data, MAX_PICTURE_SIDE**2)
        if problem is None:
            # libpng reports a truncated file on fd 2 itself; our one line says it.
            with native_stderr_muted():
                image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
            if image is None:
                problem = DAMAGED
            elif max(image.shape[:2]) > MAX_PICTURE_SIDE:
                problem = Phrase(
                    "error.filter.too_wide",
                    size=f"{image.shape[1]} x {image.shape[0]}",
                    most=MAX_PICTURE_SIDE,
                )
        if problem is not None:
            raise self.error(
                key, Phrase("error.filter.unreadable", name=repr(name), reason=problem)
            )
        if image.dtype == np.uint16:
            image = (image // 257).astype(np.uint8)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGRA)
        elif image.shape[2] == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
        return np.ascontiguousarray(image)


_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

# What a number must be, by (positive, integer).
_NUMBER_WORDS = {
    (False, False): "error.filter.a_number",
    (True, False): "error.filter.a_positive_number",
    (False, True): "error.filter.a_whole_number",
    (True, True): "error.filter.a_positive_whole_number",
}


def _bounds(low: float | None, high: float | None) -> Phrase | str:
    """``from 0 to 8``, ``up to 8`` or ``of at least 0``, in the message's language."""
    if low is not None and high is not None:
        return Phrase("error.filter.from_to", low=Number(low), high=Number(high))
    if high is not None:
        return Phrase("error.filter.up_to", high=Number(high))
    return "" if low is None else Phrase("error.filter.at_least", low=Number(low))


def _short(value: Any, longest: int = 60) -> Phrase | str:
    """``repr(value)`` cut to one short line: a huge or deeply nested value stays readable."""
    try:
        text = repr(value)
    except RecursionError:
        return Phrase("error.filter.deep_value")
    return text if len(text) <= longest else text[: longest - 3] + "..."


def _is_number(value: Any) -> bool:
    # TOML has inf and nan; neither places anything anywhere.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
