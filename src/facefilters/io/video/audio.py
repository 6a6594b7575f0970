"""Carry the audio of one file into an output container, in step with the video."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

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


class AudioCopy:
    """Carry the audio of one file into an output container, in step with the video.

    Packets are copied as they are (no re-encoding) when the output container can hold
    the codec; otherwise, e.g. PCM into MP4, the audio is re-encoded to AAC.
    """

    def __init__(self, path: Path, output: av.container.OutputContainer) -> None:
        self._source = open_input(path)
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
            output.format.name in MOV_FORMATS
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
