"""Decode a video into BGR frames with PyAV (FFmpeg in-process).

The reader is in the hot path of every video run, so colour conversion uses FFmpeg's
SIMD path and the demuxer skips the streams nobody reads.

Odd videos are read to the end rather than refused: frames that cannot be decoded are
skipped and counted (`VideoReader.frames_lost`), and frames whose size differs from the
first one's are scaled to fit it (`VideoReader.resized`), so the caller can tell the user.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np

from ...errors import InputError, Phrase, os_reason
from ...frames import Frame, letterbox_xywh
from ..files import DAMAGED, check_input_file, is_container_header

__all__ = ["SizeChange", "VideoFrame", "VideoInfo", "VideoReader", "open_input"]

VideoFrame = Frame
"""A decoded frame: ``index``, ``time_s`` from the first frame, BGR ``image``."""

# FFmpeg renders a plain text file as a video of ANSI art; a text file is no video here.
_TEXT_FORMATS = frozenset({"tty"})
# FFmpeg's demuxers that open one picture as a one-frame video, chosen by the file's name.
_IMAGE_FORMATS = frozenset({"image2", "image2pipe"})

# Rotations, in degrees clockwise, that turn a stored frame upright.
_UPRIGHT = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


@dataclass(frozen=True)
class SizeChange:
    """Where a video's picture size first changed, and to what.

    Attributes:
        frame: index of the first frame of the new size.
        size_wh: the new size as stored (before any rotation), in pixels.
    """

    frame: int
    size_wh: tuple[int, int]


@dataclass(frozen=True)
class VideoInfo:
    """What a video holds, as far as its headers and first frame tell.

    Attributes:
        size_wh: Width and height of the frames `VideoReader` yields, in pixels, after
            any rotation stored in the file has been applied.
        fps: Exact frame rate, e.g. ``Fraction(30000, 1001)`` for 29.97 fps.
        frame_count: Number of frames from the header, else estimated from the duration,
            else None. An estimate can be off by a frame or two; a truncated file yields
            fewer.
        duration_s: Duration of the video stream (else of the file) in seconds, or None
            when the file does not say.
        has_audio: Whether the file has an audio stream.
    """

    size_wh: tuple[int, int]
    fps: Fraction
    frame_count: int | None
    duration_s: float | None
    has_audio: bool


def av_open(path: Path) -> av.container.InputContainer:
    """``av.open`` for reading, tags that are not UTF-8 decoded with replacement
    characters (PyAV before 15 raises on them unless told; later PyAV has no such
    option and never raises)."""
    try:
        return av.open(str(path), "r", metadata_errors="replace")
    except TypeError:
        return av.open(str(path), "r")


def open_input(path: Path, shown: str | None = None) -> av.container.InputContainer:
    """Open a video for reading, or say in one line why not.

    Args:
        shown: ``path`` as the user typed it, for the messages.
    """
    shown = os.fspath(path) if shown is None else shown
    try:
        container = av_open(path)
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        pass
    else:
        if container.format.name not in _TEXT_FORMATS:
            return container
        container.close()
    try:
        with path.open("rb") as f:
            header = f.read(16)
    except OSError as exc:
        raise InputError.said("error.cannot_read", path=shown, reason=os_reason(exc)) from None
    damaged = is_container_header(header)
    reason = Phrase("error.reason.video_damaged" if damaged else "error.reason.not_media")
    raise InputError.said("error.cannot_read", path=shown, reason=reason)


# Rates cameras and editors use, with how near a measured rate must come to be taken
# for one: whole rates first and close, since 29.97 is only 0.1 % from 30.
_COMMON_RATES = (
    *((Fraction(r), 0.0007) for r in (24, 25, 30, 50, 60, 100, 120)),
    *((Fraction(r, 1001), 0.01) for r in (24000, 30000, 60000)),
)
_MAX_STEADY_RATE = 120
_RATE_SAMPLE = 600  # packets looked at to measure a variable rate


def _frame_rate(stream: av.video.stream.VideoStream, path: Path | None = None) -> Fraction | None:
    """Pick the frame rate that best describes a stream, as an exact fraction.

    For a variable frame rate this is the steady rate of its fastest stretch, measured
    from the first packets' times when ``path`` is given: at that rate no frame has to
    be dropped when the video is written at a constant rate.
    """
    rates = []
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and rate.numerator > 0 and rate.denominator > 0:
            rates.append(Fraction(rate))
    if not rates:
        return None
    average = rates[0]
    # The average is the truest rate for timing, but muxers compute it from a duration
    # and can leave it as 2997/100 or worse; prefer a neater nearby candidate, which is
    # how 30000/1001 survives a round trip.
    for rate in rates[1:]:
        if abs(rate / average - 1) < Fraction(1, 200):
            return rate
    # A variable frame rate (a phone in the dark, a screen recording, a GIF).
    steady = _fastest_steady_rate(path, stream.index) if path is not None else None
    if steady is not None and average <= steady <= _MAX_STEADY_RATE:
        return steady
    # FFmpeg's guess; far above the average it is a guess gone wrong (a time base).
    if len(rates) > 1 and average < rates[1] <= 2 * average:
        return rates[1]
    return average.limit_denominator(1001)


def _fastest_steady_rate(path: Path, index: int) -> Fraction | None:
    """The rate of the shortest frame interval that is common in the first packets."""
    try:
        with av_open(path) as container:
            stream = container.streams[index]
            for other in container.streams:
                if other is not stream:
                    other.discard = av.stream.Discard.all
            times = []
            for packet in container.demux(stream):
                if packet.size and packet.pts is not None:
                    times.append(packet.pts)
                    if len(times) >= _RATE_SAMPLE:
                        break
            time_base = stream.time_base
    except (av.FFmpegError, OSError, ValueError):
        return None
    intervals = np.diff(np.unique(np.asarray(times, np.int64)))
    if len(intervals) < 4 or not time_base:
        return None
    # A tenth of the intervals are at least this short: a stretch, not a one-off glitch.
    # Their mean, since times in whole milliseconds make 1/30 s now 33, now 34.
    short = np.percentile(intervals, 10)
    shortest_s = float(intervals[intervals <= 1.25 * short].mean() * time_base)
    if shortest_s <= 0:
        return None
    measured = 1 / shortest_s
    for rate, tolerance in _COMMON_RATES:
        if abs(measured / float(rate) - 1) < tolerance:
            return rate
    return Fraction(round(measured * 1000), 1000)


@dataclass
class _PacketCount:
    """Video packets read so far: each holds one frame in the codecs cameras use."""

    packets: int = 0


def _decode_frames(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    count: _PacketCount,
) -> Generator[av.VideoFrame, None, None]:
    """Decode every frame that can be decoded, and stop quietly where the file breaks."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return  # demux() ended with the empty packet that flushes the decoder
        except av.FFmpegError:
            break  # the file is cut short or damaged from here on
        if packet.size:
            count.packets += 1
        try:
            frames = packet.decode()
        except av.FFmpegError:
            continue  # one damaged packet costs its own frames, not the rest
        yield from frames
    try:
        yield from stream.codec_context.decode(None)
    except av.FFmpegError:
        return


class VideoReader:
    """Decode a video into BGR frames, in order.

    Opening decodes the first frame, so a file that is not a readable video fails here
    rather than halfway through a run. Iterate once over the reader to get `VideoFrame`
    objects. Times never go back: where they do (recordings joined end to end), the
    frames carry on one frame apart. A file that is cut short or damaged mid-stream
    yields the frames that decode,
    and counts the others in `frames_lost`. Frames whose size is not the first frame's
    (a stream that changes resolution) are scaled to fit the first size, keeping their
    shape, with black bars where it differs; `resized` counts them.

    Args:
        path: The video to read. Any container and codec FFmpeg reads.
        prefetch: Decode on a thread of its own, a few frames ahead, so decoding
            overlaps the caller's work on the previous frame (FFmpeg releases the GIL).

    Raises:
        InputError: The file is missing, a folder or empty; it is neither an image nor a
            video; it has no video stream; or no frame of it decodes.

    Attributes:
        path: The file being read.
        shown: ``path`` as given, which messages name (``./clip.mp4``, as typed).
        info: What the video holds.
        frames_read: Frames yielded so far.
        resized: Frames scaled to the first frame's size so far.
        size_change: Where the size first changed, or None.
    """

    def __init__(self, path: str | os.PathLike[str], *, prefetch: bool = False) -> None:
        self.shown = os.fspath(path)
        self.path = check_input_file(path)
        self.prefetch = prefetch
        self._prefetcher: _Prefetcher | None = None
        self.frames_read = 0
        self.resized = 0
        self.size_change: SizeChange | None = None
        self._count = _PacketCount()
        self._container = open_input(self.path, self.shown)
        try:
            self._stream = self._pick_stream()
            self._frames = _decode_frames(self._container, self._stream, self._count)
            first = next(self._frames, None)
            if first is None:
                if self._container.format.name in _IMAGE_FORMATS:
                    # FFmpeg went by the name (.jpg, .png) and found no picture in it.
                    raise InputError.said("error.cannot_read", path=self.shown, reason=DAMAGED)
                raise InputError.said(
                    "error.cannot_read",
                    path=self.shown,
                    reason=Phrase("error.reason.video_empty"),
                )
        except BaseException:
            self._container.close()
            raise
        self._first: av.VideoFrame | None = first
        # FFmpeg gives the display rotation counter-clockwise; cv2.rotate turns clockwise.
        self._rotate = _UPRIGHT.get(-round(first.rotation / 90) * 90 % 360)
        width, height = first.width, first.height
        if self._rotate in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE):
            width, height = height, width
        self.info = self._make_info((width, height))
        self._time_base = self._stream.time_base or Fraction(0)
        self._first_pts = first.pts
        self._stored_wh = (first.width, first.height)
        self._header_frames = max(0, self._stream.frames)

    @property
    def frames_lost(self) -> int:
        """Frames that could not be decoded so far: damaged, or missing from a cut file.

        Counted from the video packets read (one frame each) and, for a file cut short,
        from the frame count in its header. Final once iteration has ended.
        """
        expected = max(self._count.packets, self._header_frames)
        return max(0, expected - self.frames_read)

    def _pick_stream(self) -> av.video.stream.VideoStream:
        streams = [
            s
            for s in self._container.streams.video
            # Cover art in a music file shows up as a one-picture video stream.
            if not s.disposition & av.stream.Disposition.attached_pic
        ]
        if not streams:
            raise InputError.said(
                "error.cannot_read", path=self.shown, reason=Phrase("error.reason.no_video_stream")
            )
        stream = streams[0]
        for other in self._container.streams:
            if other is not stream:
                # Lets the demuxer skip the audio and other data instead of reading it.
                other.discard = av.stream.Discard.all
        stream.thread_type = "AUTO"
        return stream

    def _make_info(self, size_wh: tuple[int, int]) -> VideoInfo:
        stream, container = self._stream, self._container
        duration_s: float | None = None
        if stream.duration and stream.time_base:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration and container.duration > 0:
            duration_s = container.duration / av.time_base
        fps = _frame_rate(stream, self.path)
        if fps is None:
            # Nothing in the file says; 30 is what a camera most likely recorded.
            fps = Fraction(30)
        frame_count: int | None = stream.frames if stream.frames > 0 else None
        if frame_count is None and duration_s is not None:
            frame_count = max(1, round(duration_s * fps))
        return VideoInfo(
            size_wh=size_wh,
            fps=fps,
            frame_count=frame_count,
            duration_s=duration_s,
            has_audio=len(container.streams.audio) > 0,
        )

    def __iter__(self) -> Iterator[VideoFrame]:
        """Yield the frames in presentation order.

        Raises:
            RuntimeError: The reader was already iterated, or is closed.
        """
        if self._first is None:
            raise RuntimeError(f"VideoReader('{self.path}') can be iterated only once")
        first, self._first = self._first, None
        if not self.prefetch:
            return self._iterate(first)
        self._prefetcher = _Prefetcher(self._iterate(first))
        return iter(self._prefetcher)

    def _iterate(self, first: av.VideoFrame) -> Iterator[VideoFrame]:
        fps = self.info.fps
        time_base, first_pts, rotate = self._time_base, self._first_pts, self._rotate
        index = 0
        shift_s = last_s = 0.0
        frame: av.VideoFrame | None = first
        while frame is not None:
            if (frame.width, frame.height) == self._stored_wh:
                image = frame.to_ndarray(format="bgr24")
            else:
                image = self._fit(frame, index)
            if rotate is not None:
                image = cv2.rotate(image, rotate)
            if frame.pts is not None and first_pts is not None and time_base:
                time_s = float((frame.pts - first_pts) * time_base) + shift_s
            else:
                time_s = float(index / fps)
            if index and time_s <= last_s:
                # Time went back: recordings joined end to end, each starting again from
                # its own zero. Carry on one frame after the last one, and from here on.
                shift_s += last_s + 1 / float(fps) - time_s
                time_s = last_s + 1 / float(fps)
            last_s = time_s
            yield VideoFrame(index=index, time_s=time_s, image=image)
            index += 1
            self.frames_read = index
            frame = next(self._frames, None)

    def _fit(self, frame: av.VideoFrame, index: int) -> np.ndarray:
        """A frame of another size scaled into the first size, its shape kept (letterbox)."""
        if self.size_change is None:
            self.size_change = SizeChange(index, (frame.width, frame.height))
        self.resized += 1
        width, height = self._stored_wh
        left, top, fit_w, fit_h = letterbox_xywh((frame.width, frame.height), (width, height))
        small = frame.reformat(width=fit_w, height=fit_h, format="bgr24").to_ndarray()
        image = np.zeros((height, width, 3), np.uint8)
        image[top : top + fit_h, left : left + fit_w] = small
        return image

    def close(self) -> None:
        """Release the file. Safe to call more than once."""
        self._first = None
        if self._prefetcher is not None:
            self._prefetcher.stop()
        self._frames.close()
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"VideoReader('{self.path}', {self.info})"


class _Prefetcher:
    """Runs a frame iterator on a thread, a few frames ahead of the consumer."""

    def __init__(self, frames: Iterator[VideoFrame], depth: int = 3) -> None:
        self._frames = frames
        self._queue: queue.Queue[VideoFrame | BaseException | None] = queue.Queue(depth)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._work, name="video decoder", daemon=True)
        self._thread.start()

    def _put(self, item: VideoFrame | BaseException | None) -> bool:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        try:
            for frame in self._frames:
                if not self._put(frame):
                    return
        except BaseException as exc:  # noqa: BLE001 - raised on the consumer's thread
            self._put(exc)
            return
        self._put(None)

    def __iter__(self) -> Iterator[VideoFrame]:
        while (item := self._queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        """Stop decoding; safe to call more than once."""
        self._stopped.set()
        self._thread.join()
