"""What goes in comes out: ``apply`` on odd videos, with a fake detector (no model).

Variable frame rates stay in step with the sound, every audio track is kept, a change of
size mid-stream is scaled, and damaged frames are counted, with nothing written when too
many are lost unless the user asks to go on.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from facefilters.apps.files import LOST_SHARE, apply_file
from facefilters.errors import InputError
from facefilters.faces import Faces
from facefilters.io.video import VideoReader
from media import audio_tracks, damage_packets, frame_number, numbered, write_video


class NoFaces:
    def detect(self, image: np.ndarray, t_s: float) -> Faces:
        return Faces.empty()


class Untouched:
    """Draws nothing, so the output's pictures are the input's."""

    def apply(self, frame: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        return frame


def apply(source: Path, out: Path, **options: object):
    return apply_file(source, out, Untouched(), detector_factory=lambda **_: NoFaces(), **options)


def decoded(path: Path) -> tuple[Fraction, list[tuple[float, np.ndarray]]]:
    with VideoReader(path) as reader:
        return reader.info.fps, [(f.time_s, f.image) for f in reader]


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".tmp-" in p.name]


# -- variable frame rate --------------------------------------------------------------

# A phone that slows down in the dark: 10 fps for a second, then 30 fps, then 15.
VFR_TIMES = (
    [i / 10 for i in range(10)]
    + [1 + i / 30 for i in range(20)]
    + [1 + 20 / 30 + i / 15 for i in range(10)]
)


def test_variable_frame_rate_keeps_picture_and_sound_in_step(tmp_path: Path) -> None:
    source = write_video(tmp_path / "vfr.mp4", VFR_TIMES, tones_hz=[440])
    result = apply(source, tmp_path / "out.mp4")
    fps, frames = decoded(tmp_path / "out.mp4")
    assert fps == 30  # the steady rate of its fastest stretch: no frame dropped
    for time_s, image in frames:
        shown = VFR_TIMES[frame_number(image)]
        # The picture on screen at time_s is the one the source showed then.
        assert shown <= time_s + 1e-6 and time_s - shown < 1 / 10 + 1e-6, (time_s, shown)
    assert {frame_number(image) for _, image in frames} == set(range(len(VFR_TIMES)))
    video_s = len(frames) / fps
    (track,) = audio_tracks(tmp_path / "out.mp4")
    assert abs(track["duration_s"] - video_s) <= 1 / fps + 0.03  # AAC's last packet
    assert [n.key for n in result.notices] == ["apply.retimed"]
    assert result.notices[0].values["n"] == 0  # nothing dropped


@pytest.mark.parametrize(
    ("suffix", "time_base", "fps"),
    [
        (".mp4", Fraction(1001, 30000), Fraction(30000, 1001)),
        (".mkv", Fraction(1, 1000), Fraction(30000, 1001)),  # times in whole milliseconds
        (".mp4", Fraction(1, 25), Fraction(25)),
    ],
)
def test_a_constant_frame_rate_keeps_every_frame_once(
    tmp_path: Path, suffix: str, time_base: Fraction, fps: Fraction
) -> None:
    times = [float(i / fps) for i in range(40)]
    source = write_video(tmp_path / f"cfr{suffix}", times, time_base=time_base)
    result = apply(source, tmp_path / "out.mp4")
    out_fps, frames = decoded(tmp_path / "out.mp4")
    # FFmpeg reads whole-millisecond 29.97 fps times as 30 fps; 40 frames stay 40 anyway.
    assert abs(out_fps / fps - 1) < Fraction(1, 500)
    assert [frame_number(image) for _, image in frames] == list(range(40))
    assert result.notices == ()


def test_a_phones_jittery_timestamps_keep_every_frame_once(tmp_path: Path) -> None:
    # Phones stamp frames by their capture clock: 30 fps give or take a few milliseconds.
    jitter = np.random.default_rng(3).uniform(-0.004, 0.004, 60)
    times = [i / 30 + (jitter[i] if i else 0.0) for i in range(60)]
    source = write_video(
        tmp_path / "phone.mp4", times, time_base=Fraction(1, 90000), tones_hz=[440]
    )
    result = apply(source, tmp_path / "out.mp4")
    fps, frames = decoded(tmp_path / "out.mp4")
    assert abs(fps - 30) < Fraction(1, 10)
    assert [frame_number(image) for _, image in frames] == list(range(60))
    assert result.notices == ()


def test_an_animated_gif_with_uneven_delays_loses_no_picture(tmp_path: Path) -> None:
    # GIF delays are in hundredths: 0.1 s for six pictures, then 0.04 s. FFmpeg guesses
    # 50 fps (its time base's half); the rate is measured instead: 25, the fast stretch.
    pictures = [Image.fromarray(numbered(i)[:, :, ::-1]) for i in range(12)]
    source = tmp_path / "uneven.gif"
    pictures[0].save(
        source, save_all=True, append_images=pictures[1:], duration=[100] * 6 + [40] * 6
    )
    result = apply(source, tmp_path / "out.mp4")
    fps, frames = decoded(tmp_path / "out.mp4")
    assert fps == 25
    shown = [frame_number(image) for _, image in frames]
    assert sorted(set(shown)) == list(range(12)) and shown == sorted(shown)
    assert result.notices[0].key == "apply.retimed" and result.notices[0].values["n"] == 0


# -- audio tracks ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_every_audio_track_is_kept_with_its_language(tmp_path: Path, suffix: str) -> None:
    times = [i / 30 for i in range(30)]
    source = write_video(
        tmp_path / f"two{suffix}", times, tones_hz=[440, 1000], languages=["eng", "nld"]
    )
    apply(source, tmp_path / "out.mp4")
    tracks = audio_tracks(tmp_path / "out.mp4")
    assert [t["language"] for t in tracks] == ["eng", "nld"]
    assert [round(t["peak_hz"] / 10) * 10 for t in tracks] == [440, 1000]
    for track in tracks:
        assert abs(track["duration_s"] - 1.0) <= 1 / 30 + 0.03


# -- a change of size mid-stream ------------------------------------------------------


def test_a_size_change_mid_stream_is_scaled_to_the_first_size(tmp_path: Path) -> None:
    # Two MPEG-TS pieces one after the other, as a stream that switches quality does.
    first = write_video(tmp_path / "a.ts", [i / 30 for i in range(12)], container_format="mpegts")
    second = write_video(
        tmp_path / "b.ts",
        [(12 + i) / 30 for i in range(12)],
        size_wh=(320, 180),
        container_format="mpegts",
        first=12,
    )
    source = tmp_path / "switch.ts"
    source.write_bytes(first.read_bytes() + second.read_bytes())
    result = apply(source, tmp_path / "out.mp4")
    _, frames = decoded(tmp_path / "out.mp4")
    assert [frame_number(image) for _, image in frames] == list(range(24))
    assert {image.shape for _, image in frames} == {(120, 160, 3)}
    # 16:9 into 4:3 keeps its shape: 160x90 with black bars above and below.
    later = frames[20][1]
    assert later[:12].max() <= 20 and later[-12:].max() <= 20
    assert later[20:100].min() >= 40  # the picture itself, stripes and all
    (notice,) = result.notices
    assert notice.key == "apply.resized"
    assert notice.values == {"index": 12, "count": 12, "name": "160x120"}


# -- damaged input --------------------------------------------------------------------


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_video(tmp_path / "clean.mp4", [i / 30 for i in range(40)], tones_hz=[440])


def test_damaged_frames_stop_the_run_and_nothing_is_written(tmp_path: Path, clean: Path) -> None:
    source = damage_packets(clean, tmp_path / "damaged.mp4", 10, 18)
    out = tmp_path / "out.mp4"
    with pytest.raises(InputError) as caught:
        apply(source, out)
    message = str(caught.value)
    # The frames after a damaged one that depend on it are lost too.
    lost = int(message.split(" of 40 frames of '")[0])
    assert lost >= 18 and "could not be read" in message, message
    assert "nothing was written" in message and "--keep-going" in message
    assert not out.exists() and leftovers(tmp_path) == []


def test_keep_going_writes_what_could_be_read_and_says_how_much_was_lost(
    tmp_path: Path, clean: Path
) -> None:
    source = damage_packets(clean, tmp_path / "damaged.mp4", 10, 18)
    result = apply(source, tmp_path / "out.mp4", keep_going=True)
    _, frames = decoded(tmp_path / "out.mp4")
    read = {frame_number(image) for _, image in frames}
    assert len(read) <= 40 - 18
    # The gap holds the picture before it: the file keeps its length and its sound.
    assert len(frames) == 40
    # Only the loss is reported: holding a picture over a gap is no change of frame rate.
    assert [n.key for n in result.notices] == ["apply.lost"]
    assert result.notices[0].values == {"count": 40 - len(read), "total": 40}


def test_a_file_cut_short_counts_the_missing_frames(tmp_path: Path, clean: Path) -> None:
    source = tmp_path / "cut.mp4"
    data = clean.read_bytes()
    source.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match=r"^\d+ of 40 frames of .* could not be read"):
        apply(source, tmp_path / "out.mp4")


def test_a_small_loss_is_written_with_a_warning(tmp_path: Path) -> None:
    clean = write_video(tmp_path / "long.mp4", [i / 30 for i in range(200)])
    # One damaged packet near the end (a B-frame's neighbours may go with it).
    source = damage_packets(clean, tmp_path / "one-bad.mp4", 197, 1)
    result = apply(source, tmp_path / "out.mp4")
    _, frames = decoded(tmp_path / "out.mp4")
    lost = 200 - len({frame_number(image) for _, image in frames})
    assert 1 <= lost <= LOST_SHARE * 200
    assert result.notices[0].key == "apply.lost"
    assert result.notices[0].values == {"count": lost, "total": 200}


def test_an_intact_file_reports_nothing_lost(tmp_path: Path, clean: Path) -> None:
    with VideoReader(clean) as reader:
        assert len(list(reader)) == 40
        assert reader.frames_lost == 0 and reader.resized == 0
    assert apply(clean, tmp_path / "out.mp4").notices == ()


def test_damaged_audio_does_not_stop_the_picture(tmp_path: Path, clean: Path) -> None:
    data = bytearray(clean.read_bytes())
    with av.open(str(clean)) as container:
        packets = [(p.pos, p.size) for p in container.demux(container.streams.audio[0]) if p.size]
    for pos, size in packets[5:15]:
        data[pos : pos + size] = bytes(size)
    source = tmp_path / "bad-sound.mp4"
    source.write_bytes(bytes(data))
    apply(source, tmp_path / "out.mp4")
    _, frames = decoded(tmp_path / "out.mp4")
    assert len(frames) == 40


def test_recordings_joined_end_to_end_keep_every_frame(tmp_path: Path) -> None:
    # Each piece starts again from its own zero, as `cat a.ts b.ts` leaves them.
    first = write_video(tmp_path / "a.ts", [i / 30 for i in range(15)], container_format="mpegts")
    second = write_video(
        tmp_path / "b.ts", [i / 30 for i in range(15)], container_format="mpegts", first=15
    )
    source = tmp_path / "joined.ts"
    source.write_bytes(first.read_bytes() + second.read_bytes())
    with VideoReader(source) as reader:
        times = [f.time_s for f in reader]
    assert all(b > a for a, b in zip(times, times[1:]))
    apply(source, tmp_path / "out.mp4")
    _, frames = decoded(tmp_path / "out.mp4")
    assert [frame_number(image) for _, image in frames] == list(range(30))


# -- photos ---------------------------------------------------------------------------


def test_an_animated_webp_gives_its_first_picture_and_says_so(tmp_path: Path) -> None:
    # FFmpeg cannot play an animated WebP, so it is read as a photo: its first picture.
    pictures = [Image.fromarray(numbered(i)[:, :, ::-1]) for i in (5, 6, 7)]
    source = tmp_path / "moving.webp"
    pictures[0].save(source, save_all=True, append_images=pictures[1:], duration=100, lossless=True)
    result = apply(source, tmp_path / "out.png")
    assert result.kind == "image"
    assert result.notices[0].key == "apply.first_picture"
    assert result.notices[0].values == {"path": source, "count": 3}
    assert frame_number(cv2.imread(str(tmp_path / "out.png"))) == 5


def test_a_still_photo_gets_no_notice(tmp_path: Path) -> None:
    source = tmp_path / "still.png"
    cv2.imwrite(str(source), numbered(9))
    assert apply(source, tmp_path / "out.jpg").notices == ()
