"""A note inside output files that says a face swap made them.

The picture itself carries a visible label (:mod:`facefilters.render.label`); this is
the second half: words in the file's metadata that survive a rename and can be read by
``facefilters inspect``, exiftool, a photo viewer's "info" panel or a video player.

Where the note goes, and how it is recognised as ours (the marker, ``MARKER``):

=============  ==========================================  =======================================
format         the note, for people                        the marker, for programs
=============  ==========================================  =======================================
PNG            ``iTXt`` chunk ``Description`` (UTF-8)      ``tEXt`` chunk ``facefilters:deepfake``
                                                           with the text ``true``
JPEG           ``COM`` segment; EXIF ``ImageDescription``  last line of the ``COM`` segment
MP4, MOV, MKV  container tag ``comment``                   last line of ``comment``
=============  ==========================================  =======================================

Only ``comment`` survives in all three video containers (FFmpeg's MOV muxer drops
``description`` and any key of our own), and a JPEG has no key-value store short of XMP;
so there the marker is the comment's last line, ``facefilters:deepfake=true``. A comment
without it is someone else's and reads as no note.

The image functions parse and write PNG chunks and JPEG segments with the standard
library; the video ones go through PyAV. WebP, BMP and the other formats get no note:
:data:`NOTE_SUFFIXES` lists those that do.

TODO: a signed C2PA manifest (Content Credentials) where the ``c2pa`` package
(c2pa-python) is installed, with a ``c2pa.created`` action and the IPTC digital source
type of a composite. It needs a signing certificate, so it is left out for now, and
``c2pa`` is deliberately not a dependency.
"""

from __future__ import annotations

import os
import struct
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path

import av

from ..errors import OutputError
from .atomic import temporary_name
from .files import check_input_file, is_image_header, read_header
from .video.reader import av_open

__all__ = [
    "MARKER",
    "MARKER_KEY",
    "NOTE_SUFFIXES",
    "add_note_to_image_bytes",
    "add_note_to_image_file",
    "read_note",
    "video_metadata",
]

MARKER_KEY = "facefilters:deepfake"
"""The PNG text keyword that marks a file as made by a face swap (its value is ``true``)."""

MARKER = f"{MARKER_KEY}=true"
"""The line that ends a JPEG or video comment carrying the note."""

NOTE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg")
"""Photo suffixes that can carry the note, lower case with the dot."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_PNG_DESCRIPTION = "Description"
_JPEG_SOI = b"\xff\xd8"
_JPEG_COM, _JPEG_APP0, _JPEG_APP1, _JPEG_SOS, _JPEG_EOI = 0xFE, 0xE0, 0xE1, 0xDA, 0xD9
_JPEG_MAX_PAYLOAD = 0xFFFF - 2  # a segment's 16-bit length counts its own two bytes
_EXIF_HEADER = b"Exif\x00\x00"
_EXIF_IMAGE_DESCRIPTION = 0x010E
_TEXT_LIMIT = 1 << 20  # compressed PNG text is inflated no further than this


def _check_note(note: str) -> str:
    if not note.strip():
        raise ValueError("the note must say something")
    if "\x00" in note:
        raise ValueError("the note must not contain NUL characters")
    return note.strip()


def _marked(note: str) -> str:
    return f"{_check_note(note)}\n{MARKER}"


def _unmarked(comment: str) -> str | None:
    """The note from a comment that ends with the marker line, else None."""
    body, _, last = comment.strip().rpartition("\n")
    return body.strip() if last.strip() == MARKER else None


# -- video -------------------------------------------------------------------------------


def video_metadata(note: str) -> dict[str, str]:
    """Container tags carrying the note, for ``VideoWriter(metadata=...)``.

    Raises:
        ValueError: the note is blank or holds a NUL character.
    """
    return {"comment": _marked(note)}


def _video_note(path: Path) -> str | None:
    try:
        with av_open(path) as container:
            tags = dict(container.metadata)
    except (av.FFmpegError, OSError, ValueError):
        return None
    # Matroska stores tag names in capitals.
    comments = [v for k, v in tags.items() if k.lower() == "comment"]
    return next((note for c in comments if (note := _unmarked(c)) is not None), None)


# -- PNG ---------------------------------------------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes, int, int]]:
    """Each chunk as ``(type, body, start, end)``; stops at IEND or where the file breaks."""
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return
        yield kind, data[pos + 8 : pos + 8 + length], pos, end
        if kind == b"IEND":
            return
        pos = end


def _inflate(data: bytes) -> str | None:
    try:
        return zlib.decompressobj().decompress(data, _TEXT_LIMIT).decode("utf-8", "replace")
    except zlib.error:
        return None


def _png_text(kind: bytes, body: bytes) -> tuple[str, str | None]:
    """Keyword and text of a tEXt, zTXt or iTXt chunk (text None when unreadable)."""
    keyword, _, rest = body.partition(b"\x00")
    key = keyword.decode("latin-1")
    if kind == b"tEXt":
        return key, rest.decode("latin-1")
    if kind == b"zTXt":
        return key, _inflate(rest[1:])
    compressed = rest[:1] == b"\x01"
    _language, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return key, _inflate(text) if compressed else text.decode("utf-8", "replace")


def _add_png_note(data: bytes, note: str) -> bytes:
    chunks = list(_png_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise ValueError("not a complete PNG file")
    ours = _png_chunk(
        b"iTXt", _PNG_DESCRIPTION.encode("latin-1") + b"\x00\x00\x00\x00\x00" + note.encode("utf-8")
    ) + _png_chunk(b"tEXt", MARKER_KEY.encode("latin-1") + b"\x00true")
    parts = [data[: chunks[0][3]], ours]
    for kind, body, start, end in chunks[1:]:
        # A note already there is replaced, not doubled.
        if kind in _PNG_TEXT_CHUNKS and _png_text(kind, body)[0] in (_PNG_DESCRIPTION, MARKER_KEY):
            continue
        parts.append(data[start:end])
    return b"".join(parts)


def _png_note(data: bytes) -> str | None:
    texts = dict(
        _png_text(kind, body) for kind, body, _, _ in _png_chunks(data) if kind in _PNG_TEXT_CHUNKS
    )
    if (texts.get(MARKER_KEY) or "").strip().lower() != "true":
        return None
    return (texts.get(_PNG_DESCRIPTION) or "").strip()


# -- JPEG --------------------------------------------------------------------------------


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes, int, int]]:
    """Each header segment as ``(marker, payload, start, end)``, up to the first scan."""
    pos = len(_JPEG_SOI)
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in (_JPEG_SOS, _JPEG_EOI):
            return
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            return
        yield marker, data[pos + 4 : end], pos, end
        pos = end


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    if len(payload) > _JPEG_MAX_PAYLOAD:
        raise ValueError("the note is too long for a JPEG segment")
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def _exif_description(text: str) -> bytes:
    """An EXIF block (APP1 payload) whose only tag is ImageDescription."""
    # EXIF strings are ASCII, and viewers guess differently at anything else; so accents
    # are dropped here (the COM segment keeps the exact words).
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    value = folded.encode("ascii", "replace") + b"\x00"
    ifd_size = 2 + 12 + 4
    where = value.ljust(4, b"\x00") if len(value) <= 4 else struct.pack("<I", 8 + ifd_size)
    tiff = (
        b"II*\x00"
        + struct.pack("<I", 8)
        + struct.pack("<H", 1)
        + struct.pack("<HHI", _EXIF_IMAGE_DESCRIPTION, 2, len(value))
        + where
        + struct.pack("<I", 0)
        + (value if len(value) > 4 else b"")
    )
    return _EXIF_HEADER + tiff


def _add_jpeg_note(data: bytes, note: str) -> bytes:
    if not data.startswith(_JPEG_SOI):
        raise ValueError("not a JPEG file")
    segments = list(_jpeg_segments(data))
    has_exif = any(m == _JPEG_APP1 and p.startswith(_EXIF_HEADER) for m, p, _, _ in segments)
    ours = _jpeg_segment(_JPEG_COM, _marked(note).encode("utf-8"))
    if not has_exif:
        ours = _jpeg_segment(_JPEG_APP1, _exif_description(note)) + ours
    # After a leading JFIF segment, which readers expect right after the start marker.
    at = segments[0][3] if segments and segments[0][0] == _JPEG_APP0 else len(_JPEG_SOI)
    parts = [data[:at], ours]
    pos = at
    for marker, payload, start, end in segments:
        if (
            start >= at
            and marker == _JPEG_COM
            and _unmarked(payload.decode("utf-8", "replace")) is not None
        ):
            parts.append(data[pos:start])  # a note already there is replaced, not doubled
            pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _jpeg_note(data: bytes) -> str | None:
    for marker, payload, _, _ in _jpeg_segments(data):
        if marker == _JPEG_COM:
            note = _unmarked(payload.decode("utf-8", "replace"))
            if note is not None:
                return note
    return None


# -- files -------------------------------------------------------------------------------


def _image_kind(kind: str) -> str:
    kind = kind.lower().lstrip(".")
    kind = "jpeg" if kind == "jpg" else kind
    if kind not in ("png", "jpeg"):
        raise ValueError(f"cannot put a note into a {kind!r} image; only PNG and JPEG")
    return kind


def add_note_to_image_bytes(data: bytes, kind: str, note: str) -> bytes:
    """The same encoded photo with the note added to its metadata.

    The compressed image data is copied untouched, so the pixels decode exactly as
    before. A note the photo already carries is replaced.

    Args:
        data: a whole PNG or JPEG file, e.g. from ``cv2.imencode``.
        kind: ``"png"`` or ``"jpeg"`` (``"jpg"`` and a leading dot are accepted too).
        note: one or two sentences, e.g. ``Messages()("deepfake.note")``.

    Raises:
        ValueError: an unknown kind, data that is not of that kind, or a blank note.
    """
    note = _check_note(note)
    if _image_kind(kind) == "png":
        if not data.startswith(_PNG_SIGNATURE):
            raise ValueError("not a PNG file")
        return _add_png_note(data, note)
    return _add_jpeg_note(data, note)


def add_note_to_image_file(path: str | os.PathLike[str], note: str) -> None:
    """Add the note to a PNG or JPEG file, replacing the file all at once.

    The new file is written beside the old one and renamed over it, so a failure leaves
    the old file as it was.

    Raises:
        ValueError: the file is neither PNG nor JPEG, or the note is blank.
        OutputError: the file cannot be read or replaced.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OutputError.from_os_error(path, exc) from None
    kind = "png" if data.startswith(_PNG_SIGNATURE) else "jpeg"
    noted = add_note_to_image_bytes(data, kind, note)
    tmp = temporary_name(path, "note")
    try:
        tmp.write_bytes(noted)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError.from_os_error(path, exc) from None


def read_note(path: str | os.PathLike[str]) -> str | None:
    """The face-swap note a PNG, JPEG or video file carries, or None.

    A comment or description without the marker (see the module docstring) is not a
    face swap's note, and reads as None; so does a file that is damaged or of a kind
    that cannot carry one.

    Raises:
        InputError: the file is missing, a folder or empty.
    """
    path = check_input_file(path)
    header = read_header(path)
    if header.startswith(_PNG_SIGNATURE):
        return _png_note(path.read_bytes())
    if header.startswith(_JPEG_SOI + b"\xff"):
        return _jpeg_note(path.read_bytes())
    if is_image_header(header):
        return None  # other photo formats never get a note
    return _video_note(path)
