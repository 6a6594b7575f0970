"""Read and write videos frame by frame with PyAV (FFmpeg in-process).

`VideoReader` yields BGR frames with their index and time. `VideoWriter` encodes BGR
frames to H.264 at exactly the rate it is given, one output frame per input frame, and
can copy the audio of another file alongside without re-encoding it::

    with VideoReader(src) as reader, VideoWriter(dst, reader.info.size_wh,
                                                 reader.info.fps, audio_from=src) as writer:
        for frame in reader:
            writer.write(frame.image)

Both are in the hot path of every video run, so colour conversion uses the fastest
route available (FFmpeg's SIMD path to decode, OpenCV's to encode) and the demuxers
skip the streams nobody reads.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Optional

import av
import cv2
import numpy as np

from facefilters.errors import InputError, OutputError
from facefilters.io.media import check_input_file, is_container_header

__all__ = ["VideoFrame", "VideoInfo", "VideoReader", "VideoWriter"]

# FFmpeg's AVCOL_SPC_SMPTE170M and AVCOL_RANGE_MPEG: the BT.601 limited-range YUV that
# both OpenCV's BGR->I420 and FFmpeg's default conversion produce. Tagging the output
# keeps players from assuming BT.709 for HD sizes and shifting the colours.
_COLORSPACE_BT601 = 6
_COLOR_RANGE_LIMITED = 1

# Containers whose muxer understands movflags (the MP4 family).
_MOV_FORMATS = frozenset({"mp4", "mov", "ipod", "3gp", "3g2", "psp", "ismv", "f4v"})

# FFmpeg renders a plain text file as a video of ANSI art; a text file is no video here.
_TEXT_FORMATS = frozenset({"tty"})

# Audio codecs the MP4 muxer takes by stream copy. It accepts some others (PCM, say) at
# first and only fails when finishing the file, so those are re-encoded up front.
_MOV_AUDIO_COPY = frozenset({"aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"})

# The sample rates AAC can carry; anything else is resampled to 48 kHz.
_AAC_RATES = frozenset(
    {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000}
)

# Rotations, in degrees clockwise, that turn a stored frame upright.
_UPRIGHT = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


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


@dataclass(frozen=True, eq=False)
class VideoFrame:
    """One decoded frame.

    Attributes:
        index: Position of the frame in the video, counting from 0.
        time_s: Presentation time in seconds, counting from the first frame.
        image: ndarray of shape (H, W, 3) and dtype uint8, in BGR channel order.
    """

    index: int
    time_s: float
    image: np.ndarray


def _open_input(path: Path) -> av.container.InputContainer:
    try:
        container = av.open(str(path), "r", metadata_errors="replace")
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
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}") from None
    if is_container_header(header):
        raise InputError(f"cannot read '{path}': the video is truncated or damaged")
    raise InputError(f"cannot read '{path}': it is neither an image nor a video")


def _frame_rate(stream: av.video.stream.VideoStream) -> Fraction | None:
    """Pick the frame rate that best describes a stream, as an exact fraction."""
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
    return average


def _decode_frames(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> Iterator[av.VideoFrame]:
    """Decode every frame that can be decoded, and stop quietly where the file breaks."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return  # demux() ended with the empty packet that flushes the decoder
        except av.FFmpegError:
            break  # the file is cut short or damaged from here on
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
    objects. A file that is cut short or damaged mid-stream yields the frames that decode
    and then stops.

    Args:
        path: The video to read. Any container and codec FFmpeg reads.

    Raises:
        InputError: The file is missing, a folder or empty; it is neither an image nor a
            video; it has no video stream; or no frame of it decodes.

    Attributes:
        path: The file being read.
        info: What the video holds.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = check_input_file(path)
        self._container = _open_input(self.path)
        try:
            self._stream = self._pick_stream()
            self._frames = _decode_frames(self._container, self._stream)
            first = next(self._frames, None)
            if first is None:
                raise InputError(f"cannot read '{self.path}': the video is empty or truncated")
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

    def _pick_stream(self) -> av.video.stream.VideoStream:
        streams = [
            s
            for s in self._container.streams.video
            # Cover art in a music file shows up as a one-picture video stream.
            if not s.disposition & av.stream.Disposition.attached_pic
        ]
        if not streams:
            raise InputError(f"cannot read '{self.path}': it has no video stream")
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
        fps = _frame_rate(stream)
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
        return self._iterate(first)

    def _iterate(self, first: av.VideoFrame) -> Iterator[VideoFrame]:
        fps = self.info.fps
        time_base, first_pts, rotate = self._time_base, self._first_pts, self._rotate
        index = 0
        frame: av.VideoFrame | None = first
        while frame is not None:
            image = frame.to_ndarray(format="bgr24")
            if rotate is not None:
                image = cv2.rotate(image, rotate)
            if frame.pts is not None and first_pts is not None and time_base:
                time_s = float((frame.pts - first_pts) * time_base)
            else:
                time_s = float(index / fps)
            yield VideoFrame(index=index, time_s=time_s, image=image)
            index += 1
            frame = next(self._frames, None)

    def close(self) -> None:
        """Release the file. Safe to call more than once."""
        self._first = None
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


class _AudioCopy:
    """Carry the audio of one file into an output container, in step with the video.

    Packets are copied as they are (no re-encoding) when the output container can hold
    the codec; otherwise, e.g. PCM into MP4, the audio is re-encoded to AAC.
    """

    def __init__(self, path: Path, output: av.container.OutputContainer) -> None:
        self._source = _open_input(path)
        self.stream: av.stream.Stream | None = None
        self._done = True
        try:
            self._setup(output)
        except BaseException:
            self._source.close()
            raise

    def _setup(self, output: av.container.OutputContainer) -> None:
        streams = self._source.streams.audio
        if not streams:
            self._source.close()
            return
        source_stream = streams[0]
        for other in self._source.streams:
            if other is not source_stream:
                other.discard = av.stream.Discard.all
        time_base = source_stream.time_base
        self._time_base = time_base
        # Output time 0 is the first video frame, so shift the audio by the time at which
        # the source's video starts (MPEG-TS files, for one, start well after 0).
        start_s = Fraction(0)
        video = [s for s in self._source.streams.video if s.start_time is not None]
        if video and video[0].time_base:
            start_s = video[0].start_time * video[0].time_base
        elif source_stream.start_time is not None:
            start_s = source_stream.start_time * time_base
        self._shift = round(start_s / time_base)
        self._encode = (
            output.format.name in _MOV_FORMATS
            and source_stream.codec_context.name not in _MOV_AUDIO_COPY
        )
        if not self._encode:
            try:
                self.stream = output.add_stream_from_template(source_stream)
            except ValueError:
                self._encode = True
        if self._encode:
            rate = source_stream.rate if source_stream.rate in _AAC_RATES else 48_000
            self.stream = output.add_stream("aac", rate=rate)
            channels = source_stream.codec_context.channels
            layout = source_stream.layout.name
            if channels <= 2 or " channels" in layout:
                # WAV often leaves the layout unnamed ("2 channels"), which AAC refuses.
                layout = "mono" if channels == 1 else "stereo"
            self.stream.layout = layout
            self.stream.bit_rate = 160_000 if channels >= 2 else 96_000
        self._packets = self._source.demux(source_stream)
        self._pending: av.Packet | None = None
        self._done = False

    def copy_until(self, time_s: Fraction, output: av.container.OutputContainer) -> None:
        """Mux every audio packet that starts before ``time_s`` (output time)."""
        if self.stream is None or self._done:
            return
        limit = time_s / self._time_base + self._shift
        while True:
            packet = self._pending
            self._pending = None
            if packet is None:
                try:
                    packet = next(self._packets)
                except (StopIteration, av.FFmpegError):
                    # End of the audio, or a damaged tail: keep what was copied so far.
                    self._done = True
                    return
            ts = packet.pts if packet.pts is not None else packet.dts
            if ts is None:
                continue  # the empty packet demux() adds at the end to flush decoders
            if ts >= limit:
                self._pending = packet
                return
            self._mux(packet, output)

    def _mux(self, packet: av.Packet, output: av.container.OutputContainer) -> None:
        if self._encode:
            try:
                frames = packet.decode()
            except av.FFmpegError:
                return
            for frame in frames:
                if frame.pts is not None:
                    frame.pts -= self._shift
                output.mux(self.stream.encode(frame))
            return
        if packet.pts is not None:
            packet.pts -= self._shift
        if packet.dts is not None:
            packet.dts -= self._shift
        packet.stream = self.stream
        output.mux(packet)

    def finish(self, end_s: Fraction, output: av.container.OutputContainer) -> None:
        """Copy the audio that starts before the video ends, then flush any encoder."""
        if self.stream is None:
            return
        self.copy_until(end_s, output)
        self._done = True
        if self._encode:
            output.mux(self.stream.encode(None))
        self.close()

    def close(self) -> None:
        self._done = True
        if self.stream is not None:
            self._packets.close()
        self._source.close()  # closing twice is harmless


class VideoWriter:
    """Encode BGR frames to an H.264 video, optionally with the audio of another file.

    Every `write` adds exactly one frame, stamped at exactly ``index / fps``, so a
    filtered video keeps the frame count, size and rate of its input, 29.97 fps included.
    Frames are encoded with libx264 in yuv420p, or in yuv444p when the width or height is
    odd, since 4:2:0 cannot hold an odd size. MP4 and MOV files get ``+faststart`` so
    they play while still downloading.

    When ``audio_from`` has an audio stream, its packets are copied across unchanged,
    interleaved with the video as frames are written. Audio that starts after the last
    frame ends is left out, so a video cut short does not trail silence on a frozen
    picture. If the output container cannot hold the audio codec as it is, the audio is
    re-encoded to AAC.

    Args:
        path: Where to write; the suffix picks the container (``.mp4``, ``.mov``,
            ``.mkv``...). The file appears when the writer opens.
        size_wh: Width and height of the frames, in pixels.
        fps: Exact frame rate, e.g. ``Fraction(30000, 1001)``. A float is rounded to the
            nearest fraction with a denominator up to 1001.
        audio_from: A file whose first audio stream to copy, usually the input video.
        crf: x264 constant rate factor: lower is better and bigger, 18 to 28 is sane.
        preset: x264 speed preset; faster presets give bigger files at the same quality.

    Raises:
        ValueError: ``size_wh`` or ``fps`` is not positive.
        OutputError: The file cannot be created or written.
        InputError: ``audio_from`` cannot be read.

    Attributes:
        path: The file being written.
        size_wh: Width and height of the frames.
        fps: The frame rate.
        frames_written: How many frames `write` has taken so far.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        size_wh: tuple[int, int],
        fps: Fraction | int | float,
        audio_from: str | os.PathLike[str] | None = None,
        *,
        crf: int = 20,
        preset: str = "veryfast",
    ) -> None:
        self.path = Path(path)
        width, height = (int(v) for v in size_wh)
        if width <= 0 or height <= 0:
            raise ValueError(f"size_wh must be positive, got {tuple(size_wh)}")
        self.size_wh = (width, height)
        # A float such as 29.97 is not exact; as a Fraction its denominator would not
        # fit FFmpeg's 32-bit rationals.
        self.fps = (
            Fraction(fps).limit_denominator(1001) if isinstance(fps, float) else Fraction(fps)
        )
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.frames_written = 0
        self._closed = False
        self._audio: _AudioCopy | None = None
        # OpenCV converts BGR to 4:2:0 about six times faster than FFmpeg's swscale does,
        # but only for even sizes.
        self._fast_yuv = width % 2 == 0 and height % 2 == 0

        try:
            self._container = av.open(str(self.path), "w")
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise OutputError(f"cannot write '{self.path}': {_reason(exc)}") from None
        try:
            self._setup(width, height, crf, preset, audio_from)
        except BaseException:
            self._abort()
            raise

    def _setup(
        self,
        width: int,
        height: int,
        crf: int,
        preset: str,
        audio_from: str | os.PathLike[str] | None,
    ) -> None:
        container = self._container
        if container.format.name in _MOV_FORMATS:
            container.container_options["movflags"] = "+faststart"
        self._time_base = 1 / self.fps
        try:
            stream = container.add_stream("libx264", rate=self.fps, time_base=self._time_base)
        except ValueError as exc:
            raise OutputError(f"cannot write '{self.path}': {_reason(exc)}") from None
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p" if self._fast_yuv else "yuv444p"
        stream.options = {"crf": str(crf), "preset": preset}
        ctx = stream.codec_context
        ctx.thread_count = 0  # 0 lets x264 pick its thread count from the CPU
        ctx.colorspace = _COLORSPACE_BT601
        ctx.color_range = _COLOR_RANGE_LIMITED
        self._stream = stream
        if audio_from is not None:
            self._audio = _AudioCopy(check_input_file(audio_from), container)
        try:
            # Writing the header now makes a bad path fail here, not at the first frame.
            container.start_encoding()
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise OutputError(f"cannot write '{self.path}': {_reason(exc)}") from None

    @property
    def has_audio(self) -> bool:
        """Whether the output gets an audio track from ``audio_from``."""
        return self._audio is not None and self._audio.stream is not None

    def write(self, frame: np.ndarray) -> None:
        """Encode one frame.

        Args:
            frame: ndarray of shape (H, W, 3) and dtype uint8 in BGR channel order, with
                (W, H) equal to ``size_wh``.

        Raises:
            ValueError: The frame has the wrong shape or dtype.
            OutputError: The file cannot be written (e.g. the disk is full).
        """
        if self._closed:
            raise RuntimeError(f"VideoWriter('{self.path}') is closed")
        width, height = self.size_wh
        if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"frame must be of shape {(height, width, 3)} and dtype uint8, "
                f"got {frame.shape} {frame.dtype}"
            )
        if self._fast_yuv:
            yuv = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420)
            av_frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        else:
            av_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="bgr24")
        av_frame.pts = self.frames_written
        av_frame.time_base = self._time_base
        try:
            packets = self._stream.encode(av_frame)
            if self._audio is not None:
                self._audio.copy_until(self.frames_written * self._time_base, self._container)
            self._container.mux(packets)
        except (av.FFmpegError, OSError) as exc:
            raise OutputError(f"cannot write '{self.path}': {_reason(exc)}") from None
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder, copy the rest of the audio and finish the file.

        Safe to call more than once.

        Raises:
            OutputError: No frame was written, or the file cannot be finished.
        """
        if self._closed:
            return
        if self.frames_written == 0:
            self._abort()
            raise OutputError(f"cannot write '{self.path}': no frames were written")
        try:
            self._container.mux(self._stream.encode(None))
            if self._audio is not None:
                self._audio.finish(self.frames_written * self._time_base, self._container)
            self._closed = True
            self._container.close()
        except (av.FFmpegError, OSError) as exc:
            self._abort()
            raise OutputError(f"cannot write '{self.path}': {_reason(exc)}") from None

    def _abort(self) -> None:
        """Release everything without finishing the file, which is left incomplete."""
        self._closed = True
        if self._audio is not None:
            self._audio.close()
        try:
            self._container.close()
        except (av.FFmpegError, OSError):
            pass  # the file is being thrown away; the first error is the one to report

    def __enter__(self) -> VideoWriter:
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
            self._abort()

    def __repr__(self) -> str:
        return f"VideoWriter('{self.path}', size_wh={self.size_wh}, fps={self.fps})"


def _reason(exc: BaseException) -> str:
    """A short reason from an FFmpeg or OS error, without the file name it repeats."""
    if isinstance(exc, (av.FFmpegError, OSError)) and getattr(exc, "strerror", None):
        return str(exc.strerror)
    return str(exc)


_Item = tuple[np.ndarray, int, Optional[Callable[[np.ndarray], object]]]


class BackgroundWriter:
    """Encodes on a thread of its own, wrapping a :class:`VideoWriter`.

    Decoding, detecting and drawing the next frame then overlap with encoding this one
    (x264 and the colour conversion release the GIL). Errors from the encoding thread are
    raised by the next ``write`` or by ``close``. Used as a context manager, an exception
    in the body throws the unfinished file away, as ``VideoWriter`` does.

    Args:
        writer: the writer to feed.
        queue_size: frames waiting at most; ``write`` blocks (or drops, see ``write``)
            beyond that.
    """

    def __init__(self, writer: VideoWriter, queue_size: int = 4) -> None:
        self.writer = writer
        self._queue: queue.Queue[_Item | None] = queue.Queue(queue_size)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="video encoder", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None or self._stop.is_set():
                continue  # drain: the caller learns of the error and stops feeding
            frame, repeat, before = item
            try:
                if before is not None:
                    before(frame)
                for _ in range(repeat):
                    self.writer.write(frame)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                self._error = exc

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, frame: np.ndarray, repeat: int = 1, *, block: bool = True,
              before: Callable[[np.ndarray], object] | None = None) -> bool:
        """Queue a frame to be encoded ``repeat`` times; the frame must not change after.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR.
            repeat: how many times to write it.
            block: wait when the queue is full; with False the frame is dropped instead.
            before: called with the frame on the encoding thread just before it is
                encoded, e.g. to draw on it; the caller's thread moves on meanwhile.

        Returns:
            False when the frame was dropped.
        """
        self._raise_error()
        try:
            self._queue.put((frame, repeat, before), block=block)
        except queue.Full:
            return False
        return True

    def _join(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        """Encode what is queued and finish the file."""
        self._join()
        if self._error is not None:
            self.writer.__exit__(type(self._error), self._error, None)
            raise self._error
        self.writer.close()

    def abort(self) -> None:
        """Stop and throw the unfinished file away."""
        self._stop.set()
        self._join()
        self.writer.__exit__(RuntimeError, RuntimeError("aborted"), None)

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
