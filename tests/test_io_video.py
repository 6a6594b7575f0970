from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from facefilters.errors import InputError, OutputError
from facefilters.io.video import VideoFrame, VideoInfo, VideoReader, VideoWriter

NTSC = Fraction(30000, 1001)


def write_tone(path: Path, seconds: float, codec: str = "aac", rate: int = 48_000) -> Path:
    """A stereo 440 Hz sine in ``codec``, written straight with PyAV."""
    n = round(seconds * rate)
    wave = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)).astype(np.float32)
    if codec == "pcm_s16le":
        samples = (np.repeat(wave, 2) * 32767).astype(np.int16)[np.newaxis, :]
        sample_format = "s16"
    else:
        samples = np.stack([wave, wave])
        sample_format = "fltp"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "stereo"
        frame = av.AudioFrame.from_ndarray(samples, format=sample_format, layout="stereo")
        frame.sample_rate = rate
        frame.pts = 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def grey_frames(size_wh: tuple[int, int] = (64, 48), count: int = 10) -> list[np.ndarray]:
    """Frames that tell apart by their grey level, with a coloured corner to check BGR."""
    width, height = size_wh
    frames = []
    for i in range(count):
        image = np.full((height, width, 3), (40 + 15 * i) % 256, np.uint8)
        image[: height // 2, : width // 2] = (200, 60, 20)  # blue-ish, in BGR
        frames.append(image)
    return frames


def noise_frames(size_wh: tuple[int, int] = (64, 48), count: int = 20) -> list[np.ndarray]:
    """Frames that do not compress, so the video data fills the file evenly."""
    rng = np.random.default_rng(0)
    width, height = size_wh
    return [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(count)]


def write_clip(
    path: Path,
    frames: list[np.ndarray],
    fps: Fraction = NTSC,
    audio_from: Path | None = None,
) -> Path:
    height, width = frames[0].shape[:2]
    with VideoWriter(path, (width, height), fps, audio_from=audio_from) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def clip_with_audio(tmp_path: Path, name: str = "clip.mp4", count: int = 10) -> Path:
    tone = write_tone(tmp_path / "tone.m4a", count / NTSC)
    return write_clip(tmp_path / name, grey_frames(count=count), audio_from=tone)


def read_all(path: Path) -> tuple[VideoInfo, list[VideoFrame]]:
    with VideoReader(path) as reader:
        return reader.info, list(reader)


def probe(path: Path) -> dict[str, dict[str, object]]:
    """Codec, duration and packets of each stream, read straight with PyAV."""
    found: dict[str, dict[str, object]] = {}
    with av.open(str(path)) as container:
        for stream in container.streams:
            found[stream.type] = {
                "codec": stream.codec_context.name,
                "pix_fmt": getattr(stream.codec_context, "pix_fmt", None),
                "packets": [],
            }
        for packet in container.demux():
            if packet.size:
                found[packet.stream.type]["packets"].append(packet)
        for entry in found.values():
            packets = entry["packets"]
            # Matroska keeps no per-stream duration, so measure it from the packets.
            start = min(p.pts for p in packets)
            end = max(p.pts + p.duration for p in packets)
            entry["duration_s"] = float((end - start) * packets[0].time_base)
            entry["payloads"] = [bytes(p) for p in entry["packets"]]
            entry["order"] = [
                (p.pos, float((p.pts if p.dts is None else p.dts) * p.time_base)) for p in packets
            ]
            del entry["packets"]
    return found


# -- round trip ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_round_trip_keeps_count_size_rate_and_content(tmp_path: Path, suffix: str) -> None:
    frames = grey_frames()
    path = write_clip(tmp_path / f"clip{suffix}", frames)
    info, decoded = read_all(path)

    assert info.size_wh == (64, 48)
    assert info.fps == NTSC
    assert isinstance(info.fps, Fraction)
    assert info.frame_count == len(frames)
    assert info.duration_s == pytest.approx(len(frames) / NTSC, abs=1e-3)
    assert not info.has_audio
    assert [f.index for f in decoded] == list(range(len(frames)))
    # Matroska keeps times in milliseconds.
    expected_times = [i / NTSC for i in range(len(frames))]
    assert [f.time_s for f in decoded] == pytest.approx(expected_times, abs=1e-3)
    for original, frame in zip(frames, decoded):
        assert frame.image.shape == (48, 64, 3)
        assert frame.image.dtype == np.uint8
        assert np.abs(frame.image.astype(int) - original).mean() < 3


@pytest.mark.parametrize(
    "fps", [Fraction(24000, 1001), Fraction(24), Fraction(25), NTSC, Fraction(60000, 1001)]
)
def test_frame_rate_survives_exactly(tmp_path: Path, fps: Fraction) -> None:
    path = write_clip(tmp_path / "clip.mp4", grey_frames(count=6), fps=fps)
    info, decoded = read_all(path)
    assert info.fps == fps
    assert len(decoded) == 6


@pytest.mark.parametrize("size_wh", [(65, 47), (63, 48), (64, 49), (1, 1)])
def test_odd_sizes_keep_their_exact_resolution(tmp_path: Path, size_wh: tuple[int, int]) -> None:
    frames = grey_frames(size_wh, count=4)
    path = write_clip(tmp_path / "odd.mp4", frames)
    info, decoded = read_all(path)
    assert info.size_wh == size_wh
    assert all(f.image.shape == (size_wh[1], size_wh[0], 3) for f in decoded)
    assert len(decoded) == 4
    assert probe(path)["video"]["pix_fmt"] == "yuv444p"


def test_even_sizes_use_yuv420p(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "even.mp4", grey_frames())
    assert probe(path)["video"]["pix_fmt"] == "yuv420p"


def test_mp4_is_faststart(tmp_path: Path) -> None:
    data = write_clip(tmp_path / "clip.mp4", grey_frames()).read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")


def test_x264_params_reach_the_encoder(tmp_path: Path) -> None:
    # x264 writes the settings it ran with into the stream (an SEI message).
    plain = tmp_path / "plain.mp4"
    tuned = tmp_path / "tuned.mp4"
    for path, params in ((plain, None), (tuned, "subme=1")):
        with VideoWriter(path, (64, 48), 30, x264_params=params) as writer:
            for frame in grey_frames():
                writer.write(frame)
    assert b" subme=2 " in plain.read_bytes()  # veryfast as it is
    assert b" subme=1 " in tuned.read_bytes()


# -- audio ---------------------------------------------------------------------------


def test_audio_is_copied_without_reencoding(tmp_path: Path) -> None:
    tone = write_tone(tmp_path / "tone.m4a", 10 / NTSC)
    path = write_clip(tmp_path / "clip.mp4", grey_frames(), audio_from=tone)

    source, output = probe(tone)["audio"], probe(path)
    assert set(output) == {"video", "audio"}
    assert output["audio"]["codec"] == source["codec"] == "aac"
    assert output["audio"]["duration_s"] == pytest.approx(source["duration_s"], abs=0.03)
    copied = output["audio"]["payloads"]
    assert len(copied) >= len(source["payloads"]) - 1
    assert copied == source["payloads"][: len(copied)]  # the very same bytes
    with VideoReader(path) as reader:
        assert reader.info.has_audio


def test_audio_from_a_video_follows_its_frames(tmp_path: Path) -> None:
    source = clip_with_audio(tmp_path, "source.mp4")
    info, decoded = read_all(source)
    path = tmp_path / "filtered.mp4"
    with VideoWriter(path, info.size_wh, info.fps, audio_from=source) as writer:
        assert writer.has_audio
        for frame in decoded:
            writer.write(255 - frame.image)
    out_info, out_frames = read_all(path)
    assert out_info.has_audio
    assert len(out_frames) == len(decoded)
    assert out_info.fps == NTSC
    assert probe(path)["audio"]["payloads"] == probe(source)["audio"]["payloads"]


def test_audio_is_interleaved_with_the_video(tmp_path: Path) -> None:
    path = clip_with_audio(tmp_path, count=60)
    streams = probe(path)
    packets = sorted(
        (pos, time_s, kind) for kind in ("audio", "video") for pos, time_s in streams[kind]["order"]
    )
    latest = {"audio": 0.0, "video": 0.0}
    for _, time_s, kind in packets:
        latest[kind] = max(latest[kind], time_s)
        # In file order, neither stream may run far ahead of the other.
        assert abs(latest["audio"] - latest["video"]) < 0.5


def test_audio_past_the_last_frame_is_left_out(tmp_path: Path) -> None:
    tone = write_tone(tmp_path / "tone.m4a", 3.0)
    path = write_clip(tmp_path / "short.mp4", grey_frames(count=10), audio_from=tone)
    assert probe(path)["audio"]["duration_s"] == pytest.approx(10 / NTSC, abs=0.05)


@pytest.mark.parametrize(
    ("source_codec", "rate", "source_suffix", "output_suffix", "expected_codec"),
    [
        ("aac", 48_000, ".m4a", ".mp4", "aac"),
        ("aac", 44_100, ".m4a", ".mov", "aac"),
        ("aac", 48_000, ".m4a", ".mkv", "aac"),
        ("pcm_s16le", 48_000, ".wav", ".mkv", "pcm_s16le"),  # Matroska takes PCM as it is
        ("pcm_s16le", 44_100, ".wav", ".mp4", "aac"),  # MP4 does not: re-encoded
        ("pcm_s16le", 192_000, ".wav", ".mp4", "aac"),  # at a rate AAC cannot carry
        ("libopus", 48_000, ".ogg", ".mp4", "opus"),
    ],
)
def test_audio_codecs(
    tmp_path: Path,
    source_codec: str,
    rate: int,
    source_suffix: str,
    output_suffix: str,
    expected_codec: str,
) -> None:
    tone = write_tone(tmp_path / f"tone{source_suffix}", 10 / NTSC, source_codec, rate)
    path = write_clip(tmp_path / f"clip{output_suffix}", grey_frames(), audio_from=tone)
    audio = probe(path)["audio"]
    assert audio["codec"] == expected_codec
    assert audio["duration_s"] == pytest.approx(10 / NTSC, abs=0.05)
    assert len(read_all(path)[1]) == 10


def test_audio_from_a_silent_file_adds_no_track(tmp_path: Path) -> None:
    silent = write_clip(tmp_path / "silent.mp4", grey_frames())
    with VideoWriter(tmp_path / "out.mp4", (64, 48), NTSC, audio_from=silent) as writer:
        assert not writer.has_audio
        writer.write(grey_frames()[0])
    assert set(probe(tmp_path / "out.mp4")) == {"video"}


def test_audio_from_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        VideoWriter(tmp_path / "out.mp4", (64, 48), NTSC, audio_from=tmp_path / "nope.mp4")


# -- damaged input -------------------------------------------------------------------


def plain_mp4(path: Path, frames: list[np.ndarray]) -> Path:
    """An MP4 written straight with PyAV, with its index (moov) at the end of the file."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")))
        container.mux(stream.encode(None))
    return path


def test_video_cut_short_yields_the_frames_before_the_cut(tmp_path: Path) -> None:
    whole = write_clip(tmp_path / "whole.mp4", noise_frames(count=20))
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with VideoReader(cut) as reader:
        assert reader.info.frame_count == 20  # the header still says so
        decoded = list(reader)
    assert 0 < len(decoded) < 20
    assert [f.index for f in decoded] == list(range(len(decoded)))
    _, complete = read_all(whole)
    for full, frame in zip(complete, decoded):
        assert np.array_equal(frame.image, full.image)


def cut_in_half(tmp_path: Path) -> Path:
    data = plain_mp4(tmp_path / "plain.mp4", noise_frames()).read_bytes()
    path = tmp_path / "half.mp4"
    path.write_bytes(data[: len(data) // 2])
    return path


def first_kilobyte(tmp_path: Path) -> Path:
    data = plain_mp4(tmp_path / "plain.mp4", noise_frames()).read_bytes()
    path = tmp_path / "head.mp4"
    path.write_bytes(data[:1024])
    return path


def header_only(tmp_path: Path) -> Path:
    data = write_clip(tmp_path / "whole.mp4", noise_frames()).read_bytes()
    path = tmp_path / "header.mp4"
    path.write_bytes(data[: data.find(b"mdat") + 4])
    return path


def audio_only(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "tone.mp4", 0.5)


def missing(tmp_path: Path) -> Path:
    return tmp_path / "missing.mp4"


def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video\n" * 50)
    return path


UNREADABLE = [
    (missing, r"^no such file: '.*missing\.mp4'$"),
    (cut_in_half, r"^cannot read '.*half\.mp4': the video is truncated or damaged$"),
    (first_kilobyte, r"^cannot read '.*head\.mp4': the video is truncated or damaged$"),
    (header_only, r"^cannot read '.*header\.mp4': the video is empty or truncated$"),
    (audio_only, r"^cannot read '.*tone\.mp4': it has no video stream$"),
    (text_file, r"^cannot read '.*notes\.mp4': it is neither an image nor a video$"),
]


@pytest.mark.parametrize(("make", "message"), UNREADABLE, ids=[m.__name__ for m, _ in UNREADABLE])
def test_unreadable_videos_are_input_errors(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(InputError, match=message):
        VideoReader(make(tmp_path))


def test_rotated_video_is_turned_upright(tmp_path: Path) -> None:
    image = np.zeros((48, 64, 3), np.uint8)
    image[:8, :8] = 255  # a mark in the top left corner
    data = bytearray(write_clip(tmp_path / "clip.mp4", [image] * 3).read_bytes())
    # Give the video track the display matrix a phone writes for portrait video.
    tkhd = data.find(b"tkhd")
    assert data[tkhd + 4] == 0  # version 0 layout
    matrix = tkhd + 4 + 4 + 20 + 8 + 8
    data[matrix : matrix + 36] = struct.pack(">9i", 0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30)
    rotated = tmp_path / "rotated.mp4"
    rotated.write_bytes(bytes(data))

    info, decoded = read_all(rotated)
    assert info.size_wh == (48, 64)
    upright = decoded[0].image
    assert upright.shape == (64, 48, 3)
    # Turned a quarter clockwise, the top left corner is now the top right.
    assert upright[:8, -8:].mean() > 200
    assert upright[:8, :8].mean() < 50


# -- misuse --------------------------------------------------------------------------


def test_reader_iterates_once(tmp_path: Path) -> None:
    with VideoReader(write_clip(tmp_path / "clip.mp4", grey_frames())) as reader:
        assert len(list(reader)) == 10
        with pytest.raises(RuntimeError, match="only once"):
            iter(reader)


def test_reader_stopped_early_closes_cleanly(tmp_path: Path) -> None:
    with VideoReader(write_clip(tmp_path / "clip.mp4", grey_frames())) as reader:
        for frame in reader:
            if frame.index == 2:
                break


@pytest.mark.parametrize(
    "frame",
    [
        np.zeros((48, 64), np.uint8),
        np.zeros((48, 64, 4), np.uint8),
        np.zeros((64, 48, 3), np.uint8),
        np.zeros((48, 64, 3), np.float32),
    ],
    ids=["grey", "bgra", "transposed", "float"],
)
def test_writer_rejects_wrong_frames(tmp_path: Path, frame: np.ndarray) -> None:
    with VideoWriter(tmp_path / "clip.mp4", (64, 48), NTSC) as writer:
        with pytest.raises(ValueError, match=r"shape \(48, 64, 3\) and dtype uint8"):
            writer.write(frame)
        writer.write(grey_frames()[0])
    assert len(read_all(tmp_path / "clip.mp4")[1]) == 1


def test_writer_without_frames_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="no frames were written"):
        with VideoWriter(tmp_path / "clip.mp4", (64, 48), NTSC):
            pass


def test_writer_into_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"^cannot write '.*clip\.mp4': "):
        VideoWriter(tmp_path / "missing" / "clip.mp4", (64, 48), NTSC)


@pytest.mark.parametrize(
    ("size_wh", "fps"), [((0, 48), NTSC), ((64, -2), NTSC), ((64, 48), Fraction(0))]
)
def test_writer_rejects_bad_settings(tmp_path: Path, size_wh, fps) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        VideoWriter(tmp_path / "clip.mp4", size_wh, fps)


def test_writer_counts_frames(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "clip.mp4", (64, 48), NTSC) as writer:
        for frame in grey_frames():
            writer.write(frame)
        assert writer.frames_written == 10
