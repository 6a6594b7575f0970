"""``kind = "sprite"``: a picture pinned to an anchor; it scales and turns with the face.

With ``swing``, the picture hangs from its pin like a pendulum: ears flop as the head
moves and tilts (see :mod:`.physics`).

By default the picture faces the camera at the face's turn-proof size
(``FaceGeometry.size_px``); its pin sits on the head and follows its turn (an ear on the
crown goes round the back: ``FaceGeometry.head_to_image``), and it fades out as the head
turns it away (``FaceGeometry.visibility``). With ``plane = "face"`` it lies in the face's
frontal plane instead and narrows as the head turns (a lens); with ``"left_side"`` or
``"right_side"`` it lies along that side of the head, its +x running back towards the
ear (a glasses arm): edge-on and hidden from the front, shown as that side turns towards
the camera (``FaceGeometry.side_visibility``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import Phrase
from ..geometry import ANCHOR_NAMES, FaceGeometry
from ..render.sprite import Sprite, draw_sprite, similarity_matrix
from ..validate import Validator
from .base import OVERLAY, EffectContext
from .physics import Pendulum, PivotMotion, rotate

MAX_SIZES = 10.0
"""The widest a picture, and the farthest from its anchor, in face sizes: past that it
leaves any picture the face is in."""


PLANES = ("camera", "face", "left_side", "right_side")
"""Where a sprite's picture lies: facing the camera, in the face's frontal plane, or
along the person's left or right side of the head, running back."""


@dataclass(frozen=True, eq=False)
class SpriteEffect:
    """An image pinned to an anchor.

    Attributes:
        sprite: the picture, premultiplied, with its mip levels.
        pin_xy: the point of the picture (its pixels) that goes on the anchor.
        anchor: one of ``geometry.ANCHOR_NAMES``.
        offset_xy: from the anchor, in face sizes (``size_px``) in the face frame.
        width: the picture's width on the face, in face sizes.
        swing_deg: 0 for a rigid picture; else it swings around its pin up to this far.
        stiffness: 0 hangs freely under gravity, 1 keeps its pose (only jerks move it).
        plane: where the picture lies: one of ``PLANES``.
    """

    kind: ClassVar[str] = "sprite"
    keys: ClassVar[frozenset[str]] = frozenset(
        {"image", "pin", "anchor", "offset", "width", "swing", "stiffness", "plane"}
    )
    phase: ClassVar[int] = OVERLAY
    reads_source: ClassVar[bool] = False

    sprite: Sprite
    pin_xy: tuple[float, float]
    anchor: str
    offset_xy: tuple[float, float] = (0.0, 0.0)
    width: float = 1.0
    swing_deg: float = 0.0
    stiffness: float = 0.0
    plane: str = "camera"
    _motion: PivotMotion = field(default_factory=PivotMotion, repr=False)
    _pendulum: Pendulum | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.swing_deg > 0 and self._pendulum is None:
            object.__setattr__(
                self, "_pendulum", Pendulum(self.swing_deg, stiffness=self.stiffness)
            )

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]) -> SpriteEffect:
        sprite = Sprite.from_bgra(v.picture(folder, table, f"{key}.image"))
        w, h = sprite.size_wh
        plane = v.choice(table, f"{key}.plane", PLANES, default="camera")
        if plane != "camera" and "swing" in table:
            raise v.error(f"{key}.swing", Phrase("error.filter.swing"), table["swing"])
        return cls(
            sprite=sprite,
            # A pin may sit off the picture (a pendulum's pivot), but not far off.
            pin_xy=v.pair(table, f"{key}.pin", low=(-w, -h), high=(2 * w, 2 * h)),
            anchor=v.choice(table, f"{key}.anchor", ANCHOR_NAMES),
            offset_xy=v.pair(
                table,
                f"{key}.offset",
                default=(0.0, 0.0),
                low=(-MAX_SIZES, -MAX_SIZES),
                high=(MAX_SIZES, MAX_SIZES),
            ),
            width=v.number(table, f"{key}.width", positive=True, high=MAX_SIZES),
            swing_deg=v.number(table, f"{key}.swing", default=0.0, low=0, high=90),
            stiffness=v.number(table, f"{key}.stiffness", default=0.0, low=0, high=1),
            plane=plane,
        )

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        g = ctx.geometry
        for i in ctx.active():
            size = float(g.size_px[i])
            if self.plane != "camera":
                # A picture lying in a plane of the head (glasses) is flat: its points stay
                # in the face's frontal plane; a sticker sits on the head itself.
                target = g.face_to_image(i, self.anchor, self.offset_xy)
                matrix, shown = self._in_head(g, i, target)
                draw_sprite(frame, self.sprite, matrix, float(ctx.weights[i]) * shown)
                continue
            target = g.head_to_image(i, self.anchor, self.offset_xy)
            scale = self.width * size / self.sprite.size_wh[0]
            axis_x, axis_y = g.axis_x[i], g.axis_y[i]
            if self._pendulum is not None:
                # Swings on out of sight too, so it does not jump when it comes back.
                key = (int(ctx.faces.ids[i]), 0)
                felt = self._motion.felt_gravity(key, target, ctx.t, size)
                angle = self._pendulum.angle(key, felt, axis_y)
                axis_x, axis_y = rotate(axis_x, angle), rotate(axis_y, angle)
            opacity = float(ctx.weights[i]) * g.visibility(i, self.anchor, self.offset_xy)
            matrix = similarity_matrix(self.pin_xy, target, scale, axis_x, axis_y)
            draw_sprite(frame, self.sprite, matrix, opacity)

    def _in_head(self, g: FaceGeometry, i: int, target: np.ndarray) -> tuple[np.ndarray, float]:
        """The matrix and visibility of a picture lying in the face's plane or along a
        side of the head."""
        per_px = self.width / self.sprite.size_wh[0]  # face sizes per picture pixel
        if self.plane == "face":
            across = g.plane_x[i]
            shown = g.visibility(i, self.anchor, self.offset_xy)
        else:
            across = g.plane_back(i)
            shown = g.side_visibility(i, 1 if self.plane == "left_side" else -1)
        return similarity_matrix(self.pin_xy, target, per_px, across, g.plane_y[i]), shown
