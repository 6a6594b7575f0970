"""The "how it works" view: the landmark mesh, the face box and the named anchors."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

import cv2
import numpy as np

from ..faces import Faces
from ..geometry import FaceGeometry
from .draw import AA, clip_box
from .text import draw_panel, draw_text, text_size

MESH_BGR = (255, 230, 120)
CONTOUR_BGR = (255, 255, 255)
IRIS_BGR = (80, 220, 255)
BOX_BGR = (90, 220, 90)
ANCHOR_BGR = (40, 140, 255)


@lru_cache(maxsize=1)
def topology() -> dict[str, np.ndarray]:
    """Edges of the mesh: name -> ndarray of shape (E, 2), int32: landmark index pairs.

    The same file holds the triangles and UV coordinates, which
    :mod:`.meshmap` reads; only the edge lists are returned here.
    """
    with resources.files("facefilters").joinpath("data/topology.npz").open("rb") as f:
        data = np.load(f)
        return {k: data[k].astype(np.int32) for k in ("tessellation", "contours", "irises")}


def segments(xy: np.ndarray, edges: np.ndarray, shift: int) -> np.ndarray:
    """Line segments as ndarray of shape (E, 2, 2), int32, in fixed point.

    cv2 draws sub-pixel lines from integers with ``shift`` fraction bits; it takes the
    (E, 2, 2) array as E polylines of two points each, without a Python list.
    """
    return np.round(xy[edges] * (1 << shift)).astype(np.int32)


def draw_mesh(
    frame: np.ndarray,
    faces: Faces,
    geometry: FaceGeometry,
    i: int,
    *,
    tessellation: bool = True,
    box: bool = True,
    anchors: bool = True,
    words: Mapping[str, str] | None = None,
) -> None:
    """Draw face ``i``'s mesh, box and anchors onto ``frame``, in place.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR.
        faces: the frame's faces.
        geometry: ``measure(faces)``.
        i: which face.
        tessellation, box, anchors: which parts to draw.
        words: the words written on the picture, in the user's language: ``"face"`` and
            the anchors' names (``"right_eye"`` ...); a word not given is written as its
            key.
    """
    words = words or {}
    h, w = frame.shape[:2]
    xy = faces.xy[i]
    size = float(geometry.size_px[i])
    thin = 1 if size < 120 else 2
    x0, y0, x1, y1 = clip_box(faces.xyxy[i], (w, h), pad=4)
    if tessellation and x1 > x0 and y1 > y0:
        region = frame[y0:y1, x0:x1]
        layer = region.copy()
        shift = 4
        local = xy - (x0, y0)
        edges = topology()
        for name, color, width in (
            ("tessellation", MESH_BGR, thin),
            ("contours", CONTOUR_BGR, thin + 1),
        ):
            segs = segments(local, edges[name], shift)
            cv2.polylines(layer, segs, False, color, width, AA, shift)  # type: ignore[call-overload]
        # The layer equals the region wherever no line was drawn, so a plain weighted sum
        # is a 70% blend of the lines alone, without building a mask.
        cv2.addWeighted(layer, 0.7, region, 0.3, 0, dst=region)
        for iris in (slice(468, 473), slice(473, 478)):
            pts = xy[iris]
            r = float(np.mean(np.linalg.norm(pts[1:] - pts[0], axis=1)))
            c = tuple(int(v) for v in np.round(pts[0] * 16))
            cv2.circle(frame, c, int(round(r * 16)), IRIS_BGR, thin, AA, 4)
    if box:
        bx0, by0, bx1, by1 = np.round(faces.xyxy[i]).astype(int)
        cv2.rectangle(frame, (int(bx0), int(by0)), (int(bx1), int(by1)), BOX_BGR, thin + 1, AA)
        face_id = int(faces.ids[i])
        word = words.get("face", "face")
        tag = f"{word} {face_id}" if face_id >= 0 else word
        # The box's name takes the top corner the forehead's name does not: in the mirrored
        # selfie view that name goes left, onto where the box's name would sit.
        aside = geometry.face_to_image(i, "forehead", _LABEL_SIDE["forehead"])
        if anchors and aside[0] < geometry.anchors["forehead"][i][0]:
            corner, align = (int(bx1), int(by0) - 14), "right"
        else:
            corner, align = (int(bx0), int(by0) - 14), "left"
        _tag(frame, tag, corner, _text_px(size), (30, 110, 30), align)
    if anchors:
        _draw_anchors(frame, geometry, i, size, words)


def _text_px(size: float) -> int:
    """Letter size for a face of ``size_px``: readable on a small face, not huge on a big one."""
    return int(np.clip(size / 6.0, 11, 26))


def _tag(
    frame: np.ndarray,
    text: str,
    org_xy: tuple[int, int],
    size_px: int,
    background: tuple[int, int, int],
    align: str = "left",
) -> tuple[int, int, int, int]:
    """A word on a filled tag, kept inside the frame; ``org_xy`` is its left-middle point
    (right-middle with ``align="right"``). TrueType, so "œil" and "één" come out right.

    Returns:
        The tag's box, ``(x0, y0, x1, y1)`` in pixels.
    """
    w, h = text_size(text, size_px, bold=True)
    pad = max(2, size_px // 5)
    x = org_xy[0] - w - 2 * pad if align == "right" else org_xy[0]
    fh, fw = frame.shape[:2]
    x = int(min(max(x, 0), max(fw - w - 2 * pad, 0)))
    y = int(min(max(org_xy[1] - h / 2 - pad, 0), max(fh - h - 2 * pad, 0)))
    draw_panel(
        frame, (x, y, x + w + 2 * pad, y + h + 2 * pad), color=background, opacity=0.75, radius=pad
    )
    draw_text(frame, text, (x + pad, y + pad), size_px, bold=True)
    return x, y, x + w + 2 * pad, y + h + 2 * pad


# Where each label sits relative to its point, in the face frame (eye distances).
_LABEL_SIDE = {
    "right_eye": (-0.45, -0.35),
    "left_eye": (0.45, -0.35),
    "nose_tip": (0.45, 0.0),
    "mouth_center": (0.75, 0.05),
    "forehead": (0.35, -0.15),
    "chin": (0.45, 0.1),
}


MESH_WORDS = ("face", *_LABEL_SIDE)
"""The words the mesh writes on the picture (``words`` keys of :func:`draw_mesh`)."""


def _draw_anchors(
    frame: np.ndarray, geometry: FaceGeometry, i: int, size: float, words: Mapping[str, str]
) -> None:
    text_px = _text_px(size)
    radius = max(3, round(size * 0.05))
    for name, side in _LABEL_SIDE.items():
        p = geometry.anchors[name][i]
        q = geometry.face_to_image(i, name, side)
        # Labels are read on screen, so mirrored faces keep text left-to-right; only the
        # side it is put on follows the face.
        pc = (int(round(p[0])), int(round(p[1])))
        cv2.line(frame, pc, (int(q[0]), int(q[1])), ANCHOR_BGR, 1, AA)
        cv2.circle(frame, pc, radius + 2, (255, 255, 255), -1, AA)
        cv2.circle(frame, pc, radius, ANCHOR_BGR, -1, AA)
        align = "right" if q[0] < p[0] else "left"
        _tag(frame, words.get(name, name), (int(q[0]), int(q[1])), text_px, (20, 70, 160), align)
