"""Swinging ears and rolling pupils: the physics on synthetic faces, no model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facefilters.effects.physics import GRAVITY_ED, Pendulum, PivotMotion, rotate

DOWN = np.array([0.0, 1.0], np.float32)


def settle(
    pendulum: Pendulum,
    rest_down: np.ndarray,
    seconds: float,
    fps: float,
    path=lambda t: (0.0, 0.0),
    eye: float = 100.0,
) -> list[float]:
    """Angles of one pendulum whose pivot follows ``path(t)`` (pixels), frame by frame."""
    motion = PivotMotion()
    angles = []
    for k in range(int(seconds * fps) + 1):
        t = k / fps
        felt = motion.felt_gravity((0, 0), np.array(path(t), np.float32), t, eye)
        angles.append(pendulum.angle((0, 0), felt, rest_down))
    return angles


def test_a_still_upright_head_leaves_the_ear_at_rest() -> None:
    angles = settle(Pendulum(25), DOWN, 2.0, 30)
    assert max(abs(a) for a in angles) < 1e-6


@pytest.mark.parametrize("roll_deg", [-15.0, 12.0])
def test_a_tilted_head_lets_a_floppy_ear_hang_straight_down(roll_deg: float) -> None:
    # The face's "down" is turned by the roll; gravity still pulls to the picture's bottom.
    rest_down = rotate(DOWN, math.radians(roll_deg))
    angles = settle(Pendulum(25), rest_down, 4.0, 30)
    assert math.degrees(angles[-1]) == pytest.approx(-roll_deg, abs=1.0)
    # It wobbled on the way there rather than snapping.
    assert max(abs(a) for a in angles) > abs(math.radians(roll_deg))


def test_the_swing_is_limited() -> None:
    rest_down = rotate(DOWN, math.radians(60))
    angles = settle(Pendulum(20), rest_down, 3.0, 30)
    assert max(abs(math.degrees(a)) for a in angles) <= 20 + 1e-6


def test_a_stiff_part_ignores_a_steady_tilt() -> None:
    rest_down = rotate(DOWN, math.radians(20))
    angles = settle(Pendulum(25, stiffness=1.0), rest_down, 3.0, 30)
    assert max(abs(a) for a in angles) < 1e-6


def test_a_sideways_jerk_swings_the_ear_back_then_it_settles() -> None:
    def path(t: float) -> tuple[float, float]:
        # The head whips 1.5 eye distances to the right in 0.2 s, then stops.
        s = min(t / 0.2, 1.0)
        return 150.0 * s * s * (3 - 2 * s), 0.0

    angles = settle(Pendulum(30), DOWN, 3.0, 60, path)
    # Accelerating to the right, the hanging ear lags to the left: its bottom moves to
    # -x, which is a positive angle in picture axes (x right, y down).
    assert max(math.degrees(a) for a in angles[:12]) > 3
    assert abs(math.degrees(angles[-1])) < 1.0


def test_the_motion_does_not_depend_on_the_frame_rate() -> None:
    rest_down = rotate(DOWN, math.radians(15))
    at_30 = settle(Pendulum(25), rest_down, 1.0, 30)
    at_60 = settle(Pendulum(25), rest_down, 1.0, 60)
    for k in range(0, 31, 5):
        assert at_30[k] == pytest.approx(at_60[2 * k], abs=math.radians(1.0))


def test_felt_gravity_of_a_still_point_is_plain_gravity() -> None:
    motion = PivotMotion()
    for k in range(5):
        gx, gy, dt = motion.felt_gravity((1, 0), np.array([10.0, 20.0]), k / 30, 80.0)
    assert (gx, gy) == pytest.approx((0.0, GRAVITY_ED))
    assert dt == pytest.approx(1 / 30)


def test_a_long_gap_restarts_the_motion() -> None:
    motion = PivotMotion()
    motion.felt_gravity((1, 0), np.array([0.0, 0.0]), 0.0, 80.0)
    _, _, dt = motion.felt_gravity((1, 0), np.array([500.0, 0.0]), 5.0, 80.0)
    assert dt == 0.0
