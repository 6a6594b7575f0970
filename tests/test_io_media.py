from __future__ import annotations

import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from facefilters.errors import InputError, OutputError
from facefilters.io import image as image_module
from facefilters.io.files import check_input_file
from facefilters.io.image import IMAGE_SUFFIXES, read_image, write_image
from facefilters.io.probe import detect_kind
from facefilters.io.video import VideoWriter

import pictures

NTSC = Fraction(30000, 1001)


# -- builders ------------------------------------------------------------------------


def photo(size_wh: tuple[int, int] = (40, 30)) -> np.ndarray:
    """A small BGR photo with a red mark in its top left corner."""
    width, height = size_wh
    image = np.full((height, width, 3), 90, np.uint8)
    image[:4, :4] = (0, 0, 255)
    return image


def encoded(image: np.ndarray, suffix: str = ".png") -> bytes:
    ok, buf = cv2.imencode(suffix, image)
    assert ok
    return buf.tobytes()


def clip(path: Path, frames: int = 10, audio: bool = True) -> Path:
    """A 64x48 clip at 29.97 fps, with a sine tone when ``audio``."""
    tone = None
    if audio:
        tone = path.with_name(path.stem + "-tone.m4a")
        rate = 48_000
        wave = np.sin(2 * np.pi * 440 * np.arange(round(frames / NTSC * rate)) / rate)
        with av.open(str(tone), "w") as container:
            stream = container.add_stream("aac", rate=rate)
            stream.layout = "stereo"
            samples = (0.3 * np.stack([wave, wave])).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
            frame.sample_rate = rate
            frame.pts = 0
            container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
    rng = np.random.default_rng(0)
    with VideoWriter(path, (64, 48), NTSC, audio_from=tone) as writer:
        for _ in range(frames):
            writer.write(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    return path


def exif_orientation(orientation: int) -> bytes:
    """A little-endian TIFF block holding one tag: the EXIF orientation."""
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    return b"II*\x00" + struct.pack("<IH", 8, 1) + entry + struct.pack("<I", 0)


def with_jpeg_exif(jpeg: bytes, orientation: int) -> bytes:
    payload = b"Exif\x00\x00" + exif_orientation(orientation)
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + app1 + jpeg[2:]


def with_png_exif(png: bytes, orientation: int) -> bytes:
    data = exif_orientation(orientation)
    chunk = struct.pack(">I", len(data)) + b"eXIf" + data
    chunk += struct.pack(">I", zlib.crc32(b"eXIf" + data))
    idat = png.find(b"IDAT") - 4
    return png[:idat] + chunk + png[idat:]


# -- detect_kind ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("photo.png", lambda p: p.write_bytes(encoded(photo(), ".png"))),
        ("photo.jpg", lambda p: p.write_bytes(encoded(photo(), ".jpg"))),
        ("photo.webp", lambda p: p.write_bytes(encoded(photo(), ".webp"))),
        ("photo.bmp", lambda p: p.write_bytes(encoded(photo(), ".bmp"))),
        ("photo.tiff", lambda p: p.write_bytes(encoded(photo(), ".tiff"))),
        ("png-named.mp4", lambda p: p.write_bytes(encoded(photo(), ".png"))),
        ("jpeg-without-suffix", lambda p: p.write_bytes(encoded(photo(), ".jpg"))),
    ],
)
def test_images_are_told_by_content(tmp_path: Path, name: str, make) -> None:
    path = tmp_path / name
    make(path)
    assert detect_kind(path) == "image"


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mkv", "clip.mov", "mp4-named.jpg", "clip"])
def test_videos_are_told_by_content(tmp_path: Path, name: str) -> None:
    real_suffix = Path(name).suffix if Path(name).suffix in (".mkv", ".mov") else ".mp4"
    made = clip(tmp_path / f"made{real_suffix}")
    path = made.rename(tmp_path / name)
    assert detect_kind(path) == "video"


def test_video_without_audio_is_a_video(tmp_path: Path) -> None:
    assert detect_kind(clip(tmp_path / "silent.mp4", audio=False)) == "video"


def test_video_cut_after_some_frames_is_still_a_video(tmp_path: Path) -> None:
    data = clip(tmp_path / "whole.mp4", frames=20).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])  # the index is at the front, so frames remain
    assert detect_kind(cut) == "video"


def missing(tmp_path: Path) -> Path:
    return tmp_path / "missing.mp4"


def folder(tmp_path: Path) -> Path:
    path = tmp_path / "folder.mp4"
    path.mkdir()
    return path


def empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.mp4"
    path.touch()
    return path


def random_bytes(tmp_path: Path) -> Path:
    path = tmp_path / "random.mp4"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


def text_named_mp4(tmp_path: Path) -> Path:
    path = tmp_path / "notes.mp4"
    path.write_text("These are not the frames you are looking for.\n" * 20)
    return path


def text_named_txt(tmp_path: Path) -> Path:
    # FFmpeg would happily render this as a video of ANSI art.
    path = tmp_path / "notes.txt"
    path.write_text("These are not the frames you are looking for.\n" * 20)
    return path


def plain_mp4(path: Path) -> Path:
    """An MP4 with its index (moov) at the end, as FFmpeg writes without faststart."""
    rng = np.random.default_rng(2)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(20):
            image = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode(None))
    return path


def cut_in_half(tmp_path: Path) -> Path:
    data = plain_mp4(tmp_path / "whole.mp4").read_bytes()
    path = tmp_path / "half.mp4"
    path.write_bytes(data[: len(data) // 2])
    return path


def first_kilobyte(tmp_path: Path) -> Path:
    data = plain_mp4(tmp_path / "whole.mp4").read_bytes()
    path = tmp_path / "head.mp4"
    path.write_bytes(data[:1024])
    return path


def header_without_frames(tmp_path: Path) -> Path:
    data = clip(tmp_path / "whole.mp4").read_bytes()
    path = tmp_path / "header.mp4"
    path.write_bytes(data[: data.find(b"mdat") + 4])
    return path


def audio_only(tmp_path: Path) -> Path:
    made = clip(tmp_path / "whole.mp4")
    return made.with_name("whole-tone.m4a")


BAD_INPUTS = [
    (missing, r"^no such file: '.*missing\.mp4'$"),
    (folder, r"^cannot read '.*folder\.mp4': it is a folder, not a file$"),
    (empty, r"^cannot read '.*empty\.mp4': the file is empty$"),
    (random_bytes, r"^cannot read '.*random\.mp4': it is neither an image nor a video$"),
    (text_named_mp4, r"^cannot read '.*notes\.mp4': it is neither an image nor a video$"),
    (text_named_txt, r"^cannot read '.*notes\.txt': it is neither an image nor a video$"),
    (cut_in_half, r"^cannot read '.*half\.mp4': the video is truncated or damaged$"),
    (first_kilobyte, r"^cannot read '.*head\.mp4': the video is truncated or damaged$"),
    (header_without_frames, r"^cannot read '.*header\.mp4': the video is empty or truncated$"),
    (audio_only, r"^cannot read '.*whole-tone\.m4a': it has no video stream$"),
]


@pytest.mark.parametrize(("make", "message"), BAD_INPUTS, ids=[m.__name__ for m, _ in BAD_INPUTS])
def test_bad_inputs_are_one_line_input_errors(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as caught:
        detect_kind(path)
    assert "\n" not in str(caught.value)
    assert caught.value.__cause__ is None  # no FFmpeg traceback chained on


def test_check_input_file_returns_a_path(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(b"x")
    assert check_input_file(str(path)) == path


# -- read_image ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tiff"])
def test_lossless_photos_read_back_exactly(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"photo{suffix}"
    path.write_bytes(encoded(photo(), suffix))
    image = read_image(path)
    assert image.dtype == np.uint8
    assert image.flags.c_contiguous
    assert np.array_equal(image, photo())


def test_grayscale_becomes_three_equal_channels(tmp_path: Path) -> None:
    grey = np.arange(30 * 40, dtype=np.uint8).reshape(30, 40)
    path = tmp_path / "grey.png"
    path.write_bytes(encoded(grey))
    image = read_image(path)
    assert image.shape == (30, 40, 3)
    assert all(np.array_equal(image[:, :, c], grey) for c in range(3))


def test_sixteen_bit_is_scaled_to_eight(tmp_path: Path) -> None:
    deep = np.zeros((30, 40, 3), np.uint16)
    deep[:, :20] = 65535
    deep[:, 20:] = 100 * 256
    path = tmp_path / "deep.png"
    path.write_bytes(encoded(deep))
    image = read_image(path)
    assert image.dtype == np.uint8
    assert (image[:, :20] == 255).all()
    assert (image[:, 20:] == 100).all()


def test_alpha_is_composited_over_white(tmp_path: Path) -> None:
    bgra = np.zeros((30, 40, 4), np.uint8)
    bgra[:, :10] = (0, 0, 255, 255)  # opaque red
    bgra[:, 10:20] = (0, 0, 0, 0)  # transparent, black underneath
    bgra[:, 20:] = (255, 0, 0, 128)  # half-transparent blue
    path = tmp_path / "cutout.png"
    path.write_bytes(encoded(bgra))
    image = read_image(path)
    assert image.shape == (30, 40, 3)
    assert (image[:, :10] == (0, 0, 255)).all()
    assert (image[:, 10:20] == 255).all()
    assert np.allclose(image[:, 20:], (255, 127, 127), atol=1)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    path.write_bytes(with_jpeg_exif(encoded(photo((40, 30)), ".jpg"), orientation=6))
    image = read_image(path)
    # Orientation 6 turns the picture a quarter clockwise: the corner mark goes top right.
    assert image.shape == (40, 30, 3)
    assert image[:4, -4:, 2].mean() > 200
    assert image[:4, :4, 2].mean() < 150


def test_exif_orientation_also_turns_the_alpha(tmp_path: Path) -> None:
    bgra = np.zeros((30, 40, 4), np.uint8)
    bgra[:4, :4] = (0, 0, 255, 255)  # an opaque red mark, top left; the rest transparent
    path = tmp_path / "cutout.png"
    path.write_bytes(with_png_exif(encoded(bgra), orientation=6))
    image = read_image(path)
    assert image.shape == (40, 30, 3)
    assert (image[:4, -4:] == (0, 0, 255)).all()
    assert (image[4:, :] == 255).all()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (missing, r"^no such file: "),
        (folder, "it is a folder"),
        (empty, "the file is empty"),
        (random_bytes, "not an image, or the image is damaged"),
        (lambda d: clip(d / "clip.mp4"), "not an image, or the image is damaged"),
    ],
    ids=["missing", "folder", "empty", "random bytes", "video"],
)
def test_read_image_errors(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_image(make(tmp_path))


def test_truncated_png_is_an_input_error(tmp_path: Path) -> None:
    data = encoded(np.random.default_rng(3).integers(0, 256, (64, 64, 3), dtype=np.uint8))
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.png"):
        read_image(path)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (pictures.truncated_png, "not an image, or the image is damaged"),
        (pictures.fake_png, "not an image, or the image is damaged"),
        (
            lambda: pictures.png_bomb((12_000, 10_001)),
            "12000 x 10001 pixels is more than the 120 megapixels allowed; scale it down first",
        ),
        (
            lambda: encoded(np.zeros((64, 64, 3), np.uint8))[:40],
            "not an image, or the image is damaged",
        ),
        (
            lambda: pictures.png_claiming((40_000, 40_000)),
            "it has more than 179 megapixels, more than the 120 allowed; scale it down first",
        ),
    ],
    ids=["truncated", "fake", "bomb", "header only", "past Pillow's own limit"],
)
def test_damaged_or_huge_photo_is_one_line_and_nothing_else(
    tmp_path: Path, capfd, make, reason: str
) -> None:
    path = pictures.write(tmp_path / "odd.png", make())
    capfd.readouterr()
    with pytest.raises(InputError) as excinfo:
        read_image(path)
    assert str(excinfo.value) == f"cannot read '{path}': {reason}"
    assert capfd.readouterr() == ("", "")  # no "libpng error", no OpenCV warning


def test_a_huge_photo_is_refused_before_it_is_decoded(tmp_path: Path, monkeypatch) -> None:
    path = pictures.write(tmp_path / "bomb.png", pictures.png_bomb((12_000, 10_001)))

    def decode(*args):
        raise AssertionError("decoded a photo that its header says is too large")

    monkeypatch.setattr(image_module.cv2, "imdecode", decode)
    with pytest.raises(InputError, match="more than the 120 megapixels"):
        read_image(path)


# -- write_image ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", IMAGE_SUFFIXES + (".PNG", ".JPG"))
def test_write_image_picks_the_format_from_the_suffix(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    write_image(path, photo())
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert detect_kind(path) == "image"
    image = read_image(path)
    assert image.shape == (30, 40, 3)
    lossless = suffix.lower() in (".png", ".bmp")
    assert np.abs(image.astype(int) - photo()).mean() < (0.01 if lossless else 3)


def test_write_image_formats_differ(tmp_path: Path) -> None:
    headers = {}
    for suffix in (".png", ".jpg", ".webp", ".bmp"):
        path = tmp_path / f"out{suffix}"
        write_image(path, photo())
        headers[suffix] = path.read_bytes()[:4]
    assert len(set(headers.values())) == 4


def test_write_image_writes_to_a_temporary_name_with_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / ".out.tmp-1234abcd.jpg"
    write_image(path, photo())
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("name", ["out.gif", "out", "out.mp4"])
def test_write_image_refuses_unknown_suffixes(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError, match=r"^cannot write '.*': unknown image type"):
        write_image(tmp_path / name, photo())
    assert list(tmp_path.iterdir()) == []


def test_write_image_into_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"^cannot write '.*out\.png': "):
        write_image(tmp_path / "missing" / "out.png", photo())


@pytest.mark.parametrize(
    "frame",
    [np.zeros((30, 40), np.uint8), np.zeros((30, 40, 4), np.uint8), np.zeros((30, 40, 3))],
    ids=["grey", "bgra", "float"],
)
def test_write_image_rejects_wrong_frames(tmp_path: Path, frame: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"shape \(H, W, 3\) and dtype uint8"):
        write_image(tmp_path / "out.png", frame)
