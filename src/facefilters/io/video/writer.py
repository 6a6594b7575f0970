"""Encode BGR frames to H.264 with PyAV (libx264), copying another file's audio along."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np

from ...errors import OutputError, Phrase
from ..files import check_input_file
from .audio import MOV_FORMATS, AudioCopy

__all__ = ["VIDEO_SUFFIXES", "VideoWriter"]

VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".mov", ".m4v", ".mkv")
"""Suffixes of the containers a filtered video is written in (H.264, with its audio)."""

# FFmpeg's AVCOL_SPC_SMPTE170M and AVCOL_RANGE_MPEG: the BT.601 limited-range YUV that
# both OpenCV's BGR->I420 and FFmpeg's default conversion produce. Tagging the output
# keeps players from assuming BT.709 for HD sizes and shifting the colours.
_COLORSPACE_BT601 = 6
_COLOR_RANGE_LIMITED = 1


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
        x264_params: extra x264 settings, ``"key=value:key=value"`` (FFmpeg's
            ``x264-params``), to fine-tune the preset; None for the preset as it is.
        metadata: container tags to write, e.g. ``{"comment": ...}`` from
            `facefilters.io.provenance.video_metadata`; None writes only FFmpeg's own.

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
        x264_params: str | None = None,
        metadata: dict[str, str] | None = None,
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
        self._audio: AudioCopy | None = None
        # OpenCV converts BGR to 4:2:0 about six times faster than FFmpeg's swscale does,
        # but only for even sizes.
        self._fast_yuv = width % 2 == 0 and height % 2 == 0

        try:
            self._container = av.open(str(self.path), "w")
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise OutputError.from_os_error(self.path, exc) from None
        try:
            self._setup(width, height, crf, preset, x264_params, audio_from, metadata)
        except BaseException:
            self._abort()
            raise

    def _setup(
        self,
        width: int,
        height: int,
        crf: int,
        preset: str,
        x264_params: str | None,
        audio_from: str | os.PathLike[str] | None,
        metadata: dict[str, str] | None,
    ) -> None:
        container = self._container
        if container.format.name in MOV_FORMATS:
            container.container_options["movflags"] = "+faststart"
        self._time_base = 1 / self.fps
        try:
            stream = container.add_stream("libx264", rate=self.fps, time_base=self._time_base)
        except ValueError as exc:
            raise OutputError.from_os_error(self.path, exc) from None
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p" if self._fast_yuv else "yuv444p"
        stream.options = {"crf": str(crf), "preset": preset}
        if x264_params:
            stream.options = {**stream.options, "x264-params": x264_params}
        ctx = stream.codec_context
        ctx.thread_count = 0  # 0 lets x264 pick its thread count from the CPU
        ctx.colorspace = _COLORSPACE_BT601
        ctx.color_range = _COLOR_RANGE_LIMITED
        self._stream = stream
        if audio_from is not None:
            self._audio = AudioCopy(check_input_file(audio_from), container)
        if metadata:
            # PyAV hands the tags to FFmpeg as the header is written; later ones are lost.
            container.metadata.update(metadata)
        try:
            # Writing the header now makes a bad path fail here, not at the first frame.
            container.start_encoding()
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise OutputError.from_os_error(self.path, exc) from None

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
            raise OutputError.from_os_error(self.path, exc) from None
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
            raise OutputError.said(
                "error.cannot_write", path=self.path, reason=Phrase("error.reason.no_frames")
            )
        try:
            self._container.mux(self._stream.encode(None))
            if self._audio is not None:
                self._audio.finish(self.frames_written * self._time_base, self._container)
            self._closed = True
            self._container.close()
        except (av.FFmpegError, OSError) as exc:
            self._abort()
            raise OutputError.from_os_error(self.path, exc) from None

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
