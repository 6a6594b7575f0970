"""Faces: the landmarks of one frame as parallel arrays."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.faces import N_LANDMARKS, Faces

from builders import make_faces


@pytest.mark.parametrize(
    ("landmarks_shape", "ids_shape", "expected_error"),
    [
        ((N_LANDMARKS, 3), None, "landmarks must have shape (n, 478, 3), got (478, 3)"),
        ((2, 468, 3), None, "landmarks must have shape (n, 478, 3), got (2, 468, 3)"),
        ((1, N_LANDMARKS, 2), None, "landmarks must have shape (n, 478, 3), got (1, 478, 2)"),
        ((1, 1, N_LANDMARKS, 3), None, "got (1, 1, 478, 3)"),
        ((2, N_LANDMARKS, 3), (3,), "ids must have shape (2,), got (3,)"),
        ((2, N_LANDMARKS, 3), (2, 1), "ids must have shape (2,), got (2, 1)"),
        ((0, N_LANDMARKS, 3), (1,), "ids must have shape (0,), got (1,)"),
    ],
)
def test_shape_errors_name_expected_and_actual(landmarks_shape, ids_shape, expected_error):
    ids = None if ids_shape is None else np.zeros(ids_shape, np.int64)
    with pytest.raises(ValueError) as excinfo:
        Faces(np.zeros(landmarks_shape, np.float32), ids)
    assert expected_error in str(excinfo.value)


def test_landmarks_and_ids_are_coerced():
    faces = Faces(np.zeros((2, N_LANDMARKS, 3), np.float64), [4, 7])
    assert faces.landmarks.dtype == np.float32
    assert faces.ids.dtype == np.int64
    assert faces.ids.tolist() == [4, 7]


def test_ids_default_to_untracked():
    assert make_faces(3).ids.tolist() == [-1, -1, -1]


def test_empty():
    faces = Faces.empty()
    assert len(faces) == 0
    assert faces.landmarks.shape == (0, N_LANDMARKS, 3)
    assert faces.ids.shape == (0,)
    assert faces.xyxy.shape == (0, 4)
    assert faces.xy.shape == (0, N_LANDMARKS, 2)
    assert not faces.mirrored


@pytest.fixture
def three() -> Faces:
    return make_faces(3, ids=[10, 11, 12], eye_distance=[40.0, 50.0, 60.0])


@pytest.mark.parametrize(
    ("index", "expected_ids"),
    [
        (0, [10]),
        (2, [12]),
        (-1, [12]),
        (-2, [11]),
        (np.int64(1), [11]),
        (slice(1, None), [11, 12]),
        (slice(None, None, -1), [12, 11, 10]),
        (slice(5, 9), []),
        (np.array([True, False, True]), [10, 12]),
        (np.array([False, False, False]), []),
        (np.array([2, 0]), [12, 10]),
    ],
)
def test_getitem_keeps_landmarks_and_ids_together(three, index, expected_ids):
    picked = three[index]
    assert isinstance(picked, Faces)
    assert picked.ids.tolist() == expected_ids
    assert len(picked) == len(expected_ids)
    rows = [three.ids.tolist().index(i) for i in expected_ids]
    np.testing.assert_array_equal(picked.landmarks, three.landmarks[rows])


def test_getitem_keeps_mirrored():
    faces = make_faces(2, mirrored=True)
    assert faces[0].mirrored
    assert faces[np.array([True, False])].mirrored


@pytest.mark.parametrize("index", [3, -4])
def test_getitem_out_of_range_raises(three, index):
    with pytest.raises(IndexError):
        three[index]


def test_xyxy_is_min_and_max_of_landmarks():
    landmarks = np.full((2, N_LANDMARKS, 3), 5.0, np.float32)
    landmarks[0, 7] = (1.0, 2.0, -30.0)
    landmarks[0, 300] = (9.0, 8.0, 30.0)
    landmarks[1, 0, 1] = -4.0
    xyxy = Faces(landmarks).xyxy
    assert xyxy.shape == (2, 4)
    np.testing.assert_array_equal(xyxy[0], [1.0, 2.0, 9.0, 8.0])
    np.testing.assert_array_equal(xyxy[1], [5.0, -4.0, 5.0, 5.0])


def test_xyxy_of_builder_face_spans_cheeks_forehead_and_chin(face):
    # FACE_BOX in builders.py: cheeks at +-1, forehead -0.95, chin 1.55 eye distances.
    np.testing.assert_allclose(face.xyxy[0], [260.0, 183.0, 380.0, 333.0], atol=1e-3)


def test_mirror_flips_x_about_the_pixel_centres():
    landmarks = np.zeros((1, N_LANDMARKS, 3), np.float32)
    landmarks[0, 0] = (0.0, 3.0, 1.0)
    landmarks[0, 1] = (99.0, 4.0, 2.0)
    landmarks[0, 2] = (10.25, 5.0, 3.0)
    mirrored = Faces(landmarks).mirror(100)
    np.testing.assert_allclose(mirrored.landmarks[0, :3], [[99, 3, 1], [0, 4, 2], [88.75, 5, 3]])
    assert mirrored.mirrored


def test_mirror_twice_is_identity():
    faces = make_faces(2, roll_deg=[15.0, -30.0], mouth_open=0.2, ids=[3, 9])
    back = faces.mirror(641).mirror(641)
    np.testing.assert_allclose(back.landmarks, faces.landmarks, atol=1e-4)
    assert back.mirrored is False
    assert back.ids.tolist() == [3, 9]


def test_mirror_keeps_ids_and_does_not_touch_the_original():
    faces = make_faces(2, ids=[5, 6])
    before = faces.landmarks.copy()
    mirrored = faces.mirror(640)
    assert mirrored.ids.tolist() == [5, 6]
    assert mirrored.mirrored and not faces.mirrored
    np.testing.assert_array_equal(faces.landmarks, before)
    assert not np.array_equal(mirrored.landmarks, before)
