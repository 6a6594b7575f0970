"""Live frame sources: a camera, or a video or photo played as if it were a camera.

Each source captures on its own thread and keeps only the newest frame, so when
processing a frame takes long, stale frames are dropped instead of queueing up delay.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from ..errors import SourceError
from ..frames import Frame, letterbox_xywh
from ..quiet import opencv_log_level
from .image import read_image
from .probe import detect_kind
from .video import VideoReader

STALL_S = 2.0
"""A camera silent for this long counts as disconnected."""


Captured = Frame
"""A captured frame: ``image``, ``time_s`` on the ``time.monotonic()`` clock, and
``index``, how many frames the source had captured before this one."""


class FrameSource(Protocol):
    """Anything the live loop can take frames from."""

    name: str

    def read(self, timeout_s: float = 1.0) -> Captured | None:
        """The newest frame not returned before, waiting up to ``timeout_s``; None if none.

        Raises:
            SourceError: the source stopped (camera unplugged).
        """

    def close(self) -> None:
        """Stop capturing."""


class _ThreadedSource:
    """Runs ``_grab`` on a thread and hands out the newest frame.

    ``_on_demand``: grab the next frame only once the last one was taken. A camera
    delivers frames without costing the computer anything; a file decoded as fast as
    possible would keep a core busy decoding frames nobody takes.
    """

    name = "source"
    _on_demand = False
    _cut = False  # set by _grab: the next frame does not follow on from the last

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._latest: Captured | None = None
        self._returned = -1
        self._error: SourceError | None = None
        self._stop = threading.Event()
        self._count = 0
        self._thread = threading.Thread(target=self._run, name=f"capture {self.name}", daemon=True)

    def _start(self) -> None:
        self._thread.start()

    def _grab(self) -> np.ndarray | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self._on_demand and not self._wait_for_demand():
                    continue
                image = self._grab()
                if image is None:
                    continue
                captured = Frame(
                    index=self._count, time_s=time.monotonic(), image=image, cut=self._cut
                )
                self._cut = False
                self._count += 1
                with self._cond:
                    if (
                        self._latest is not None
                        and self._latest.cut
                        and self._latest.index > self._returned
                    ):
                        # A cut frame nobody took still cuts: the newer one carries it.
                        captured = replace(captured, cut=True)
                    self._latest = captured
                    self._cond.notify_all()
        except SourceError as e:
            with self._cond:
                self._error = e
                self._cond.notify_all()

    def _wait_for_demand(self) -> bool:
        """Wait until the newest frame was taken (or a while passed): True when it was."""
        with self._cond:
            return self._cond.wait_for(
                lambda: (
                    self._stop.is_set()
                    or self._latest is None
                    or self._latest.index <= self._returned
                ),
                timeout=0.1,
            )

    def read(self, timeout_s: float = 1.0) -> Captured | None:
        with self._cond:
            self._cond.wait_for(
                lambda: (
                    self._error is not None
                    or (self._latest is not None and self._latest.index > self._returned)
                ),
                timeout=timeout_s,
            )
            if self._latest is not None and self._latest.index > self._returned:
                self._returned = self._latest.index
                self._cond.notify_all()  # an on-demand source grabs the next one
                return self._latest
            if self._error is not None:
                raise self._error
            return None  # timed out

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        self._release()

    def _release(self) -> None:
        pass

    def __enter__(self):  # noqa: ANN204 - returns the subclass
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CameraSource(_ThreadedSource):
    """A webcam through OpenCV.

    Args:
        index: which camera (0 is the first).
        size_wh: the capture size to ask for; the camera may choose another.

    Attributes:
        picture_wh: the size the camera chose, from its first picture.
        fps: the frame rate the camera reports (30 when it does not say).
    """

    def __init__(self, index: int = 0, size_wh: tuple[int, int] | None = (1280, 720)) -> None:
        self.name = f"camera {index}"
        self.index = index
        super().__init__()
        self._cap = _open_camera(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(
                f"no camera at index {index}; try another with --camera N, "
                "or play a video with --source FILE",
                "error.no_camera",
                index=index,
            )
        if size_wh:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, size_wh[0])
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size_wh[1])
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise SourceError(
                f"camera {index} opened but sends no picture; try another with --camera N, "
                "or play a video with --source FILE",
                "error.camera_silent",
                index=index,
            )
        self.picture_wh = (first.shape[1], first.shape[0])
        reported = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(reported) if 0 < reported < 1000 else 30.0
        self._last_ok = time.monotonic()
        self._start()

    def _grab(self) -> np.ndarray | None:
        ok, image = self._cap.read()
        if ok and image is not None:
            self._last_ok = time.monotonic()
            return image
        if time.monotonic() - self._last_ok > STALL_S:
            raise SourceError(
                f"camera {self.index} stopped sending pictures (unplugged?)",
                "error.camera_stopped",
                index=self.index,
            )
        time.sleep(0.01)
        return None

    def _release(self) -> None:
        self._cap.release()


def _open_camera(index: int) -> cv2.VideoCapture:
    # OpenCV logs its own warnings for a missing camera (and tries every backend,
    # some of which log errors); we say it in one line ourselves.
    previous = opencv_log_level(0)  # silent
    try:
        if sys.platform.startswith("linux"):
            return cv2.VideoCapture(index, cv2.CAP_V4L2)
        return cv2.VideoCapture(index)
    finally:
        opencv_log_level(previous)


def letterbox(image: np.ndarray, size_wh: tuple[int, int]) -> np.ndarray:
    """The picture scaled to fit ``size_wh`` whole, its aspect ratio kept, black bars
    filling the rest: a face is never stretched.

    Args:
        image: ndarray of shape (H, W, 3), uint8, BGR.
        size_wh: the size wanted.

    Returns:
        ndarray of shape (size_wh[1], size_wh[0], 3), uint8; ``image`` itself when it is
        that size already.
    """
    ih, iw = image.shape[:2]
    if (iw, ih) == tuple(size_wh):
        return image
    x, y, w, h = letterbox_xywh((iw, ih), size_wh)
    shrink = w < iw
    fitted = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    out = np.zeros((size_wh[1], size_wh[0], 3), np.uint8)
    out[y : y + h, x : x + w] = fitted
    return out


def camera_available(index: int = 0) -> bool:
    """True when a camera at ``index`` opens and gives a picture."""
    try:
        CameraSource(index, None).close()
        return True
    except SourceError:
        return False


class FileSource(_ThreadedSource):
    """A video played in real time and looped, or a photo repeated, like a camera.

    Args:
        path: a video or a photo.
        size_wh: fit every frame into this size, its aspect ratio kept (black bars fill
            the rest, see :func:`letterbox`); None keeps the file's size.
        loop: start the video again at its end.
        fps: how often a photo is repeated per second.
        realtime: deliver frames at the file's own rate; False delivers them as fast as
            they are taken, one decoded ahead (for benchmarks: the loop's capacity, with
            no core spent decoding frames it never shows).

    Attributes:
        picture_wh: the size of the frames it delivers.
        fps: how many it delivers per second (the video's own rate, or ``fps``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        size_wh: tuple[int, int] | None = None,
        *,
        loop: bool = True,
        fps: float = 30.0,
        realtime: bool = True,
    ) -> None:
        self.name = Path(path).name
        super().__init__()
        self.path = Path(path)
        self.shown = os.fspath(path)  # as typed, for the messages
        self.realtime = realtime
        self._on_demand = not realtime
        self.size_wh = size_wh
        self.loop = loop
        self._still: np.ndarray | None = None
        self._reader: VideoReader | None = None
        self._frames: Iterator[Any] = iter(())
        if detect_kind(self.shown) == "image":
            self._still = self._resize(read_image(self.shown))
            self._period = 1.0 / fps
            self.picture_wh = (self._still.shape[1], self._still.shape[0])
            self.fps = fps
        else:
            self._open_video()
            assert self._reader is not None
            self.picture_wh = size_wh or self._reader.info.size_wh
            self.fps = float(self._reader.info.fps)
        self._next_due = time.monotonic()
        self._start()

    def _resize(self, image: np.ndarray) -> np.ndarray:
        return letterbox(image, self.size_wh) if self.size_wh else image

    def _open_video(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self._reader = VideoReader(self.shown)
        self._period = 1.0 / float(self._reader.info.fps)
        self._frames = iter(self._reader)

    def _grab(self) -> np.ndarray | None:
        # Pace frames to the file's own rate, as a camera would deliver them.
        delay = self._next_due - time.monotonic()
        if delay > 0 and self.realtime:
            time.sleep(delay)
        self._next_due = max(self._next_due + self._period, time.monotonic() - self._period)
        if self._still is not None:
            return self._still.copy()
        frame = next(self._frames, None)
        if frame is None:
            if not self.loop:
                self._stop.set()
                return None
            self._open_video()
            self._cut = True
            frame = next(self._frames, None)
            if frame is None:
                raise SourceError.said("error.no_frames", path=self.shown)
        return self._resize(frame.image)

    def _release(self) -> None:
        if self._reader is not None:
            self._reader.close()
