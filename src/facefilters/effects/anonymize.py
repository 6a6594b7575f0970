"""``kind = "anonymize"``: every face pixelated or blurred beyond recognition.

For a teacher who publishes a class video. It runs in the warp phase, before anything is
drawn, so stickers in the same filter stay sharp on top of the hidden face. A trigger's
fade does not weaken it: a half-hidden face is not hidden, so any weight above zero
hides the face fully.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..render.anonymize import MODES, anonymize_face
from ..validate import Validator
from .base import WARP, EffectContext

MAX_STRENGTH = 4.0


@dataclass(frozen=True)
class AnonymizeEffect:
    """Hide each face.

    Attributes:
        mode: ``"pixelate"`` or ``"blur"``.
        strength: 1 for blocks (or a blur) of a quarter eye distance; from 0.5 (the
            least that still defeats FaceMesh, with a margin) to ``MAX_STRENGTH``.
    """

    kind: ClassVar[str] = "anonymize"
    keys: ClassVar[frozenset[str]] = frozenset({"mode", "strength"})
    phase: ClassVar[int] = WARP
    reads_source: ClassVar[bool] = False

    mode: str = "pixelate"
    strength: float = 1.0

    @classmethod
    def from_toml(
        cls, v: Validator, folder: Path, key: str, table: dict[str, Any]
    ) -> AnonymizeEffect:
        return cls(
            mode=v.choice(table, f"{key}.mode", MODES, default="pixelate"),
            strength=v.number(table, f"{key}.strength", default=1.0, low=0.5, high=MAX_STRENGTH),
        )

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        for i in ctx.active():
            anonymize_face(frame, ctx.faces.landmarks[i], self.mode, self.strength)
