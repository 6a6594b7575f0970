"""Typed reads from a parsed ``filter.toml``, with errors that name the file and the key.

Every effect kind reads its keys through a :class:`Validator`, so a wrong type, an
out-of-range value or a missing picture always gets one line like
``filters/dog/filter.toml: layers[1].width: expected a positive number, got "wide"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .errors import FilterError


class Validator:
    """Typed reads from parsed TOML, with errors that name the file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, key: str, expected: str, got: Any = None) -> FilterError:
        got_text = "" if got is None else f", got {got!r}"
        where = f"{key}: " if key else ""
        return FilterError(f"{self.path}: {where}{expected}{got_text}")

    def only(self, table: dict[str, Any], key: str, allowed: set[str]) -> None:
        for k in table:
            if k not in allowed:
                full = f"{key}.{k}" if key else k
                raise self.error(full, f"unknown key; expected one of {', '.join(sorted(allowed))}")

    _MISSING = object()

    def _get(self, key: str, table: dict[str, Any], default: Any) -> Any:
        leaf = key.rsplit(".", 1)[-1]
        if leaf in table:
            return table[leaf]
        if default is self._MISSING:
            raise self.error(key, "missing required key")
        return default

    def string(self, table: dict[str, Any], key: str, default: Any = _MISSING) -> str:
        value = self._get(key, table, default)
        if not isinstance(value, str):
            raise self.error(key, "expected a string", value)
        return value

    def number(self, table: dict[str, Any], key: str, default: Any = _MISSING, *,
               positive: bool = False, integer: bool = False,
               low: float | None = None, high: float | None = None) -> float:
        """A finite number; ``low``/``high`` bound it (inclusive)."""
        value = self._get(key, table, default)
        ok = _is_number(value)
        if integer:
            ok = ok and float(value).is_integer()
        if ok and positive:
            ok = value > 0
        if not ok:
            what = "a positive " if positive else "a "
            raise self.error(key, f"expected {what}{'whole number' if integer else 'number'}",
                             value)
        if (low is not None and value < low) or (high is not None and value > high):
            lo = "" if low is None else f"{low:g}"
            hi = "" if high is None else f"{high:g}"
            raise self.error(key, f"expected a number from {lo or '-inf'} to {hi or 'inf'}",
                             value)
        return float(value)

    def boolean(self, table: dict[str, Any], key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, table, default)
        if not isinstance(value, bool):
            raise self.error(key, "expected true or false", value)
        return value

    def pair(self, table: dict[str, Any], key: str,
             default: Any = _MISSING) -> tuple[float, float]:
        value = self._get(key, table, default)
        if not isinstance(value, (list, tuple)) or len(value) != 2 or not all(
                _is_number(x) for x in value):
            raise self.error(key, "expected two numbers [x, y]", value)
        return float(value[0]), float(value[1])

    def choice(self, table: dict[str, Any], key: str, options: Iterable[str],
               default: Any = _MISSING) -> str:
        options = tuple(options)
        value = self._get(key, table, default)
        if value not in options:
            raise self.error(key, f"expected one of {', '.join(options)}", value)
        return value

    def color(self, table: dict[str, Any], key: str, default: str) -> tuple[int, int, int]:
        value = self._get(key, table, default)
        if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
            raise self.error(key, 'expected a colour "#rrggbb"', value)
        r, g, b = (int(value[k:k + 2], 16) for k in (1, 3, 5))
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
            raise self.error(key, "expected a file inside the filter's folder", name)
        if not asset.is_file():
            raise self.error(key, "expected an existing PNG file", name)
        image = cv2.imread(str(asset), cv2.IMREAD_UNCHANGED)
        if image is None:
            raise self.error(key, "expected a readable PNG image", name)
        if image.dtype == np.uint16:
            image = (image // 257).astype(np.uint8)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGRA)
        elif image.shape[2] == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
        return np.ascontiguousarray(image)


_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _is_number(value: Any) -> bool:
    # TOML has inf and nan; neither places anything anywhere.
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
