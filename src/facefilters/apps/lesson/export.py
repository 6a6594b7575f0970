"""The lesson without a window: the slides as PNG files, one PDF and a PowerPoint deck.

The deck (``lesson.pptx``) has one slide per step, the slide's picture filling it and the
step's speaker notes (``lesson.<step>.notes``) in its notes, so a teacher can change it
in PowerPoint, Keynote, LibreOffice Impress or Google Slides.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ...detect.base import BoxDetector, Detector
from ...effects import Filter
from ...errors import InputError, OutputError, Phrase
from ...frames import Frame
from ...i18n import Messages
from ...io.atomic import atomic_output
from ...io.credentials import add_credentials
from ...io.image import read_image, write_image
from ...io.probe import detect_kind
from ...io.provenance import add_note_to_image_file
from ...io.video import VideoReader
from .app import Lesson
from .steps import STEPS

SLIDE_T = 1.1
"""The animation time of the slides: the tears are well on their way down."""
PDF_NAME = "lesson.pdf"
DECK_NAME = "lesson.pptx"
SLIDE_INCHES_WH = (13.333, 7.5)
"""A 16:9 slide, PowerPoint's default size."""


def _first_frame(path: str | os.PathLike[str]) -> np.ndarray:
    if detect_kind(path) == "image":
        return read_image(path)
    with VideoReader(path) as reader:
        for frame in reader:
            return frame.image
    raise InputError.said(  # pragma: no cover
        "error.cannot_read", path=os.fspath(path), reason=Phrase("error.reason.video_empty")
    )


def _write(path: str, write: Callable[[Path], None]) -> Path:
    """Write ``path`` (as the user's folder spells it, for the messages) through a hidden
    temporary file beside it, renamed when complete; an earlier export is replaced."""
    with atomic_output(path, force=True) as tmp:
        write(tmp)
    return Path(path)


def _make_folder(folder: str | os.PathLike[str]) -> None:
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.from_os_error(os.fspath(folder), exc) from None


def export_lesson(
    out_dir: str | os.PathLike[str],
    source: str | os.PathLike[str],
    messages: Messages,
    *,
    detector: Detector,
    box_detector: BoxDetector,
    steps: Sequence[int] | None = None,
    swap: Filter | None = None,
    lesson: Lesson | None = None,
) -> list[Path]:
    """Write each lesson step as a PNG slide, then all of them as a PDF and a deck.

    Made from a photo (or a video's first frame). Slides are named ``01-pixels.png`` ...
    ``14-reveal.png``; each file is written to a temporary file and renamed, so a
    failure leaves no half-written file. Slides that show a swapped face carry the
    face-swap note (and Content Credentials where ``c2pa`` is installed).

    Args:
        lesson: the lesson to draw with (its random side for the fake, for one); None
            builds one from the detectors.

    Returns:
        The paths written: the slides in step order, then the PDF and the deck.

    Raises:
        InputError: the source cannot be read, or it shows no face.
    """
    image = _first_frame(source)
    lesson = lesson or Lesson(
        detector, box_detector, messages, mirror=False, smoothing=False, swap=swap
    )
    if not len(lesson.pipeline.analyse(Frame(0, 0.0, image))):
        raise InputError.said("lesson.no_face_source", path=os.fspath(source))
    _make_folder(out_dir)
    written = []
    any_swapped = False
    chosen = list(steps if steps is not None else range(len(STEPS)))
    for step in chosen:
        lesson.step = step
        slide = lesson.render(image, 0.0, t=SLIDE_T)
        name = f"{step + 1:02d}-{STEPS[step]}.png"
        swapped = lesson.last is not None and lesson.last.swapped
        any_swapped |= swapped

        def write_slide(
            tmp: Path, slide: np.ndarray = slide, swapped: bool = swapped, name: str = name
        ) -> None:
            write_image(tmp, slide)
            if swapped:
                add_note_to_image_file(tmp, messages("deepfake.note"))
                add_credentials(tmp, messages("deepfake.note"), title=name)

        written.append(_write(os.path.join(out_dir, name), write_slide))
    slides = list(written)
    # Like every file with a swapped face in it, the PDF and the deck say so inside.
    note = messages("deepfake.note") if any_swapped else ""
    title = messages("lesson.title")
    pdf = _write(
        os.path.join(out_dir, PDF_NAME),
        lambda tmp: write_pdf(tmp, slides, title=title, note=note),
    )
    deck = _write(
        os.path.join(out_dir, DECK_NAME),
        lambda tmp: write_deck(
            tmp,
            slides,
            [notes_of(messages, s) for s in chosen],
            [messages(f"lesson.{STEPS[s]}.title") for s in chosen],
            title=title,
            note=note,
        ),
    )
    return [*written, pdf, deck]


def make_slides(
    out_dir: str | os.PathLike[str],
    *,
    source: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    face: str | os.PathLike[str] | None = None,
) -> tuple[list[Path], Messages]:
    """``facefilters lesson --export``: the slides from a photo, with the detectors the
    live lesson uses (every face, small ones too), and the face swap prepared.

    Args:
        source: the photo (or video) the slides are made from; None for the sample
            portrait.
        face: a photo whose face the swap uses first (``--face``).

    Returns:
        The paths written (see :func:`export_lesson`) and the messages they were made in.
    """
    from ...catalog import Catalog
    from ...detect.base import box_detector, close_detector, default_detector
    from ...paths import samples_dir
    from ..prepare import prepare_filter

    messages = Messages(lang)
    swap = prepare_filter(Catalog().load("swap"), default_detector, face=face, messages=messages)
    photo: str | os.PathLike[str] = source if source is not None else samples_dir() / "portrait.jpg"
    detector = default_detector(static_image_mode=True)
    try:
        with box_detector(full_range=True) as boxes:
            return export_lesson(
                out_dir, photo, messages, detector=detector, box_detector=boxes, swap=swap
            ), messages
    finally:
        close_detector(detector)


def notes_of(messages: Messages, step: int) -> str:
    """The speaker notes of a step: what to say, what to ask the class."""
    return messages(f"lesson.{STEPS[step]}.notes")


def write_pdf(
    path: Path,
    slides: Sequence[Path],
    *,
    title: str = "",
    note: str = "",
) -> None:
    """One PDF page per slide picture, in order.

    Args:
        title: the document's title.
        note: the face-swap note, kept as the document's subject ("" for none).
    """
    from PIL import Image

    pages = [Image.open(p).convert("RGB") for p in slides]
    # 96 dpi: a 1280 x 720 slide is a 13.3 x 7.5 inch page, the deck's size.
    pages[0].save(
        path,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=96.0,
        title=title,
        subject=note,
        creator="facefilters",
    )


def write_deck(
    path: Path,
    slides: Sequence[Path],
    notes: Sequence[str],
    titles: Sequence[str],
    *,
    title: str = "",
    note: str = "",
) -> None:
    """A PowerPoint deck: each slide picture full-size, its notes in the slide's notes.

    Args:
        slides: the slide pictures, in order.
        notes: the speaker notes of each slide.
        titles: each slide's title, kept as the picture's alternative text (read aloud by
            screen readers, and searchable in the deck).
        title: the deck's title.
        note: the face-swap note, kept in the deck's comments ("" for none).
    """
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = (Inches(v) for v in SLIDE_INCHES_WH)
    blank = deck.slide_layouts[6]
    for picture, text, slide_title in zip(slides, notes, titles):
        slide = deck.slides.add_slide(blank)
        shape = slide.shapes.add_picture(
            str(picture), 0, 0, width=deck.slide_width, height=deck.slide_height
        )
        shape._element.nvPicPr.cNvPr.set("descr", slide_title)
        slide.notes_slide.notes_text_frame.text = text
    deck.core_properties.title = title
    deck.core_properties.comments = note
    deck.save(str(path))
