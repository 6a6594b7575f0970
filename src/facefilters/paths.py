"""Where the built-in filters and samples are: inside the wheel, or in the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


def _find(name: str) -> Path:
    packaged = _PACKAGE / name
    # An editable install runs from src/; the folders sit at the top of the checkout.
    return packaged if packaged.is_dir() else _CHECKOUT / name


def builtin_filters_dir() -> Path:
    """The folder of built-in filter folders."""
    return _find("filters")


def samples_dir() -> Path:
    """The folder holding ``portrait.jpg`` and ``demo.mp4``."""
    return _find("samples")
