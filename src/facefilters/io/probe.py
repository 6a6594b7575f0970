"""Tell photos from videos by their content.

The kind of a file is decided by what is inside it, never by its name, so a PNG saved as
``clip.mp4`` is still read as a photo, and a text file named ``clip.mp4`` is refused with a
message instead of an FFmpeg traceback.
"""

from __future__ import annotations

import os
from typing import Literal

from .files import check_input_file, is_image_header, read_header
from .image import is_still_image
from .video import VideoReader

__all__ = ["MediaKind", "detect_kind"]

MediaKind = Literal["image", "video"]


def detect_kind(path: str | os.PathLike[str]) -> MediaKind:
    """Decide whether a file is a photo or a video from its content.

    A file is an image when its first bytes carry a still-image signature (see
    `is_image_header`), or when Pillow reads it as one still picture (AVIF, HEIC, a
    one-frame GIF: see `is_still_image`). Otherwise it is a video when FFmpeg can open
    it, it has a video stream and at least one frame of that stream decodes.

    Args:
        path: The file to look at. Its name and suffix play no part.

    Returns:
        ``"image"`` or ``"video"``.

    Raises:
        InputError: The file is missing, a folder or empty; it is neither an image nor a
            video; it is a HEIC or AVIF photo and the codec for it is missing; it has no
            video stream; or the video is empty or truncated so that no frame decodes.
    """
    # The path goes on as given, so that every message names it as the user typed it.
    check_input_file(path)
    header = read_header(path)
    if is_image_header(header) or is_still_image(path, header):
        return "image"
    with VideoReader(path):
        # Opening decodes the first frame, so reaching here proves the video is readable.
        return "video"
