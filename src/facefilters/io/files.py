"""Input files before they are read: is it there, is it empty, what do its first bytes say.

No decoding happens here, so both the photo and the video readers can use it.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

from facefilters.errors import InputError, Number, Phrase, os_reason

__all__ = [
    "DAMAGED",
    "check_input_file",
    "is_container_header",
    "is_image_header",
    "picture_problem",
    "read_header",
]

# Enough bytes for every signature below; the RIFF/WebP and JPEG 2000 box signatures are
# the longest at 12 bytes.
_HEADER_SIZE = 16

# Signatures of the still-image formats OpenCV's bundled decoders read.  Checked here
# rather than with cv2.haveImageReader because that takes a file name, which OpenCV
# cannot open when it holds non-ASCII characters on Windows.
_IMAGE_SIGNATURES: tuple[bytes, ...] = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",  # PNG
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000 (.jp2)
    b"\xffO\xffQ",  # JPEG 2000 codestream (.j2k)
    b"\x59\xa6\x6a\x95",  # Sun raster
    b"v/1\x01",  # OpenEXR
    b"#?RADIANCE",  # Radiance HDR
    b"#?RGBE",  # Radiance HDR
)


def is_image_header(header: bytes) -> bool:
    """Tell whether the first bytes of a file are those of a still image OpenCV reads.

    Args:
        header: The first 16 bytes of the file (fewer if the file is shorter).

    Returns:
        True for JPEG, PNG, WebP, BMP, TIFF, JPEG 2000, Sun raster, OpenEXR, Radiance
        HDR and binary or ASCII PNM/PAM (``P1`` to ``P7``) headers.
    """
    if header.startswith(_IMAGE_SIGNATURES):
        return True
    if header[:4] == b"RIFF" and header[8:12] == b"WEBP":
        return True
    # "BM" alone starts too many text files; a bitmap's reserved bytes 6..9 are zero.
    if header[:2] == b"BM" and header[6:10] == b"\x00\x00\x00\x00":
        return True
    # Netpbm's magic is only two characters, so demand the whitespace that must follow
    # it; otherwise any text file that starts with "P1" would count as an image.
    return (
        len(header) >= 3
        and header[:1] == b"P"
        and header[1:2] in b"1234567"
        and header[2:3] in b" \t\r\n"
    )


def is_container_header(header: bytes) -> bool:
    """Tell whether the first bytes of a file are those of a common video container.

    Used to word an error: a file that starts like a video but does not open is a
    truncated or damaged video, not some other kind of file.

    Args:
        header: The first 16 bytes of the file (fewer if the file is shorter).

    Returns:
        True for MP4/MOV/3GP (an ``ftyp``, ``moov``, ``mdat``, ``free`` or ``wide`` box
        first), Matroska/WebM, AVI, FLV, ASF/WMV, Ogg and MPEG-PS headers.
    """
    if header[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return True
    if header[:4] == b"RIFF" and header[8:12] == b"AVI ":
        return True
    return header.startswith(
        (
            b"\x1a\x45\xdf\xa3",  # Matroska, WebM
            b"FLV\x01",
            b"\x30\x26\xb2\x75\x8e\x66\xcf\x11",  # ASF, WMV
            b"OggS",
            b"\x00\x00\x01\xba",  # MPEG program stream
        )
    )


def check_input_file(path: str | os.PathLike[str]) -> Path:
    """Check that an input path names a readable, non-empty regular file.

    Args:
        path: The file the user asked to read. Messages name it as given: pass the
            command line's text (``./in.jpg``), not a `Path` made from it (``in.jpg``).

    Returns:
        The path as a `Path`.

    Raises:
        InputError: The file is missing, is a folder, is empty or cannot be opened.
    """
    shown = os.fspath(path)
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError.said("error.no_such_file", path=shown) from None
    except OSError as exc:
        raise InputError.said("error.cannot_read", path=shown, reason=os_reason(exc)) from None
    if path.is_dir():
        raise InputError.said("error.cannot_read", path=shown, reason=Phrase("error.reason.folder"))
    if st.st_size == 0:
        raise InputError.said("error.cannot_read", path=shown, reason=Phrase("error.reason.empty"))
    return path


def read_header(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(_HEADER_SIZE)
    except OSError as exc:
        shown = os.fspath(path)
        raise InputError.said("error.cannot_read", path=shown, reason=os_reason(exc)) from None


DAMAGED = Phrase("error.reason.damaged")
"""Why a file that should be a picture cannot be read, when no more is known."""

# Signatures whose whole header Pillow parses; if it cannot, the file is damaged (other
# formats it does not know may still be OpenCV's to read).
_PILLOW_CHECKED = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def picture_problem(data: bytes, max_pixels: int) -> Phrase | None:
    """Why a picture must not be decoded, read from its header alone; None if it may be.

    A small PNG can unpack to gigabytes, so the size is checked before any decoding. Only
    the header is parsed (by Pillow), never the pixels.

    Args:
        data: the file's bytes.
        max_pixels: the most pixels (width times height) the caller accepts.

    Returns:
        A reason to put after ``cannot read 'FILE': ``, such as ``20000 x 20000 pixels is
        more than the 150 megapixels allowed`` (``str()`` of it; a `Phrase`, to say in
        the user's language), or None.
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
    except Image.DecompressionBombError:
        return Phrase(
            "error.reason.bomb",
            count=f"{2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f}",
            limit=Number(max_pixels / 1e6, ".3g"),
        )
    except (OSError, ValueError, SyntaxError, EOFError):
        if data.startswith(_PILLOW_CHECKED):
            return DAMAGED
        return None
    if w * h > max_pixels:
        return Phrase(
            "error.reason.pixels", size=f"{w} x {h}", limit=Number(max_pixels / 1e6, ".3g")
        )
    return None
