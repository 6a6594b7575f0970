"""The face-swap note in PNG, JPEG and video files: written, read back, pixels untouched."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from facefilters.errors import InputError, OutputError
from facefilters.i18n import LANGUAGES, Messages
from facefilters.io.image import write_image
from facefilters.io.provenance import (
    MARKER,
    MARKER_KEY,
    add_note_to_image_bytes,
    add_note_to_image_file,
    read_note,
    video_metadata,
)
from facefilters.io.sinks import ImageFileSink, VideoFileSink
from facefilters.io.video import VideoWriter

NOTE = Messages("en")("deepfake.note")
DUTCH = "Dit beeld is veranderd met een face swap: geïnteresseerd? Één gezicht is nep."


def picture() -> np.ndarray:
    """Noise, so a changed pixel anywhere would show: ndarray (48, 64, 3), uint8."""
    return np.random.default_rng(7).integers(0, 256, (48, 64, 3), dtype=np.uint8)


def encoded(suffix: str) -> bytes:
    ok, data = cv2.imencode(suffix, picture())
    assert ok
    return data.tobytes()


def write_video(path: Path, metadata: dict[str, str] | None) -> Path:
    with VideoWriter(path, (64, 48), 30, metadata=metadata) as writer:
        for _ in range(3):
            writer.write(picture())
    return path


# -- photos ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
@pytest.mark.parametrize("note", [NOTE, DUTCH], ids=["en", "accents"])
def test_photo_round_trip_keeps_the_pixels(tmp_path: Path, suffix: str, note: str) -> None:
    data = encoded(suffix)
    path = tmp_path / f"swap{suffix}"
    path.write_bytes(add_note_to_image_bytes(data, suffix.lstrip("."), note))
    assert read_note(path) == note
    before = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    after = cv2.imread(str(path))
    assert after is not None and np.array_equal(after, before)


def test_png_note_is_a_description_and_a_marker_chunk(tmp_path: Path) -> None:
    path = tmp_path / "swap.png"
    path.write_bytes(add_note_to_image_bytes(encoded(".png"), "png", DUTCH))
    with Image.open(path) as image:
        assert image.text == {"Description": DUTCH, MARKER_KEY: "true"}


def test_jpeg_note_is_a_comment_and_an_exif_description(tmp_path: Path) -> None:
    path = tmp_path / "swap.jpg"
    path.write_bytes(add_note_to_image_bytes(encoded(".jpg"), "jpeg", NOTE))
    with Image.open(path) as image:
        assert image.info["comment"].decode("utf-8") == f"{NOTE}\n{MARKER}"
        assert image.getexif()[0x010E] == NOTE


def test_jpeg_exif_description_drops_accents(tmp_path: Path) -> None:
    path = tmp_path / "swap.jpg"
    path.write_bytes(add_note_to_image_bytes(encoded(".jpg"), "jpg", "Één geïnteresseerd"))
    with Image.open(path) as image:
        assert image.getexif()[0x010E] == "Een geinteresseerd"
    assert read_note(path) == "Één geïnteresseerd"  # the comment keeps the exact words


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_noting_twice_replaces_the_note(tmp_path: Path, suffix: str) -> None:
    once = add_note_to_image_bytes(encoded(suffix), suffix, "first")
    twice = add_note_to_image_bytes(once, suffix, "second")
    path = tmp_path / f"twice{suffix}"
    path.write_bytes(twice)
    assert read_note(path) == "second"
    assert len(twice) - len(once) == len("second") - len("first")


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".bmp"])
def test_photos_without_a_note_read_as_none(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plain{suffix}"
    write_image(path, picture())
    assert read_note(path) is None


def test_someone_elses_comment_is_not_a_note(tmp_path: Path) -> None:
    png = tmp_path / "other.png"
    info = PngInfo()
    info.add_text("Description", "A holiday snap")
    Image.fromarray(picture()).save(png, pnginfo=info)
    jpg = tmp_path / "other.jpg"
    Image.fromarray(picture()).save(jpg, comment=b"Made with a phone")
    assert read_note(png) is None and read_note(jpg) is None


def test_add_note_to_image_file_rewrites_it_in_place(tmp_path: Path) -> None:
    path = tmp_path / "swap.jpg"
    write_image(path, picture())
    before = cv2.imread(str(path))
    add_note_to_image_file(path, NOTE)
    assert read_note(path) == NOTE
    assert np.array_equal(cv2.imread(str(path)), before)
    assert [p.name for p in tmp_path.iterdir()] == ["swap.jpg"]  # no temporary left


@pytest.mark.parametrize(
    ("data", "kind", "note", "error"),
    [
        (b"\x89PNG\r\n\x1a\n", "png", NOTE, "not a complete PNG"),
        (b"GIF89a", "png", NOTE, "not a PNG"),
        (b"GIF89a", "jpeg", NOTE, "not a JPEG"),
        (b"RIFF", "webp", NOTE, "only PNG and JPEG"),
        (None, "png", "  ", "must say something"),
        (None, "png", "a\x00b", "NUL"),
    ],
)
def test_bad_input_is_refused(data: bytes | None, kind: str, note: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        add_note_to_image_bytes(encoded(".png") if data is None else data, kind, note)


def test_reading_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_note(tmp_path / "missing.png")


def test_a_file_that_is_no_picture_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("comment=hello\n")
    assert read_note(path) is None


# -- videos ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_video_round_trip(tmp_path: Path, suffix: str) -> None:
    path = write_video(tmp_path / f"swap{suffix}", video_metadata(DUTCH))
    assert read_note(path) == DUTCH
    with av.open(str(path)) as container:
        tags = {k.lower(): v for k, v in container.metadata.items()}
        assert tags["comment"] == f"{DUTCH}\n{MARKER}"
        assert sum(1 for _ in container.decode(video=0)) == 3


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_videos_without_a_note_read_as_none(tmp_path: Path, suffix: str) -> None:
    assert read_note(write_video(tmp_path / f"plain{suffix}", None)) is None
    other = write_video(tmp_path / f"other{suffix}", {"comment": "my holiday"})
    assert read_note(other) is None


def test_video_metadata_refuses_a_blank_note() -> None:
    with pytest.raises(ValueError):
        video_metadata("")


# -- sinks -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_video_file_sink_writes_the_note(tmp_path: Path, lang: str) -> None:
    note = Messages(lang)("deepfake.note")
    path = tmp_path / "swap.mp4"
    sink = VideoFileSink(path, (64, 48), 30, note=note)
    for k in range(3):
        sink.write(picture(), k / 30)
    sink.close()
    assert read_note(path) == note


def test_video_file_sink_without_a_note_writes_none(tmp_path: Path) -> None:
    path = tmp_path / "plain.mp4"
    sink = VideoFileSink(path, (64, 48), 30)
    sink.write(picture(), 0.0)
    sink.close()
    assert read_note(path) is None


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".jpeg"])
def test_image_file_sink_writes_the_note(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"swap{suffix}"
    sink = ImageFileSink(path, note=NOTE)
    sink.write(picture(), 0.0)
    sink.close()
    assert read_note(path) == NOTE
    plain = tmp_path / f"plain{suffix}"
    write_image(plain, picture())
    assert np.array_equal(cv2.imread(str(path)), cv2.imread(str(plain)))


@pytest.mark.parametrize("suffix", [".webp", ".bmp"])
def test_image_file_sink_refuses_a_note_it_cannot_write(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(OutputError, match=rf"'\{suffix}' file cannot hold"):
        ImageFileSink(tmp_path / f"swap{suffix}", note=NOTE)
    ImageFileSink(tmp_path / f"fine{suffix}")  # without a note any format will do
