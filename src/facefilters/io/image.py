"""Read photos into BGR frames and write frames back out as photos.

OpenCV reads the usual formats; Pillow reads the rest of what phones and browsers save
(AVIF, a one-frame GIF, HEIC with the optional ``pillow-heif``), so a photo is a photo
whatever its container.
"""

from __future__ import annotations

import os
import warnings
from functools import cache
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np

from facefilters.errors import InputError, OutputError, Phrase, os_reason
from facefilters.quiet import native_stderr_muted

from .files import DAMAGED, check_input_file, picture_problem

__all__ = ["IMAGE_SUFFIXES", "count_pictures", "is_still_image", "read_image", "write_image"]

# Encoder parameters per suffix: high quality, since a filtered photo is a final product.
_ENCODE_PARAMS: dict[str, list[int]] = {
    ".png": [cv2.IMWRITE_PNG_COMPRESSION, 3],
    ".jpg": [cv2.IMWRITE_JPEG_QUALITY, 95],
    ".jpeg": [cv2.IMWRITE_JPEG_QUALITY, 95],
    ".webp": [cv2.IMWRITE_WEBP_QUALITY, 95],
    ".bmp": [],
}

IMAGE_SUFFIXES: tuple[str, ...] = tuple(_ENCODE_PARAMS)
"""The suffixes `write_image` accepts, lower case and with the dot."""

# Formats Pillow opens that are photos (it also "opens" MPEG and other non-photos).
_PILLOW_STILLS = frozenset(
    {"AVIF", "HEIF", "GIF", "WEBP", "PNG", "JPEG", "TIFF", "BMP", "JPEG2000", "PPM", "QOI"}
)

# ISO-BMFF brands (bytes 8..12 of an ``ftyp`` box) of HEIF photos: HEIC, and AVIF.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


@cache
def _pillow() -> ModuleType:
    """Pillow's Image module, with HEIC support when the optional pillow-heif is here."""
    from PIL import Image

    try:
        import pillow_heif
    except ImportError:
        pass
    else:
        pillow_heif.register_heif_opener()
    return Image


def count_pictures(path: str | os.PathLike[str]) -> int | None:
    """How many pictures Pillow finds in a photo file; None when it is no photo to Pillow.

    More than one is an animation (a GIF, an animated WebP).
    """
    Image = _pillow()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a huge photo is checked where it is decoded
            with Image.open(path) as im:
                if im.format not in _PILLOW_STILLS:
                    return None
                return int(getattr(im, "n_frames", 1))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _missing_codec(header: bytes) -> Phrase | None:
    """Why a photo in a container Pillow could read with a plugin is not read here."""
    if header[4:8] != b"ftyp":
        return None
    brand = header[8:12]
    if brand in _HEIC_BRANDS:
        return Phrase("error.reason.heic")
    if brand in _AVIF_BRANDS:
        return Phrase("error.reason.avif")
    return None


def is_still_image(path: str | os.PathLike[str], header: bytes) -> bool:
    """Tell whether a file is one still picture that Pillow reads (AVIF, HEIC, GIF...).

    A GIF or WebP with several pictures is an animation, not a photo.

    Args:
        path: The file.
        header: Its first bytes (see `facefilters.io.files.read_header`).

    Raises:
        InputError: The file is a HEIC or AVIF photo and the codec for it is missing.
    """
    frames = count_pictures(path)
    if frames is None:
        reason = _missing_codec(header)
        if reason is not None:
            raise InputError.said("error.cannot_read", path=os.fspath(path), reason=reason)
        return False
    return frames == 1


def _read_with_pillow(path: Path) -> np.ndarray | None:
    """A photo only Pillow reads, upright and over white, as BGR; None if it cannot."""
    Image = _pillow()
    from PIL import ImageOps

    try:
        with Image.open(path) as im:
            if im.format not in _PILLOW_STILLS:
                return None
            upright = ImageOps.exif_transpose(im)
            rgba = np.asarray(upright.convert("RGBA"))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    alpha = _alpha_unit(rgba[:, :, 3])[:, :, np.newaxis]
    flat = rgba[:, :, 2::-1].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.clip(flat + 0.5, 0, 255).astype(np.uint8)


# The eight EXIF orientations as operations on an array in stored (unrotated) order.
_ORIENTATIONS = (
    lambda a: a,
    lambda a: a[:, ::-1],
    lambda a: a[::-1, ::-1],
    lambda a: a[::-1, :],
    lambda a: np.swapaxes(a, 0, 1),
    lambda a: np.rot90(a, -1),
    lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
    lambda a: np.rot90(a, 1),
)


MAX_PHOTO_PIXELS = 120_000_000
"""The largest photo read, in pixels (a 108-megapixel phone photo fits): filtering one
takes about 50 bytes a pixel, so a bigger one would exhaust a laptop's memory."""


def _decode(buf: np.ndarray, flags: int) -> np.ndarray | None:
    try:
        # libpng and libjpeg report damage on fd 2 themselves; our one line says it.
        with native_stderr_muted():
            return cv2.imdecode(buf, flags)
    except cv2.error:
        return None


def _alpha_unit(alpha: np.ndarray) -> np.ndarray:
    if alpha.dtype == np.uint8:
        return alpha.astype(np.float32) / 255.0
    if alpha.dtype == np.uint16:
        return alpha.astype(np.float32) / 65535.0
    return np.clip(alpha.astype(np.float32), 0.0, 1.0)


def _flatten_alpha(buf: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Composite a photo with an alpha channel over white, keeping EXIF orientation.

    ``IMREAD_COLOR`` drops alpha, which leaves whatever colour the transparent pixels
    happen to store (often black); a cut-out portrait looks right on white instead.
    """
    raw = _decode(buf, cv2.IMREAD_UNCHANGED)
    if raw is None or raw.ndim != 3 or raw.shape[2] != 4:
        return color
    # IMREAD_UNCHANGED ignores EXIF orientation, so find which orientation turns the
    # unrotated colour planes into the rotated ones, and apply it to the alpha too.
    unrotated = _decode(buf, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if unrotated is None:
        return color
    for orient in _ORIENTATIONS:
        candidate = orient(unrotated)
        if candidate.shape == color.shape and np.array_equal(candidate, color):
            alpha = _alpha_unit(orient(raw[:, :, 3]))[:, :, np.newaxis]
            flat = color.astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
            return np.clip(flat + 0.5, 0, 255).astype(np.uint8)
    return color


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a photo as a BGR frame.

    Grayscale photos become three equal channels, 16-bit and floating-point photos are
    scaled to 8 bits, and photos with an alpha channel are composited over white. The
    EXIF orientation is applied, as `cv2.imread` does.

    Args:
        path: The photo to read. Any format OpenCV decodes (JPEG, PNG, WebP, BMP, TIFF...),
            and those only Pillow reads: AVIF, GIF (the first picture) and, with
            ``pillow-heif`` installed, HEIC.

    Returns:
        ndarray of shape (H, W, 3) and dtype uint8, in BGR channel order.

    Raises:
        InputError: The file is missing, a folder, empty, not a photo OpenCV or Pillow can
            decode, or larger than `MAX_PHOTO_PIXELS` (told from its header, before
            decoding).
    """
    shown = os.fspath(path)  # as the user typed it, for the messages
    path = check_input_file(path)
    try:
        # Reading the bytes ourselves, rather than cv2.imread(path), keeps non-ASCII file
        # names working on Windows and tells a permission error from a bad image.
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.said("error.cannot_read", path=shown, reason=os_reason(exc)) from None
    # The header first: a small PNG can unpack to gigabytes.
    problem = picture_problem(data, MAX_PHOTO_PIXELS)
    if problem is not None:
        raise InputError.said("error.cannot_read", path=shown, reason=problem)
    buf = np.frombuffer(data, dtype=np.uint8)
    # AVIF and HEIC (an ISO media file: "ftyp" at byte 4) go to Pillow even where OpenCV
    # decodes them (OpenCV 5 reads AVIF), since OpenCV leaves their EXIF turn unapplied.
    color = None if data[4:8] == b"ftyp" else _decode(buf, cv2.IMREAD_COLOR)
    if color is None or color.size == 0:
        color = _read_with_pillow(path)
        if color is not None:
            return np.ascontiguousarray(color)
        reason = _missing_codec(data[:16]) or DAMAGED
        raise InputError.said("error.cannot_read", path=shown, reason=reason)
    if color.dtype != np.uint8:
        color = cv2.convertScaleAbs(color, alpha=255.0 if color.dtype.kind == "f" else 1 / 257)
    if data[:3] != b"\xff\xd8\xff":  # JPEG cannot carry alpha; skip a second decode
        color = _flatten_alpha(buf, color)
    return np.ascontiguousarray(color)


def write_image(path: str | os.PathLike[str], frame: np.ndarray) -> None:
    """Write a BGR frame as a photo, in the format the path's suffix names.

    Args:
        path: Where to write. The suffix (case-insensitive) picks the format: ``.png``,
            ``.jpg``/``.jpeg`` (quality 95), ``.webp`` (quality 95) or ``.bmp``. The bytes
            go to exactly this path, so it also works for a temporary name from
            `facefilters.io.atomic.atomic_output`.
        frame: ndarray of shape (H, W, 3) and dtype uint8, in BGR channel order.

    Raises:
        ValueError: The frame is not of shape (H, W, 3) and dtype uint8.
        OutputError: The suffix names no supported format, or the file cannot be written.
    """
    path = Path(path)
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(
            f"frame must be of shape (H, W, 3) and dtype uint8, got {frame.shape} {frame.dtype}"
        )
    suffix = path.suffix.lower()
    if suffix not in _ENCODE_PARAMS:
        raise OutputError.said(
            "error.cannot_write",
            path=path,
            reason=Phrase(
                "error.reason.image_type", name=path.suffix, names=", ".join(IMAGE_SUFFIXES)
            ),
        )
    try:
        ok, encoded = cv2.imencode(suffix, frame, _ENCODE_PARAMS[suffix])
    except cv2.error:
        ok = False
    if not ok:
        raise OutputError.said(
            "error.cannot_write", path=path, reason=Phrase("error.reason.encode")
        )
    try:
        path.write_bytes(encoded.tobytes())
    except OSError as exc:
        raise OutputError.from_os_error(path, exc) from None
