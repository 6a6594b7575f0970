"""Where the pipeline's pictures go: one small protocol, several places.

A sink takes each finished picture with its time (``write(frame, t_s)``) and is closed
once at the end. A video file, a photo file and a window are sinks; :class:`ThreadedSink`
runs any of them on a thread of its own, so encoding overlaps the next frame's work.
When a run fails, the pipeline calls ``abort()`` instead of ``close()`` where a sink has
one, so a half-written file is thrown away rather than finished.
"""

from __future__ import annotations

import math
import os
import queue
import threading
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Protocol

import numpy as np

from ..errors import OutputError
from .image import write_image
from .provenance import NOTE_SUFFIXES, add_note_to_image_file, video_metadata
from .video import VideoWriter

__all__ = ["ImageFileSink", "Sink", "ThreadedSink", "VideoFileSink", "WindowSink", "abort_sink"]


class Sink(Protocol):
    """Anything the pipeline can hand finished pictures to."""

    def write(self, frame: np.ndarray, t_s: float) -> None:
        """Take one picture: ndarray of shape (H, W, 3), uint8, BGR, shown at ``t_s``.

        The sink must not keep a reference it changes later, nor change the frame.
        """

    def close(self) -> None:
        """Finish: flush what is pending and release what the sink holds."""


def abort_sink(sink: Sink | Any) -> None:
    """Stop a sink after a failure: ``abort()`` if it has one, else ``close()``."""
    abort = getattr(sink, "abort", None)
    (abort or sink.close)()


class VideoFileSink:
    """Encodes pictures to an H.264 video (see :class:`~facefilters.io.video.VideoWriter`).

    Args:
        path: the file to write.
        size_wh: the pictures' width and height.
        fps: exact frame rate of the file.
        audio_from: a file whose audio to copy alongside (the input video).
        start_s: None writes every picture as one frame (a video file's frames keep their
            count). A time (seconds, the clock of ``t_s``) makes the file keep time
            instead: the file's frame ``k`` shows the last picture shown by
            ``start_s + k / fps``, so a picture is repeated until the next one's time, or
            skipped when a newer one comes in time for the same frame (a live recording;
            a video with a variable frame rate, which must stay in step with its sound).
        x264_params: extra x264 settings (see :class:`~.video.writer.VideoWriter`).
        note: words for the file's metadata saying a face swap made it (see
            :mod:`~facefilters.io.provenance`); None for no note.

    Attributes:
        repeated: pictures written more than once, counted once per extra copy.
        dropped: pictures not written at all (another came in time for their frame).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        size_wh: tuple[int, int],
        fps: Fraction | int | float,
        audio_from: str | os.PathLike[str] | None = None,
        *,
        start_s: float | None = None,
        x264_params: str | None = None,
        note: str | None = None,
    ) -> None:
        metadata = None if note is None else video_metadata(note)
        self.writer = VideoWriter(
            path, size_wh, fps, audio_from=audio_from, x264_params=x264_params, metadata=metadata
        )
        self.start_s = start_s
        self.repeated = 0
        self.dropped = 0
        self._held: np.ndarray | None = None  # the last picture, written once its time is up
        self._held_slot = 0

    def _slot(self, t_s: float) -> int:
        """The file's frame at which a picture shown at ``t_s`` first appears."""
        assert self.start_s is not None
        # A picture stamped a little before its frame's time belongs to that frame, not
        # the one before: Matroska keeps 29.97 fps times in whole milliseconds (up to a
        # sixtieth of a frame early), and floats round 1001/30000 either way.
        return math.floor((t_s - self.start_s) * self.writer.fps + 0.25)

    def write(self, frame: np.ndarray, t_s: float) -> None:
        if self.start_s is None:
            self.writer.write(frame)
            return
        slot = max(self._slot(t_s), self.writer.frames_written)
        if self._held is not None:
            if slot == self._held_slot:
                self.dropped += 1  # a newer picture came in time for the same frame
            else:
                # The held picture stays on screen until this one's frame.
                copies = slot - self.writer.frames_written
                for _ in range(copies):
                    self.writer.write(self._held)
                self.repeated += copies - 1
        self._held, self._held_slot = frame, slot

    def close(self) -> None:
        if self._held is not None:
            self.writer.write(self._held)
            self._held = None
        self.writer.close()

    def abort(self) -> None:
        self._held = None
        self.writer.__exit__(RuntimeError, RuntimeError("aborted"), None)


class ImageFileSink:
    """Writes the last picture it was given as a photo file, when closed.

    Args:
        path: the file to write; its suffix picks the format.
        note: words for the file's metadata saying a face swap made it (see
            :mod:`~facefilters.io.provenance`); None for no note.

    Raises:
        OutputError: a note is given for a format that cannot carry one (only
            :data:`~.provenance.NOTE_SUFFIXES` can); refused before any work is done.
    """

    def __init__(self, path: str | os.PathLike[str], *, note: str | None = None) -> None:
        self.path = Path(path)
        if note is not None and self.path.suffix.lower() not in NOTE_SUFFIXES:
            # The path may be a temporary name; the suffix is what the user chose.
            raise OutputError(
                f"a face swap's picture must say so in its metadata, which a "
                f"'{self.path.suffix}' file cannot hold; use {', '.join(NOTE_SUFFIXES)}"
            )
        self.note = note
        self.last: np.ndarray | None = None

    def write(self, frame: np.ndarray, t_s: float) -> None:
        self.last = frame

    def close(self) -> None:
        if self.last is not None:
            write_image(self.path, self.last)
            if self.note is not None:
                add_note_to_image_file(self.path, self.note)

    def abort(self) -> None:
        self.last = None


class WindowSink:
    """Shows pictures in a window, through ``decorate`` (e.g. the live HUD) if given.

    Args:
        window: anything with ``show(frame)`` (see :class:`~facefilters.io.window.Window`).
        decorate: makes the picture to show from the pipeline's picture; it must not
            change its argument (other sinks get the same frame).
    """

    def __init__(
        self, window: Any, decorate: Callable[[np.ndarray, float], np.ndarray] | None = None
    ) -> None:
        self.window = window
        self.decorate = decorate

    def write(self, frame: np.ndarray, t_s: float) -> None:
        self.window.show(frame if self.decorate is None else self.decorate(frame, t_s))

    def close(self) -> None:
        """The window belongs to the app, which closes it."""


class ThreadedSink:
    """Runs a sink on a thread of its own.

    ``write`` queues the call and returns, so the caller's next frame overlaps the sink's
    work (x264 and the colour conversion release the GIL). Errors from the thread are
    raised by the next ``write`` or by ``close``. Extra arguments to ``write`` are passed
    through, so the pipeline can hand a drawing stage its faces too.

    Args:
        sink: the sink to feed; anything with ``write(...)`` and ``close()``.
        queue_size: calls waiting at most.
        drop: when the queue is full, drop the picture instead of waiting (a live
            recording must not hold up the window). The last dropped one is still
            written by ``close``, since nothing came after it to stand in for it.
    """

    def __init__(self, sink: Any, queue_size: int = 4, *, drop: bool = False) -> None:
        self.sink = sink
        self.drop = drop
        self.dropped = 0
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(queue_size)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._last_dropped: tuple[Any, ...] | None = None
        name = f"sink {type(sink).__name__}"
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None or self._stop.is_set():
                continue  # drain: the caller learns of the error and stops feeding
            try:
                self.sink.write(*item)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                self._error = exc

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, frame: np.ndarray, t_s: float, *extra: Any) -> None:
        """Queue a picture; it must not change afterwards."""
        self._raise_error()
        item = (frame, t_s, *extra)
        try:
            self._queue.put(item, block=not self.drop)
        except queue.Full:
            self.dropped += 1
            self._last_dropped = item
            return
        self._last_dropped = None

    def _join(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        """Do what is queued, then close the sink."""
        if self._last_dropped is not None and self._error is None:
            self._queue.put(self._last_dropped)
            self._last_dropped = None
        self._join()
        if self._error is not None:
            abort_sink(self.sink)
            raise self._error
        self.sink.close()

    def abort(self) -> None:
        """Stop without finishing; the sink is aborted."""
        self._stop.set()
        self._join()
        abort_sink(self.sink)

    def __enter__(self) -> ThreadedSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
