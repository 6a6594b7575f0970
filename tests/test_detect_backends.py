"""Choosing a backend, and the Tasks model's checks, without running a model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facefilters.detect import base, tasks
from facefilters.errors import BackendError


def test_the_bundled_model_is_the_one_pinned() -> None:
    data = tasks.load_model()
    assert len(data) == 3_758_596


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a model", "damaged or replaced"),
        (None, "cannot read the face model"),
    ],
)
def test_a_bad_model_file_is_a_one_line_error(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "face_landmarker.task"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BackendError, match=expected) as caught:
        tasks.load_model(path)
    assert "\n" not in str(caught.value) and "reinstall" in str(caught.value)


def test_video_timestamps_always_grow() -> None:
    # A looping source, or two frames of a file at one time, must not go back.
    model = tasks.TasksLandmarker.__new__(tasks.TasksLandmarker)
    model._last_ms = -1
    stamps = [model.timestamp_ms(t) for t in (0.0, 0.033, 0.033, 0.0, 1.5, 1.4999)]
    assert stamps == [0, 33, 34, 35, 1500, 1501]


def test_blendshape_names_are_mediapipes_52() -> None:
    assert len(tasks.BLENDSHAPE_NAMES) == len(set(tasks.BLENDSHAPE_NAMES)) == 52
    assert tasks.BLENDSHAPE_NAMES[0] == "_neutral"
    assert tasks.BLENDSHAPE_NAMES.index("jawOpen") == 25


@pytest.mark.parametrize(
    ("name", "installed", "expected"),
    [
        ("auto", ("facemesh", "tasks"), "facemesh"),
        ("auto", ("tasks",), "tasks"),
        ("tasks", ("facemesh", "tasks"), "tasks"),
        ("facemesh", ("tasks",), BackendError("the facemesh backend needs mediapipe 0.10.21")),
        ("auto", (), BackendError("MediaPipe is not installed")),
        ("onnx", ("tasks",), BackendError("unknown backend 'onnx'")),
    ],
)
def test_resolve_backend(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    installed: tuple[str, ...],
    expected: str | Exception,
) -> None:
    monkeypatch.setattr(base, "installed_backends", lambda: installed)
    if isinstance(expected, Exception):
        with pytest.raises(BackendError, match=str(expected)):
            base.resolve_backend(name)
    else:
        assert base.resolve_backend(name) == expected


def test_this_machine_has_a_backend() -> None:
    assert base.installed_backends()
    assert base.current_backend() in base.installed_backends()


def test_the_environment_picks_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "installed_backends", lambda: ("facemesh", "tasks"))
    monkeypatch.setattr(base, "_chosen", [])
    monkeypatch.setenv(base.BACKEND_ENV, "tasks")
    assert base.current_backend() == "tasks"
    assert base.use_backend("facemesh") == "facemesh"
    assert base.current_backend() == "facemesh"


class _SmallPictureBoxes:
    """A fake short-range detector: sees the face (a box at 300..340, 200..240 of a
    1280x720 frame) only in a picture at most 700 px wide, that is in a tile."""

    def detect(self, frame, t_s: float = 0.0):
        from facefilters.detect import FaceBoxes

        h, w = frame.shape[:2]
        boxes = np.zeros((0, 4), np.float32)
        if w <= 700 and frame[..., 0].max() > 0:
            ys, xs = np.nonzero(frame[..., 0])
            boxes = np.float32([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]])
        return FaceBoxes(boxes, np.ones(len(boxes), np.float32))


def test_tiles_stand_in_for_a_far_detector() -> None:
    from facefilters.detect.scan import TiledBoxDetector

    frame = np.zeros((720, 1280, 3), np.uint8)
    frame[200:240, 300:340] = 255
    whole = _SmallPictureBoxes().detect(frame)
    found = TiledBoxDetector(_SmallPictureBoxes(), (0.5,)).detect(frame)
    assert len(whole) == 0
    assert len(found) == 1  # seen in several tiles, merged into one
    np.testing.assert_allclose(found.xyxy[0], [300, 200, 340, 240])
