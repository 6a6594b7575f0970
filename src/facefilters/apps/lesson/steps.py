"""The lesson's steps: each draws one more layer of the machinery on the picture.

Pixels, the detector's box, the 478 landmarks, the anchors, a filter on the anchors, a
measurement that triggers the tongue, the crying filter, and what changes in a deepfake;
each with a large caption from the language files (``locales/en.txt``, ``locales/nl.txt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from ...effects import Filter
from ...faces import Faces
from ...geometry import LOWER_LIP, UPPER_LIP, FaceGeometry
from ...i18n import Messages
from ...render.draw import AA
from ...render.label import draw_deepfake_label
from ...render.mesh import draw_mesh, segments, topology
from ...render.text import draw_caption, draw_panel, draw_text, text_size, wrap_text

CANVAS_WH = (1280, 720)
"""Lessons are drawn on a 16:9 canvas of this size, whatever the source."""

STEPS = ("pixels", "detector", "landmarks", "anchors", "filter", "reacting", "crying",
         "deepfake")
ACCENT = (80, 220, 255)  # the caption titles' yellow
POINT_BGR = (255, 230, 120)


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
        dog, tears: the filters steps 5 to 7 show.
        dog_still: the dog without its tongue (step 5).
        swap: the face swap step 8 shows, prepared (its source faces found), or None to
            show a flat stand-in mask instead.
    """

    faces: Faces
    geometry: FaceGeometry
    boxes_xyxy: np.ndarray
    confidence: np.ndarray
    t: float
    messages: Messages
    dog: Filter
    tears: Filter
    dog_still: Filter
    swap: Filter | None = None


def fit_canvas(image: np.ndarray, size_wh: tuple[int, int] = CANVAS_WH) -> np.ndarray:
    """The image scaled to fit ``size_wh``, on a blurred, darkened copy of itself.

    Args:
        image: ndarray of shape (H, W, 3), uint8, BGR.

    Returns:
        ndarray of shape (size_wh[1], size_wh[0], 3), uint8, BGR.
    """
    return fit_photo(image, size_wh)[0]


def fit_photo(image: np.ndarray, size_wh: tuple[int, int] = CANVAS_WH,
              ) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Fit a picture onto the lesson canvas.

    Returns:
        The canvas (as :func:`fit_canvas`), the scaled picture alone (ndarray of shape
        (h, w, 3), uint8), and the canvas ``xy`` of that picture's top-left corner.
    """
    cw, ch = size_wh
    h, w = image.shape[:2]
    scale = min(cw / w, ch / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    fitted = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1
                        else cv2.INTER_LINEAR)
    if (nw, nh) == (cw, ch):
        return fitted, fitted, (0, 0)
    small = cv2.resize(image, (cw // 8, ch // 8), interpolation=cv2.INTER_AREA)
    canvas = cv2.resize(cv2.GaussianBlur(small, (0, 0), 3), (cw, ch))
    canvas = (canvas * 0.45).astype(np.uint8)
    x, y = (cw - nw) // 2, (ch - nh) // 2
    canvas[y:y + nh, x:x + nw] = fitted
    return canvas, fitted, (x, y)


# -- the steps ---------------------------------------------------------------------------


def _ui(frame: np.ndarray, share: float) -> int:
    return max(12, int(frame.shape[0] * share))


def step_pixels(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 1: a zoomed patch of the picture with each pixel's brightness written in it."""
    fh, fw = frame.shape[:2]
    cols, rows = 10, 7
    if len(ctx.faces):
        cx, cy = ctx.geometry.anchors["right_eye"][0]
    else:
        cx, cy = fw / 2, fh / 2
    x0 = int(np.clip(round(cx - cols / 2), 0, fw - cols))
    y0 = int(np.clip(round(cy - rows / 2), 0, fh - rows))
    patch = frame[y0:y0 + rows, x0:x0 + cols].copy()
    grey = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
    cell = fh // 14
    pw, ph = cols * cell, rows * cell
    # The panel goes on the side away from the face.
    px = fw - pw - cell if cx < fw / 2 else cell
    py = cell
    zoom = cv2.resize(patch, (pw, ph), interpolation=cv2.INTER_NEAREST)
    # Where the patch comes from, and lines from there to the enlargement.
    mark = 3
    cv2.rectangle(frame, (x0 - mark, y0 - mark), (x0 + cols + mark, y0 + rows + mark),
                  ACCENT, 2, AA)
    for corner_src, corner_dst in (((x0, y0), (px, py)), ((x0, y0 + rows), (px, py + ph)),
                                   ((x0 + cols, y0), (px + pw, py)),
                                   ((x0 + cols, y0 + rows), (px + pw, py + ph))):
        cv2.line(frame, corner_src, corner_dst, ACCENT, 1, AA)
    frame[py:py + ph, px:px + pw] = zoom
    size = max(10, int(cell * 0.36))
    for r in range(rows):
        for c in range(cols):
            value = int(grey[r, c])
            color = (0, 0, 0) if value > 140 else (255, 255, 255)
            draw_text(frame, str(value), (px + c * cell + cell / 2, py + r * cell + cell * 0.28),
                      size, color=color, align="center")
    for k in range(cols + 1):
        cv2.line(frame, (px + k * cell, py), (px + k * cell, py + ph), (60, 60, 60), 1)
    for k in range(rows + 1):
        cv2.line(frame, (px, py + k * cell), (px + pw, py + k * cell), (60, 60, 60), 1)
    cv2.rectangle(frame, (px, py), (px + pw, py + ph), ACCENT, 2, AA)
    label = ctx.messages("lesson.pixels.label")
    draw_text(frame, label, (px, py + ph + cell // 4), _ui(frame, 1 / 28), bold=True,
              shadow=True)


def step_detector(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 2: the face detector's box and its confidence."""
    size = _ui(frame, 1 / 24)
    for box, score in zip(ctx.boxes_xyxy, ctx.confidence):
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        cv2.rectangle(frame, (x1, y1), (x2, y2), (90, 230, 90), max(2, frame.shape[0] // 240),
                      AA)
        text = ctx.messages("lesson.box.label", score=float(score))
        w, h = text_size(text, size, bold=True)
        draw_panel(frame, (x1, y1 - h - size // 2, x1 + w + size // 2, y1), color=(40, 140, 40),
                   opacity=0.9, radius=size // 4)
        draw_text(frame, text, (x1 + size // 4, y1 - h - size // 4), size, bold=True)


def step_landmarks(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 3: all 478 points and the mesh between them."""
    for i in range(len(ctx.faces)):
        draw_mesh(frame, ctx.faces, ctx.geometry, i, box=False, anchors=False)
        radius = max(1, int(ctx.geometry.size_px[i] / 60))
        for x, y in np.round(ctx.faces.xy[i]).astype(int):
            cv2.circle(frame, (int(x), int(y)), radius, POINT_BGR, -1, AA)
    if len(ctx.faces):
        size = _ui(frame, 1 / 20)
        x1, y1, x2, _ = ctx.faces.xyxy[0]
        text = ctx.messages("lesson.points", count=ctx.faces.landmarks.shape[1])
        draw_text(frame, text, (x2 + size // 2, y1), size, bold=True, color=ACCENT,
                  shadow=True)


_LESSON_ANCHORS = ("right_eye", "left_eye", "nose_tip", "mouth_center")
# Where each anchor's name goes, in the face frame (eye distances from the anchor).
_ANCHOR_LABEL_SIDE = {"right_eye": (-0.9, -0.6), "left_eye": (0.9, -0.6),
                      "nose_tip": (1.2, 0.0), "mouth_center": (1.2, 0.35)}


def step_anchors(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 4: the eyes, the nose tip and the mouth, highlighted and named."""
    size = _ui(frame, 1 / 26)
    g = ctx.geometry
    for i in range(len(ctx.faces)):
        radius = max(4, int(g.size_px[i] * 0.09))
        for name in _LESSON_ANCHORS:
            p = g.anchors[name][i]
            q = g.face_to_image(i, name, _ANCHOR_LABEL_SIDE[name])
            pc = (int(round(p[0])), int(round(p[1])))
            cv2.line(frame, pc, (int(q[0]), int(q[1])), (255, 255, 255), 2, AA)
            cv2.circle(frame, pc, radius + 3, (255, 255, 255), -1, AA)
            cv2.circle(frame, pc, radius, (40, 140, 255), -1, AA)
            text = ctx.messages(f"lesson.anchor.{name}")
            w, h = text_size(text, size, bold=True)
            left = q[0] < p[0]
            x = q[0] - w - size // 2 if left else q[0]
            draw_panel(frame, (int(x), int(q[1] - h / 2 - size / 4),
                               int(x + w + size / 2), int(q[1] + h / 2 + size / 4)),
                       color=(20, 70, 160), opacity=0.9, radius=size // 3)
            draw_text(frame, text, (x + size / 4, q[1] - h / 2), size, bold=True)


def step_filter(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 5: dog ears and nose, pinned to the anchors (no tongue yet)."""
    ctx.dog_still.apply(frame, ctx.faces, ctx.t)


def step_reacting(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 6: the lip gap is measured; past a threshold the tongue comes out."""
    ctx.dog.apply(frame, ctx.faces, ctx.t)
    threshold = next((layer.when.threshold for layer in ctx.dog.layers
                      if layer.when is not None and layer.when.measure == "mouth_open"), 0.25)
    size = _ui(frame, 1 / 24)
    g = ctx.geometry
    for i in range(len(ctx.faces)):
        top, bottom = ctx.faces.xy[i, UPPER_LIP], ctx.faces.xy[i, LOWER_LIP]
        value = float(g.measures["mouth_open"][i])
        # The measurement: a line between the two lip points, drawn beside the mouth.
        side = g.axis_x[i] * g.size_px[i] * 1.1
        a, b = top + side, bottom + side
        color = (80, 230, 80) if value > threshold else (255, 255, 255)
        cv2.line(frame, tuple(int(v) for v in top), tuple(int(v) for v in a), color, 1, AA)
        cv2.line(frame, tuple(int(v) for v in bottom), tuple(int(v) for v in b), color, 1, AA)
        cv2.line(frame, tuple(int(v) for v in a), tuple(int(v) for v in b), color, 3, AA)
        for p in (top, bottom):
            cv2.circle(frame, tuple(int(v) for v in p), 4, color, -1, AA)
        # A gauge with the threshold marked.
        text = ctx.messages("lesson.mouth", value=value)
        x, y = int(a[0] + size // 2), int((a[1] + b[1]) / 2 - size)
        w = max(text_size(text, size, bold=True)[0], size * 8)
        draw_panel(frame, (x - size // 3, y - size // 3, x + w + size // 3, y + int(size * 3.4)),
                   opacity=0.75, radius=size // 3)
        draw_text(frame, text, (x, y), size, bold=True, color=color)
        gy = y + int(size * 1.5)
        full = 0.6
        cv2.rectangle(frame, (x, gy), (x + w, gy + size // 2), (90, 90, 90), -1)
        fill = int(w * min(value, full) / full)
        cv2.rectangle(frame, (x, gy), (x + fill, gy + size // 2), color, -1)
        tx = x + int(w * threshold / full)
        cv2.line(frame, (tx, gy - size // 3), (tx, gy + size // 2 + size // 3), ACCENT, 3)
        hint = ctx.messages("lesson.mouth_threshold", value=threshold)
        draw_text(frame, hint, (x, gy + size), max(10, size * 2 // 3), color=ACCENT)


def step_crying(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 7: the crying filter."""
    ctx.tears.apply(frame, ctx.faces, ctx.t)


def step_deepfake(frame: np.ndarray, ctx: StepContext) -> None:
    """Step 8: the face itself replaced, the dangers, and how to spot a fake."""
    fh, fw = frame.shape[:2]
    label_size = _ui(frame, 1 / 30)
    if ctx.swap is not None:
        # The real thing: someone else's face through the same 478 points, labelled.
        ctx.swap.apply(frame, ctx.faces, ctx.t)
    else:
        frame[...] = (frame * 0.45).astype(np.uint8)
        edges = topology()["tessellation"]
    for i in range(len(ctx.faces)):
        if ctx.swap is None:
            # A stand-in for someone else's face: a solid mask on the same 478 points.
            hull = cv2.convexHull(np.round(ctx.faces.xy[i]).astype(np.int32))
            overlay = frame.copy()
            cv2.fillConvexPoly(overlay, hull, (160, 90, 200), AA)
            cv2.polylines(overlay, segments(ctx.faces.xy[i], edges, 4), False,
                          (230, 200, 255), 1, AA, 4)
            cv2.addWeighted(overlay, 0.65, frame, 0.35, 0, dst=frame)
        x1, _, x2, y2 = ctx.faces.xyxy[i]
        text = ctx.messages("lesson.8.mask")
        for k, line in enumerate(wrap_text(text, label_size, int(max(x2 - x1, fw * 0.4)),
                                           bold=True)):
            draw_text(frame, line, ((x1 + x2) / 2, y2 + label_size * (0.4 + 1.2 * k)),
                      label_size, bold=True, color=(230, 200, 255), align="center",
                      shadow=True)
    # Two panels, left and right of the middle, above the caption band.
    margin = fw // 40
    width = int(fw * 0.3)
    bottom = int(fh * 0.6)
    for key, x0 in (("danger", margin), ("spot", fw - margin - width)):
        title = ctx.messages(f"lesson.8.{key}")
        items = ctx.messages(f"lesson.8.{key}_text").split("\n")
        size = _ui(frame, 1 / 30)
        while True:
            lines = _bullets(items, size, width - size * 2)
            height = int(size * 1.6) + len(lines) * int(size * 1.25) + size
            if margin + height <= bottom or size <= 12:
                break
            size -= 1
        y = margin
        draw_panel(frame, (x0, y, x0 + width, y + height), opacity=0.82, radius=size // 2)
        draw_text(frame, title, (x0 + size // 2, y + size // 3), int(size * 1.1), bold=True,
                  color=ACCENT)
        ly = y + int(size * 1.6)
        for line in lines:
            draw_text(frame, line, (x0 + size // 2, ly), size)
            ly += int(size * 1.25)


def _bullets(items: Sequence[str], size: int, width: int) -> list[str]:
    lines: list[str] = []
    for item in items:
        wrapped = wrap_text(item, size, width)
        lines += ["• " + wrapped[0]] + ["   " + w for w in wrapped[1:]]
    return lines


STEP_RENDERERS: tuple[Callable[[np.ndarray, StepContext], None], ...] = (
    step_pixels, step_detector, step_landmarks, step_anchors, step_filter, step_reacting,
    step_crying, step_deepfake)


def render_step(canvas: np.ndarray, step: int, ctx: StepContext) -> np.ndarray:
    """Draw lesson step ``step`` (0-based) with its caption, in place.

    Args:
        canvas: ndarray of shape (H, W, 3), uint8, BGR: the picture, already fitted.
        step: 0 .. len(STEPS) - 1.
        ctx: what the step draws from.

    Returns:
        The same ``canvas``.
    """
    STEP_RENDERERS[step](canvas, ctx)
    m = ctx.messages
    n = step + 1
    body = m(f"lesson.{n}.text")
    if not len(ctx.faces) and STEPS[step] not in ("pixels", "deepfake"):
        body = f"{m('lesson.no_face')}\n{body}"
    band_y = draw_caption(canvas, m(f"lesson.{n}.title"), body,
                          corner=m("lesson.step", n=n, total=len(STEPS)))
    if STEPS[step] == "deepfake" and ctx.swap is not None:
        # The caption band covers the corner the swap labelled: label the picture again,
        # in the bottom-left corner of what is left above the band.
        draw_deepfake_label(canvas[:band_y], ctx.swap.label)
    return canvas
