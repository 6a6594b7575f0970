"""The live window's logic, with no window, no camera and no MediaPipe.

:class:`LiveApp` is driven through fakes of its two edges: a frame source that hands out
scripted frames (and can "unplug" after N of them), and a window that replays key
presses and keeps what it was shown. A fake clock makes the overlay, the recording pace
and the tears animation deterministic. :class:`FileSource` and :class:`Recorder` run for
real on tiny clips, since their job is pacing in wall-clock time.
"""

from __future__ import annotations

import errno
import re
import sys
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

import facefilters
from facefilters.apps.live import LiveApp, Recorder, default_output_dir, live_unavailable_reason
from facefilters.catalog import Catalog
from facefilters.effects import Filter
from facefilters.errors import OutputError, SourceError
from facefilters.faces import Faces
from facefilters.geometry import measure
from facefilters.i18n import Messages, load_language
from facefilters.io.image import write_image
from facefilters.io.sinks import Sink
from facefilters.io.sources import Captured, FileSource, letterbox
from facefilters.io.video import VideoWriter
from facefilters.io.virtual_camera import VirtualCameraSink
from facefilters.io.window import check_display, key_name
from facefilters.render.label import draw_deepfake_label

from builders import make_faces
from conftest import FakeVirtualCamera

W, H = 640, 480
FACE_XY = (200.0, 240.0)
"""Where the fake detector puts the face, in the picture as the camera sees it."""
EYE = 80.0
MIRROR_X = (W - 1) - FACE_XY[0]
"""The face's x in the selfie view."""
NOSE_DY = 0.55 * EYE
"""The nose tip sits this far below the eyes in the synthetic face (see builders)."""

STATUS_ROWS = np.s_[:45]
"""Rows of the top overlay (status pill, recording dot); the filters stay below them."""
HELP_PANEL = np.s_[150:330, 150:490]
REC_CORNER = np.s_[:45, 480:]
SNAPSHOT_NAME = re.compile(r"facefilters-\d{8}-\d{6}(-\d+)?\.png")
RECORDING_NAME = re.compile(r"facefilters-\d{8}-\d{6}(-\d+)?\.mp4")
CLOSE = object()
"""A scripted "key" for FakeWindow: the user clicks the window's close button."""


# -- fakes ------------------------------------------------------------------------------


class FakeClock:
    """Seconds that only move when a test says so."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


class FakeDetector:
    """Returns the same synthetic faces for every frame and keeps what it was shown."""

    def __init__(self, faces: Faces | None = None) -> None:
        self.faces = make_faces(center_xy=FACE_XY, eye_distance=EYE) if faces is None else faces
        self.seen: list[np.ndarray] = []

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> Faces:
        self.seen.append(frame.copy())
        return self.faces


class FakeWindow:
    """Replays one scripted key (or None, or CLOSE) per poll; closes when the script ends."""

    def __init__(self, keys: list[object] | tuple[object, ...] = ()) -> None:
        self.keys = list(keys)
        self.shown: list[np.ndarray] = []
        self.fullscreen_calls: list[bool] = []
        self.open = True
        self.closed = False

    def show(self, frame: np.ndarray) -> None:
        assert frame.shape == (H, W, 3) and frame.dtype == np.uint8
        self.shown.append(frame.copy())

    def poll_key(self, wait_ms: int = 1) -> str | None:
        if not self.keys:
            self.open = False  # the script is over: the user closes the window
            return None
        key = self.keys.pop(0)
        if key is CLOSE:
            self.open = False
            return None
        return key  # type: ignore[return-value]

    def is_open(self) -> bool:
        return self.open

    def set_fullscreen(self, on: bool) -> None:
        self.fullscreen_calls.append(on)

    def close(self) -> None:
        self.closed = True


class FakeSource:
    """Hands out copies of ``frames`` in a loop, 1/30 s apart on ``clock``.

    Args:
        frames: the pictures; a None entry is a read that timed out.
        clock: advanced by ``step_s`` on every read, as time passes for a camera.
        fail_after: raise SourceError (camera unplugged) once this many frames were read.
    """

    name = "fake camera"

    def __init__(
        self,
        frames: list[np.ndarray | None],
        clock: FakeClock,
        *,
        fail_after: int | None = None,
        step_s: float = 1 / 30,
    ) -> None:
        self.frames = frames
        self.clock = clock
        self.fail_after = fail_after
        self.step_s = step_s
        self.reads = 0
        self.count = 0
        self.closed = False

    def read(self, timeout_s: float = 1.0) -> Captured | None:
        if self.fail_after is not None and self.count >= self.fail_after:
            raise SourceError(
                "camera 0 stopped sending pictures (unplugged?)", "error.camera_stopped", index=0
            )
        self.clock.advance(self.step_s)
        image = self.frames[self.reads % len(self.frames)]
        self.reads += 1
        if image is None:
            return None
        captured = Captured(index=self.count, time_s=self.clock(), image=image.copy())
        self.count += 1
        return captured

    def close(self) -> None:
        self.closed = True


# -- helpers ----------------------------------------------------------------------------


def scene() -> np.ndarray:
    """A 640x480 picture that is not symmetric: a grey ramp and a white block on the left.

    No pixel is darker than 90, so anything dark was drawn by a filter.
    """
    img = np.empty((H, W, 3), np.uint8)
    img[:] = np.linspace(90, 170, W, dtype=np.uint8)[None, :, None]
    img[400:460, 20:80] = 255
    return img


@pytest.fixture(scope="module")
def filters() -> list[Filter]:
    # A fixed set, in the order the tests' key presses expect; more built-ins may exist.
    catalog = Catalog()
    return [catalog.load(i) for i in ("dog", "glasses", "mesh", "tears")]


def make_app(
    filters: list[Filter],
    out_dir: Path,
    *,
    start: int = 0,
    mirror: bool = True,
    lang: str = "en",
    clock: FakeClock | None = None,
    detector: FakeDetector | None = None,
    outputs: Sequence[Sink] = (),
) -> LiveApp:
    return LiveApp(
        filters,
        detector or FakeDetector(),
        Messages(lang),
        out_dir,
        start=start,
        mirror=mirror,
        clock=clock or FakeClock(),
        outputs=outputs,
    )


def render_at(
    app: LiveApp, clock: FakeClock, t: float, image: np.ndarray | None = None
) -> np.ndarray:
    clock.t = t
    return app.render(scene() if image is None else image, t)


def dark(frame: np.ndarray, xy: tuple[float, float], r: int = 4) -> float:
    """Mean brightness of a small square around ``xy``."""
    x, y = int(round(xy[0])), int(round(xy[1]))
    return float(
        cv2.cvtColor(frame[y - r : y + r + 1, x - r : x + r + 1], cv2.COLOR_BGR2GRAY).mean()
    )


def red_pixels(frame: np.ndarray) -> int:
    b, g, r = (frame[..., i].astype(int) for i in range(3))
    return int(np.count_nonzero((r > 170) & (g < 110) & (b < 110)))


def mesh_pixels(frame: np.ndarray) -> int:
    # The mesh is light blue (BGR 255, 230, 120), blended over the picture.
    b, g, r = (frame[..., i].astype(int) for i in range(3))
    return int(np.count_nonzero((b - r > 50) & (g - r > 40)))


def decode(path: Path) -> tuple[list[np.ndarray], Fraction]:
    """Every frame of a video, and its frame rate."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate)
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(stream)]
    return frames, rate


# -- keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "keys", "index"),
    [
        (0, ["right"], 1),
        (0, ["n"], 1),
        (0, ["n", "n", "n"], 3),
        (3, ["n"], 0),  # wraps forward
        (3, ["right"], 0),
        (0, ["left"], 3),  # wraps backward
        (0, ["p"], 3),
        (2, ["p", "p"], 0),
        (1, ["right", "left"], 1),
        (0, ["1"], 0),
        (0, ["3"], 2),
        (1, ["4"], 3),
        (2, ["5"], 2),  # only four filters: ignored
        (2, ["9"], 2),
        (2, ["0"], 2),
        (2, ["x", "up", "enter"], 2),  # keys with no meaning change nothing
    ],
)
def test_keys_choose_the_filter(
    filters, tmp_path: Path, start: int, keys: list[str], index: int
) -> None:
    app = make_app(filters, tmp_path, start=start)
    for key in keys:
        assert app.handle_key(key) is True
    assert app.index == index
    assert app.filter is filters[index]


@pytest.mark.parametrize("key", ["q", "esc"])
def test_quit_keys_say_stop(filters, tmp_path: Path, key: str) -> None:
    assert make_app(filters, tmp_path).handle_key(key) is False


@pytest.mark.parametrize("stop", ["q", "esc", CLOSE], ids=["q", "esc", "close-button"])
def test_run_stops_on_quit_or_close(filters, tmp_path: Path, stop: object) -> None:
    clock = FakeClock()
    source = FakeSource([scene()], clock)
    window = FakeWindow(["n", stop, "n", "n"])
    make_app(filters, tmp_path, clock=clock).run(source, window)
    assert window.keys == ["n", "n"], "keys after the quit must not be read"
    assert len(window.shown) == 2
    assert not any(tmp_path.iterdir()), "quitting saves nothing"


def test_run_changes_filter_and_survives_source_timeouts(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    # Every other read times out, as a slow camera's would.
    source = FakeSource([scene(), None], clock)
    app = make_app(filters, tmp_path, start=1, clock=clock)
    window = FakeWindow([None, "right", None, None])
    app.run(source, window)
    assert app.index == 2
    assert len(window.shown) == 3  # the first five reads hold three frames
    # The status pill names the filter, so it changes with it; the face area too.
    before, after = window.shown[0], window.shown[-1]
    assert not np.array_equal(before[STATUS_ROWS], after[STATUS_ROWS])


def test_fullscreen_key_toggles_the_window(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, clock=clock)
    window = FakeWindow(["f", None, "f"])
    app.run(FakeSource([scene()], clock), window)
    assert window.fullscreen_calls == [True, False]
    assert app.fullscreen is False


def test_mesh_key_draws_the_mesh_over_the_filter(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, clock=clock)  # dog: brown and black, no blue
    off = render_at(app, clock, 1001.0)
    app.handle_key("m")
    assert app.show_mesh
    on = render_at(app, clock, 1001.1)
    app.handle_key("m")
    assert not app.show_mesh
    off_again = render_at(app, clock, 1001.2)
    assert mesh_pixels(off) < 50
    assert mesh_pixels(on) > 1500
    assert mesh_pixels(off_again) < 50
    # The mesh is on the face: inside the (mirrored) face box.
    box = np.s_[
        int(FACE_XY[1] - EYE) : int(FACE_XY[1] + 1.6 * EYE),
        int(MIRROR_X - EYE) : int(MIRROR_X + EYE),
    ]
    assert mesh_pixels(on[box]) > 0.8 * mesh_pixels(on[STATUS_ROWS.stop :])


def test_help_key_toggles_the_help_panel(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, clock=clock)
    plain = render_at(app, clock, 1001.0)
    app.handle_key("h")
    helped = render_at(app, clock, 1001.1)
    app.handle_key("h")
    plain_again = render_at(app, clock, 1001.2)
    changed = np.abs(plain[HELP_PANEL].astype(int) - helped[HELP_PANEL].astype(int)).max(axis=2)
    assert np.mean(changed > 20) > 0.5, "the help panel covers the middle of the picture"
    assert np.array_equal(plain[HELP_PANEL], plain_again[HELP_PANEL])


# -- overlay ----------------------------------------------------------------------------


def test_overlay_reports_fps_from_the_clock(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, clock=clock)
    app.run(FakeSource([scene()], clock), FakeWindow([None] * 20))
    assert app.fps == pytest.approx(30.0, rel=0.01)
    assert len(app.faces) == 1


def test_overlay_fps_with_uneven_frame_intervals(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, start=1, clock=clock)
    t = clock.t
    for k in range(90):
        # Pairs of frames 1/15 s apart: still 30 frames per second.
        t += 0.010 if k % 2 else 2 / 30 - 0.010
        render_at(app, clock, t)
    assert app.fps == pytest.approx(30.0, rel=0.15)


def test_overlay_changes_with_the_number_of_faces(filters, tmp_path: Path) -> None:
    shown = []
    for n in (1, 2):
        clock = FakeClock()
        detector = FakeDetector(make_faces(n, center_xy=(320, 240), eye_distance=50))
        app = make_app(filters, tmp_path, start=1, clock=clock, detector=detector)
        shown.append(render_at(app, clock, 1001.0))
        assert len(app.faces) == n
    assert not np.array_equal(shown[0][STATUS_ROWS], shown[1][STATUS_ROWS])


# -- mirroring --------------------------------------------------------------------------


@pytest.mark.parametrize("mirror", [True, False])
def test_mirroring_flips_picture_and_filters_but_not_anatomy(
    filters, tmp_path: Path, mirror: bool
) -> None:
    clock = FakeClock()
    detector = FakeDetector()
    app = make_app(filters, tmp_path, mirror=mirror, clock=clock, detector=detector)
    raw = scene()
    shown = render_at(app, clock, 1001.0, raw.copy())

    # The detector sees the picture as the camera took it.
    assert np.array_equal(detector.seen[0], raw)
    # The picture itself: the white block moves to the right in the selfie view.
    block_x = W - 1 - 50 if mirror else 50
    assert dark(shown, (block_x, 430)) > 250

    # The dog's nose follows the face to wherever it is shown.
    face_x = MIRROR_X if mirror else FACE_XY[0]
    other_x = FACE_XY[0] if mirror else MIRROR_X
    nose_y = FACE_XY[1] + NOSE_DY
    assert dark(shown, (face_x, nose_y)) < 60
    assert dark(shown, (other_x, nose_y)) > 90

    # The person's left eye is still "left_eye": on the image's left only in a mirror.
    g = measure(app.faces)
    assert app.faces.mirrored is mirror
    left, right = g.anchors["left_eye"][0], g.anchors["right_eye"][0]
    assert g.anchors["nose_tip"][0][0] == pytest.approx(face_x, abs=0.5)
    if mirror:
        assert left[0] < face_x < right[0]
        assert left[0] == pytest.approx(MIRROR_X - EYE / 2, abs=0.5)
    else:
        assert right[0] < face_x < left[0]
        assert left[0] == pytest.approx(FACE_XY[0] + EYE / 2, abs=0.5)
    assert g.roll_deg[0] == pytest.approx(0.0, abs=0.1)


# -- snapshots --------------------------------------------------------------------------


def test_snapshot_saves_the_filtered_picture_without_overlay(filters, tmp_path: Path) -> None:
    out_dir = tmp_path / "new" / "pictures"
    clock = FakeClock()
    app = make_app(filters, out_dir, clock=clock)
    assert app.snapshot() is None, "nothing shown yet, nothing to save"
    window = FakeWindow([None, "space"])
    app.run(FakeSource([scene()], clock), window)

    saved = sorted(out_dir.iterdir())
    assert [p.name for p in saved] == [p.name for p in app.saved]
    assert len(saved) == 1 and SNAPSHOT_NAME.fullmatch(saved[0].name), saved
    png = cv2.imread(str(saved[0]))
    shown = window.shown[1]  # the frame on screen when space was pressed
    assert png.shape == shown.shape
    # Below the status line the snapshot is exactly what was on screen...
    assert np.array_equal(png[STATUS_ROWS.stop :], shown[STATUS_ROWS.stop :])
    # ...and where the status pill was, it is the mirrored picture without it.
    assert np.array_equal(png[STATUS_ROWS], cv2.flip(scene(), 1)[STATUS_ROWS])
    assert not np.array_equal(shown[STATUS_ROWS], png[STATUS_ROWS])
    # It is filtered: the same as drawing the filter on the mirrored picture.
    expected = filters[0].apply(cv2.flip(scene(), 1), FakeDetector().faces.mirror(W), 0.0)
    assert np.array_equal(png, expected)
    # A toast says so on the next frames, which are not part of the file.
    assert not np.array_equal(
        window.shown[1][STATUS_ROWS.stop :], window.shown[2][STATUS_ROWS.stop :]
    )


def test_two_snapshots_get_two_names(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, clock=clock)
    app.run(FakeSource([scene()], clock), FakeWindow(["space", "space"]))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and all(SNAPSHOT_NAME.fullmatch(n) for n in names), names


# -- recording --------------------------------------------------------------------------


def test_recording_plays_at_wall_clock_pace_with_a_red_dot(filters, tmp_path: Path) -> None:
    out_dir = tmp_path / "videos"
    clock = FakeClock()
    app = make_app(filters, out_dir, start=1, clock=clock)
    window = FakeWindow([None, "r"] + [None] * 58 + ["r"])
    app.run(FakeSource([scene()], clock), window)

    names = sorted(p.name for p in out_dir.iterdir())
    assert len(names) == 1 and RECORDING_NAME.fullmatch(names[0]), names  # no temp file
    frames, rate = decode(out_dir / names[0])
    # From the first "r" to the second, 2 s pass on the clock: 60 frames at 30 fps.
    assert rate == 30
    assert abs(len(frames) - 60) <= 2, len(frames)
    assert frames[0].shape == (H, W, 3)

    # The red dot shows while recording (top-right), not before, not after.
    assert red_pixels(window.shown[0][REC_CORNER]) == 0
    assert red_pixels(window.shown[3][REC_CORNER]) > 20
    assert red_pixels(window.shown[-1][REC_CORNER]) == 0
    assert app.recorder is None


@pytest.mark.parametrize("stop", ["q", CLOSE], ids=["q", "close-button"])
def test_quitting_while_recording_saves_the_recording(
    filters, tmp_path: Path, stop: object
) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, start=1, clock=clock)
    app.run(FakeSource([scene()], clock), FakeWindow([None, "r"] + [None] * 15 + [stop]))
    videos = sorted(tmp_path.iterdir())
    assert len(videos) == 1 and RECORDING_NAME.fullmatch(videos[0].name), videos
    assert app.saved == videos
    frames, _ = decode(videos[0])
    assert abs(len(frames) - 16) <= 2, len(frames)


def test_pictures_folder_is_the_platforms(tmp_path: Path, monkeypatch) -> None:
    # On Linux the XDG pictures folder, in the user's language; else ~/Pictures.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_PICTURES_DIR", raising=False)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    if sys.platform.startswith("linux"):
        (config / "user-dirs.dirs").write_text('XDG_PICTURES_DIR="$HOME/Afbeeldingen"\n')
        assert default_output_dir() == tmp_path / "Afbeeldingen" / "facefilters"
        (config / "user-dirs.dirs").unlink()
    assert default_output_dir() == tmp_path / "Pictures" / "facefilters"


def test_quit_closes_the_window_before_the_recording_is_finished(
    filters, tmp_path: Path, monkeypatch
) -> None:
    # Finishing a recording takes a moment; the window must not wait for it.
    clock = FakeClock()
    app = make_app(filters, tmp_path, start=1, clock=clock)
    window = FakeWindow([None, "r"] + [None] * 5 + ["q"])
    window_closed_at_finish: list[bool] = []
    finish = Recorder.close

    def close(recorder: Recorder) -> Path:
        window_closed_at_finish.append(window.closed)
        return finish(recorder)

    monkeypatch.setattr(Recorder, "close", close)
    app.run(FakeSource([scene()], clock), window)
    assert window_closed_at_finish == [True]
    assert len(app.saved) == 1


@pytest.mark.parametrize(
    ("lang", "stopped", "saved"),
    [
        ("en", "camera 0 stopped sending pictures", "the recording was saved to"),
        ("nl", "camera 0 stuurt geen beelden meer", "de opname is bewaard als"),
    ],
)
def test_unplugged_camera_closes_the_recording_so_it_plays(
    filters, tmp_path: Path, lang: str, stopped: str, saved: str
) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, start=1, clock=clock, lang=lang)
    window = FakeWindow([None, "r"] + [None] * 100)
    with pytest.raises(SourceError) as caught:
        app.run(FakeSource([scene()], clock, fail_after=32), window)
    message = str(caught.value)
    assert stopped in message and saved in message, message

    videos = sorted(tmp_path.iterdir())
    assert len(videos) == 1 and RECORDING_NAME.fullmatch(videos[0].name), videos
    assert str(videos[0]) in message
    frames, _ = decode(videos[0])
    # Recorded from the 2nd frame to the 32nd: 30 frame intervals, 1 s.
    assert abs(len(frames) - 31) <= 2, len(frames)
    assert app.recorder is None


def test_unplugged_camera_without_recording_says_only_that(filters, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, clock=clock)
    with pytest.raises(SourceError, match="stopped sending pictures") as caught:
        app.run(FakeSource([scene()], clock, fail_after=5), FakeWindow([None] * 20))
    assert "recording" not in str(caught.value)
    assert not any(tmp_path.iterdir())


def test_recorder_counts_frames_by_wall_clock(tmp_path: Path) -> None:
    path = tmp_path / "rec.mp4"
    start = time.monotonic()
    recorder = Recorder(path, (64, 48), start)
    # Irregular pushes, as a live loop that sometimes stalls makes them; a last one at
    # 0.99 s means 30 frames at 30 fps.
    offsets = [0.0, 0.013, 0.2, 0.21, 0.55, 0.7, 0.71, 0.99]
    for i, offset in enumerate(offsets):
        time.sleep(max(0.0, start + offset - time.monotonic()))
        recorder.write(np.full((48, 64, 3), 20 * i, np.uint8), start + offset)
    assert not path.exists(), "the file gets its name only when the recording stops"
    assert recorder.close() == path
    frames, rate = decode(path)
    assert rate == 30
    assert abs(len(frames) - 30) <= 1, len(frames)
    assert [p.name for p in tmp_path.iterdir()] == ["rec.mp4"]


def test_empty_recording_still_plays(tmp_path: Path) -> None:
    path = Recorder(tmp_path / "empty.mp4", (64, 48), time.monotonic()).close()
    frames, _ = decode(path)
    assert len(frames) == 1


@pytest.mark.parametrize("folder", ["videos", "./videos", "videos//"])
def test_a_failed_recording_names_it_as_typed_not_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    def disk_full(writer: VideoWriter, frame: np.ndarray) -> None:
        # What the writer itself says when the disk fills up: it names the file it writes.
        raise OutputError.from_os_error(writer.path, OSError(errno.ENOSPC, "No space left"))

    monkeypatch.setattr(VideoWriter, "write", disk_full)
    monkeypatch.chdir(tmp_path)
    Path("videos").mkdir()
    typed = f"{folder}{'' if folder.endswith('/') else '/'}rec.mp4"
    recorder = Recorder(typed, (64, 48), 0.0)
    assert [p.name for p in Path("videos").iterdir()] != [], "the temporary file is there"
    recorder.write(np.zeros((48, 64, 3), np.uint8), 0.0)
    with pytest.raises(OutputError) as caught:
        recorder.close()
    message = str(caught.value)
    assert f"'{typed}'" in message and "No space left" in message, message
    assert ".tmp" not in message
    assert list(Path("videos").iterdir()) == [], "no temporary file is left behind"


# -- animation time ---------------------------------------------------------------------


def test_tears_run_on_the_clock_not_the_frame_count(filters, tmp_path: Path) -> None:
    face_area = np.s_[STATUS_ROWS.stop :]

    def last_picture(clock_times: list[float]) -> np.ndarray:
        clock = FakeClock(1000.0)
        app = make_app(filters, tmp_path, start=3, clock=clock)  # tears
        for t in clock_times:
            shown = render_at(app, clock, t)
        return shown[face_area]

    fast = last_picture([1000.0 + k / 30 for k in range(1, 31)])  # 30 fps for 1 s
    slow = last_picture([1000.0 + k / 3 for k in range(1, 4)])  # 3 fps for 1 s
    once = last_picture([1001.0])
    later = last_picture([1001.4])
    assert np.array_equal(fast, slow)
    assert np.array_equal(fast, once)
    moved = np.abs(fast.astype(int) - later.astype(int)).max(axis=2) > 20
    assert moved.sum() > 100, "0.4 s later the tears have moved"
    no_filter = cv2.flip(scene(), 1)[face_area]
    assert (np.abs(fast.astype(int) - no_filter.astype(int)).max(axis=2) > 20).sum() > 100


# -- words ------------------------------------------------------------------------------


def live_message_keys() -> set[str]:
    """Every message key the live window looks up, read from the source."""
    root = Path(facefilters.__file__).parent
    package = root / "apps" / "live"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(package.glob("*.py")))
    called = set(re.findall(r'\b(?:m|messages)\(\s*"([\w.]+)"', text))
    # "a" if ... else "b" inside a call, and any other literal key.
    literals = set(re.findall(r'"((?:live|error|demo|deepfake|cli)\.[\w.]+)"', text))
    assert called <= literals
    # m(f"live.help.{k}") for k in a literal list.
    assert 'm(f"live.help.{k}")' in text
    listed = re.search(r"keys\s*=\s*\[([^\]]*)\]", text)
    assert listed, "the list of help keys moved; update this test"
    help_keys = {f"live.help.{k}" for k in re.findall(r'"(\w+)"', listed.group(1))}
    assert len(help_keys) >= 9
    # Errors of the sources and the window carry their key, for the window's language.
    errors = set()
    for module in ("io/sources.py", "io/window.py"):
        errors |= set(re.findall(r'"(error\.[\w.]+)"', (root / module).read_text(encoding="utf-8")))
    assert {"error.no_camera", "error.no_display", "error.camera_stopped"} <= errors
    return literals | help_keys | errors


def test_every_key_live_uses_exists_in_english_and_dutch() -> None:
    keys = live_message_keys()
    assert {"live.fps", "live.faces", "live.help_title", "live.mesh_off"} <= keys
    for lang in ("en", "nl"):
        missing = keys - set(load_language(lang))
        assert not missing, f"{lang}.txt lacks {sorted(missing)}"


def test_dutch_and_english_have_the_same_keys_and_placeholders() -> None:
    en, nl = load_language("en"), load_language("nl")
    assert set(en) == set(nl)
    for key in en:
        assert re.findall(r"\{(\w+)", en[key]) == re.findall(r"\{(\w+)", nl[key]), key


def test_dutch_help(filters, tmp_path: Path) -> None:
    nl = Messages("nl")
    assert nl("live.help_title") == "Toetsen"
    assert nl("live.help.quit").startswith("q of Esc")
    assert nl("live.fps", fps=29.6) == "30 beelden/s"
    assert nl("live.faces", count=2) == "2 gezichten"
    shown = {}
    for lang in ("en", "nl"):
        clock = FakeClock()
        app = make_app(filters, tmp_path, lang=lang, clock=clock)
        assert app.messages.lang == lang
        app.handle_key("h")
        shown[lang] = render_at(app, clock, 1001.0)
    assert not np.array_equal(shown["en"][HELP_PANEL], shown["nl"][HELP_PANEL])
    assert not np.array_equal(shown["en"][STATUS_ROWS], shown["nl"][STATUS_ROWS])


# -- window helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (65361, "left"),  # X11 keysyms (Linux, Qt or GTK)
        (65363, "right"),
        (0x1000012, "left"),  # Qt key codes
        (0x1000014, "right"),
        (0x250000, "left"),  # Windows virtual keys << 16
        (0x270000, "right"),
        (63234, "left"),  # macOS function keys
        (63235, "right"),
        (27, "esc"),
        (65307, "esc"),
        (32, "space"),
        (ord("q"), "q"),
        (ord("Q"), "q"),
        (0x100071, "q"),  # 'q' with a modifier bit (NumLock) set
        (ord("n"), "n"),
        (ord("3"), "3"),
        (ord("h"), "h"),
        (-1, None),  # no key pressed
        (0, None),
    ],
)
def test_key_name(code: int, name: str | None) -> None:
    assert key_name(code) == name


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland check only")
@pytest.mark.parametrize(
    ("env", "ok"),
    [
        ({}, False),
        ({"DISPLAY": ":4242"}, False),  # no such X server socket
        ({"WAYLAND_DISPLAY": "wayland-0"}, True),
        ({"DISPLAY": "remote-host:0"}, True),  # a remote X server cannot be checked
    ],
)
def test_check_display(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], ok: bool) -> None:
    assert not Path("/tmp/.X11-unix/X4242").exists()
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if ok:
        check_display()
        return
    with pytest.raises(SourceError, match="facefilters apply") as caught:
        check_display()
    assert "display" in str(caught.value)
    assert live_unavailable_reason(Messages("en")) is not None
    assert "display" in live_unavailable_reason(Messages("en"))
    assert "scherm" in live_unavailable_reason(Messages("nl"))


# -- file sources -----------------------------------------------------------------------


def level(k: int) -> int:
    """Grey level of frame k of the test clip."""
    return 20 + 20 * (k % 10)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 frames, 64x48, 30 fps, each a different flat grey."""
    path = tmp_path_factory.mktemp("clips") / "grey.mp4"
    with VideoWriter(path, (64, 48), Fraction(30)) as writer:
        for k in range(10):
            writer.write(np.full((48, 64, 3), level(k), np.uint8))
    return path


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    image = np.random.default_rng(7).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    path = tmp_path_factory.mktemp("photos") / "noise.png"
    write_image(path, image)
    return path, image


def read_n(source: FileSource, n: int) -> list[Captured]:
    frames = []
    for _ in range(n):
        captured = source.read(timeout_s=1.0)
        assert captured is not None, "a file source ran dry"
        frames.append(captured)
    return frames


def test_file_source_loops_the_video_in_order(clip: Path) -> None:
    with FileSource(clip) as source:
        assert source.name == "grey.mp4"
        frames = read_n(source, 25)
    assert frames[-1].index >= 24, "more frames than the clip has: it loops"
    for captured in frames:
        assert captured.image.shape == (48, 64, 3)
        # A frame's index says where in the clip it is, round after round.
        assert abs(float(captured.image.mean()) - level(captured.index)) < 6, captured.index


def test_file_source_is_paced_and_only_returns_newer_frames(clip: Path) -> None:
    with FileSource(clip) as source:
        t0 = time.monotonic()
        frames = read_n(source, 20)
        elapsed = time.monotonic() - t0
    # 20 frames at 30 fps take 19/30 s after the first one; never faster.
    assert elapsed >= 0.5, elapsed
    indices = [c.index for c in frames]
    assert all(b > a for a, b in zip(indices, indices[1:])), indices
    times = [c.time_s for c in frames]
    assert all(b > a for a, b in zip(times, times[1:]))
    assert times[-1] <= time.monotonic()


def test_slow_reader_gets_the_newest_frame(clip: Path) -> None:
    with FileSource(clip) as source:
        frames = [read_n(source, 1)[0]]
        for _ in range(2):
            time.sleep(0.3)
            frames += read_n(source, 1)
    indices = [c.index for c in frames]
    # 0.3 s at 30 fps is about nine frames: the ones in between are dropped.
    assert all(b - a > 1 for a, b in zip(indices, indices[1:])), indices


def test_unpaced_file_source_decodes_only_what_is_taken(clip: Path) -> None:
    # Unpaced (the benchmarks' capacity runs), a slow reader still gets every frame in
    # turn: the source waits to be asked instead of decoding, and dropping, frames on a
    # core of its own.
    with FileSource(clip, realtime=False) as source:
        frames = [read_n(source, 1)[0]]
        for _ in range(3):
            time.sleep(0.2)
            frames += read_n(source, 1)
    indices = [c.index for c in frames]
    assert indices == list(range(indices[0], indices[0] + 4)), indices


def test_file_source_without_loop_stops_at_the_end(clip: Path) -> None:
    with FileSource(clip, loop=False) as source:
        got = []
        while (captured := source.read(timeout_s=0.5)) is not None:
            got.append(captured.index)
    assert got and got[-1] == 9


def test_photo_source_repeats_the_photo(photo: tuple[Path, np.ndarray]) -> None:
    path, image = photo
    with FileSource(path) as source:
        frames = read_n(source, 5)
    assert all(np.array_equal(c.image, image) for c in frames)
    indices = [c.index for c in frames]
    assert all(b > a for a, b in zip(indices, indices[1:]))
    # Each is a copy: the live loop may draw on it.
    assert len({id(c.image) for c in frames}) == 5


@pytest.mark.parametrize("kind", ["video", "photo"])
def test_file_source_resizes(clip: Path, photo: tuple[Path, np.ndarray], kind: str) -> None:
    path = clip if kind == "video" else photo[0]
    with FileSource(path, (32, 24)) as source:
        frames = read_n(source, 3)
    assert all(c.image.shape == (24, 32, 3) for c in frames)
    if kind == "photo":
        expected = cv2.resize(photo[1], (32, 24), interpolation=cv2.INTER_AREA)
        assert np.array_equal(frames[0].image, expected)


def test_file_source_size_keeps_the_aspect_ratio(clip: Path) -> None:
    # A 4:3 clip asked for as a square: bars above and below, the picture not stretched.
    with FileSource(clip, (64, 64)) as source:
        image = read_n(source, 1)[0].image
    assert image.shape == (64, 64, 3)
    rows = image.max(axis=(1, 2))
    assert (rows[:8] == 0).all() and (rows[-8:] == 0).all()
    assert (rows[8:56] > 0).all()


@pytest.mark.parametrize(
    ("size_wh", "inside_xyxy"),
    [
        ((300, 300), (0, 75, 300, 225)),
        ((400, 100), (100, 0, 300, 100)),
        ((100, 50), (0, 0, 100, 50)),
    ],
    ids=["taller", "wider", "same shape"],
)
def test_letterbox_never_stretches(
    size_wh: tuple[int, int], inside_xyxy: tuple[int, int, int, int]
) -> None:
    image = np.full((100, 200, 3), 200, np.uint8)  # 2:1
    cv2.circle(image, (100, 50), 40, (0, 0, 255), -1)
    out = letterbox(image, size_wh)
    assert out.shape == (size_wh[1], size_wh[0], 3)
    ys, xs = np.nonzero(out.max(axis=2))
    assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == inside_xyxy
    red = np.nonzero((out[..., 2] > 128) & (out[..., 0] < 100))
    height, width = np.ptp(red[0]) + 1, np.ptp(red[1]) + 1
    assert abs(width - height) <= 2, (width, height)  # a circle stays round


def test_a_looping_source_marks_its_restart_as_a_cut(clip: Path) -> None:
    # The first frame taken of each new round (10 frames a round) is a cut, and only it.
    with FileSource(clip, realtime=False) as source:
        frames = read_n(source, 25)
    rounds = [c.index // 10 for c in frames]
    firsts = [k > 0 and rounds[k] > rounds[k - 1] for k in range(len(frames))]
    assert [c.cut for c in frames] == firsts
    assert sum(firsts) >= 2


def test_a_cut_survives_when_its_frame_is_dropped(clip: Path) -> None:
    # A slow reader misses the loop's first frame; the newer frame it gets carries the cut.
    with FileSource(clip) as source:
        first = read_n(source, 1)[0]
        later = []
        while not later or later[-1].index < 10:
            time.sleep(0.5)
            later += read_n(source, 1)
    assert not first.cut
    assert [c.cut for c in later] == [False] * (len(later) - 1) + [True]


# -- the face swap, live ----------------------------------------------------------------


def _prepared_swap() -> Filter:
    """The built-in swap with fake source faces: a mesh made from the canonical face."""
    from facefilters.render.meshmap import canonical_face

    def find(photo: np.ndarray) -> Faces:
        h, w = photo.shape[:2]
        model = canonical_face()
        xyz = np.zeros((478, 3), np.float32)
        xyz[:468, :2] = (model.uv - 0.5) * min(w, h) * 0.6 + np.float32((w / 2, h / 2))
        xyz[:468, 2] = -model.canonical_xyz[:, 2]
        xyz[468:473, :2] = xyz[[33, 133], :2].mean(axis=0)
        xyz[473:478, :2] = xyz[[263, 362], :2].mean(axis=0)
        return Faces(xyz[None], ids=np.zeros(1, np.int64))

    swap = Catalog().load("swap")
    swap.prepare(find)
    return swap.labelled(Messages("nl")("deepfake.label"))


def test_swap_snapshots_and_recordings_say_they_are_deepfakes(filters, tmp_path: Path) -> None:
    from facefilters.io import credentials
    from facefilters.io.provenance import read_note

    out_dir = tmp_path / "out"
    clock = FakeClock()
    # Dog first, then the swap: a recording started on the dog is closed when the swap
    # comes on, and a new one, with the note, goes on.
    app = make_app([filters[0], _prepared_swap()], out_dir, clock=clock)
    window = FakeWindow([None, "space", "r", None, "right", None, None, "space", "s", None, "r"])
    app.run(FakeSource([scene()], clock), window)
    saved = app.saved
    pictures = [p for p in saved if p.suffix == ".png"]
    videos = [p for p in saved if p.suffix == ".mp4"]
    assert len(pictures) == 2 and len(videos) == 2
    assert read_note(pictures[0]) is None  # the dog
    assert "face swap" in (read_note(pictures[1]) or "")
    assert read_note(videos[0]) is None
    assert "face swap" in (read_note(videos[1]) or "")
    if credentials.available():
        signed = [credentials.read_credentials(p) for p in pictures + videos]
        assert [c is not None and c.ai_composite for c in signed] == [False, True, False, True]
    # "s" went to the next source face.
    assert app.filter.layers[0].effect.current == 1


# -- the virtual camera -----------------------------------------------------------------


def test_the_virtual_camera_gets_the_filtered_picture_without_the_overlay(
    virtual_cameras: list[FakeVirtualCamera], filters, tmp_path: Path
) -> None:
    clock = FakeClock()
    app = make_app(filters, tmp_path, clock=clock, outputs=[VirtualCameraSink((W, H), 30)])
    window = FakeWindow([None] * 6)
    app.run(FakeSource([scene()], clock), window)
    [camera] = virtual_cameras
    assert camera.closed, "the run closes the virtual camera"
    assert len(camera.frames) == len(window.shown) >= 6
    for sent, shown in zip(camera.frames, window.shown):
        assert sent.shape == (H, W, 3) and sent.dtype == np.uint8
        # The window's status line is drawn on its own copy; the rest is the same picture.
        assert np.array_equal(sent[STATUS_ROWS.stop :], shown[STATUS_ROWS.stop :])
        assert np.array_equal(sent[STATUS_ROWS], cv2.flip(scene(), 1)[STATUS_ROWS])
    # Filtered and mirrored: the dog's nose on the face, as in the window.
    nose = (MIRROR_X, FACE_XY[1] + NOSE_DY)
    assert dark(cv2.flip(scene(), 1), nose) > 90
    assert dark(camera.frames[-1], nose) < 60


def test_a_face_swap_reaches_the_virtual_camera_labelled(
    virtual_cameras: list[FakeVirtualCamera], tmp_path: Path
) -> None:
    clock = FakeClock()
    outputs = [VirtualCameraSink((W, H), 30)]
    app = make_app([_prepared_swap()], tmp_path, clock=clock, outputs=outputs)
    app.run(FakeSource([scene()], clock), FakeWindow([None] * 4))
    # Where the badge is opaque it looks the same drawn on black and on white.
    word = Messages("nl")("deepfake.label")
    on_black = draw_deepfake_label(np.zeros((H, W, 3), np.uint8), word)
    on_white = draw_deepfake_label(np.full((H, W, 3), 255, np.uint8), word)
    badge = (on_black == on_white).all(axis=2) & (on_black.max(axis=2) > 0)
    assert badge.sum() > 1000
    frames = virtual_cameras[0].frames
    assert len(frames) >= 4
    for sent in frames:
        assert np.array_equal(sent[badge], on_black[badge])
    # The face itself was swapped: the picture differs from the mirrored scene there.
    y, x = int(FACE_XY[1]), int(MIRROR_X)
    face = np.s_[y - 30 : y + 60, x - 50 : x + 50]
    assert np.abs(frames[-1][face].astype(int) - cv2.flip(scene(), 1)[face]).mean() > 5
