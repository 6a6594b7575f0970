"""The effect registry and the order effects run in, with made-up kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from facefilters.catalog import load_filter
from facefilters.effects import KINDS, OVERLAY, WARP, EffectContext, Filter, Layer
from facefilters.errors import FilterError
from facefilters.validate import Validator

from builders import make_faces


@dataclass(eq=False)
class Recorder:
    """A made-up kind: records what it saw, then paints its mark on every face's box."""

    kind: ClassVar[str] = "recorder"
    keys: ClassVar[frozenset[str]] = frozenset({"mark"})
    phase: ClassVar[int] = OVERLAY
    reads_source: ClassVar[bool] = True

    mark: int = 0
    seen: list[tuple[str, Any]] = field(default_factory=list)
    log: list[str] | None = None

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]):
        return cls(mark=int(v.number(table, f"{key}.mark", integer=True, low=0, high=255)))

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        if self.log is not None:
            self.log.append(f"{self.kind}:{self.mark}")
        self.seen.append(("source", None if ctx.source is None else ctx.source.copy()))
        self.seen.append(("faces", len(ctx.faces)))
        self.seen.append(("t", ctx.t))
        self.seen.append(("eye", ctx.geometry.eye_distance.copy()))
        for x0, y0, x1, y1 in ctx.faces.xyxy.astype(int):
            frame[y0:y1, x0:x1] = self.mark


@dataclass(eq=False)
class Shift:
    """A made-up warp: rolls every face's box one pixel right."""

    kind: ClassVar[str] = "shift"
    keys: ClassVar[frozenset[str]] = frozenset()
    phase: ClassVar[int] = WARP
    reads_source: ClassVar[bool] = False

    log: list[str] | None = None

    @classmethod
    def from_toml(cls, v, folder, key, table):
        return cls()

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        if self.log is not None:
            self.log.append("shift")
        for x0, y0, x1, y1 in ctx.faces.xyxy.astype(int):
            frame[y0:y1, x0:x1] = np.roll(frame[y0:y1, x0:x1], 1, axis=1)


def test_a_new_kind_is_one_class_and_one_line_in_kinds(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(KINDS, Recorder.kind, Recorder)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "filter.toml").write_text(
        'name = "Mine"\n\n[[layers]]\nkind = "recorder"\nmark = 7\n', encoding="utf-8"
    )
    loaded = load_filter(folder)
    assert isinstance(loaded.layers[0].effect, Recorder)
    assert loaded.layers[0].effect.mark == 7
    # Its keys are validated like the built-in ones.
    (folder / "filter.toml").write_text(
        '[[layers]]\nkind = "recorder"\nmark = 300\n', encoding="utf-8"
    )
    with pytest.raises(
        FilterError, match=r"layers\[0\]\.mark: expected a whole number from 0 to 255"
    ):
        load_filter(folder)


def test_every_registered_kind_has_the_contract() -> None:
    assert {"sprite", "tears", "mesh", "warp", "anonymize", "texture", "googly"} <= set(KINDS)
    for kind, cls in KINDS.items():
        assert cls.kind == kind
        assert cls.phase in (WARP, OVERLAY)
        assert isinstance(cls.keys, frozenset) and "kind" not in cls.keys
        assert callable(cls.from_toml) and callable(cls.apply)


def test_warps_run_first_and_an_effect_sees_the_untouched_frame() -> None:
    log: list[str] = []
    first, last = Recorder(mark=50, log=log), Recorder(mark=200, log=log)
    # Listed sticker, warp, sticker: the warp still runs before both.
    f = Filter("t", "T", "", (Layer(first), Layer(Shift(log=log)), Layer(last)))
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    before = frame.copy()
    faces = make_faces(2, center_xy=(320, 240), eye_distance=50)
    f.apply(frame, faces, t=1.5)
    assert log == ["shift", "recorder:50", "recorder:200"]
    for effect in (first, last):
        seen = dict(effect.seen)
        # The source is the frame before this filter drew anything, warp included.
        assert np.array_equal(seen["source"], before)
        assert seen["faces"] == 2 and seen["t"] == 1.5
        assert seen["eye"] == pytest.approx([50, 50], rel=0.05)
    # The last sticker is on top, unbent.
    x0, y0, x1, y1 = faces.xyxy[0].astype(int)
    assert (frame[y0:y1, x0:x1] == 200).all()


def test_no_source_copy_unless_asked() -> None:
    @dataclass(eq=False)
    class Blind(Recorder):
        reads_source: ClassVar[bool] = False

    blind = Blind(mark=1)
    f = Filter("t", "T", "", (Layer(blind),))
    f.apply(
        np.zeros((100, 100, 3), np.uint8), make_faces(1, center_xy=(50, 50), eye_distance=20), t=0.0
    )
    assert dict(blind.seen)["source"] is None
