"""The Tasks backend on the real photos: where FaceMesh puts the anchors, plus blendshapes.

FaceMesh's anchors are stored (``data/facemesh_anchors.json``), so a machine with only
the Tasks backend (Python 3.13 and later) compares with them too; where FaceMesh is
installed, a test checks that the stored anchors are still what it finds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from facefilters.detect import installed_backends
from facefilters.geometry import measure

from .conftest import read

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        "tasks" not in installed_backends(), reason="the Tasks backend is not installed"
    ),
]
STORED = json.loads((Path(__file__).parent / "data" / "facemesh_anchors.json").read_text())
ANCHOR_TOLERANCE = 0.06
"""Tasks' anchors lie within this many eye distances of FaceMesh's (measured: 0.04 at
most, the forehead; the eyes and mouth within 0.025)."""


@pytest.fixture(scope="module")
def tasks_still():
    from facefilters.detect import TasksLandmarker

    with TasksLandmarker(static_image_mode=True, max_faces=4) as d:
        yield d


@pytest.mark.parametrize("name", ["grace_hopper", "astronaut"])
def test_anchors_match_facemesh(tasks_still, photos: dict[str, Path], name: str) -> None:
    faces = tasks_still.detect(read(photos[name]))
    assert len(faces) == 1
    g = measure(faces)
    ref = STORED[name]
    eye = ref["eye_distance"]
    assert abs(float(g.eye_distance[0]) / eye - 1) < 0.1
    for anchor, xy in ref["anchors"].items():
        off = float(np.hypot(*(g.anchors[anchor][0] - np.array(xy)))) / eye
        assert off < ANCHOR_TOLERANCE, (anchor, off)


@pytest.mark.skipif("facemesh" not in installed_backends(), reason="FaceMesh not installed")
@pytest.mark.parametrize("name", ["grace_hopper", "astronaut"])
def test_stored_facemesh_anchors_are_current(photos: dict[str, Path], name: str) -> None:
    from facefilters.detect import FaceMeshDetector

    with FaceMeshDetector(static_image_mode=True, max_faces=1) as facemesh:
        g = measure(facemesh.detect(read(photos[name])))
    for anchor, xy in STORED[name]["anchors"].items():
        assert np.allclose(g.anchors[anchor][0], xy, atol=1.0), anchor


def test_every_face_carries_52_blendshapes(tasks_still, photos: dict[str, Path]) -> None:
    faces = tasks_still.detect(read(photos["grace_hopper"]))
    shapes = faces.extras["blendshapes"]
    assert shapes.shape == (1, 52) and shapes.dtype == np.float32
    assert 0 <= shapes.min() and shapes.max() <= 1
    assert shapes.max() > 0.3  # not all zeros: the model ran


def test_no_face_gives_empty_blendshapes(tasks_still, no_face_photo: Path) -> None:
    faces = tasks_still.detect(read(no_face_photo))
    assert len(faces) == 0 and faces.extras["blendshapes"].shape == (0, 52)


def test_video_mode_follows_a_looping_source(photos: dict[str, Path]) -> None:
    from facefilters.detect import TasksLandmarker

    frame = read(photos["astronaut"])
    # A looped clip's times start over; the detector must not refuse the frame.
    times = [0.0, 1 / 30, 2 / 30, 0.0, 1 / 30]
    with TasksLandmarker(static_image_mode=False, max_faces=1) as video:
        counts = [len(video.detect(frame, t)) for t in times]
    assert counts == [1] * len(times)


@pytest.mark.parametrize("static", [True, False])
def test_the_two_stage_finder_keeps_the_blendshapes(photos: dict[str, Path], static: bool) -> None:
    from facefilters.detect.twostage import tasks_two_stage

    frame = read(photos["grace_hopper"])
    with tasks_two_stage(static_image_mode=static) as finder:
        faces = [finder.detect(frame, i / 30) for i in range(1 if static else 3)][-1]
    assert len(faces) == 1
    assert faces.extras["blendshapes"].shape == (1, 52)
