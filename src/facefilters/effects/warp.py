"""``kind = "warp"``: the face itself deformed: big eyes, a crying face, slim or chubby.

Warps run before anything is drawn (phase ``WARP``), one face after the other on the
frame as the earlier warps left it, so neighbouring faces' warps add up instead of
undoing each other, and no sticker is bent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..render.warp import MAX_STRENGTH, PRESETS, apply_warp, preset_controls, warp_roi
from ..validate import Validator
from .base import WARP, EffectContext


@dataclass(frozen=True)
class WarpEffect:
    """A landmark-driven deformation of each face.

    Attributes:
        preset: one of ``render.warp.PRESETS``.
        strength: 1 is the preset as designed; up to ``MAX_STRENGTH``.
    """

    kind: ClassVar[str] = "warp"
    keys: ClassVar[frozenset[str]] = frozenset({"preset", "strength"})
    phase: ClassVar[int] = WARP
    reads_source: ClassVar[bool] = False

    preset: str
    strength: float = 1.0

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]) -> WarpEffect:
        return cls(
            preset=v.choice(table, f"{key}.preset", PRESETS),
            strength=v.number(table, f"{key}.strength", default=1.0, low=0, high=MAX_STRENGTH),
        )

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        h, w = frame.shape[:2]
        for i in ctx.active():
            face_xyz = ctx.faces.landmarks[i]
            strength = self.strength * float(ctx.weights[i])
            from_xy, to_xy = preset_controls(self.preset, face_xyz, strength)
            apply_warp(frame, frame, from_xy, to_xy, warp_roi(face_xyz, (w, h)))
