"""Googly eyes: the dome, the clamped pupil, clipping and opacity."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.render.googly import PUPIL_RATIO, clamp_pupil, draw_googly_eye

H, W = 240, 320
SKIN = (90, 140, 200)


def blank() -> np.ndarray:
    frame = np.empty((H, W, 3), np.uint8)
    frame[...] = SKIN
    return frame


def changed(frame: np.ndarray) -> np.ndarray:
    return np.any(frame != np.array(SKIN, np.uint8), axis=2)


def distance_from(center_xy) -> np.ndarray:
    """ndarray of shape (H, W): each pixel centre's distance to a point."""
    yy, xx = np.mgrid[0:H, 0:W] + 0.5
    return np.hypot(xx - center_xy[0], yy - center_xy[1])


def eye(center_xy=(160.0, 120.0), radius=40.0, pupil=(0.0, 0.0), **kwargs) -> np.ndarray:
    frame = blank()
    draw_googly_eye(frame, center_xy, radius, pupil, **kwargs)
    return frame


def dark(frame: np.ndarray) -> np.ndarray:
    """Pupil-black pixels: ndarray of shape (H, W), bool."""
    return np.all(frame < 40, axis=2)


def test_white_dome_with_dark_outline_and_black_pupil():
    frame = eye(pupil=(0.0, 0.0))
    d = distance_from((160.0, 120.0))
    grey = frame.astype(int).mean(axis=2)
    # The white plastic between pupil and rim.
    between = (d > 0.55 * 40) & (d < 0.8 * 40)
    assert np.median(grey[between]) > 200
    # The thin dark outline just inside the rim.
    rim = (d > 37.5) & (d < 39.0)
    assert np.median(grey[rim]) < 90
    # The black pupil in the middle, about 0.45 of the radius.
    pupil = dark(frame) & (d < 30)
    area_radius = np.sqrt(np.count_nonzero(pupil) / np.pi)
    assert area_radius == pytest.approx(PUPIL_RATIO * 40, rel=0.15)


@pytest.mark.parametrize("offset", [(1000.0, 0.0), (0.0, -500.0), (-300.0, 300.0), (35.0, 35.0)])
def test_pupil_is_clamped_inside_the_dome(offset):
    frame = eye(pupil=offset)
    pupil = np.argwhere(dark(frame))[:, ::-1] + 0.5
    assert len(pupil) > 100
    reach = np.hypot(pupil[:, 0] - 160.0, pupil[:, 1] - 120.0)
    assert reach.max() <= 40.0
    # It went as far as it could, in the direction asked.
    centroid = pupil.mean(axis=0) - (160.0, 120.0)
    direction = np.asarray(offset) / np.hypot(*offset)
    assert centroid @ direction > 0.35 * 40


def test_clamp_pupil_keeps_small_offsets_and_shortens_long_ones():
    np.testing.assert_allclose(clamp_pupil((3.0, -4.0), 40.0), (3.0, -4.0))
    far = clamp_pupil((300.0, 400.0), 40.0)
    assert np.hypot(*far) < 40.0 * (1 - PUPIL_RATIO)
    np.testing.assert_allclose(far / np.hypot(*far), (0.6, 0.8))
    np.testing.assert_array_equal(clamp_pupil((np.nan, 1.0), 40.0), (0.0, 0.0))


def test_pupil_follows_the_offset():
    left = np.argwhere(dark(eye(pupil=(-12.0, 0.0))))[:, 1].mean()
    right = np.argwhere(dark(eye(pupil=(12.0, 0.0))))[:, 1].mean()
    assert right - left == pytest.approx(24.0, abs=2.0)


def test_edges_are_anti_aliased():
    frame = eye(center_xy=(160.3, 120.6))
    d = distance_from((160.3, 120.6))
    edge = (d > 40.5) & (d < 42.5)
    values = frame.astype(int).mean(axis=2)[edge]
    skin = float(np.mean(SKIN))
    # Between the outline and the skin there are in-between shades, not a hard step.
    assert np.count_nonzero((values > 50) & (values < skin - 5)) > 10


def test_nothing_is_drawn_far_from_the_eye():
    drawn = changed(eye())
    assert np.any(drawn)
    assert not np.any(drawn & (distance_from((160.0, 120.0)) > 40 * 1.15 + 2))


@pytest.mark.parametrize("opacity", [0.0, -1.0])
def test_opacity_zero_draws_nothing(opacity):
    assert not np.any(changed(eye(opacity=opacity)))


def test_half_opacity_blends_half_way():
    full, half = eye().astype(int), eye(opacity=0.5).astype(int)
    expected = (full + np.array(SKIN)) / 2
    assert np.abs(half - expected).max() <= 1


@pytest.mark.parametrize(
    "center_xy",
    [
        (0.0, 120.0),
        (W - 1.0, 120.0),
        (160.0, 0.0),
        (160.0, H - 1.0),
        (-30.0, -30.0),
        (W + 20.0, H + 20.0),
    ],
)
def test_eye_partly_outside_the_frame_does_not_crash(center_xy):
    frame = eye(center_xy=center_xy, radius=50.0, pupil=(20.0, 20.0))
    assert frame.shape == (H, W, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize(
    "center_xy",
    [(-200.0, 120.0), (W + 200.0, 120.0), (160.0, -200.0), (160.0, H + 200.0), (np.nan, 10.0)],
)
def test_eye_wholly_outside_the_frame_changes_nothing(center_xy):
    assert not np.any(changed(eye(center_xy=center_xy)))


@pytest.mark.parametrize("radius", [0.0, -5.0, 0.3])
def test_tiny_or_empty_eyes_do_not_crash(radius):
    frame = eye(radius=radius)
    assert frame.dtype == np.uint8


def test_highlight_turns_with_the_face():
    upright = eye(pupil=(0.0, 0.0))
    turned = eye(pupil=(0.0, 0.0), axis_x=(0.0, 1.0))  # head rolled a quarter turn
    assert not np.array_equal(upright, turned)
    # Only the shading turned: the dome covers the same pixels.
    np.testing.assert_array_equal(
        changed(upright) & (distance_from((160, 120)) < 39),
        changed(turned) & (distance_from((160, 120)) < 39),
    )


def test_draws_in_place_on_a_view():
    frame = blank()
    view = frame[20:200, 40:300]
    draw_googly_eye(view, (120.0, 90.0), 30.0, (0.0, 10.0))
    assert np.any(changed(frame))
    assert not np.any(changed(frame)[:20]) and not np.any(changed(frame)[:, :40])
