"""Tears on synthetic faces: streams over the cheek landmarks, their look, and purity.

The older behaviour (no landmarks) is tested in ``test_render_overlays.py``.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facefilters.faces import Faces
from facefilters.geometry import measure
from facefilters.render import tears as tears_module
from facefilters.render.sprite import Sprite
from facefilters.render.tears import TearStyle, draw_tears

from builders import POSES, make_faces, place, tear_time

H, W = 480, 640
GREY = 128

# Where the landmarks the tears follow sit on a real frontal face (measured on the Grace
# Hopper photo), in eye distances from midway between the irises, face frame. The
# person's right side; the left side is its mirror image.
RIGHT_TEMPLATE = {
    155: (-0.27, 0.04),
    154: (-0.31, 0.04),
    153: (-0.39, 0.06),
    145: (-0.48, 0.07),
    144: (-0.57, 0.07),
    163: (-0.63, 0.06),
    7: (-0.67, 0.04),
    231: (-0.37, 0.18),
    120: (-0.37, 0.26),
    100: (-0.38, 0.36),
    36: (-0.48, 0.55),
    205: (-0.63, 0.66),
    207: (-0.71, 0.80),
    214: (-0.75, 1.07),
    135: (-0.81, 1.22),
    229: (-0.62, 0.21),
    118: (-0.69, 0.32),
    50: (-0.75, 0.53),
    187: (-0.83, 0.72),
    192: (-0.86, 0.95),
    138: (-0.91, 1.08),
    172: (-0.91, 1.17),
}


def _mirror_pairs() -> dict[int, int]:
    pairs = dict(zip(tears_module.RIGHT_LID, tears_module.LEFT_LID))
    for right, left in zip(tears_module.RIGHT_CHEEK, tears_module.LEFT_CHEEK):
        pairs.update(zip(right, left))
    return pairs


def cheek_template() -> dict[int, tuple[float, float]]:
    """Template ``xy`` of every landmark the tears read, both sides."""
    out = dict(RIGHT_TEMPLATE)
    for right, left in _mirror_pairs().items():
        x, y = RIGHT_TEMPLATE[right]
        out[left] = (-x, y)
    return out


def make_face(**pose) -> Faces:
    """One synthetic face whose lids and cheeks are where a real face has them."""
    faces = make_faces(**pose)
    lm = faces.landmarks.copy()
    template = cheek_template()
    idx = np.array(list(template))
    placed = place(
        np.array([template[i] for i in idx]), **{k: v for k, v in pose.items() if k != "mouth_open"}
    )
    lm[0, idx, :2] = placed
    return Faces(lm, faces.ids, faces.mirrored)


def blank() -> np.ndarray:
    return np.full((H, W, 3), GREY, np.uint8)


def changed(frame: np.ndarray) -> np.ndarray:
    return np.any(frame != GREY, axis=2)


def render(
    faces: Faces,
    t: float,
    style: TearStyle | None = None,
    *,
    landmarks: bool = True,
    face_id: int = 0,
) -> np.ndarray:
    frame = blank()
    face_xy = faces.landmarks[0, :, :2] if landmarks else None
    draw_tears(frame, measure(faces), 0, face_id, t, style or TearStyle(), face_xy=face_xy)
    return frame


def hull_mask(points_xy: np.ndarray, margin_px: int) -> np.ndarray:
    """ndarray of shape (H, W), bool: inside the convex hull of the points, grown."""
    mask = np.zeros((H, W), np.uint8)
    hull = cv2.convexHull(np.round(points_xy * 16).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_8, 4)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin_px + 1,) * 2)
    return cv2.dilate(mask, kernel) > 0


INVISIBLE_DROP = TearStyle(drop=Sprite.from_bgra(np.zeros((8, 8, 4), np.uint8)))
"""Tears without drops: only the water on the skin is drawn."""


# --- following the cheek ---------------------------------------------------------------


@pytest.mark.parametrize("pose", POSES)
@pytest.mark.parametrize("t", [0.0, 0.37, 1.0, 2.9])
def test_tears_with_landmarks_stay_inside_the_face(pose, t):
    faces = make_face(**pose)
    drawn = changed(render(faces, t))
    assert np.any(drawn)
    # The synthetic jaw is narrower than a real one; a drop may brush its edge.
    margin = max(2, round(0.1 * float(measure(faces).eye_distance[0])))
    inside = hull_mask(faces.landmarks[0, :, :2], margin_px=margin)
    assert not np.any(drawn & ~inside)


def test_streams_run_where_the_cheek_landmarks_are():
    # Slide the cheek chains (not the eyes, not the face frame) sideways: the running
    # water must slide with them.
    style = INVISIBLE_DROP
    face_id, t = tear_time(style, lambda life: np.all(life > 0.7) and np.all(life < 0.85))
    faces = make_face(eye_distance=80.0)
    moved = faces.landmarks.copy()
    chains = [i for pair in tears_module.RIGHT_CHEEK + tears_module.LEFT_CHEEK for i in pair]
    lids = set(tears_module.RIGHT_LID + tears_module.LEFT_LID)
    moved[0, [i for i in chains if i not in lids], 0] += 0.4 * 80.0
    before = np.argwhere(changed(render(faces, t, style, face_id=face_id)))
    after = np.argwhere(changed(render(Faces(moved), t, style, face_id=face_id)))
    below = 240 + 0.3 * 80  # under the lid pools
    shift = after[after[:, 0] > below, 1].mean() - before[before[:, 0] > below, 1].mean()
    assert shift > 0.2 * 80


def test_welling_tears_with_landmarks_sit_at_the_lower_lids():
    style = TearStyle()
    face_id, t = tear_time(style, lambda life: np.all(life < tears_module.WELL_FRACTION * 0.9))
    faces = make_face(eye_distance=80.0, roll_deg=20.0)
    points = np.argwhere(changed(render(faces, t, style, face_id=face_id)))[:, ::-1] + 0.5
    lids = faces.landmarks[0, list(tears_module.RIGHT_LID + tears_module.LEFT_LID), :2]
    nearest = np.min(np.linalg.norm(points[:, None] - lids[None], axis=2), axis=1)
    assert nearest.max() < 0.45 * 80


def test_landmarks_with_depth_are_accepted():
    faces = make_face()
    a = blank()
    draw_tears(a, measure(faces), 0, 0, 0.8, TearStyle(), face_xy=faces.landmarks[0])
    np.testing.assert_array_equal(a, render(faces, 0.8))


@pytest.mark.parametrize(
    "center_xy",
    [
        (0.0, 240.0),
        (W - 1.0, 240.0),
        (320.0, 0.0),
        (320.0, H - 1.0),
        (-30.0, -30.0),
        (W + 400.0, 240.0),
    ],
)
def test_tears_with_landmarks_of_face_partly_outside_do_not_crash(center_xy):
    faces = make_face(center_xy=center_xy, eye_distance=80.0)
    for t in (0.1, 0.6, 1.3):
        frame = render(faces, t)
        assert frame.shape == (H, W, 3) and frame.dtype == np.uint8


# --- pure function of time ---------------------------------------------------------------


def test_same_time_draws_the_same_picture_with_landmarks():
    faces = make_face(roll_deg=12.0)
    np.testing.assert_array_equal(render(faces, 1.234), render(faces, 1.234))


def test_tears_with_landmarks_are_stateless():
    faces = make_face()
    fresh = render(faces, 1.0)
    for t in (0.0, 3.7, 0.99, 12.5):
        render(make_face(roll_deg=40.0, eye_distance=90.0), t, face_id=5)
    np.testing.assert_array_equal(render(faces, 1.0), fresh)


def test_different_times_draw_different_pictures_with_landmarks():
    faces = make_face()
    assert not np.array_equal(render(faces, 2.0), render(faces, 2.0 + 1 / 30))


# --- the look ----------------------------------------------------------------------------


@pytest.mark.parametrize("landmarks", [True, False], ids=["cheeks", "face-frame"])
def test_streams_are_thick_at_eye_distance_100(landmarks):
    style = INVISIBLE_DROP
    face_id, t = tear_time(style, lambda life: np.all(life > 0.7) and np.all(life < 0.85))
    faces = make_face(eye_distance=100.0, center_xy=(320.0, 160.0))
    water = changed(render(faces, t, style, landmarks=landmarks, face_id=face_id))
    water = water.astype(np.uint8)
    water[: int(160 + 0.35 * 100)] = 0  # leave out the pools along the lids
    radius = cv2.distanceTransform(water, cv2.DIST_L2, 5)
    # The widest disc that fits in a stream: more than 9 px across.
    assert radius.max() >= 4.5


@pytest.mark.parametrize("landmarks", [True, False], ids=["cheeks", "face-frame"])
def test_streams_shine_and_have_a_darker_edge(landmarks):
    style = INVISIBLE_DROP
    face_id, t = tear_time(style, lambda life: np.all(life > 0.7) and np.all(life < 0.85))
    frame = render(
        make_face(eye_distance=100.0, center_xy=(320.0, 160.0)),
        t,
        style,
        landmarks=landmarks,
        face_id=face_id,
    )
    grey = frame.astype(int).mean(axis=2)
    assert np.count_nonzero(grey > 220) > 50  # the specular line
    assert np.count_nonzero(grey < GREY - 25) > 50  # light bent away at the rim


def test_pool_along_the_lid_is_drawn_without_drops():
    style = INVISIBLE_DROP
    face_id, t = tear_time(style, lambda life: np.all(life < tears_module.WELL_FRACTION * 0.9))
    faces = make_face(eye_distance=80.0)
    drawn = changed(render(faces, t, style, face_id=face_id))
    assert np.count_nonzero(drawn) > 100
