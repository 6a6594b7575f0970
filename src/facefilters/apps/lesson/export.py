"""The lesson without a window: each step written as a PNG slide."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...detect.base import BoxDetector, Detector
from ...effects import Filter
from ...errors import InputError
from ...i18n import Messages
from ...io.credentials import add_credentials
from ...io.image import read_image, write_image
from ...io.probe import detect_kind
from ...io.provenance import add_note_to_image_file
from ...io.video import VideoReader
from .app import Lesson
from .steps import STEPS

SLIDE_T = 1.1
"""The animation time of the slides: the tears are well on their way down."""


def _first_frame(path: Path) -> np.ndarray:
    if detect_kind(path) == "image":
        return read_image(path)
    with VideoReader(path) as reader:
        for frame in reader:
            return frame.image
    raise InputError(f"cannot read '{path}': the video has no frames")  # pragma: no cover


def export_lesson(out_dir: Path, source: Path, messages: Messages, *,
                  detector: Detector, box_detector: BoxDetector,
                  steps: Sequence[int] | None = None, swap: Filter | None = None
                  ) -> list[Path]:
    """Write each lesson step as a PNG slide, made from a photo (or a video's first frame).

    Files are named ``01-pixels.png`` ... ``08-deepfake.png``; each is written to a
    temporary file and renamed, so a failure leaves no half-written slide.

    Returns:
        The paths written, in step order.
    """
    image = _first_frame(source)
    lesson = Lesson(detector, box_detector, messages, mirror=False, smoothing=False,
                    swap=swap)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for step in steps if steps is not None else range(len(STEPS)):
        lesson.step = step
        slide = lesson.render(image, 0.0, t=SLIDE_T)
        path = out_dir / f"{step + 1:02d}-{STEPS[step]}.png"
        tmp = path.with_name(f".{path.stem}.tmp.png")
        try:
            write_image(tmp, slide)
            if STEPS[step] == "deepfake" and swap is not None:
                add_note_to_image_file(tmp, messages("deepfake.note"))
                add_credentials(tmp, messages("deepfake.note"), title=path.name)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(path)
    return written
