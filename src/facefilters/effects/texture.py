"""``kind = "texture"``: a picture painted on the face through the mesh's UV coordinates.

The picture is drawn in the canonical face's UV space (``scripts/make_textures.py``
draws the built-in ones over a guide of the mesh), so it follows the face as it turns
and talks: face paint, a carnival mask. See :mod:`..render.texture`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import Phrase
from ..render.texture import BLENDS, FaceTexture, draw_texture
from ..validate import Validator
from .base import OVERLAY, EffectContext

MIN_SIDE = 64
"""The smallest UV texture accepted, in pixels a side."""


@dataclass(frozen=True, eq=False)
class TextureEffect:
    """A UV texture on each face.

    Attributes:
        texture: the picture, premultiplied, with its mip levels.
        blend: one of ``render.texture.BLENDS``; ``"paint"`` keeps the skin's shading.
        opacity: 0..1, times the picture's own alpha.
    """

    kind: ClassVar[str] = "texture"
    keys: ClassVar[frozenset[str]] = frozenset({"image", "blend", "opacity"})
    phase: ClassVar[int] = OVERLAY
    reads_source: ClassVar[bool] = False

    texture: FaceTexture
    blend: str = "paint"
    opacity: float = 1.0

    @classmethod
    def from_toml(
        cls, v: Validator, folder: Path, key: str, table: dict[str, Any]
    ) -> TextureEffect:
        picture = v.picture(folder, table, f"{key}.image")
        h, w = picture.shape[:2]
        if h != w or h < MIN_SIDE:
            problem = Phrase("error.filter.uv_texture", side=MIN_SIDE)
            raise v.error(f"{key}.image", problem, table["image"])
        return cls(
            texture=FaceTexture.from_bgra(picture),
            blend=v.choice(table, f"{key}.blend", BLENDS, default="paint"),
            opacity=v.number(table, f"{key}.opacity", default=1.0, low=0, high=1),
        )

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        for i in ctx.active():
            draw_texture(
                frame,
                ctx.faces.landmarks[i],
                self.texture,
                opacity=self.opacity * float(ctx.weights[i]),
                blend=self.blend,
            )
