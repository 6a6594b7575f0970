"""Sinks: the video and image files, the window, and the threaded wrapper."""

from __future__ import annotations

import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from facefilters.io.image import read_image
from facefilters.io.sinks import ImageFileSink, ThreadedSink, VideoFileSink, WindowSink


def frame(value: int) -> np.ndarray:
    return np.full((48, 64, 3), value, np.uint8)


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


def test_video_file_sink_writes_one_frame_per_picture(tmp_path: Path) -> None:
    path = tmp_path / "out.mp4"
    sink = VideoFileSink(path, (64, 48), Fraction(30000, 1001))
    for k in range(7):
        # Irregular times do not matter for a file: its frames keep their count.
        sink.write(frame(30 * k), k * 0.5)
    sink.close()
    frames = decoded(path)
    assert len(frames) == 7
    assert abs(int(frames[3].mean()) - 90) <= 3


def test_video_file_sink_on_the_wall_clock_repeats_and_skips(tmp_path: Path) -> None:
    path = tmp_path / "paced.mp4"
    sink = VideoFileSink(path, (64, 48), 10, start_s=50.0)
    for t in (50.0, 50.02, 50.35, 50.36, 50.95):
        sink.write(frame(100), t)
    sink.close()
    assert len(decoded(path)) == 10  # 0.95 s at 10 fps


def test_video_file_sink_abort_leaves_no_finished_file(tmp_path: Path) -> None:
    path = tmp_path / "aborted.mp4"
    sink = VideoFileSink(path, (64, 48), 30)
    sink.write(frame(0), 0.0)
    sink.abort()
    try:
        frames = decoded(path)
    except (av.FFmpegError, IndexError):  # no header, or no video stream in it
        frames = []
    assert frames == []


def test_image_file_sink_writes_the_last_picture_on_close(tmp_path: Path) -> None:
    path = tmp_path / "out.png"
    sink = ImageFileSink(path)
    sink.write(frame(10), 0.0)
    sink.write(frame(200), 0.1)
    assert not path.exists()
    sink.close()
    assert read_image(path).mean() == 200


def test_image_file_sink_abort_writes_nothing(tmp_path: Path) -> None:
    sink = ImageFileSink(tmp_path / "out.png")
    sink.write(frame(10), 0.0)
    sink.abort()
    sink.close()
    assert not (tmp_path / "out.png").exists()


def test_window_sink_shows_the_decorated_picture_and_leaves_the_original() -> None:
    shown = []

    class Window:
        def show(self, picture: np.ndarray) -> None:
            shown.append(picture)

    def decorate(picture: np.ndarray, t_s: float) -> np.ndarray:
        out = picture.copy()
        out[0, 0] = 255
        return out

    original = frame(5)
    WindowSink(Window(), decorate).write(original, 0.0)
    assert shown[0][0, 0].tolist() == [255, 255, 255]
    assert original[0, 0].tolist() == [5, 5, 5]


class SlowSink:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.items: list[tuple] = []
        self.threads: set[str] = set()
        self.closed = self.aborted = False

    def write(self, picture, t_s, *extra) -> None:
        time.sleep(self.delay_s)
        self.threads.add(threading.current_thread().name)
        self.items.append((int(picture[0, 0, 0]), t_s, *extra))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


def test_threaded_sink_keeps_order_runs_elsewhere_and_passes_extras() -> None:
    inner = SlowSink()
    with ThreadedSink(inner) as sink:
        for k in range(20):
            sink.write(frame(k), k / 10, f"extra{k}")
    assert inner.items == [(k, k / 10, f"extra{k}") for k in range(20)]
    assert threading.current_thread().name not in inner.threads
    assert inner.closed


def test_threaded_sink_drop_mode_never_blocks_and_writes_the_last_dropped() -> None:
    inner = SlowSink(delay_s=0.05)
    sink = ThreadedSink(inner, queue_size=1, drop=True)
    start = time.monotonic()
    for k in range(10):
        sink.write(frame(k), float(k))
    assert time.monotonic() - start < 0.05 * 3, "writes in drop mode must not wait"
    assert sink.dropped > 0
    sink.close()
    assert inner.items[-1][0] == 9, "the last picture is written even when it was dropped"


def test_threaded_sink_error_reaches_the_caller_and_aborts_the_sink() -> None:
    class Failing(SlowSink):
        def write(self, picture, t_s, *extra) -> None:
            raise OSError("disk full")

    inner = Failing()
    sink = ThreadedSink(inner)
    sink.write(frame(0), 0.0)
    with pytest.raises(OSError, match="disk full"):
        for k in range(50):
            sink.write(frame(k), float(k))
            time.sleep(0.001)
        sink.close()
    assert inner.aborted or not inner.closed
