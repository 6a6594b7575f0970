"""The real FaceMesh model on real photos: landmarks, anchors and the face frame."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from facefilters.detect import Detector, landmark_detector
from facefilters.geometry import measure

from .conftest import read

pytestmark = pytest.mark.e2e

# Labelled by hand on 4x and 6x enlargements of the photos (pixel x, y), independently
# of the model: the pupils, the tip of the nose, between the lips, the bottom of the chin.
HAND_LABELLED = {
    "grace_hopper": {
        "right_eye": (221, 188),
        "left_eye": (305, 186),
        "nose_tip": (268, 238),
        "mouth_center": (266, 275),
        "chin": (270, 330),
    },
    "astronaut": {
        "right_eye": (204, 101),
        "left_eye": (245, 103),
        "nose_tip": (223, 127),
        "mouth_center": (223, 146),
        "chin": (220, 177),
    },
}


@pytest.fixture(scope="module")
def detector() -> Iterator[Detector]:
    with landmark_detector(static_image_mode=True, max_faces=4) as d:
        yield d


@pytest.mark.parametrize("name", sorted(HAND_LABELLED))
def test_anchors_land_on_the_features(
    detector: Detector, photos: dict[str, Path], name: str
) -> None:
    frame = read(photos[name])
    faces = detector.detect(frame)
    assert len(faces) == 1
    assert faces.landmarks.shape == (1, 478, 3)
    geometry = measure(faces)
    labels = HAND_LABELLED[name]
    eye_distance = float(np.hypot(*np.subtract(labels["left_eye"], labels["right_eye"])))
    for anchor, expected in labels.items():
        found = geometry.anchors[anchor][0]
        error = float(np.hypot(*(found - expected))) / eye_distance
        assert error < 0.15, f"{name} {anchor}: found {found}, labelled {expected}"


@pytest.mark.parametrize("name", ["grace_hopper", "astronaut"])
def test_person_left_eye_is_on_image_right(
    detector: Detector, photos: dict[str, Path], name: str
) -> None:
    geometry = measure(detector.detect(read(photos[name])))
    assert geometry.anchors["left_eye"][0, 0] > geometry.anchors["right_eye"][0, 0]
    # Upright portraits: small roll, facing the camera, mouth closed or a smile.
    assert abs(geometry.roll_deg[0]) < 10
    assert abs(geometry.yaw_deg[0]) < 20
    assert geometry.measures["mouth_open"][0] < 0.35


def test_mirrored_frame_keeps_the_persons_sides(
    detector: Detector, photos: dict[str, Path]
) -> None:
    frame = read(photos["grace_hopper"])
    width = frame.shape[1]
    mirrored = measure(detector.detect(frame).mirror(width))
    # In the selfie view the person's left eye is on the left of the picture.
    assert mirrored.anchors["left_eye"][0, 0] < mirrored.anchors["right_eye"][0, 0]
    assert abs(mirrored.roll_deg[0]) < 10
    assert mirrored.axis_y[0, 1] > 0.9  # still "down the face"


def test_rotated_photo_gives_matching_roll(detector: Detector, photos: dict[str, Path]) -> None:
    import cv2

    frame = read(photos["astronaut"])
    base = measure(detector.detect(frame)).roll_deg[0]
    h, w = frame.shape[:2]
    # cv2's positive angle turns the picture counter-clockwise on screen.
    turned = cv2.warpAffine(frame, cv2.getRotationMatrix2D((w / 2, h / 2), -20, 1.0), (w, h))
    roll = measure(detector.detect(turned)).roll_deg[0]
    assert roll - base == pytest.approx(20, abs=4)


def test_no_face(detector: Detector, no_face_photo: Path) -> None:
    assert len(detector.detect(read(no_face_photo))) == 0


def test_several_faces(detector: Detector, photos: dict[str, Path]) -> None:
    import cv2

    # Head-and-shoulders crops side by side, so each face stays large enough for the
    # short-range face detector once the wide picture is scaled down.
    a = read(photos["grace_hopper"])[90:390, 120:420]
    b = cv2.resize(read(photos["astronaut"])[20:240, 110:330], (300, 300))
    both = np.concatenate([a, b], axis=1)
    faces = detector.detect(both)
    assert len(faces) == 2
    with landmark_detector(static_image_mode=True, max_faces=1) as one:
        assert len(one.detect(both)) == 1
