"""A face that is fading out (``extras["presence"]`` below 1) gets its filter mixed in."""

from __future__ import annotations

import numpy as np

from facefilters.catalog import Catalog
from facefilters.faces import Faces

from builders import make_faces


def with_presence(faces: Faces, presence) -> Faces:
    return Faces(
        faces.landmarks, ids=faces.ids, extras={"presence": np.asarray(presence, np.float32)}
    )


def test_a_fading_face_gets_its_filter_by_how_present_it_is() -> None:
    dog = Catalog().load("dog")
    frame = np.full((480, 640, 3), 128, np.uint8)
    faces = make_faces(2, center_xy=(320, 240), eye_distance=60, ids=[0, 1])
    full = dog.apply(frame.copy(), faces, 0.0)
    mixed = dog.apply(frame.copy(), with_presence(faces, [1.0, 0.25]), 0.0)
    alone = dog.apply(frame.copy(), faces[np.array([0])], 0.0)
    right = np.s_[:, 330:]  # the second face stands to the right
    left = np.s_[:, :300]
    # The present face as if alone; the fading one a quarter of the way to its filter.
    assert np.array_equal(mixed[left], alone[left])
    expected = 0.25 * full[right].astype(float) + 0.75 * alone[right]
    assert np.abs(mixed[right] - expected).max() <= 1.0
    changed = np.abs(full[right].astype(int) - alone[right]).max(axis=2) > 40
    assert changed.sum() > 500  # the dog is really there to be faded


def test_all_present_draws_as_without_presence() -> None:
    dog = Catalog().load("dog")
    frame = np.full((480, 640, 3), 128, np.uint8)
    faces = make_faces(1, ids=[0])
    assert np.array_equal(
        dog.apply(frame.copy(), faces, 0.0),
        dog.apply(frame.copy(), with_presence(faces, [1.0]), 0.0),
    )
