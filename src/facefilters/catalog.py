"""Finds filter folders and loads them: ``filter.toml`` plus its PNG assets.

A filter file is data only: it is parsed as TOML, every key is checked, and asset paths
must stay inside the filter's folder. Errors name the file, the key and what was
expected, e.g. ``filters/dog/filter.toml: layers[1].width: expected a positive number``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .effects import KINDS, Filter, Layer, Trigger
from .errors import FilterError, Number, Phrase, os_reason
from .geometry import MEASURE_NAMES
from .paths import builtin_filters_dir
from .validate import Validator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FILTER_FILE = "filter.toml"
MAX_TOML_BYTES = 64 * 1024
"""The largest filter.toml read (the built-in ones are under 2 KB)."""
MAX_DEPTH = 4
"""The deepest nesting of tables and lists a filter.toml needs: layers[0].when.above."""
MAX_LAYERS = 32


@dataclass(frozen=True)
class FilterInfo:
    """What ``facefilters filters`` lists: id, display name, description, folder."""

    id: str
    name: str
    description: str
    folder: Path


SHOWCASE = (
    "dog",
    "glasses",
    "bunny",
    "big-eyes",
    "cat",
    "crying",
    "googly-eyes",
    "face-paint",
    "chubby",
    "carnival",
    "tears",
    "mesh",
    "swap",
    "face-trade",
    "anonymize",
)
"""The built-in filters in demo order: the dog first; the mesh, then the deepfakes, as in
the lesson; the teacher's tool last."""


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
                raise FilterError.said("error.no_filters_folder", path=base)
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

    def showcase_ids(self) -> list[str]:
        """Filter ids in the order a demo flips through them: :data:`SHOWCASE` first
        (the ones people know, alternating stickers and warps), then the rest, sorted."""
        known = [i for i in SHOWCASE if i in self._folders]
        return known + [i for i in self.ids() if i not in known]

    def info(self, filter_id: str) -> FilterInfo:
        """Name and description of one filter, without loading its assets."""
        folder = self._folder(filter_id)
        data = _read_toml(folder / FILTER_FILE)
        v = Validator(folder / FILTER_FILE)
        return FilterInfo(
            filter_id,
            v.string(data, "name", default=filter_id),
            v.string(data, "description", default=""),
            folder,
        )

    def usable(self, warn: Callable[[FilterError], None]) -> dict[str, Filter]:
        """Every filter that loads, by id, sorted; a broken one is skipped with a warning.

        Args:
            warn: called once per skipped filter, with an error that names it (to say in
                the user's language: ``FilterError.translated``).
        """
        filters = {}
        for filter_id in self.ids():
            try:
                filters[filter_id] = self.load(filter_id)
            except FilterError as e:
                warn(FilterError.said("error.skipped_filter", filter=filter_id, error=e))
        return filters

    def listing(self, warn: Callable[[FilterError], None]) -> list[FilterInfo]:
        """What ``facefilters filters`` shows: every filter that loads (see :meth:`usable`)."""
        return [
            FilterInfo(i, f.name, f.description, self._folders[i])
            for i, f in self.usable(warn).items()
        ]

    def load(self, filter_id: str) -> Filter:
        """Load and validate a filter with its assets.

        Raises:
            FilterError: unknown id, or a broken folder.
        """
        return load_filter(self._folder(filter_id))

    def _folder(self, filter_id: str) -> Path:
        if filter_id not in self._folders:
            known = ", ".join(self.ids()) or "none"
            raise FilterError.said("error.unknown_filter", filter=filter_id, names=known)
        return self._folders[filter_id]


def load_filter(folder: Path) -> Filter:
    """Load the filter in ``folder`` (its ``filter.toml`` and assets).

    Raises:
        FilterError: naming the file, the key and what was expected.
    """
    path = folder / FILTER_FILE
    data = _read_toml(path)
    v = Validator(path)
    v.only(data, "", {"name", "description", "layers"})
    layers_raw = data.get("layers")
    if not isinstance(layers_raw, list) or not layers_raw:
        raise v.error("layers", Phrase("error.filter.layers"), layers_raw)
    if len(layers_raw) > MAX_LAYERS:
        many = Phrase("error.filter.many_layers", most=MAX_LAYERS, count=len(layers_raw))
        raise v.error("layers", many)
    layers = tuple(_layer(v, folder, f"layers[{k}]", raw) for k, raw in enumerate(layers_raw))
    return Filter(
        id=folder.name,
        name=v.string(data, "name", default=folder.name),
        description=v.string(data, "description", default=""),
        layers=layers,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a filter.toml: UTF-8 (a byte-order mark is allowed), small, shallow.

    Raises:
        FilterError: naming the file, and the key where there is one.
    """
    v = Validator(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_TOML_BYTES + 1)
    except OSError as e:
        raise v.error("", Phrase("error.filter.cannot_read", reason=os_reason(e))) from None
    if len(raw) > MAX_TOML_BYTES:
        raise v.error("", Phrase("error.filter.too_large", most=MAX_TOML_BYTES // 1024))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        byte = f"0x{raw[e.start]:02x}"
        raise v.error("", Phrase("error.filter.not_utf8", byte=byte, line=line)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib's own words have no translation: they follow the lead as they are.
        raise v.error("", Phrase("error.filter.not_toml", detail=str(e))) from None
    except RecursionError:
        # The parser recurses once per level of nesting; a key nested that deep is
        # found by the check below only if parsing gets that far, so name the line.
        raise v.error(_deep_key(text), _TOO_DEEP) from None
    _check_depth(path, data)
    return data


def _check_depth(path: Path, data: dict[str, Any]) -> None:
    stack: list[tuple[str, Any, int]] = [(k, v, 1) for k, v in data.items()]
    while stack:
        key, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Validator(path).error(key, _TOO_DEEP)
        if isinstance(value, dict):
            stack.extend((f"{key}.{k}", v, depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{key}[{i}]", v, depth + 1) for i, v in enumerate(value))


_TOO_DEEP = Phrase("error.filter.too_deep", most=MAX_DEPTH)


def _deep_key(text: str) -> Phrase:
    """The key of the first line whose value opens more brackets than a filter needs."""
    for number, line in enumerate(text.splitlines(), 1):
        name, eq, value = line.partition("=")
        if eq and value.count("[") + value.count("{") > MAX_DEPTH:
            return Phrase("error.filter.on_line", field=name.strip(), line=number)
    return Phrase("error.filter.a_value")


def _layer(v: Validator, folder: Path, key: str, raw: Any) -> Layer:
    if not isinstance(raw, dict):
        raise v.error(key, Phrase("error.filter.table"), raw)
    kind = KINDS[v.choice(raw, f"{key}.kind", KINDS)]
    v.only(raw, key, {"kind", "when", *kind.keys})
    effect = kind.from_toml(v, folder, key, raw)
    return Layer(effect, _trigger(v, f"{key}.when", raw["when"]) if "when" in raw else None)


def _trigger(v: Validator, key: str, raw: Any) -> Trigger:
    if not isinstance(raw, dict):
        example = '{ measure = "mouth_open", above = 0.3 }'
        raise v.error(key, Phrase("error.filter.trigger", example=example), raw)
    v.only(raw, key, {"measure", "above", "below", "off", "fade"})
    if ("above" in raw) == ("below" in raw):
        raise v.error(key, Phrase("error.filter.above_or_below"))
    below = "below" in raw
    # Every measure is a ratio of face distances or a 0..1 score: past 10 a layer would
    # never (or always) show.
    on = v.number(raw, f"{key}.{'below' if below else 'above'}", low=-10, high=10)
    # Hysteresis: switching off takes a clear move back, a fifth of the threshold.
    off = v.number(raw, f"{key}.off", default=on * (1.2 if below else 0.8), low=-12, high=12)
    if (off < on) if below else (off > on):
        side = "error.filter.off_at_least" if below else "error.filter.off_at_most"
        raise v.error(f"{key}.off", Phrase(side, on=Number(on)), off)
    return Trigger(
        measure=v.choice(raw, f"{key}.measure", MEASURE_NAMES),
        on=on,
        off=off,
        below=below,
        fade_s=v.number(raw, f"{key}.fade", default=0.12, low=0, high=10),
    )
