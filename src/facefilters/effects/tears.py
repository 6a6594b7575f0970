"""``kind = "tears"``: animated tears that well up at the eyes and run down the cheeks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..render.sprite import Sprite
from ..render.tears import TearStyle, draw_tears
from ..validate import Validator
from .base import OVERLAY, EffectContext


@dataclass(frozen=True)
class TearsEffect:
    """Tears from both eyes, a pure function of time (see :mod:`..render.tears`)."""

    kind: ClassVar[str] = "tears"
    keys: ClassVar[frozenset[str]] = frozenset({"image", "rate", "streams", "speed", "color"})
    phase: ClassVar[int] = OVERLAY
    reads_source: ClassVar[bool] = False

    style: TearStyle

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]) -> TearsEffect:
        drop = None
        if "image" in table:
            drop = Sprite.from_bgra(v.picture(folder, table, f"{key}.image"))
        return cls(
            TearStyle(
                rate=v.number(table, f"{key}.rate", default=1.2, positive=True, high=20),
                streams=int(
                    v.number(
                        table, f"{key}.streams", default=2, positive=True, integer=True, high=8
                    )
                ),
                speed=v.number(table, f"{key}.speed", default=1.4, positive=True, high=20),
                color_bgr=v.color(table, f"{key}.color", default="#8fd3ff"),
                drop=drop,
            )
        )

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        for i in ctx.active():
            draw_tears(
                frame,
                ctx.geometry,
                i,
                int(ctx.faces.ids[i]),
                ctx.t,
                self.style,
                face_xy=ctx.faces.xy[i],
            )
