"""Smoothing (pose and shape apart) and stable face ids."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters import geometry as g
from facefilters.faces import Faces
from facefilters.tracking import MAX_GLITCH_FRAMES, FaceTracker, OneEuroFilter

from builders import make_faces, make_landmarks, rotation

FPS = 30.0
EYE = 60.0  # eye distance in pixels: the filter's unit of speed


# --- OneEuroFilter ---------------------------------------------------------------------


def test_first_sample_passes_through():
    x = np.array([[10.5, -3.25], [7.0, 8.0]])
    out = OneEuroFilter()(x, 0.0, scale=EYE)
    np.testing.assert_array_equal(out, x)
    assert out.dtype == np.float32


def test_output_is_a_copy():
    filt = OneEuroFilter()
    x = np.zeros((3, 2), np.float32)
    out = filt(x, 0.0)
    out += 5
    np.testing.assert_array_equal(filt(x, 1 / FPS), 0)


def test_constant_input_stays_constant():
    filt = OneEuroFilter()
    x = np.array([[100.0, 50.0], [20.0, 30.0]], np.float32)
    for k in range(60):
        np.testing.assert_array_equal(filt(x, k / FPS, scale=EYE), x)


def _noise_reduction(points: np.ndarray, watch: int, frames: int = 300) -> float:
    """How many times smaller the smoothed jitter of point ``watch`` is than the raw one."""
    rng = np.random.default_rng(1234)
    filt = OneEuroFilter()
    raw = points[None] + rng.normal(0.0, 1.0, (frames, *points.shape)).astype(np.float32)
    out = np.array([filt(x, k / FPS, scale=EYE) for k, x in enumerate(raw)])
    # Skip the first second: the filter starts from the first (noisy) sample.
    return float(raw[30:, watch, :2].std(axis=0).mean() / out[30:, watch, :2].std(axis=0).mean())


def test_still_face_nose_tip_jitter_is_cut_at_least_3x():
    # 1 px of independent noise on every landmark of a still face, as a camera gives.
    face = make_faces(1, center_xy=(320.0, 240.0), eye_distance=EYE).landmarks[0]
    assert _noise_reduction(face, watch=1) >= 3.0


def test_lone_still_point_is_smoothed():
    # A lone point has no neighbours to average its noise over, so its noise reads as
    # motion and opens the filter up; it is still smoothed, just less than a face.
    assert _noise_reduction(np.array([[320.0, 240.0]]), watch=0) >= 1.5


@pytest.mark.parametrize("speed", [1.0, 3.0, 6.0])  # eye distances per second
def test_steady_ramp_lags_at_most_one_frame(speed):
    filt = OneEuroFilter()
    step = speed * EYE / FPS
    direction = np.array([0.6, 0.8])
    for k in range(90):
        x = np.array([[100.0, 100.0]]) + k * step * direction
        out = filt(x, k / FPS, scale=EYE)
    behind = float((x - out)[0] @ direction)
    # Prediction may put it a hair ahead; behind by more than a frame is lag.
    assert -0.05 <= behind / step <= 1.0


@pytest.mark.parametrize("t_next", [1.0, 0.5], ids=["same-t", "earlier-t"])
def test_time_not_increasing_resets(t_next):
    filt = OneEuroFilter()
    filt(np.zeros((1, 2)), 0.9, scale=EYE)
    filt(np.zeros((1, 2)), 1.0, scale=EYE)
    jump = np.array([[50.0, -20.0]])
    np.testing.assert_array_equal(filt(jump, t_next, scale=EYE), jump)
    # ...and the reset state is the new sample: the next step moves from there.
    np.testing.assert_array_equal(filt(jump, t_next + 1 / FPS, scale=EYE), jump)


def test_reset_forgets_the_past():
    filt = OneEuroFilter()
    filt(np.zeros((1, 2)), 0.0)
    filt.reset()
    x = np.array([[9.0, 9.0]])
    np.testing.assert_array_equal(filt(x, 1 / FPS), x)


# --- the face as a whole: pose, shape, start, glitches -------------------------------


def _noisy(landmarks: np.ndarray, rng: np.random.Generator, sigma: float = 0.4) -> np.ndarray:
    return landmarks + rng.normal(0.0, sigma, landmarks.shape).astype(np.float32)


def test_slow_wander_of_one_point_is_smoothed_hard():
    # FaceMesh's nose wanders against the cheeks in slow steps of a few tenths of a pixel,
    # held for about a second: a filter on the whole face's motion cannot see it, and a
    # plain low-pass one at a still face's cutoff lets most of it through.
    rng = np.random.default_rng(11)
    face = make_landmarks(eye_distance=EYE)
    filt = OneEuroFilter()
    levels = rng.choice([-0.3, 0.3], size=(10, 2))
    raw, out = [], []
    for k in range(300):
        x = _noisy(face, rng, 0.2)
        x[g.NOSE_TIP, :2] += levels[k // 30]
        raw.append(x[g.NOSE_TIP, :2])
        out.append(filt(x, k / FPS, scale=EYE)[g.NOSE_TIP, :2])
    # Past the start, whose running mean has seen only one or two of the steps.
    raw_std = np.sqrt(np.var(raw[60:], axis=0).sum())
    out_std = np.sqrt(np.var(out[60:], axis=0).sum())
    assert raw_std / out_std >= 3.0


@pytest.mark.parametrize("eye", [30.0, 60.0, 100.0])
@pytest.mark.parametrize("ramp_frames", [1, 4], ids=["snap", "ramp"])
def test_mouth_opening_shows_within_a_frame(eye, ramp_frames):
    # The dog's tongue shows at mouth_open 0.3: the smoothed face must get there at most
    # one frame after the raw one, and reach the full opening with it.
    rng = np.random.default_rng(3)
    tracker = FaceTracker()
    raw, out = [], []
    for k in range(75):
        opening = 0.5 * min(1.0, max(0.0, (k - 59) / ramp_frames))
        faces = Faces(_noisy(make_faces(eye_distance=eye, mouth_open=opening).landmarks, rng))
        raw.append(g.measure(faces).measures["mouth_open"][0])
        out.append(g.measure(tracker.update(faces, k / FPS)).measures["mouth_open"][0])
    raw_on = int(np.argmax(np.array(raw) > 0.3))
    out_on = int(np.argmax(np.array(out) > 0.3))
    assert raw_on <= out_on <= raw_on + 1
    assert min(out[60 + ramp_frames :]) > 0.45


def _blinking_eyes(eye: float, closed: float) -> np.ndarray:
    landmarks = make_landmarks(eye_distance=eye)
    for top, bottom in ((g.RIGHT_EYE_TOP, g.RIGHT_EYE_BOTTOM), (g.LEFT_EYE_TOP, g.LEFT_EYE_BOTTOM)):
        landmarks[top, :2] += 0.9 * closed * (landmarks[bottom, :2] - landmarks[top, :2])
    return landmarks


@pytest.mark.parametrize("eye", [60.0, 100.0])
def test_blink_shows_and_ends_within_a_frame(eye):
    # Lids shut in one frame, stay shut for five, open in one: the smoothed eyes must
    # close and open with the raw ones, and not stay half shut afterwards.
    rng = np.random.default_rng(5)
    tracker = FaceTracker()
    raw, out = [], []
    for k in range(80):
        closed = 1.0 if 60 <= k < 65 else 0.0
        faces = Faces(_noisy(_blinking_eyes(eye, closed), rng)[None])
        raw.append(g.measure(faces).measures["eyes_open"][0])
        out.append(g.measure(tracker.update(faces, k / FPS)).measures["eyes_open"][0])
    open_level = float(np.mean(raw[30:60]))
    assert max(out[60:65]) < 0.5 * open_level
    assert min(out[66:80]) > 0.85 * open_level


def _moving_face(k: int, speed: float, motion: str) -> tuple[np.ndarray, np.ndarray]:
    """A face at frame ``k`` moving at ``speed`` eye distances per second (in the sense of
    its points), and the nose tip's step per frame there."""
    s = speed / FPS  # eye distances per frame
    if motion == "slide":
        center, roll, eye = (200.0 + k * s * EYE, 240.0), 0.0, EYE
    elif motion == "turn":  # about the point between the eyes, the nose 0.55 eye away
        center, roll, eye = (320.0, 240.0), np.degrees(k * s / 0.55), EYE
    else:  # zoom: the nose tip moves away from the centre
        center, roll, eye = (320.0, 240.0), 0.0, EYE * (1.0 + k * s / 0.55)
    here = make_landmarks(center_xy=center, eye_distance=eye, roll_deg=roll)
    return here, here[g.NOSE_TIP, :2]


@pytest.mark.parametrize("motion", ["slide", "turn", "zoom"])
@pytest.mark.parametrize("speed", [0.5, 2.0])  # eye distances per second
def test_moving_face_trails_by_at_most_a_frame(motion, speed):
    rng = np.random.default_rng(9)
    filt = OneEuroFilter()
    behind = []
    for k in range(60):
        x, nose = _moving_face(k, speed, motion)
        out = filt(_noisy(x, rng, 0.2), k / FPS, scale=EYE)
        if k >= 30:
            step = nose - _moving_face(k - 1, speed, motion)[1]
            behind.append(float((nose - out[g.NOSE_TIP, :2]) @ step) / float(step @ step))
    assert -0.5 <= float(np.mean(behind)) <= 1.0


def test_first_frame_does_not_drag_the_start():
    # FaceMesh's first frame comes from its face detector's box and is off; the next
    # frames agree with each other. The output follows them, not the first.
    rng = np.random.default_rng(2)
    face = make_landmarks(eye_distance=EYE)
    filt = OneEuroFilter()
    first = face.copy()
    first[:, :2] += (4.0, -3.0)
    filt(first, 0.0, scale=EYE)
    for k in range(1, 10):
        out = filt(_noisy(face, rng, 0.2), k / FPS, scale=EYE)
    assert np.abs(out[:, :2] - face[:, :2]).mean() < 0.3


def _out_of_shape(face: np.ndarray) -> np.ndarray:
    # The whole mesh squeezed sideways and stretched down by 15 %, its points moving by
    # about a tenth of an eye distance (as measured when FaceMesh loses the face and finds
    # it again from a new box).
    bad = face.copy()
    center = face[:, :2].mean(axis=0)
    bad[:, :2] = center + (face[:, :2] - center) * (0.85, 1.15)
    return bad


def test_one_frame_glitch_is_held_back():
    rng = np.random.default_rng(4)
    face = make_landmarks(eye_distance=EYE)
    filt = OneEuroFilter()
    for k in range(40):
        before = filt(_noisy(face, rng, 0.2), k / FPS, scale=EYE)
    during = filt(_out_of_shape(face), 40 / FPS, scale=EYE)
    assert np.abs(during - before).max() < 0.5
    after = filt(_noisy(face, rng, 0.2), 41 / FPS, scale=EYE)
    assert np.abs(after[:, :2] - face[:, :2]).mean() < 0.3


def test_lasting_change_of_shape_is_taken_after_the_glitch_frames():
    rng = np.random.default_rng(4)
    face = make_landmarks(eye_distance=EYE)
    new_shape = _out_of_shape(face)
    filt = OneEuroFilter()
    for k in range(40):
        filt(_noisy(face, rng, 0.2), k / FPS, scale=EYE)
    for k in range(40, 41 + MAX_GLITCH_FRAMES):
        out = filt(new_shape, k / FPS, scale=EYE)
    np.testing.assert_allclose(out, new_shape, atol=1e-3)


def test_whole_face_rotated_keeps_its_shape():
    # Pose and shape are apart: a face turned in the picture in one step (a fast roll)
    # comes out turned with the same shape, never squeezed between the two poses, and
    # settles where it went.
    face = make_landmarks(eye_distance=EYE)
    filt = OneEuroFilter()
    for k in range(30):
        filt(face, k / FPS, scale=EYE)
    center = face[:, :2].mean(axis=0)
    turned = face.copy()
    turned[:, :2] = center + (face[:, :2] - center) @ rotation(10.0).T
    for k in range(30, 150):
        out = filt(turned, k / FPS, scale=EYE)
        eyes = np.linalg.norm(out[g.LEFT_IRIS, :2] - out[g.RIGHT_IRIS, :2])
        mouth = np.linalg.norm(out[g.MOUTH_LEFT, :2] - out[g.MOUTH_RIGHT, :2])
        assert eyes == pytest.approx(EYE, abs=0.05)
        assert mouth == pytest.approx(0.76 * EYE, abs=0.05)
    np.testing.assert_allclose(out, turned, atol=0.1)


# --- FaceTracker -----------------------------------------------------------------------


def _two_faces(k: int, order: tuple[int, int] = (0, 1)) -> Faces:
    # Two faces 4 eye distances apart, drifting slowly towards each other's side.
    centers = np.array([[200.0 + 1.5 * k, 240.0 + 0.5 * k], [440.0 - 1.0 * k, 230.0]])
    return make_faces(2, center_xy=centers[list(order)], eye_distance=EYE)


def test_ids_are_stable_for_two_slowly_moving_faces():
    tracker = FaceTracker()
    first = tracker.update(_two_faces(0), 0.0)
    assert first.ids[0] != first.ids[1]
    for k in range(1, 40):
        out = tracker.update(_two_faces(k), k / FPS)
        assert out.ids.tolist() == first.ids.tolist()


def test_face_walking_across_the_frame_keeps_its_id():
    # 8 px per frame for 2 s: far beyond any one-step match radius in total.
    tracker = FaceTracker()
    ids = {
        int(tracker.update(make_faces(center_xy=(60.0 + 8 * k, 240.0)), k / FPS).ids[0])
        for k in range(60)
    }
    assert ids == {0}


def test_swapped_input_order_keeps_ids_on_their_faces():
    tracker = FaceTracker()
    first = tracker.update(_two_faces(0), 0.0)
    left_id, right_id = first.ids.tolist()
    for k in range(1, 20):
        order = (1, 0) if k % 2 else (0, 1)
        out = tracker.update(_two_faces(k, order), k / FPS)
        # Output keeps the input order; the id follows the face, not the slot.
        left_slot = 0 if order == (0, 1) else 1
        assert out.ids[left_slot] == left_id
        assert out.ids[1 - left_slot] == right_id
        assert out.xy[left_slot, :, 0].mean() < out.xy[1 - left_slot, :, 0].mean()


def test_update_keeps_order_count_and_mirrored_flag():
    tracker = FaceTracker()
    faces = make_faces(3, mirrored=True)
    out = tracker.update(faces, 0.0)
    assert len(out) == 3
    assert out.mirrored
    assert len(set(out.ids.tolist())) == 3
    # First sighting passes through unsmoothed.
    np.testing.assert_array_equal(out.landmarks, faces.landmarks)


def test_empty_frame_returns_no_faces():
    tracker = FaceTracker()
    assert len(tracker.update(Faces.empty(), 0.0)) == 0


def test_smoothing_off_returns_raw_landmarks():
    tracker = FaceTracker(smoothing=False)
    rng = np.random.default_rng(5)
    for k in range(5):
        faces = make_faces()
        noisy = Faces(faces.landmarks + rng.normal(0, 1, faces.landmarks.shape))
        out = tracker.update(noisy, k / FPS)
        np.testing.assert_array_equal(out.landmarks, noisy.landmarks)
        assert out.ids.tolist() == [0]


def _noisy_face(rng: np.random.Generator, center_xy=(320.0, 240.0)) -> Faces:
    faces = make_faces(center_xy=center_xy, eye_distance=EYE)
    return Faces(faces.landmarks + rng.normal(0.0, 1.0, faces.landmarks.shape).astype(np.float32))


def test_face_lost_briefly_keeps_its_id_and_smoothing_state():
    tracker = FaceTracker(keep_lost_s=1.0)
    rng = np.random.default_rng(7)
    for k in range(30):
        face_id = tracker.update(_noisy_face(rng), k / FPS).ids[0]
    last = tracker.update(_noisy_face(rng), 30 / FPS)
    for k in range(31, 40):  # 0.3 s without a face
        assert len(tracker.update(Faces.empty(), k / FPS)) == 0
    raw = _noisy_face(rng)
    back = tracker.update(raw, 40 / FPS)
    assert back.ids[0] == face_id
    # A reset filter would pass the raw sample through; a resumed one pulls it towards
    # where the face was.
    assert not np.allclose(back.landmarks, raw.landmarks, atol=1e-3)
    err_raw = np.abs(raw.landmarks - last.landmarks).mean()
    err_back = np.abs(back.landmarks - last.landmarks).mean()
    assert err_back < err_raw


def test_face_lost_longer_than_keep_lost_gets_a_new_id():
    tracker = FaceTracker(keep_lost_s=0.5)
    first = tracker.update(make_faces(), 0.0).ids[0]
    tracker.update(make_faces(), 0.1)
    tracker.update(Faces.empty(), 0.3)
    again = tracker.update(make_faces(), 0.7)  # 0.6 s after it was last seen
    assert again.ids[0] != first
    np.testing.assert_array_equal(again.landmarks, make_faces().landmarks)


def test_face_lost_exactly_keep_lost_is_still_known():
    tracker = FaceTracker(keep_lost_s=0.5)
    first = tracker.update(make_faces(), 0.0).ids[0]
    assert tracker.update(make_faces(), 0.5).ids[0] == first


def test_new_face_far_away_gets_a_new_id():
    tracker = FaceTracker()
    a = tracker.update(make_faces(center_xy=(100.0, 240.0)), 0.0).ids[0]
    out = tracker.update(make_faces(center_xy=(560.0, 240.0)), 1 / FPS)
    assert out.ids[0] != a
    # The far face starts its own smoothing: it is not dragged towards the old one.
    np.testing.assert_array_equal(out.landmarks, make_faces(center_xy=(560.0, 240.0)).landmarks)


def test_second_face_appearing_gets_a_new_id_and_first_keeps_its_own():
    tracker = FaceTracker()
    a = tracker.update(make_faces(center_xy=(150.0, 240.0)), 0.0).ids[0]
    both = make_faces(2, center_xy=np.array([[152.0, 240.0], [480.0, 240.0]]))
    out = tracker.update(both, 1 / FPS)
    assert out.ids[0] == a
    assert out.ids[1] not in (a, -1)


# -- fading out ------------------------------------------------------------------------


def test_a_lost_face_fades_out_where_it_was_and_then_is_gone() -> None:
    tracker = FaceTracker(fade_s=0.3)
    face = make_faces(1, center_xy=(320, 240))
    seen = tracker.update(face, 0.0)
    assert seen.extras["presence"].tolist() == [1.0]
    presence, ids = [], []
    for k in range(1, 12):
        out = tracker.update(Faces.empty(), k / 30)
        presence.append(out.extras["presence"].tolist() if len(out) else [])
        ids.append(out.ids.tolist())
        if len(out):
            assert np.allclose(out.landmarks[0], seen.landmarks[0])
    # Falling by a ninth each frame at 30 fps, gone at 0.3 s, always the same face.
    assert [p[0] for p in presence if p] == pytest.approx(
        [1 - k / 9 for k in range(1, 9)], abs=1e-5
    )
    assert presence[8:] == [[], [], []]
    assert all(i == [int(seen.ids[0])] for i in ids[:8])


def test_without_fading_no_presence_and_a_lost_face_is_gone_at_once() -> None:
    tracker = FaceTracker()
    assert "presence" not in tracker.update(make_faces(1), 0.0).extras
    assert len(tracker.update(Faces.empty(), 1 / 30)) == 0


def test_a_face_seen_again_stops_fading() -> None:
    tracker = FaceTracker(fade_s=0.3)
    tracker.update(make_faces(1), 0.0)
    assert tracker.update(Faces.empty(), 1 / 30).extras["presence"][0] < 1
    back = tracker.update(make_faces(1), 2 / 30)
    assert back.extras["presence"].tolist() == [1.0] and len(back) == 1
