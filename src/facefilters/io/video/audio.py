"""Carry the audio of one file, every track of it, into an output container, in step
with the video."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from .reader import open_input

__all__ = ["AudioCopy", "MOV_FORMATS"]

# Containers whose muxer understands movflags (the MP4 family).
MOV_FORMATS = frozenset({"mp4", "mov", "ipod", "3gp", "3g2", "psp", "ismv", "f4v"})

# Audio codecs the MP4 muxer takes by stream copy. It accepts some others (PCM, say) at
# first and only fails when finishing the file, so those are re-encoded up front.
_MOV_AUDIO_COPY = frozenset({"aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"})

# The sample rates AAC can carry; anything else is resampled to 48 kHz.
_AAC_RATES = frozenset(
    {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000}
)


class _Track:
    """One audio stream of the source and the output stream it goes to."""

    def __init__(
        self, source: Any, output: av.container.OutputContainer, shift_s: Fraction
    ) -> None:
        # ``source`` is an audio stream (PyAV's typing calls demuxed streams plain Streams).
        self.source = source
        self.time_base: Fraction = source.time_base
        self.shift = round(shift_s / self.time_base)
        self.encode = (
            output.format.name in MOV_FORMATS and source.codec_context.name not in _MOV_AUDIO_COPY
        )
        stream: Any = None
        if not self.encode:
            try:
                stream = output.add_stream_from_template(source)
            except ValueError:
                self.encode = True
        if self.encode:
            rate = source.rate if source.rate in _AAC_RATES else 48_000
            stream = output.add_stream("aac", rate=rate)
            channels = source.codec_context.channels
            layout = source.layout.name
            if channels <= 2 or " channels" in layout:
                # WAV often leaves the layout unnamed ("2 channels"), which AAC refuses.
                layout = "mono" if channels == 1 else "stereo"
            stream.layout = layout
            stream.bit_rate = 160_000 if channels >= 2 else 96_000
        assert stream is not None
        for key in ("language", "title", "handler_name"):
            # Which track is the commentary and which the English one stays readable.
            if key in source.metadata:
                stream.metadata[key] = source.metadata[key]
        self.stream = stream

    def mux(self, packet: av.Packet, output: av.container.OutputContainer) -> None:
        if self.encode:
            try:
                frames = packet.decode()
            except av.FFmpegError:
                return
            for frame in frames:
                if frame.pts is not None:
                    frame.pts -= self.shift
                output.mux(self.stream.encode(frame))
            return
        if packet.pts is not None:
            packet.pts -= self.shift
        if packet.dts is not None:
            packet.dts -= self.shift
        packet.stream = self.stream
        output.mux(packet)

    def flush(self, output: av.container.OutputContainer) -> None:
        if self.encode:
            output.mux(self.stream.encode(None))


class AudioCopy:
    """Carry every audio track of one file into an output container, in step with the video.

    Packets are copied as they are (no re-encoding) when the output container can hold
    the codec; otherwise, e.g. PCM into MP4, the audio is re-encoded to AAC. Each track
    keeps its language and title.

    Attributes:
        stream: the output stream of the first track, or None when there is no audio.
        streams: the output streams, one per audio track, in the source's order.
    """

    def __init__(self, path: Path, output: av.container.OutputContainer) -> None:
        self._source = open_input(path)
        self.streams: list[av.stream.Stream] = []
        self._tracks: dict[int, _Track] = {}
        self._done = True
        try:
            self._setup(output)
        except BaseException:
            self._source.close()
            raise

    @property
    def stream(self) -> av.stream.Stream | None:
        return self.streams[0] if self.streams else None

    def _setup(self, output: av.container.OutputContainer) -> None:
        sources = list(self._source.streams.audio)
        if not sources:
            self._source.close()
            return
        for other in self._source.streams:
            if other.type != "audio":
                other.discard = av.stream.Discard.all
        # Output time 0 is the first video frame, so shift the audio by the time at which
        # the source's video starts (MPEG-TS files, for one, start well after 0).
        video = [s for s in self._source.streams.video if s.start_time is not None]
        for source in sources:
            first = video[0] if video else None
            if first is not None and first.time_base and first.start_time is not None:
                start_s = Fraction(first.start_time * first.time_base)
            elif source.start_time is not None and source.time_base:
                start_s = Fraction(source.start_time * source.time_base)
            else:
                start_s = Fraction(0)
            track = _Track(source, output, start_s)
            self._tracks[source.index] = track
            self.streams.append(track.stream)
        self._packets: Any = self._source.demux(sources)  # a generator: closed in close()
        self._pending: av.Packet | None = None
        self._done = False

    def copy_until(self, time_s: Fraction, output: av.container.OutputContainer) -> None:
        """Mux every audio packet that starts before ``time_s`` (output time)."""
        if not self.streams or self._done:
            return
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
            track = self._tracks[packet.stream.index]
            # The tracks are interleaved by time in the file, so one packet past the
            # limit means the others are too.
            if ts >= time_s / track.time_base + track.shift:
                self._pending = packet
                return
            track.mux(packet, output)

    def finish(self, end_s: Fraction, output: av.container.OutputContainer) -> None:
        """Copy the audio that starts before the video ends, then flush any encoder."""
        if not self.streams:
            return
        self.copy_until(end_s, output)
        self._done = True
        for track in self._tracks.values():
            track.flush(output)
        self.close()

    def close(self) -> None:
        self._done = True
        if self.streams:
            self._packets.close()
        self._source.close()  # closing twice is harmless
