"""A photo is a photo whatever its container, and an output name that does not fit the
input is explained before any work is done."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facefilters.apps.files import check_output_suffix
from facefilters.errors import InputError, OutputError
from facefilters.io import image as image_module
from facefilters.io.image import read_image
from facefilters.io.probe import detect_kind
from facefilters.io.video import VideoReader


def scene_rgb(size_wh: tuple[int, int] = (96, 64)) -> np.ndarray:
    """An RGB picture with a red left half and a blue bottom-right quarter."""
    width, height = size_wh
    rgb = np.full((height, width, 3), 200, np.uint8)
    rgb[:, : width // 2] = (220, 30, 30)
    rgb[height // 2 :, width // 2 :] = (30, 30, 220)
    return rgb


def save(path: Path, **options: object) -> Path:
    Image.fromarray(scene_rgb()).save(path, **options)
    return path


def animation(path: Path) -> Path:
    first = Image.fromarray(scene_rgb())
    second = Image.fromarray(scene_rgb()[::-1].copy())
    first.save(path, save_all=True, append_images=[second, first], duration=100, loop=0)
    return path


def heic(path: Path) -> Path:
    pytest.importorskip("pillow_heif")
    image_module._pillow()  # registers the HEIC opener
    return save(path, quality=95)


def assert_looks_like_the_scene(bgr: np.ndarray, tolerance: int) -> None:
    expected = scene_rgb()[:, :, ::-1].astype(int)
    assert bgr.shape == expected.shape and bgr.dtype == np.uint8
    # Compare away from the colour edges, which lossy codecs blur.
    for y, x in [(10, 10), (50, 20), (10, 80), (55, 85)]:
        assert np.abs(bgr[y, x].astype(int) - expected[y, x]).max() <= tolerance, (y, x)


@pytest.mark.parametrize(
    ("name", "make", "tolerance"),
    [
        ("photo.avif", lambda p: save(p, quality=90), 24),
        ("photo.heic", heic, 24),
        ("one-frame.gif", save, 8),
        ("one-frame.webp", lambda p: save(p, quality=95), 24),
        ("avif-named.mp4", lambda p: save(p, format="AVIF", quality=90), 24),
        ("gif-without-suffix", lambda p: save(p, format="GIF"), 8),
    ],
)
def test_a_photo_in_any_container_is_a_photo(
    tmp_path: Path, name: str, make, tolerance: int
) -> None:
    path = make(tmp_path / name)
    assert detect_kind(path) == "image"
    assert_looks_like_the_scene(read_image(path), tolerance)


def test_an_animated_gif_is_a_video(tmp_path: Path) -> None:
    path = animation(tmp_path / "moving.gif")
    assert detect_kind(path) == "video"
    with VideoReader(path) as reader:
        assert len(list(reader)) == 3


def test_a_transparent_gif_is_laid_over_white(tmp_path: Path) -> None:
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[:, :15] = (0, 0, 0, 255)
    path = tmp_path / "cut-out.gif"
    Image.fromarray(rgba).save(path, transparency=0)
    frame = read_image(path)
    assert frame[5, 5].tolist() == [0, 0, 0]
    assert frame[5, 25].tolist() == [255, 255, 255]


def test_an_exif_turned_avif_is_read_upright(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show the picture turned 90 degrees clockwise
    path = save(tmp_path / "turned.avif", exif=exif, quality=90)
    assert read_image(path).shape == (96, 64, 3)


@pytest.mark.parametrize(
    ("brand", "message"),
    [
        (b"heic", r"HEIC photo, .*pip install 'facefilters\[heic\]'"),
        (b"avif", r"AVIF photo, .*pip install -U pillow"),
    ],
)
def test_a_photo_whose_codec_is_missing_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, brand: bytes, message: str
) -> None:
    # As if Pillow had no plugin for it: the file starts like one, and nothing reads it.
    path = tmp_path / "photo.img"
    path.write_bytes(b"\x00\x00\x00\x18ftyp" + brand + b"\x00" * 200)
    with pytest.raises(InputError, match=message):
        detect_kind(path)
    with pytest.raises(InputError, match=message):
        read_image(path)


# -- the output's name must fit what comes out ----------------------------------------


@pytest.mark.parametrize(
    ("kind", "output", "message"),
    [
        ("image", "out", r"'out' has no extension.*add one: \.png.* for a photo, \.mp4.*"),
        ("video", "out", r"'out' has no extension"),
        (
            "image",
            "out.mp4",
            r"'in' is a photo, so the result is a photo, not a '\.mp4' "
            r"video; name the output \.png, \.jpg",
        ),
        ("image", "out.MOV", r"is a photo, so the result is a photo"),
        ("image", "out.gif", r"cannot write 'out\.gif': unknown image type '\.gif'; use \.png"),
        (
            "video",
            "out.jpg",
            r"'in' is a video, so the result is a video, not a photo; "
            r"name the output \.mp4",
        ),
        ("video", "out.webm", r"is a video, so the result is a video, not a '\.webm' file"),
    ],
)
def test_an_output_name_that_does_not_fit_is_explained(
    kind: str, output: str, message: str
) -> None:
    with pytest.raises(OutputError, match=message):
        check_output_suffix(kind, Path("in"), Path(output))


@pytest.mark.parametrize(
    ("kind", "output"),
    [("image", "a.JPG"), ("image", "a.webp"), ("video", "a.mp4"), ("video", "a.MKV")],
)
def test_fitting_output_names_pass(kind: str, output: str) -> None:
    check_output_suffix(kind, Path("in"), Path(output))
