"""``kind = "googly"``: googly eyes over the real ones; the pupils roll as the head moves.

Each pupil is a ball in a dome: gravity pulls it to the bottom of the dome (the picture's
bottom, whichever way the head is tilted) and a jerk of the head sends it rattling
round (see :mod:`.physics`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..render.googly import draw_googly_eye
from ..validate import Validator
from .base import OVERLAY, EffectContext
from .physics import GRAVITY_ED, MAX_STEP_S, PivotMotion

PUPIL_SHARE = 0.45
"""Pupil radius over dome radius, as the renderer draws it."""


@dataclass
class _Ball:
    xy: tuple[float, float] = (0.0, 0.0)
    velocity: tuple[float, float] = (0.0, 0.0)


class _Rattle:
    """A ball rolling in a round dish: position in units of the free travel radius."""

    def __init__(self, wobble: float) -> None:
        # Softer springs and less damping rattle longer.
        self.omega = 2 * math.pi * (3.0 - 1.5 * wobble)
        self.damping = 0.35 - 0.25 * wobble
        self._balls: dict[tuple[int, int], _Ball] = {}

    def position(
        self, key: tuple[int, int], felt: tuple[float, float, float]
    ) -> tuple[float, float]:
        gx, gy, dt = felt
        ball = self._balls.setdefault(key, _Ball())
        # Where the ball would settle: towards the felt gravity, up to the rim.
        tx, ty = gx / GRAVITY_ED, gy / GRAVITY_ED
        reach = math.hypot(tx, ty)
        if reach > 1:
            tx, ty = tx / reach, ty / reach
        if dt <= 0:
            ball.xy, ball.velocity = (tx, ty), (0.0, 0.0)
            return ball.xy
        (x, y), (vx, vy) = ball.xy, ball.velocity
        steps = max(1, math.ceil(dt / MAX_STEP_S))
        h = dt / steps
        k, c = self.omega**2, 2 * self.damping * self.omega
        for _ in range(steps):
            vx += (k * (tx - x) - c * vx) * h
            vy += (k * (ty - y) - c * vy) * h
            x, y = x + vx * h, y + vy * h
            r = math.hypot(x, y)
            if r > 1:
                # Bounce off the rim, losing half the speed across it.
                nx, ny = x / r, y / r
                x, y = nx, ny
                across = vx * nx + vy * ny
                if across > 0:
                    vx, vy = vx - 1.5 * across * nx, vy - 1.5 * across * ny
        ball.xy, ball.velocity = (x, y), (vx, vy)
        if len(self._balls) > 64:
            self._balls = {key: ball}
        return ball.xy


@dataclass(frozen=True, eq=False)
class GooglyEffect:
    """Googly eyes over the eye sockets, so they stay put when the eyes look sideways.

    Each fades out as the head turns it away (``FaceGeometry.visibility``).

    Attributes:
        size: dome radius in face sizes (``FaceGeometry.size_px``).
        wobble: 0 (pupils settle at once) to 1 (they rattle a long time).
    """

    kind: ClassVar[str] = "googly"
    keys: ClassVar[frozenset[str]] = frozenset({"size", "wobble"})
    phase: ClassVar[int] = OVERLAY
    reads_source: ClassVar[bool] = False

    size: float = 0.32
    wobble: float = 0.5
    _motion: PivotMotion = field(default_factory=PivotMotion, repr=False)
    _rattle: _Rattle | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._rattle is None:
            object.__setattr__(self, "_rattle", _Rattle(self.wobble))

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]) -> GooglyEffect:
        return cls(
            size=v.number(table, f"{key}.size", default=0.32, positive=True, high=1.0),
            wobble=v.number(table, f"{key}.wobble", default=0.5, low=0, high=1),
        )

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        g = ctx.geometry
        assert self._rattle is not None
        for i in ctx.active():
            size = float(g.size_px[i])
            radius = self.size * size
            travel = radius * (1 - PUPIL_SHARE)
            for slot, anchor in enumerate(("right_eye", "left_eye")):
                center = g.anchors[anchor][i]
                key = (int(ctx.faces.ids[i]), slot)
                felt = self._motion.felt_gravity(key, center, ctx.t, size)
                bx, by = self._rattle.position(key, felt)
                opacity = float(ctx.weights[i]) * g.visibility(i, anchor)
                draw_googly_eye(
                    frame,
                    center,
                    radius,
                    (bx * travel, by * travel),
                    axis_x=g.axis_x[i],
                    opacity=opacity,
                )
