"""``kind = "mesh"``: what the computer sees: the mesh, the face box and the anchors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..render.mesh import draw_mesh
from ..validate import Validator
from .base import OVERLAY, EffectContext


@dataclass(frozen=True)
class MeshEffect:
    """The landmark mesh, the face box with its id, and the labelled anchors.

    Attributes:
        words: (key, word) pairs for the words on the picture, in the user's language
            (see ``render.mesh.draw_mesh``); the app fills them in, a filter.toml cannot.
    """

    kind: ClassVar[str] = "mesh"
    keys: ClassVar[frozenset[str]] = frozenset({"tessellation", "box", "anchors"})
    phase: ClassVar[int] = OVERLAY
    reads_source: ClassVar[bool] = False

    tessellation: bool = True
    box: bool = True
    anchors: bool = True
    words: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]) -> MeshEffect:
        return cls(
            tessellation=v.boolean(table, f"{key}.tessellation", default=True),
            box=v.boolean(table, f"{key}.box", default=True),
            anchors=v.boolean(table, f"{key}.anchors", default=True),
        )

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        for i in ctx.active():
            draw_mesh(
                frame,
                ctx.faces,
                ctx.geometry,
                i,
                tessellation=self.tessellation,
                box=self.box,
                anchors=self.anchors,
                words=dict(self.words),
            )
