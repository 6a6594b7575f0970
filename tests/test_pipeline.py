"""The pipeline with fakes: no model, no files, no window."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest

from facefilters.faces import Faces
from facefilters.frames import Frame
from facefilters.pipeline import Pipeline, frames_of, mirror_view
from facefilters.tracking import FaceTracker

from builders import make_faces


class FakeDetector:
    """Reports the same faces for every frame, and remembers what it was given."""

    def __init__(self, faces: Faces | None = None) -> None:
        self.faces = make_faces() if faces is None else faces
        self.calls: list[tuple[np.ndarray, float]] = []

    def detect(self, frame: np.ndarray, t_s: float) -> Faces:
        self.calls.append((frame.copy(), t_s))
        return self.faces


class Marker:
    """Draws a white square on the right eye, and notes the time and thread it ran at."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.threads: set[str] = set()
        self.seen_faces: list[Faces] = []

    def apply(self, frame: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        self.times.append(t)
        self.threads.add(threading.current_thread().name)
        self.seen_faces.append(faces)
        for x, y in faces.xy[:, 468].round().astype(int):
            frame[y - 2 : y + 3, x - 2 : x + 3] = 255
        return frame


class ListSink:
    def __init__(self) -> None:
        self.frames: list[tuple[np.ndarray, float]] = []
        self.closed = self.aborted = False

    def write(self, frame: np.ndarray, t_s: float) -> None:
        self.frames.append((frame.copy(), t_s))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


def grey_frames(n: int, fps: float = 10.0) -> list[Frame]:
    return list(frames_of((np.full((480, 640, 3), 40, np.uint8) for _ in range(n)), fps))


@pytest.mark.parametrize("threaded", [False, True])
def test_run_detects_tracks_draws_and_writes_every_frame(threaded: bool) -> None:
    detector, marker, sink = FakeDetector(), Marker(), ListSink()
    pipeline = Pipeline(detector, FaceTracker(), [marker])
    stats = pipeline.run(grey_frames(5), [sink], threaded=threaded)
    assert (stats.frames, stats.frames_with_faces) == (5, 5)
    assert [t for _, t in detector.calls] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    # The detector saw the picture before anything was drawn on it.
    assert all(frame.max() == 40 for frame, _ in detector.calls)
    assert len(sink.frames) == 5 and sink.closed and not sink.aborted
    x, y = make_faces().xy[0, 468].round().astype(int)
    assert all(frame[y, x].tolist() == [255, 255, 255] for frame, _ in sink.frames)
    # Tracked faces carry ids.
    assert all(faces.ids.tolist() == [0] for faces in marker.seen_faces)


def test_threaded_run_draws_off_the_callers_thread() -> None:
    marker = Marker()
    Pipeline(FakeDetector(), drawers=[marker]).run(grey_frames(3), [ListSink()], threaded=True)
    assert threading.current_thread().name not in marker.threads


def test_effects_time_starts_at_t0() -> None:
    marker = Marker()
    pipeline = Pipeline(FakeDetector(), drawers=[marker], t0_s=100.0)
    frames = [Frame(i, 100.0 + i / 4, np.zeros((48, 64, 3), np.uint8)) for i in range(3)]
    pipeline.run(frames, [])
    assert marker.times == pytest.approx([0.0, 0.25, 0.5])


def test_mirror_view_flips_picture_and_landmarks_together() -> None:
    marker, sink = Marker(), ListSink()
    image = np.zeros((480, 640, 3), np.uint8)
    image[:, :10] = 200  # a bar on the camera's left edge
    Pipeline(FakeDetector(), drawers=[marker], view=mirror_view).run([Frame(0, 0.0, image)], [sink])
    shown = sink.frames[0][0]
    assert shown[:, -10:].min() == 200 and shown[:, :10].max() < 200
    x, y = make_faces().xy[0, 468]
    mx = int(round(639 - x))
    assert shown[int(round(y)), mx].tolist() == [255, 255, 255]
    assert marker.seen_faces[0].mirrored


def test_drawers_can_change_between_frames() -> None:
    first, second = Marker(), Marker()
    pipeline = Pipeline(FakeDetector(), drawers=[first])

    def frames():
        for k, frame in enumerate(grey_frames(4)):
            if k == 2:
                pipeline.drawers[:] = [second]
            yield frame

    pipeline.run(frames(), [])
    assert (len(first.times), len(second.times)) == (2, 2)


@pytest.mark.parametrize("threaded", [False, True])
def test_a_failing_source_aborts_the_sinks(threaded: bool) -> None:
    sink = ListSink()

    def frames():
        yield from grey_frames(2)
        raise RuntimeError("camera unplugged")

    with pytest.raises(RuntimeError, match="camera unplugged"):
        Pipeline(FakeDetector()).run(frames(), [sink], threaded=threaded)
    assert sink.aborted and not sink.closed


def test_a_failing_drawer_on_the_sink_thread_reaches_the_caller() -> None:
    class Broken:
        def apply(self, frame, faces, t):
            raise ValueError("bad drawing")

    sink = ListSink()
    with pytest.raises(ValueError, match="bad drawing"):
        Pipeline(FakeDetector(), drawers=[Broken()]).run(grey_frames(6), [sink], threaded=True)
    assert sink.aborted and not sink.closed


def test_frames_without_faces_are_counted() -> None:
    stats = Pipeline(FakeDetector(Faces.empty())).run(grey_frames(3), [])
    assert (stats.frames, stats.frames_with_faces) == (3, 0)


def test_progress_reports_each_frame() -> None:
    seen: list[tuple[int, int | None]] = []
    Pipeline(FakeDetector()).run(
        grey_frames(3), [], progress=lambda d, t: seen.append((d, t)), total=3
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_importing_the_core_does_not_load_mediapipe() -> None:
    code = (
        "import sys; import facefilters.pipeline, facefilters.effects, facefilters.render."
        "sprite, facefilters.catalog, facefilters.apps.files, facefilters.apps.live, "
        "facefilters.apps.lesson, facefilters.detect, facefilters.cli; "
        "print('mediapipe' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"


class JumpingDetector:
    """One face at the left for ``jump_at`` frames, then one at the right (a video that
    loops: its last and first frames do not follow on from each other)."""

    def __init__(self, jump_at: int) -> None:
        self.jump_at = jump_at
        self.calls = 0

    def detect(self, frame: np.ndarray, t_s: float) -> Faces:
        self.calls += 1
        x = 150.0 if self.calls <= self.jump_at else 480.0
        return make_faces(center_xy=(x, 240.0), eye_distance=60.0)


@pytest.mark.parametrize("cut", [False, True])
def test_a_cut_restarts_face_ids_and_leaves_no_ghost(cut: bool) -> None:
    pipeline = Pipeline(JumpingDetector(jump_at=5), FaceTracker(fade_s=0.3))
    image = np.zeros((480, 640, 3), np.uint8)
    seen = [pipeline.analyse(Frame(k, k / 30, image, cut=cut and k == 5)) for k in range(8)]
    assert [f.ids.tolist() for f in seen[:5]] == [[0]] * 5
    if cut:
        # The loop starts again as the video did: face 0, nothing fading where it was.
        assert [f.ids.tolist() for f in seen[5:]] == [[0]] * 3
        assert all(f.xyxy[0, 0] > 400 for f in seen[5:])
    else:
        # Without the cut, the old face fades out where it was beside a "new" face 1.
        assert sorted(seen[5].ids.tolist()) == [0, 1]
