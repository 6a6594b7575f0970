"""Hiding faces: detail gone inside the grown hull, nothing changed outside it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facefilters.render.anonymize import (
    BLOCK,
    MODES,
    anonymize_face,
    cover_polygon,
    eye_distance,
)

from builders import make_landmarks

FRAME_HW = (480, 640)


def busy_frame(seed: int = 0) -> np.ndarray:
    """Fine random detail everywhere, so any smoothing shows."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (*FRAME_HW, 3), dtype=np.uint8)


def polygon_mask(polygon: np.ndarray, grow_px: int = 0, shape_hw=FRAME_HW) -> np.ndarray:
    mask = np.zeros(shape_hw, np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    if grow_px > 0:
        mask = cv2.dilate(mask, np.ones((2 * grow_px + 1,) * 2, np.uint8))
    elif grow_px < 0:
        mask = cv2.erode(mask, np.ones((-2 * grow_px + 1,) * 2, np.uint8))
    return mask.astype(bool)


def laplacian_variance(frame: np.ndarray, where: np.ndarray) -> float:
    lap = cv2.Laplacian(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), cv2.CV_32F)
    return float(lap[where].var())


@pytest.mark.parametrize("mode", MODES)
def test_outside_the_grown_hull_is_untouched(mode: str) -> None:
    frame = busy_frame()
    before = frame.copy()
    face = make_landmarks(eye_distance=70)
    anonymize_face(frame, face, mode)
    outside = ~polygon_mask(cover_polygon(face), grow_px=1)
    np.testing.assert_array_equal(frame[outside], before[outside])
    assert (frame != before).any()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("eye", [30.0, 70.0, 110.0])
def test_detail_inside_is_removed(mode: str, eye: float) -> None:
    frame = busy_frame()
    before = frame.copy()
    face = make_landmarks(eye_distance=eye)
    anonymize_face(frame, face, mode)
    inside = polygon_mask(cover_polygon(face), grow_px=-int(eye * 0.2))
    assert laplacian_variance(frame, inside) < 0.02 * laplacian_variance(before, inside)


def test_the_hidden_area_reaches_past_the_landmarks() -> None:
    face = make_landmarks(eye_distance=80)
    hull = cv2.convexHull(np.ascontiguousarray(face[:468, :2]))[:, 0]
    grown = polygon_mask(cover_polygon(face))
    assert polygon_mask(hull, grow_px=int(0.25 * 80)).sum() < grown.sum()
    # More room above (forehead, hair) than below the chin.
    top_gap = hull[:, 1].min() - cover_polygon(face)[:, 1].min()
    bottom_gap = cover_polygon(face)[:, 1].max() - hull[:, 1].max()
    assert top_gap > 1.5 * bottom_gap > 0


@pytest.mark.parametrize("eye", [40.0, 80.0, 120.0])
def test_pixel_blocks_scale_with_the_face_on_the_frames_grid(eye: float) -> None:
    frame = busy_frame()
    face = make_landmarks(eye_distance=eye)
    anonymize_face(frame, face, "pixelate")
    block = round(eye * BLOCK)
    # Clear of the feathered edge, which reaches deepest at the polygon's corners.
    inside = polygon_mask(cover_polygon(face), grow_px=-int(eye * 0.25))
    ys, xs = np.nonzero(inside[:, :-1] & inside[:, 1:])
    same = (frame[ys, xs] == frame[ys, xs + 1]).all(axis=1)
    at_edge = (xs + 1) % block == 0
    assert same[~at_edge].all()
    assert not same[at_edge].all()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "center_xy",
    [(0.0, 0.0), (640.0, 240.0), (320.0, 470.0), (-400.0, -400.0), (1200.0, 240.0)],
)
def test_faces_partly_or_wholly_outside_the_frame(mode: str, center_xy) -> None:
    frame = busy_frame()
    before = frame.copy()
    face = make_landmarks(center_xy=center_xy, eye_distance=90)
    anonymize_face(frame, face, mode)
    outside = ~polygon_mask(cover_polygon(face), grow_px=1)
    np.testing.assert_array_equal(frame[outside], before[outside])


def test_more_strength_hides_more() -> None:
    face = make_landmarks(eye_distance=60)
    inside = polygon_mask(cover_polygon(face), grow_px=-12)
    variances = []
    for strength in (0.25, 0.5, 1.0):
        frame = busy_frame()
        anonymize_face(frame, face, "blur", strength=strength)
        variances.append(laplacian_variance(frame, inside))
    assert variances[0] > variances[1] > variances[2]


def test_a_face_without_irises_uses_its_eye_corners() -> None:
    face = make_landmarks(eye_distance=60)
    assert eye_distance(face) == pytest.approx(60, rel=1e-4)
    # The builder's corners are 1.5 iris distances apart; the estimate assumes 1/0.7.
    assert eye_distance(face[:468]) == pytest.approx(60 * 1.5 * 0.7, rel=1e-4)
    frame = busy_frame()
    anonymize_face(frame, face[:468, :2], "blur")
    assert (frame != busy_frame()).any()


@pytest.mark.parametrize(
    ("mode", "strength", "error"),
    [("pixelate", 1.0, None), ("blur", 0.0, None), ("mosaic", 1.0, ValueError)],
)
def test_modes_and_strength(mode: str, strength: float, error) -> None:
    frame = busy_frame()
    face = make_landmarks()
    if error is not None:
        with pytest.raises(error):
            anonymize_face(frame, face, mode, strength)
        return
    anonymize_face(frame, face, mode, strength)
    assert (frame != busy_frame()).any() == (strength > 0)
