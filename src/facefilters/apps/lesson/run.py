"""Running the lesson in a window on a camera, a video or a photo."""

from __future__ import annotations

import os
from typing import Callable

from ...catalog import Catalog
from ...detect.base import box_detector, close_detector, default_detector
from ...errors import SourceError
from ...i18n import Messages
from ...io.sources import FrameSource
from ..prepare import prepare_filter
from .app import Lesson
from .steps import STEPS


def run_lesson(
    *,
    camera: int = 0,
    source: str | os.PathLike[str] | None = None,
    mirror: bool = True,
    fullscreen: bool = False,
    lang: str | None = None,
    step: int = 1,
    face: str | os.PathLike[str] | None = None,
    log: Callable[[str], None] = print,
) -> None:
    """Run the lesson in a window on a camera, a video or a photo until the user quits.

    Raises:
        FaceFiltersError: no camera, no display, unreadable source.
    """
    from ...io.sources import CameraSource, FileSource
    from ...io.window import CvWindow, check_display

    messages = Messages(lang)
    # Step 8's face swap finds its source faces first: a bad --face fails before the window.
    swap = prepare_filter(Catalog().load("swap"), default_detector, face=face, messages=messages)
    try:
        check_display()
        frames: FrameSource = (
            FileSource(source) if source is not None else CameraSource(camera, (1280, 720))
        )
    except SourceError as e:
        raise e.translated(messages) from None
    # Said before the detectors start: they mute stderr while MediaPipe starts up.
    log(messages("lesson.keys"))
    detectors: list = []
    try:
        detectors.append(default_detector(static_image_mode=False, max_faces=4))
        # Full range: a face up to 5 m away gets its box too (the back of a classroom).
        detectors.append(box_detector(full_range=True))
        lesson = Lesson(detectors[0], detectors[1], messages, mirror=mirror, swap=swap)
        lesson.step = min(max(step, 1), len(STEPS)) - 1
        window = CvWindow(f"facefilters: {messages('lesson.title')}", fullscreen=fullscreen)
        try:
            lesson.run(frames, window)
        except SourceError as e:
            raise e.translated(messages) from None
        finally:
            window.close()
    finally:
        for detector in detectors:
            close_detector(detector)
        frames.close()
