"""Finds filter folders and loads them: ``filter.toml`` plus its PNG assets.

A filter file is data only: it is parsed as TOML, every key is checked, and asset paths
must stay inside the filter's folder. Errors name the file, the key and what was
expected, e.g. ``filters/dog/filter.toml: layers[1].width: expected a positive number``.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .errors import FilterError
from .geometry import ANCHOR_NAMES, MEASURE_NAMES
from .layers import AnyLayer, Filter, MeshLayer, SpriteLayer, TearsLayer, Trigger
from .paths import builtin_filters_dir
from .render.sprite import Sprite
from .render.tears import TearStyle

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FILTER_FILE = "filter.toml"


@dataclass(frozen=True)
class FilterInfo:
    """What ``facefilters filters`` lists: id, display name, description, folder."""

    id: str
    name: str
    description: str
    folder: Path


class Catalog:
    """The filters found in a list of folders; later folders override earlier ones.

    Args:
        extra_dirs: user folders of filter folders (``--filters-dir``), searched after the
            built-in ones.
    """

    def __init__(self, extra_dirs: Iterable[Path] = ()) -> None:
        self._folders: dict[str, Path] = {}
        for base in [builtin_filters_dir(), *extra_dirs]:
            base = Path(base)
            if not base.is_dir():
                raise FilterError(f"filters folder does not exist: '{base}'")
            if (base / FILTER_FILE).is_file():
                # Accept a single filter folder as well as a folder of them.
                self._folders[base.name] = base
                continue
            for folder in sorted(base.iterdir()):
                if (folder / FILTER_FILE).is_file():
                    self._folders[folder.name] = folder

    def ids(self) -> list[str]:
        """Filter ids, sorted."""
        return sorted(self._folders)

    def info(self, filter_id: str) -> FilterInfo:
        """Name and description of one filter, without loading its assets."""
        folder = self._folder(filter_id)
        data = _read_toml(folder / FILTER_FILE)
        v = _Validator(folder / FILTER_FILE)
        return FilterInfo(
            filter_id,
            v.string(data, "name", default=filter_id),
            v.string(data, "description", default=""),
            folder,
        )

    def load(self, filter_id: str) -> Filter:
        """Load and validate a filter with its assets.

        Raises:
            FilterError: unknown id, or a broken folder.
        """
        return load_filter(self._folder(filter_id))

    def _folder(self, filter_id: str) -> Path:
        if filter_id not in self._folders:
            known = ", ".join(self.ids()) or "none"
            raise FilterError(f"unknown filter '{filter_id}'; available: {known}")
        return self._folders[filter_id]


def load_filter(folder: Path) -> Filter:
    """Load the filter in ``folder`` (its ``filter.toml`` and assets).

    Raises:
        FilterError: naming the file, the key and what was expected.
    """
    path = folder / FILTER_FILE
    data = _read_toml(path)
    v = _Validator(path)
    v.only(data, "", {"name", "description", "layers"})
    layers_raw = data.get("layers")
    if not isinstance(layers_raw, list) or not layers_raw:
        raise v.error("layers", "expected at least one [[layers]] table", layers_raw)
    layers = tuple(_layer(v, folder, f"layers[{k}]", raw) for k, raw in enumerate(layers_raw))
    return Filter(
        id=folder.name,
        name=v.string(data, "name", default=folder.name),
        description=v.string(data, "description", default=""),
        layers=layers,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise FilterError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise FilterError(f"{path}: cannot read: {e.strerror}") from None


_SPRITE_KEYS = {"kind", "image", "pin", "anchor", "offset", "width", "when"}
_TEARS_KEYS = {"kind", "image", "rate", "streams", "speed", "color"}
_MESH_KEYS = {"kind", "tessellation", "box", "anchors"}


def _layer(v: _Validator, folder: Path, key: str, raw: Any) -> AnyLayer:
    if not isinstance(raw, dict):
        raise v.error(key, "expected a table", raw)
    kind = v.choice(raw, f"{key}.kind", ("sprite", "tears", "mesh"))
    if kind == "sprite":
        v.only(raw, key, _SPRITE_KEYS)
        when = None
        if "when" in raw:
            w = raw["when"]
            if not isinstance(w, dict):
                raise v.error(f"{key}.when", 'expected a table like { measure = "mouth_open", '
                              "above = 0.25 }", w)
            v.only(w, f"{key}.when", {"measure", "above", "fade"})
            when = Trigger(
                measure=v.choice(w, f"{key}.when.measure", MEASURE_NAMES),
                above=v.number(w, f"{key}.when.above"),
                fade=v.number(w, f"{key}.when.fade", default=0.1, positive=True),
            )
        return SpriteLayer(
            sprite=_sprite(v, folder, f"{key}.image", raw),
            pin_xy=v.pair(raw, f"{key}.pin"),
            anchor=v.choice(raw, f"{key}.anchor", ANCHOR_NAMES),
            offset_xy=v.pair(raw, f"{key}.offset", default=(0.0, 0.0)),
            width=v.number(raw, f"{key}.width", positive=True),
            when=when,
        )
    if kind == "tears":
        v.only(raw, key, _TEARS_KEYS)
        return TearsLayer(TearStyle(
            rate=v.number(raw, f"{key}.rate", default=1.2, positive=True),
            streams=int(v.number(raw, f"{key}.streams", default=2, positive=True, integer=True)),
            speed=v.number(raw, f"{key}.speed", default=1.4, positive=True),
            color_bgr=v.color(raw, f"{key}.color", default="#8fd3ff"),
            drop=_sprite(v, folder, f"{key}.image", raw) if "image" in raw else None,
        ))
    v.only(raw, key, _MESH_KEYS)
    return MeshLayer(
        tessellation=v.boolean(raw, f"{key}.tessellation", default=True),
        box=v.boolean(raw, f"{key}.box", default=True),
        anchors=v.boolean(raw, f"{key}.anchors", default=True),
    )


def _sprite(v: _Validator, folder: Path, key: str, raw: dict[str, Any]) -> Sprite:
    name = v.string(raw, key)
    root = folder.resolve()
    asset = (folder / name).resolve()
    # Resolving first also catches symlinks that lead out of the folder.
    if Path(name).is_absolute() or root not in asset.parents:
        raise v.error(key, "expected a file inside the filter's folder", name)
    if not asset.is_file():
        raise v.error(key, "expected an existing PNG file", name)
    image = cv2.imread(str(asset), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise v.error(key, "expected a readable PNG image", name)
    if image.dtype == np.uint16:
        image = (image // 257).astype(np.uint8)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGRA)
    elif image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    return Sprite.from_bgra(np.ascontiguousarray(image))


class _Validator:
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
               positive: bool = False, integer: bool = False) -> float:
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

    def choice(self, table: dict[str, Any], key: str, options: Iterable[str]) -> str:
        options = tuple(options)
        value = self._get(key, table, self._MISSING)
        if value not in options:
            raise self.error(key, f"expected one of {', '.join(options)}", value)
        return value

    def color(self, table: dict[str, Any], key: str, default: str) -> tuple[int, int, int]:
        value = self._get(key, table, default)
        if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
            raise self.error(key, 'expected a colour "#rrggbb"', value)
        r, g, b = (int(value[k:k + 2], 16) for k in (1, 3, 5))
        return b, g, r


_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _is_number(value: Any) -> bool:
    # TOML has inf and nan; neither places anything anywhere.
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
