"""Odd video files, made with PyAV alone (not with the code under test).

Each frame shows its number in eight light and dark stripes (`frame_number` reads them
back), so a test can find out which input frame ended up where in the output.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BITS = 8
"""Stripes per frame, one bit each: frames 0 to 255 can be told apart."""


def numbered(index: int, size_wh: tuple[int, int] = (160, 120)) -> np.ndarray:
    """Frame ``index`` as BGR: bit ``b`` of ``index`` is stripe ``b``, light when set."""
    width, height = size_wh
    image = np.empty((height, width, 3), np.uint8)
    edges = np.linspace(0, width, BITS + 1).round().astype(int)
    for bit in range(BITS):
        image[:, edges[bit] : edges[bit + 1]] = 220 if index >> bit & 1 else 60
    return image


def frame_number(image: np.ndarray) -> int:
    """Which `numbered` frame a decoded picture is, read from the middle of its stripes."""
    h, w = image.shape[:2]
    edges = np.linspace(0, w, BITS + 1)
    number = 0
    for bit in range(BITS):
        left, right = int(edges[bit] + w / 24), int(edges[bit + 1] - w / 24)
        if image[h // 3 : 2 * h // 3, left:right].mean() > 128:
            number |= 1 << bit
    return number


def write_video(
    path: Path,
    times_s: Sequence[float],
    *,
    size_wh: tuple[int, int] = (160, 120),
    time_base: Fraction = Fraction(1, 1000),
    tones_hz: Sequence[float] = (),
    languages: Sequence[str] = (),
    container_format: str | None = None,
    first: int = 0,
) -> Path:
    """A video whose frame ``i`` is shown at ``times_s[i]``, with one AAC track per tone.

    Args:
        times_s: presentation times; unevenly spaced ones make a variable frame rate.
        tones_hz: one sine tone per audio track, lasting as long as the video.
        languages: a language tag per audio track (``"eng"``...), optional.
        container_format: FFmpeg's name, when the suffix does not say (``"mpegts"``).
        first: the number of the first frame (see `numbered`).
    """
    duration = times_s[-1] + (times_s[-1] - times_s[-2] if len(times_s) > 1 else 0.04)
    # faststart puts the index first, so a copy cut short still opens.
    options = {"movflags": "+faststart"} if path.suffix == ".mp4" else {}
    with av.open(str(path), "w", format=container_format, options=options) as container:
        video = container.add_stream("libx264", rate=30)
        video.width, video.height = size_wh
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = time_base
        audio = []
        for i, _ in enumerate(tones_hz):
            stream = container.add_stream("aac", rate=48_000)
            stream.layout = "mono"
            if i < len(languages):
                stream.metadata["language"] = languages[i]
            audio.append(stream)
        for i, t in enumerate(times_s):
            frame = av.VideoFrame.from_ndarray(numbered(first + i, size_wh), format="bgr24")
            frame.pts = round(t / time_base)
            frame.time_base = time_base
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        for stream, hz in zip(audio, tones_hz):
            n = round(duration * 48_000)
            wave = (0.3 * np.sin(2 * np.pi * hz * np.arange(n) / 48_000)).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(wave[np.newaxis, :], format="fltp", layout="mono")
            frame.sample_rate = 48_000
            frame.pts = 0
            container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
    return path


def damage_packets(source: Path, target: Path, first: int, count: int) -> Path:
    """A copy of ``source`` with ``count`` video packets from ``first`` on overwritten with
    noise, as a bad sector or a broken download would leave them."""
    data = bytearray(source.read_bytes())
    with av.open(str(source)) as container:
        packets = [(p.pos, p.size) for p in container.demux(container.streams.video[0]) if p.size]
    rng = np.random.default_rng(7)
    for pos, size in packets[first : first + count]:
        data[pos : pos + size] = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    target.write_bytes(bytes(data))
    return target


def audio_tracks(path: Path) -> list[dict[str, object]]:
    """Codec, language, duration (s) and strongest frequency (Hz) of each audio track."""
    tracks = []
    with av.open(str(path)) as container:
        for stream in container.streams.audio:
            samples = [f.to_ndarray()[0] for f in container.decode(stream)]
            container.seek(0)
            wave = np.concatenate(samples).astype(np.float64)
            spectrum = np.abs(np.fft.rfft(wave))
            peak = float(np.argmax(spectrum) * stream.rate / len(wave))
            tracks.append(
                {
                    "codec": stream.codec_context.name,
                    "language": stream.metadata.get("language"),
                    "duration_s": len(wave) / stream.rate,
                    "peak_hz": peak,
                }
            )
    return tracks
