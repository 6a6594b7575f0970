"""Step 4's anchor names, placed as the panels are: off the faces, inside the picture above
the caption band, off each other, with a line from each anchor to its name.

Synthetic faces (tests/builders.py) stand close together in a row, as two or three pupils
do in front of a laptop's camera; no MediaPipe.
"""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.apps.lesson.steps import (
    CANVAS_WH,
    LESSON_ANCHORS,
    StepContext,
    anchor_labels,
    band_height,
    face_boxes,
    step_anchors,
)
from facefilters.geometry import measure
from facefilters.i18n import LANGUAGES, Messages
from facefilters.render.layout import is_free

from builders import make_faces


def context(faces, lang: str = "en") -> StepContext:
    messages = Messages(lang)
    empty = np.zeros((0, 4), np.float32)
    return StepContext(
        faces,
        measure(faces),
        empty,
        np.zeros(0, np.float32),
        0.0,
        messages,
        None,  # type: ignore[arg-type]  # the filters are for later steps
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        band_y=CANVAS_WH[1] - band_height(messages),
    )


def overlaps(a, b) -> bool:
    return not is_free(a, [b])


SCENES = {
    # Two faces shoulder to shoulder, the larger on the left.
    "two close": make_faces(
        2, center_xy=[(470, 300), (700, 310)], eye_distance=[110, 90], spacing=0
    ),
    # Three in a row, near the top of the picture and filling its width.
    "three in a row": make_faces(3, center_xy=(640, 200), eye_distance=[100, 120, 100], spacing=3),
    # The largest face at the picture's right edge, a neighbour close beside it.
    "at the edge": make_faces(
        2, center_xy=[(1180, 330), (960, 330)], eye_distance=[120, 100], spacing=0
    ),
    # Three faces, one behind the others (smaller), all close.
    "three close": make_faces(
        3, center_xy=[(430, 330), (640, 250), (850, 340)], eye_distance=[100, 70, 110], spacing=0
    ),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("scene", sorted(SCENES))
def test_no_name_covers_another_face_or_leaves_the_picture(scene: str, lang: str) -> None:
    ctx = context(SCENES[scene], lang)
    labels = anchor_labels(ctx)
    assert [label.text for label in labels] == [
        ctx.messages(f"lesson.anchor.{name}") for name in LESSON_ANCHORS
    ]
    named = int(np.argmax(ctx.geometry.size_px))
    others = [box for k, box in enumerate(face_boxes(ctx)) if k != named]
    for label in labels:
        x1, y1, x2, y2 = label.xyxy
        assert 0 <= x1 and x2 <= CANVAS_WH[0] and 0 <= y1 and y2 <= ctx.band_y, label
        for box in others:
            assert not overlaps(label.xyxy, box), (label, box)
        # The named face's hair and forehead may carry its names, the face itself not.
        for face in ctx.faces.xyxy:
            assert not overlaps(label.xyxy, face), (label, face)
        # Read from the back of the room: never shrunk past half the size.
        assert label.size >= 14
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            assert not overlaps(labels[a].xyxy, labels[b].xyxy), (labels[a], labels[b])


def test_a_name_moved_off_a_neighbour_keeps_a_line_to_its_anchor() -> None:
    # The nose's name would go right of the nose, onto the neighbour's face.
    ctx = context(SCENES["two close"])
    frame = np.zeros((CANVAS_WH[1], CANVAS_WH[0], 3), np.uint8)
    step_anchors(frame, ctx)
    for label in anchor_labels(context(SCENES["two close"])):
        x1, y1, x2, y2 = label.xyxy
        ax, ay = label.anchor_xy
        end = np.array([np.clip(ax, x1, x2 - 1), np.clip(ay, y1, y2 - 1)], np.float32)
        # Halfway along the line from the anchor to its name the picture is white.
        mx, my = np.round((np.array(label.anchor_xy) + end) / 2).astype(int)
        if np.hypot(*(end - label.anchor_xy)) > 40:
            assert frame[my, mx].min() > 200, (label, frame[my, mx])


def test_one_face_keeps_its_names_beside_its_anchors() -> None:
    ctx = context(make_faces(1, center_xy=(640, 300), eye_distance=110))
    for label in anchor_labels(ctx):
        x1, y1, x2, y2 = label.xyxy
        ax, ay = label.anchor_xy
        gap = np.hypot(max(x1 - ax, 0, ax - x2), max(y1 - ay, 0, ay - y2))
        assert gap < 1.6 * 110, label  # where it was meant to go, not pushed away
        assert label.size == 28


def test_no_face_no_names() -> None:
    assert anchor_labels(context(make_faces(0))) == []
