"""Getting a filter ready to draw: the source faces of a swap, and its words' language.

Shared by ``apply``, ``live`` and ``lesson``: each builds its filter, then calls
:func:`prepare_filter` once, before the first frame.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..detect.base import DetectorFactory, close_detector
from ..effects import Filter
from ..errors import InputError
from ..i18n import Messages
from ..io.image import read_image
from ..render.mesh import MESH_WORDS


def prepare_filter(
    chosen: Filter,
    detector_factory: DetectorFactory,
    *,
    face: str | os.PathLike[str] | None = None,
    faces_dir: str | os.PathLike[str] | None = None,
    messages: Messages | None = None,
    log: Callable[[str], None] | None = None,
) -> Filter:
    """Find the faces a swap needs, and label a deepfake in the user's language.

    Args:
        chosen: the filter.
        detector_factory: builds the still-photo detector that finds the source faces
            (only built when the filter needs one).
        face: a photo whose face a swap uses first (``--face``).
        faces_dir: a folder of photos to cycle through as well (``--faces``); photos in it
            without exactly one face are left out, and said so through ``log``.
        messages: the user's language for the filter's name and words and the DEEPFAKE
            label; None for the system's.
        log: where to say which photos were left out.

    Returns:
        The filter to draw with.

    Raises:
        InputError: a photo or the folder cannot be read.
        FilterError: ``face`` or one of the filter's own photos has no face, or several.
    """
    messages = messages or Messages()
    chosen = in_language(chosen, messages)
    if not chosen.deepfake:
        return chosen
    image = read_image(face) if face is not None else None
    more = [(p.name, read_image(p)) for p in photos_in(faces_dir)] if faces_dir else []
    # Built on the first photo only: a trade takes its faces from the frames, and
    # starting MediaPipe for nothing costs a noticeable moment at start-up.
    detectors: list = []

    def find_faces(photo):
        if not detectors:
            detectors.append(detector_factory(static_image_mode=True, max_faces=2))
        return detectors[0].detect(photo, 0.0)

    try:
        skipped = chosen.prepare(find_faces, image, more)
    finally:
        for detector in detectors:
            close_detector(detector)
    if skipped and log is not None:
        log(messages("prepare.left_out", names=", ".join(skipped)))
    return chosen.labelled(messages("deepfake.label"))


def in_language(chosen: Filter, messages: Messages) -> Filter:
    """The filter with its name, description and the words it writes on the picture in
    the user's language.

    They come from the language files (``filter.<id>.name``, ``filter.<id>.description``,
    ``mesh.<word>``); a filter they do not name keeps the name in its filter.toml.
    """
    words = tuple((key, messages.get(f"mesh.{key}", key)) for key in MESH_WORDS)
    layers = tuple(
        # Effects that write words (the mesh's) are dataclasses.
        replace(layer, effect=replace(layer.effect, words=words))  # type: ignore[type-var]
        if hasattr(layer.effect, "words")
        else layer
        for layer in chosen.layers
    )
    return replace(
        chosen,
        name=messages.get(f"filter.{chosen.id}.name", chosen.name),
        description=messages.get(f"filter.{chosen.id}.description", chosen.description),
        layers=layers,
    )


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def photos_in(folder: str | os.PathLike[str]) -> list[Path]:
    """The photos in a folder (not its subfolders), sorted by name.

    Raises:
        InputError: ``folder`` is not a readable folder.
    """
    shown, folder = os.fspath(folder), Path(folder)
    if not folder.is_dir():
        raise InputError.said("error.not_a_folder", path=shown)
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES)
