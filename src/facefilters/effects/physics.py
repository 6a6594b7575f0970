"""Things that hang and roll on a moving face: ears that swing, googly pupils.

Both feel the same force: gravity (straight down the picture) minus the acceleration of
the point they hang from, in eye distances per second squared, so an ear swings back
when the head jerks sideways and hangs straight down when the head tilts. State is kept
per face id; time comes from the frames, so the motion does not depend on the frame rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

GRAVITY_ED = 150.0
"""Gravity in eye distances per second squared: 9.8 m/s^2 over a 65 mm eye distance."""
MAX_STEP_S = 1 / 120
"""Integration sub-step: stable for the springs below at any frame rate."""
RESET_S = 0.25
"""A gap longer than this (a dropped face, a paused source) restarts the motion at rest."""


@dataclass
class _Point:
    t: float
    xy: tuple[float, float]
    velocity: tuple[float, float]


class PivotMotion:
    """The acceleration of a point on a face, per face id, from its positions over time."""

    def __init__(self) -> None:
        self._last: dict[tuple[int, int], _Point] = {}

    def felt_gravity(
        self, key: tuple[int, int], xy: np.ndarray, t: float, size_px: float
    ) -> tuple[float, float, float]:
        """Gravity minus the point's acceleration, in face sizes per second squared.

        Args:
            key: which point of which face, e.g. ``(face_id, layer_slot)``.
            xy: ndarray of shape (2,): the point's pixels now.
            t: time in seconds.
            size_px: the face's unit of size in pixels (``FaceGeometry.size_px``).

        Returns:
            ``(gx, gy, dt)``: the felt gravity in picture axes (y down), and the seconds
            since the point was last seen (0 when it is new or was lost for a while).
        """
        x, y = float(xy[0]), float(xy[1])
        last = self._last.get(key)
        dt = 0.0 if last is None else t - last.t
        if last is None or not 0 < dt <= RESET_S:
            self._last[key] = _Point(t, (x, y), (0.0, 0.0))
            return 0.0, GRAVITY_ED, 0.0
        scale = 1.0 / max(size_px, 1.0)
        vx, vy = (x - last.xy[0]) / dt * scale, (y - last.xy[1]) / dt * scale
        ax, ay = (vx - last.velocity[0]) / dt, (vy - last.velocity[1]) / dt
        self._last[key] = _Point(t, (x, y), (vx, vy))
        if len(self._last) > 64:
            self._last = {k: p for k, p in self._last.items() if t - p.t <= RESET_S}
        return -ax, GRAVITY_ED - ay, dt


class Pendulum:
    """A damped pendulum per key: the angle of a hanging part away from its rest pose.

    Args:
        max_deg: the largest swing either way.
        hz: natural frequency of the swing.
        damping: damping ratio (1 stops without overshoot; lower wobbles).
        stiffness: how strongly the part keeps its rest pose against gravity, 0 (hangs
            freely: a floppy ear) to 1 (stays put).
    """

    def __init__(
        self, max_deg: float, hz: float = 1.6, damping: float = 0.18, stiffness: float = 0.0
    ) -> None:
        self.max_rad = math.radians(max_deg)
        self.omega = 2 * math.pi * hz
        self.damping = damping
        self.stiffness = stiffness
        self._state: dict[tuple[int, int], tuple[float, float]] = {}

    def angle(
        self, key: tuple[int, int], gravity: tuple[float, float, float], rest_down: np.ndarray
    ) -> float:
        """The part's angle now, in radians (positive turns the picture's +x into +y).

        Args:
            key: which part of which face.
            gravity: ``felt_gravity`` of the pivot: ``(gx, gy, dt)``.
            rest_down: ndarray of shape (2,): unit vector of the part's "down" in its
                rest pose (the face's +y axis).
        """
        gx, gy, dt = gravity
        # Where gravity pulls, as an angle from the rest pose's down direction.
        cross = rest_down[0] * gy - rest_down[1] * gx
        dot = rest_down[0] * gx + rest_down[1] * gy
        pull = math.atan2(cross, dot) * (1.0 - self.stiffness)
        # Strong felt gravity (a jerk) pulls harder than plain gravity.
        strength = min(math.hypot(gx, gy) / GRAVITY_ED, 3.0)
        theta, omega = self._state.get(key, (0.0, 0.0))
        if dt <= 0:
            theta, omega = 0.0, 0.0
        steps = max(1, math.ceil(dt / MAX_STEP_S))
        h = dt / steps
        k = self.omega**2
        for _ in range(steps):
            accel = -k * (theta - pull * strength) - 2 * self.damping * self.omega * omega
            omega += accel * h
            theta += omega * h
        theta = max(-self.max_rad, min(self.max_rad, theta))
        self._state[key] = (theta, omega)
        if len(self._state) > 64:
            self._state.clear()
        return theta


def rotate(v: np.ndarray, angle: float) -> np.ndarray:
    """ndarray of shape (2,) turned by ``angle`` radians in picture axes (y down)."""
    c, s = math.cos(angle), math.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]], np.float32)
