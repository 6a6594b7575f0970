"""The lesson's steps: each draws one more layer of the machinery on the picture.

Pixels, the detector's box, the 478 landmarks (and the square crop the network sees),
the anchors, a filter on the anchors, a measurement that triggers the tongue, the crying
filter, the face swap beside the original, then what real deepfakes do, their dangers,
their good uses, how to check a picture, and a "real or fake?" game with its answer.
Every word comes from the language files (``locales/<lang>.txt``): a step's title,
caption and speaker notes are ``lesson.<step>.title``, ``.text`` and ``.notes``.

The slide is laid out so that nothing important is hidden: the caption band has the same
height on every slide of a language, and the picture is fitted into the space above it
(see :func:`picture_area`); labels, gauges and panels are placed inside that space and
off the faces (:func:`~facefilters.render.layout.place_box`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from typing import Callable

import cv2
import numpy as np

from ...effects import Filter
from ...faces import Faces
from ...geometry import LOWER_LIP, UPPER_LIP, FaceGeometry
from ...i18n import Messages
from ...render.draw import AA
from ...render.label import draw_deepfake_label
from ...render.layout import is_free, place_box
from ...render.mesh import draw_mesh
from ...render.text import draw_caption, draw_panel, draw_text, text_size, wrap_text

CANVAS_WH = (1280, 720)
"""Lessons are drawn on a 16:9 canvas of this size, whatever the source."""

STEPS = (
    "pixels",
    "detector",
    "landmarks",
    "anchors",
    "filter",
    "reacting",
    "crying",
    "swap",
    "further",
    "dangers",
    "uses",
    "checking",
    "guess",
    "reveal",
)
LAYOUTS = {
    "swap": "pair",
    "guess": "pair",
    "reveal": "pair",
    "further": "side",
    "dangers": "side",
    "uses": "side",
    "checking": "side",
}
"""How a step shares the space above the caption: ``full`` (the default) fills it with
the picture, ``side`` puts the picture on the left and a panel on the right, ``pair``
shows the picture twice, side by side (the original and the swap)."""
PANEL_STEPS = ("further", "dangers", "uses", "checking")
"""Steps whose right-hand panel lists ``lesson.<step>.points``."""

ACCENT = (80, 220, 255)  # the caption titles' yellow
POINT_BGR = (255, 230, 120)
REAL_BGR = (80, 200, 80)
FAKE_BGR = (30, 30, 200)
SIDE_SHARE = 0.36  # the picture's share of the width in a ``side`` step (zoomed to the faces)
PAIR_HEADER = 64  # the row above a ``pair`` step's pictures, for their names
MARGIN = 16
TEXT_PX = 28  # labels on the picture: read from the back of a classroom
LINE_PX = 3  # lines on the picture: visible through a projector


@dataclass
class StepContext:
    """Everything a step draws from, for one frame.

    Attributes:
        faces: landmarks on the canvas (mirrored if the canvas is).
        geometry: ``measure(faces)``.
        boxes_xyxy: ndarray of shape (n, 4), float32: the face detector's boxes.
        confidence: ndarray of shape (n,), float32: the detector's confidence per box.
        t: animation time in seconds.
        messages: captions in the chosen language.
        dog, crying: the filters steps 5 to 7 show.
        dog_still: the dog without its tongue (step 5).
        swap: the face swap with a portrait, prepared (its source faces found), or None
            (then only two or more faces can be swapped: they trade).
        trade: two or more faces trading places, labelled.
        picture_xyxy: where the picture is on the canvas (``x1, y1, x2, y2``).
        band_y: where the caption band starts.
        fake_right: in the "real or fake?" steps, the fake is on the right.
        crop_xyxy: per face, the square crop the landmark network looked at, on the
            canvas: ndarray of shape (n, 4), float32 (empty when unknown).
        swapped: set by a step that drew a swapped face (the export then marks the file).
        placed: the panels and labels a step placed off the faces, ``x1, y1, x2, y2``.
    """

    faces: Faces
    geometry: FaceGeometry
    boxes_xyxy: np.ndarray
    confidence: np.ndarray
    t: float
    messages: Messages
    dog: Filter
    crying: Filter
    dog_still: Filter
    swap: Filter | None = None
    trade: Filter | None = None
    picture_xyxy: tuple[int, int, int, int] = (0, 0, *CANVAS_WH)
    band_y: int = CANVAS_WH[1]
    fake_right: bool = True
    crop_xyxy: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    swapped: bool = False
    placed: list[tuple[int, int, int, int]] = field(default_factory=list)


# -- the layout --------------------------------------------------------------------------


def caption_body(messages: Messages, step: int) -> str:
    return messages(f"lesson.{STEPS[step]}.text")


def draw_step_caption(
    canvas: np.ndarray, messages: Messages, step: int, min_height: int = 0
) -> int:
    """The caption band of ``step``; returns where it starts."""
    name = STEPS[step]
    return draw_caption(
        canvas,
        messages(f"lesson.{name}.title"),
        caption_body(messages, step),
        corner=messages("lesson.step", n=step + 1, total=len(STEPS)),
        min_height=min_height,
    )


@cache
def _band_height(lang: str, size_wh: tuple[int, int]) -> int:
    messages = Messages(lang)
    scratch = np.zeros((size_wh[1], size_wh[0], 3), np.uint8)
    return size_wh[1] - min(
        draw_step_caption(scratch, messages, step) for step in range(len(STEPS))
    )


def band_height(messages: Messages, size_wh: tuple[int, int] = CANVAS_WH) -> int:
    """The caption band's height on every slide of this language: the tallest caption's."""
    return _band_height(messages.lang, size_wh)


def picture_area(
    step: int,
    band_y: int,
    size_wh: tuple[int, int] = CANVAS_WH,
) -> tuple[int, int, int, int]:
    """Where step ``step`` fits the picture: ``x1, y1, x2, y2`` on the canvas."""
    w = size_wh[0]
    layout = LAYOUTS.get(STEPS[step], "full")
    if layout == "side":
        return 0, 0, int(w * SIDE_SHARE), band_y
    if layout == "pair":
        return MARGIN, PAIR_HEADER, w // 2 - MARGIN // 2, band_y - MARGIN // 2
    return 0, 0, w, band_y


def fit_canvas(image: np.ndarray, size_wh: tuple[int, int] = CANVAS_WH) -> np.ndarray:
    """The image scaled to fit ``size_wh``, on a blurred, darkened copy of itself.

    Args:
        image: ndarray of shape (H, W, 3), uint8, BGR.

    Returns:
        ndarray of shape (size_wh[1], size_wh[0], 3), uint8, BGR.
    """
    return fit_photo(image, size_wh)[0]


def fit_photo(
    image: np.ndarray,
    size_wh: tuple[int, int] = CANVAS_WH,
    area_xyxy: tuple[int, int, int, int] | None = None,
    *,
    plain: bool = False,
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Fit a picture onto the lesson canvas, centred in ``area_xyxy`` (default: all of it).

    Args:
        image: ndarray of shape (H, W, 3), uint8, BGR.
        size_wh: the canvas size.
        area_xyxy: where the picture goes; None for the whole canvas.
        plain: a plain dark background instead of a blurred, darkened copy of the picture
            (for slides with panels and text beside the picture).

    Returns:
        The canvas (ndarray of shape (size_wh[1], size_wh[0], 3), uint8), the scaled
        picture alone (ndarray of shape (h, w, 3), uint8), and the canvas ``xy`` of that
        picture's top-left corner.
    """
    cw, ch = size_wh
    ax1, ay1, ax2, ay2 = area_xyxy if area_xyxy is not None else (0, 0, cw, ch)
    aw, ah = ax2 - ax1, ay2 - ay1
    h, w = image.shape[:2]
    scale = min(aw / w, ah / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    fitted = cv2.resize(
        image, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    )
    if (nw, nh) == (cw, ch):
        return fitted, fitted, (0, 0)
    if plain:
        canvas = np.full((ch, cw, 3), 28, np.uint8)
    else:
        small = cv2.resize(image, (max(1, cw // 8), max(1, ch // 8)), interpolation=cv2.INTER_AREA)
        # Darkened while small: the same picture, for a 64th of the work on every frame.
        small = cv2.convertScaleAbs(cv2.GaussianBlur(small, (0, 0), 3), alpha=0.45)
        canvas = cv2.resize(small, (cw, ch))
    x, y = ax1 + (aw - nw) // 2, ay1 + (ah - nh) // 2
    canvas[y : y + nh, x : x + nw] = fitted
    return canvas, fitted, (x, y)


def face_boxes(ctx: StepContext) -> np.ndarray:
    """Where the faces are, hair and chin included: ndarray of shape (n, 4), float32.

    The landmarks stop at the brows; labels kept off these boxes stay off the forehead.
    """
    if not len(ctx.faces):
        return np.zeros((0, 4), np.float32)
    x1, y1, x2, y2 = ctx.faces.xyxy.T
    w, h = x2 - x1, y2 - y1
    return np.stack([x1 - 0.1 * w, y1 - 0.45 * h, x2 + 0.1 * w, y2 + 0.05 * h], axis=1)


def _above_band(ctx: StepContext) -> tuple[int, int, int, int]:
    return MARGIN, MARGIN, CANVAS_WH[0] - MARGIN, ctx.band_y - MARGIN


def _place(
    ctx: StepContext,
    size_wh: tuple[int, int],
    near_xy: Sequence[float],
    also: Sequence[tuple[int, int, int, int]] = (),
    own_face: int | None = None,
) -> tuple[int, int, float]:
    """Where a panel of ``size_wh`` goes: above the band, off the faces and the panels
    already placed (and the boxes in ``also``), as near ``near_xy`` as that allows.

    With many faces in view there may be no room for it: it is made smaller until there
    is (down to half its size).

    Args:
        own_face: the face the panel names: it may come onto that face's hair and
            forehead, beside what it names, but not onto the face itself; None to keep
            off every face with its hair.

    Returns:
        The panel's top-left ``x, y`` and the scale it is drawn at (1 or less).
    """
    faces = [ctx.faces.xyxy[k] if k == own_face else box for k, box in enumerate(face_boxes(ctx))]
    avoid = [*faces, *ctx.placed, *also]
    near = (float(near_xy[0]), float(near_xy[1]))
    for scale in (1.0, 0.85, 0.7, 0.6, 0.5):
        w, h = int(size_wh[0] * scale), int(size_wh[1] * scale)
        x, y = place_box((w, h), _above_band(ctx), avoid, near)
        if is_free((x, y, x + w, y + h), avoid):
            break
    ctx.placed.append((x, y, x + w, y + h))
    return x, y, scale


def _label(
    frame: np.ndarray,
    text: str,
    xy: tuple[int, int],
    size: int,
    background: tuple[int, int, int],
    color: tuple[int, int, int] = (255, 255, 255),
) -> None:
    """A word on an opaque rounded panel; ``xy`` is the panel's top-left corner."""
    w, h = _label_size(text, size)
    x, y = xy
    draw_panel(frame, (x, y, x + w, y + h), color=background, opacity=0.92, radius=size // 3)
    draw_text(frame, text, (x + size // 3, y + size // 6), size, bold=True, color=color)


def _inset_caption(
    frame: np.ndarray, lines: Sequence[str], xy: tuple[int, int], size: int, spacing: float
) -> None:
    """Lines of text under an enlarged inset, ``xy`` the first one's top-left corner.

    On a dark panel: where faces crowd the picture the inset lands on clothes or a
    poster, and shadowed letters alone are lost there.
    """
    x, y = xy
    step = int(size * spacing)
    w = max(text_size(line, size, bold=True)[0] for line in lines)
    pad = max(3, size // 5)
    draw_panel(
        frame,
        (x - pad, y - pad, x + w + pad, y + len(lines) * step + pad),
        opacity=0.75,
        radius=pad * 2,
    )
    for k, line in enumerate(lines):
        draw_text(frame, line, (x, y + k * step), size, bold=True, shadow=True)


def _label_size(text: str, size: int) -> tuple[int, int]:
    w, h = text_size(text, size, bold=True)
    return w + 2 * (size // 3), h + size // 3


# -- the steps ---------------------------------------------------------------------------


def step_pixels(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 1: a zoomed patch of the picture with each pixel's brightness written in it,
    and one pixel's three numbers (blue, green, red)."""
    fh, fw = frame.shape[:2]
    cols, rows = 10, 7
    if len(ctx.faces):
        cx, cy = ctx.geometry.anchors["right_eye"][0]
    else:
        x1, y1, x2, y2 = ctx.picture_xyxy
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    x0 = int(np.clip(round(cx - cols / 2), 0, fw - cols))
    y0 = int(np.clip(round(cy - rows / 2), 0, fh - rows))
    patch = frame[y0 : y0 + rows, x0 : x0 + cols].copy()
    grey = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
    cell = ctx.band_y // 12
    label = ctx.messages("lesson.pixels.label")
    # The pixel in the middle of the patch, framed, and its own three numbers.
    mr, mc = rows // 2, cols // 2
    b, g, r = (int(v) for v in patch[mr, mc])
    one = ctx.messages("lesson.pixels.one", blue=b, green=g, red=r)
    label_px = TEXT_PX * 4 // 5
    label_h = int(label_px * 2.6)
    label_w = max(text_size(t, label_px, bold=True)[0] for t in (label, one))
    px, py, scale = _place(ctx, (max(cols * cell, label_w), rows * cell + label_h), (cx, cy))
    cell = int(cell * scale)
    pw, ph = cols * cell, rows * cell
    zoom = cv2.resize(patch, (pw, ph), interpolation=cv2.INTER_NEAREST)
    # Where the patch comes from, and lines from there to the enlargement.
    mark = 4
    cv2.rectangle(
        frame, (x0 - mark, y0 - mark), (x0 + cols + mark, y0 + rows + mark), ACCENT, LINE_PX, AA
    )
    for corner_src, corner_dst in (
        ((x0, y0), (px, py)),
        ((x0, y0 + rows), (px, py + ph)),
        ((x0 + cols, y0), (px + pw, py)),
        ((x0 + cols, y0 + rows), (px + pw, py + ph)),
    ):
        cv2.line(frame, corner_src, corner_dst, ACCENT, 2, AA)
    frame[py : py + ph, px : px + pw] = zoom
    size = max(10, int(cell * 0.38))
    for r in range(rows):
        for c in range(cols):
            value = int(grey[r, c])
            color = (0, 0, 0) if value > 140 else (255, 255, 255)
            draw_text(
                frame,
                str(value),
                (px + c * cell + cell / 2, py + r * cell + cell * 0.25),
                size,
                color=color,
                align="center",
            )
    for k in range(cols + 1):
        cv2.line(frame, (px + k * cell, py), (px + k * cell, py + ph), (60, 60, 60), 1)
    for k in range(rows + 1):
        cv2.line(frame, (px, py + k * cell), (px + pw, py + k * cell), (60, 60, 60), 1)
    cv2.rectangle(frame, (px, py), (px + pw, py + ph), ACCENT, LINE_PX, AA)
    cv2.rectangle(
        frame,
        (px + mc * cell, py + mr * cell),
        (px + (mc + 1) * cell, py + (mr + 1) * cell),
        (255, 255, 255),
        LINE_PX,
        AA,
    )
    _inset_caption(frame, [label, one], (px, py + ph + 4), int(label_px * scale), 1.2)


def step_detector(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 2: the face detector's box and its confidence, for every face."""
    size = TEXT_PX
    for box, score in zip(ctx.boxes_xyxy, ctx.confidence):
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        cv2.rectangle(frame, (x1, y1), (x2, y2), (90, 230, 90), LINE_PX + 1, AA)
        percent = ctx.messages.number(100 * float(score), 0)
        text = ctx.messages("lesson.box.label", score=percent)
        w, h = _label_size(text, size)
        # Above the box, or inside its top when the box touches the top of the picture.
        y = y1 - h if y1 - h >= 0 else y1 + LINE_PX
        x = int(np.clip(x1, 0, frame.shape[1] - w))
        _label(frame, text, (x, y), size, (40, 140, 40))


def step_landmarks(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 3: the square crop the landmark network sees, then its 478 points."""
    crops: list[tuple[np.ndarray, tuple[int, int, int, int]]] = []
    for box in ctx.crop_xyxy[:1]:
        # Taken before the points are drawn: the network sees the bare picture.
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        fh, fw = frame.shape[:2]
        cx1, cy1, cx2, cy2 = max(x1, 0), max(y1, 0), min(x2, fw), min(y2, fh)
        if cx2 - cx1 > 8 and cy2 - cy1 > 8:
            crop = np.zeros((y2 - y1, x2 - x1, 3), np.uint8)
            crop[cy1 - y1 : cy2 - y1, cx1 - x1 : cx2 - x1] = frame[cy1:cy2, cx1:cx2]
            crops.append((crop, (x1, y1, x2, y2)))
    for i in range(len(ctx.faces)):
        draw_mesh(frame, ctx.faces, ctx.geometry, i, box=False, anchors=False)
        radius = max(2, int(round(ctx.geometry.size_px[i] / 45)))
        for x, y in np.round(ctx.faces.xy[i]).astype(int):
            cv2.circle(frame, (int(x), int(y)), radius, POINT_BGR, -1, AA)
    if not len(ctx.faces):
        return
    g = ctx.geometry
    for crop, (x1, y1, x2, y2) in crops:
        side = int(ctx.band_y * 0.42)
        caption = ctx.messages("lesson.landmarks.crop")
        size = TEXT_PX * 4 // 5
        width = int(side * 1.5)
        lines = wrap_text(caption, size, width, bold=True)
        text_h = len(lines) * int(size * 1.25)
        # The square it is cut from is marked on the picture: the inset keeps off it.
        px, py, scale = _place(
            ctx, (width, side + text_h + 6), g.anchors["nose_tip"][0], also=[(x1, y1, x2, y2)]
        )
        side, size = int(side * scale), int(size * scale)
        inset = cv2.resize(crop, (side, side), interpolation=cv2.INTER_AREA)
        cv2.rectangle(frame, (x1, y1), (x2, y2), ACCENT, 2, AA)
        frame[py : py + side, px : px + side] = inset
        cv2.rectangle(frame, (px, py), (px + side, py + side), ACCENT, LINE_PX, AA)
        _inset_caption(frame, lines, (px, py + side + 6), size, 1.25)
    text = ctx.messages("lesson.points", count=ctx.faces.landmarks.shape[1])
    size = int(TEXT_PX * 1.3)
    w, h = text_size(text, size, bold=True)
    x1, y1, x2, y2 = ctx.faces.xyxy[0]
    x, y, scale = _place(
        ctx,
        (w, h),
        (x2 + w / 2 + 10, y1),
        also=[(int(a), int(b), int(c), int(d)) for a, b, c, d in ctx.crop_xyxy[:1]],
    )
    draw_text(frame, text, (x, y), int(size * scale), bold=True, color=ACCENT, shadow=True)


LESSON_ANCHORS = ("right_eye", "left_eye", "nose_tip", "mouth_center")
# Where each anchor's name would best go, in the face frame (eye distances from the
# anchor); the label sits on the far side of that point, away from the anchor.
_ANCHOR_LABEL_SIDE = {
    "right_eye": (-0.9, -0.6),
    "left_eye": (0.9, -0.6),
    "nose_tip": (1.2, 0.0),
    "mouth_center": (1.2, 0.35),
}


@dataclass(frozen=True)
class AnchorLabel:
    """One anchor's name on the picture, placed by :func:`anchor_labels`.

    Attributes:
        text: the name, in the lesson's language.
        anchor_xy: the anchor's pixel position.
        xyxy: the label's box ``x1, y1, x2, y2`` on the canvas.
        size: its text size in pixels (smaller than ``TEXT_PX`` where room is short).
    """

    text: str
    anchor_xy: tuple[int, int]
    xyxy: tuple[int, int, int, int]
    size: int


def anchor_labels(ctx: StepContext) -> list[AnchorLabel]:
    """The anchors' names on the largest face, each placed as the panels are: inside the
    picture above the band, off every face (the named one's hair excepted) and off each
    other, as near its place beside the anchor as that allows.

    Only one face is named: the points on every face show that they all have them.
    """
    if not len(ctx.faces):
        return []
    g = ctx.geometry
    i = int(np.argmax(g.size_px))
    labels = []
    for name in LESSON_ANCHORS:
        text = ctx.messages(f"lesson.anchor.{name}")
        w, h = _label_size(text, TEXT_PX)
        p = g.anchors[name][i]
        q = g.face_to_image(i, name, _ANCHOR_LABEL_SIDE[name])
        near = (q[0] - w / 2 if q[0] < p[0] else q[0] + w / 2, q[1])
        x, y, scale = _place(ctx, (w, h), near, own_face=i)
        size = int(TEXT_PX * scale)
        w, h = _label_size(text, size)
        anchor_xy = (int(round(p[0])), int(round(p[1])))
        labels.append(AnchorLabel(text, anchor_xy, (x, y, x + w, y + h), size))
    return labels


def _anchor_radius(g: FaceGeometry, i: int) -> int:
    return max(5, int(g.size_px[i] * 0.09))


def step_anchors(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 4: the eyes, the nose tip and the mouth, highlighted and named."""
    g = ctx.geometry
    labels = anchor_labels(ctx)
    for label in labels:
        x1, y1, x2, y2 = label.xyxy
        ax, ay = label.anchor_xy
        # To the label's nearest point: beside it as planned, or wherever it had to go.
        end = (int(np.clip(ax, x1, x2 - 1)), int(np.clip(ay, y1, y2 - 1)))
        cv2.line(frame, label.anchor_xy, end, (255, 255, 255), LINE_PX, AA)
    for i in range(len(ctx.faces)):
        radius = _anchor_radius(g, i)
        for name in LESSON_ANCHORS:
            p = g.anchors[name][i]
            pc = (int(round(p[0])), int(round(p[1])))
            cv2.circle(frame, pc, radius + 3, (255, 255, 255), -1, AA)
            cv2.circle(frame, pc, radius, (40, 140, 255), -1, AA)
    for label in labels:
        _label(frame, label.text, label.xyxy[:2], label.size, (20, 70, 160))


def step_filter(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 5: dog ears and nose, pinned to the anchors (no tongue yet)."""
    ctx.dog_still.apply(frame, ctx.faces, ctx.t)


def step_reacting(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 6: the lip gap is measured; past a threshold the tongue comes out."""
    ctx.dog.apply(frame, ctx.faces, ctx.t)
    threshold = next(
        (
            layer.when.threshold
            for layer in ctx.dog.layers
            if layer.when is not None and layer.when.measure == "mouth_open"
        ),
        0.25,
    )
    g = ctx.geometry
    for i in range(len(ctx.faces)):
        size = TEXT_PX
        top, bottom = ctx.faces.xy[i, UPPER_LIP], ctx.faces.xy[i, LOWER_LIP]
        value = float(g.measures["mouth_open"][i])
        color = (80, 230, 80) if value > threshold else (255, 255, 255)
        for p in (top, bottom):
            cv2.circle(frame, tuple(int(v) for v in p), 5, color, -1, AA)
        cv2.line(
            frame, tuple(int(v) for v in top), tuple(int(v) for v in bottom), color, LINE_PX, AA
        )
        # The gauge, with the threshold marked, beside the mouth and off every face.
        text = ctx.messages("lesson.mouth", value=ctx.messages.number(value))
        hint = ctx.messages("lesson.mouth_threshold", value=ctx.messages.number(threshold))
        w = max(text_size(text, size, bold=True)[0], text_size(hint, size * 3 // 4)[0], size * 8)
        pad = size // 3
        panel_wh = (w + 2 * pad, int(size * 3.6) + 2 * pad)
        mouth = (top + bottom) / 2
        px, py, scale = _place(
            ctx, panel_wh, (mouth[0] + g.size_px[i] * 1.2 + panel_wh[0] / 2, mouth[1])
        )
        if scale < 1:
            size = int(TEXT_PX * scale)
            w, pad = int(w * scale), size // 3
            panel_wh = (w + 2 * pad, int(size * 3.6) + 2 * pad)
        # A line from the mouth to its gauge, so two faces' gauges are not confused.
        near_x = px if px > mouth[0] else px + panel_wh[0]
        cv2.line(
            frame,
            tuple(int(v) for v in mouth),
            (int(near_x), int(py + panel_wh[1] / 2)),
            color,
            2,
            AA,
        )
        draw_panel(
            frame, (px, py, px + panel_wh[0], py + panel_wh[1]), opacity=0.85, radius=size // 3
        )
        x, y = px + pad, py + pad
        draw_text(frame, text, (x, y), size, bold=True, color=color)
        gy = y + int(size * 1.5)
        full = 0.6
        cv2.rectangle(frame, (x, gy), (x + w, gy + size // 2), (90, 90, 90), -1)
        fill = int(w * min(value, full) / full)
        cv2.rectangle(frame, (x, gy), (x + fill, gy + size // 2), color, -1)
        tx = x + int(w * threshold / full)
        cv2.line(frame, (tx, gy - size // 3), (tx, gy + size // 2 + size // 3), ACCENT, 4)
        draw_text(frame, hint, (x, gy + size * 3 // 4 + 4), size * 3 // 4, color=ACCENT)


def step_crying(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 7: the crying filter: the face itself bent (mouth down, brows up), and tears."""
    ctx.crying.apply(frame, ctx.faces, ctx.t)


def _swap_in(
    frame: np.ndarray,
    ctx: StepContext,
    xyxy: tuple[int, int, int, int],
    faces: Faces,
    label: str | None = None,
) -> bool:
    """Swap the faces in the picture at ``xyxy`` of ``frame``, in place, labelled.

    One face gets the portrait's face; two or more trade faces. ``faces`` are on the
    canvas, for the picture at ``xyxy``. Returns whether anything was swapped.
    """
    chosen = ctx.trade if len(faces) >= 2 else ctx.swap
    if chosen is None or not len(faces):
        return False
    if label is not None:
        chosen = chosen.labelled(label)
    x1, y1, x2, y2 = xyxy
    local = faces.with_landmarks(faces.landmarks - np.array([x1, y1, 0], np.float32))
    chosen.apply(frame[y1:y2, x1:x2], local, ctx.t)
    ctx.swapped = True
    return True


def _pair(
    frame: np.ndarray,
    ctx: StepContext,
    fake_right: bool,
    label: str | None,
) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """The picture twice, side by side, one of them swapped.

    Returns:
        The left and the right picture's ``xyxy`` on the canvas.
    """
    x1, y1, x2, y2 = ctx.picture_xyxy
    dx = CANVAS_WH[0] // 2
    frame[y1:y2, x1 + dx : x2 + dx] = frame[y1:y2, x1:x2]
    left, right = (x1, y1, x2, y2), (x1 + dx, y1, x2 + dx, y2)
    shifted = ctx.faces.with_landmarks(ctx.faces.landmarks + np.array([dx, 0, 0], np.float32))
    if fake_right:
        _swap_in(frame, ctx, right, shifted, label)
    else:
        _swap_in(frame, ctx, left, ctx.faces, label)
    return left, right


def _header(
    frame: np.ndarray, text: str, xyxy: tuple[int, int, int, int], background: tuple[int, int, int]
) -> None:
    """A name above a picture of a ``pair`` step, centred on it, within its half."""
    size = TEXT_PX
    w, h = _label_size(text, size)
    x1, y1, x2, _ = xyxy
    room = CANVAS_WH[0] // 2 - 2 * MARGIN
    while w > room and size > 14:
        size -= 2
        w, h = _label_size(text, size)
    half = 0 if x1 < CANVAS_WH[0] // 2 else CANVAS_WH[0] // 2
    x = int(np.clip((x1 + x2 - w) / 2, half + MARGIN, half + CANVAS_WH[0] // 2 - MARGIN - w))
    _label(frame, text, (x, max(0, y1 - h - 8)), size, background)


def step_swap(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 8: the original beside the swap: a portrait's face on yours, or faces traded."""
    left, right = _pair(frame, ctx, True, None)
    _header(frame, ctx.messages("lesson.swap.real"), left, (60, 110, 60))
    key = "lesson.swap.traded" if len(ctx.faces) >= 2 else "lesson.swap.fake"
    _header(frame, ctx.messages(key), right, FAKE_BGR)


def step_guess(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 13: real or fake? The same two pictures in a random order, both asked about."""
    question = ctx.messages("lesson.guess.label")
    left, right = _pair(frame, ctx, ctx.fake_right, question)
    real = left if ctx.fake_right else right
    # Both carry the question: the label is on the swapped picture as always, and the
    # real one asks the same, so the badge gives nothing away until the reveal.
    x1, y1, x2, y2 = real
    draw_deepfake_label(frame[y1:y2, x1:x2], question)
    for letter, xyxy in (("A", left), ("B", right)):
        _header(frame, letter, xyxy, (90, 90, 90))


def step_reveal(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 14: the answer: which of the two was the fake, labelled as such."""
    left, right = _pair(frame, ctx, ctx.fake_right, None)
    for letter, xyxy, fake in (("A", left, not ctx.fake_right), ("B", right, ctx.fake_right)):
        word = ctx.messages("lesson.reveal.fake" if fake else "lesson.reveal.real")
        color = FAKE_BGR if fake else REAL_BGR
        _header(frame, ctx.messages("lesson.reveal.answer", letter=letter, word=word), xyxy, color)
        x1, y1, x2, y2 = xyxy
        cv2.rectangle(frame, (x1 - 3, y1 - 3), (x2 + 2, y2 + 2), color, 6)


def _bullets(items: Sequence[str], size: int, width: int) -> list[str]:
    lines: list[str] = []
    for item in items:
        wrapped = wrap_text(item, size, width)
        lines += ["• " + wrapped[0]] + ["   " + w for w in wrapped[1:]]
    return lines


@lru_cache(maxsize=256)
def _panel_lines(
    title: str,
    items: tuple[str, ...],
    size: int,
    width: int,
) -> tuple[tuple[str, ...], tuple[str, ...], int, int]:
    """The panel's title lines and bullet lines at letter size ``size``, where the
    bullets start below its top, and its height.

    Cached: wrapping measures every candidate line, and a live lesson would do it again
    on every frame for the same words (half a second per frame for step 12).
    """
    heads = wrap_text(title, int(size * 1.15), width - size, bold=True)
    lines = _bullets(items, size, width - size * 2)
    top = int(size * 0.5) + len(heads) * int(size * 1.4)
    return tuple(heads), tuple(lines), top, top + len(lines) * int(size * 1.3) + size // 2


def _draw_panel(
    frame: np.ndarray,
    title: str,
    items: tuple[str, ...],
    xy: tuple[int, int],
    width: int,
    size: int,
) -> int:
    """A titled panel of bullet points; returns where it ends (its bottom y)."""
    x0, y0 = xy
    heads, lines, top, height = _panel_lines(title, items, size, width)
    draw_panel(frame, (x0, y0, x0 + width, y0 + height), opacity=0.9, radius=size // 2)
    for k, head in enumerate(heads):
        draw_text(
            frame,
            head,
            (x0 + size // 2, y0 + size // 3 + k * int(size * 1.4)),
            int(size * 1.15),
            bold=True,
            color=ACCENT,
        )
    ly = y0 + top
    for line in lines:
        draw_text(frame, line, (x0 + size // 2, ly), size)
        ly += int(size * 1.3)
    return y0 + height


def _panels(
    frame: np.ndarray,
    panels: Sequence[tuple[str, tuple[str, ...]]],
    xyxy: tuple[int, int, int, int],
) -> None:
    """Titled panels of bullet points, one under the other in ``xyxy``, their letters
    made smaller (all alike, down to a size still read from the back) until they fit."""
    x0, y0, x1, y1 = xyxy
    width = x1 - x0
    size = TEXT_PX
    while size > 18:
        total = sum(_panel_lines(t, items, size, width)[3] for t, items in panels)
        if total + MARGIN * (len(panels) - 1) <= y1 - y0:
            break
        size -= 1
    y = y0
    for title, items in panels:
        y = _draw_panel(frame, title, items, (x0, y), width, size) + MARGIN


def step_panel(frame: np.ndarray, ctx: StepContext, name: str) -> None:
    """Steps 9 to 12: the swapped picture, labelled, beside a panel of points."""
    m = ctx.messages
    _swap_in(frame, ctx, ctx.picture_xyxy, ctx.faces)
    area = (ctx.picture_xyxy[2] + MARGIN, MARGIN, CANVAS_WH[0] - MARGIN, ctx.band_y - MARGIN)
    panels = [(m(f"lesson.{name}.panel"), tuple(m(f"lesson.{name}.points").split("\n")))]
    if name == "checking":
        # This program's own content credentials, as the example.
        panels.append(
            (
                m("lesson.checking.card"),
                (m("lesson.checking.label", label=m("deepfake.label")), m("lesson.checking.c2pa")),
            )
        )
    _panels(frame, panels, area)


STEP_RENDERERS: dict[str, Callable[[np.ndarray, StepContext], None]] = {
    "pixels": step_pixels,
    "detector": step_detector,
    "landmarks": step_landmarks,
    "anchors": step_anchors,
    "filter": step_filter,
    "reacting": step_reacting,
    "crying": step_crying,
    "swap": step_swap,
    "guess": step_guess,
    "reveal": step_reveal,
    **{name: partial(step_panel, name=name) for name in PANEL_STEPS},
}
NEEDS_A_FACE = frozenset(STEPS) - {"pixels"}


def render_step(canvas: np.ndarray, step: int, ctx: StepContext) -> np.ndarray:
    """Draw lesson step ``step`` (0-based) with its caption, in place.

    Args:
        canvas: ndarray of shape (H, W, 3), uint8, BGR: the picture, already fitted.
        step: 0 .. len(STEPS) - 1.
        ctx: what the step draws from.

    Returns:
        The same ``canvas``.
    """
    name = STEPS[step]
    m = ctx.messages
    STEP_RENDERERS[name](canvas, ctx)
    if not len(ctx.faces) and name in NEEDS_A_FACE:
        # Said on the picture, not in the caption: the band keeps its height.
        text = m("lesson.no_face")
        x1, y1, x2, y2 = ctx.picture_xyxy
        lines = wrap_text(text, TEXT_PX, x2 - x1 - 4 * TEXT_PX, bold=True)
        for k, line in enumerate(lines):
            w, h = _label_size(line, TEXT_PX)
            _label(
                canvas,
                line,
                (int((x1 + x2 - w) / 2), y1 + TEXT_PX + k * (h + 4)),
                TEXT_PX,
                (20, 20, 20),
                ACCENT,
            )
    draw_step_caption(canvas, m, step, min_height=CANVAS_WH[1] - ctx.band_y)
    return canvas
