"""Tears that well up at the eyes and run down the cheeks (Snapchat's crying filter).

The animation is a pure function of time: every drop's state comes from ``t`` and a
hash of (face, eye, stream, cycle), so it runs at its own pace whatever the frame rate,
and the same ``t`` always draws the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from ..geometry import FaceGeometry
from .draw import AA, blend_layer
from .sprite import Sprite, draw_sprite, similarity_matrix

WELL_FRACTION = 0.35  # share of a drop's life spent welling up at the lid


@dataclass(frozen=True)
class TearStyle:
    """How the tears look and move.

    Attributes:
        rate: drops per second per stream.
        streams: streams per eye.
        speed: eye distances per second once running.
        color_bgr: colour of the wet trail and the pool along the lid.
        drop: sprite for one drop (its top centre is the tip), or None for a drawn drop.
    """

    rate: float = 1.2
    streams: int = 2
    speed: float = 1.4
    color_bgr: tuple[int, int, int] = (255, 211, 143)
    drop: Sprite | None = None


def _rand(*key: int) -> float:
    # Cheap deterministic hash to [0, 1): the same drop always wiggles the same way.
    h = 2166136261
    for k in key:
        h = ((h ^ (k & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0x5BD1E995) & 0xFFFFFFFF
    return (h ^ (h >> 15)) / 2**32


def _path(t: np.ndarray, start: np.ndarray, outward: float, length: float) -> np.ndarray:
    """Points along a tear's run: down the face, bending out over the cheek.

    Args:
        t: ndarray of shape (k,), 0..1 along the path.
        start: ndarray of shape (2,): start in face coordinates (eye distances).
        outward: +1 towards the ear on the face's +x side, -1 on the other side.
        length: how far down the face it runs, in eye distances.

    Returns:
        ndarray of shape (k, 2): face coordinates.
    """
    x = start[0] + outward * 0.22 * np.sin(t * np.pi * 0.8)
    y = start[1] + length * t
    return np.stack([x, y], axis=-1)


def draw_tears(frame: np.ndarray, geometry: FaceGeometry, i: int, face_id: int, t: float,
               style: TearStyle) -> None:
    """Draw face ``i``'s tears at time ``t`` (seconds), in place.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR.
        geometry: the frame's face geometry.
        i: which face.
        face_id: the face's stable id (varies the drops between faces).
        t: animation time in seconds.
        style: how the tears look.
    """
    size = float(geometry.eye_distance[i])
    ax, ay = geometry.axis_x[i].astype(np.float64), geometry.axis_y[i].astype(np.float64)

    def to_image(p_face: np.ndarray, eye: str) -> np.ndarray:
        base = geometry.anchors[eye][i].astype(np.float64)
        return base + (p_face[..., :1] * ax + p_face[..., 1:2] * ay) * size

    h, w = frame.shape[:2]
    trail_w = max(2, int(round(size * 0.085)))
    for eye_index, (eye, outward) in enumerate((("right_eye", -1.0), ("left_eye", 1.0))):
        # A watery shine along the lower lid, where the tears well up.
        lid = np.stack([np.linspace(-0.2, 0.2, 9), 0.15 + 0.05 * np.cos(
            np.linspace(-np.pi / 2, np.pi / 2, 9))], axis=1)
        trails: list[np.ndarray] = [to_image(lid, eye)]
        drops = []
        for s in range(style.streams):
            phase0 = _rand(face_id, eye_index, s)
            cycle_f = t * style.rate + phase0
            cycle, life = int(np.floor(cycle_f)), cycle_f - np.floor(cycle_f)
            # Streams spread along the lower lid, from near the nose to the outer corner.
            along = (s + 0.5) / style.streams
            start = np.array([outward * (-0.16 + 0.42 * along), 0.2])
            start[0] += (_rand(face_id, eye_index, s, cycle) - 0.5) * 0.06
            run_time = (1.0 - WELL_FRACTION) / style.rate
            length = max(0.8, style.speed * run_time * 0.75)
            if life < WELL_FRACTION:
                grow = life / WELL_FRACTION
                pos, scale_k = 0.0, 0.35 + 0.65 * grow
            else:
                run = (life - WELL_FRACTION) / (1 - WELL_FRACTION)
                # Accelerates off the lid like a real drop, then keeps a steady speed.
                pos, scale_k = run * run * (3 - 2 * run) * 0.4 + run * 0.6, 1.0
            # The wet trail stays behind the drop; it dries (fades) as it gets long.
            ts = np.linspace(0, pos, max(2, int(pos * 24) + 2))
            trail = to_image(_path(ts, start, outward, length), eye)
            if pos > 0.01:
                trails.append(trail)
            fade = 1.0 if life < 0.85 else max(0.0, (1.0 - life) / 0.15)
            drops.append((trail[-1], scale_k, fade))

        _draw_trails(frame, trails, style.color_bgr, trail_w, (w, h))
        for tip, scale_k, fade in drops:
            _draw_drop(frame, tip, size * 0.34 * scale_k, fade, ax, ay, style)


def _draw_trails(frame: np.ndarray, trails: list[np.ndarray], color: tuple[int, int, int],
                 width: int, size_wh: tuple[int, int]) -> None:
    pts = np.concatenate(trails)
    w, h = size_wh
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int) - width * 2, 0)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + width * 2
    x1, y1 = min(int(x1), w), min(int(y1), h)
    if x1 <= x0 or y1 <= y0:
        return
    region = frame[y0:y1, x0:x1]
    polys = [np.round((p - (x0, y0)) * 16).astype(np.int32) for p in trails]
    mask = np.zeros(region.shape[:2], np.uint8)
    cv2.polylines(mask, polys, False, 255, width, AA, 4)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.6, width * 0.2))
    # Water on skin: the skin shows through, tinted and a little darker at the edges ...
    wet = cv2.addWeighted(region, 0.45, np.full_like(region, color), 0.55, 0)
    blend_layer(region, wet, mask, 0.85)
    # ... and a thin specular line down the middle makes it read as glossy.
    shine = np.zeros_like(mask)
    shift = np.array([-0.25 * width, 0]) * 16
    cv2.polylines(shine, [(p + shift).astype(np.int32) for p in polys], False, 255,
                  max(1, width // 3), AA, 4)
    blend_layer(region, np.full_like(region, 255), shine, 0.45)


def _draw_drop(frame: np.ndarray, tip_xy: np.ndarray, height: float, opacity: float,
               ax: np.ndarray, ay: np.ndarray, style: TearStyle) -> None:
    if opacity <= 0 or height < 1:
        return
    sprite = style.drop or _default_drop()
    sw, sh = sprite.size_wh
    # The drop's tip hangs from the trail; the round end leads, down the face.
    pin = (sw / 2, sh * 0.08)
    matrix = similarity_matrix(pin, tip_xy, height / sh, ax, ay)
    draw_sprite(frame, sprite, matrix, opacity)


@lru_cache(maxsize=1)
def _default_drop() -> Sprite:
    """A plain drop, drawn once, for a tears layer without an image."""
    s = 96
    img = np.zeros((s, s * 2 // 3, 4), np.uint8)
    cx = img.shape[1] // 2
    cv2.ellipse(img, (cx, int(s * 0.66)), (int(s * 0.3), int(s * 0.3)), 0, 0, 360,
                (255, 210, 150, 200), -1, AA)
    tri = np.array([[cx, 2], [cx - int(s * 0.29), int(s * 0.6)], [cx + int(s * 0.29),
                   int(s * 0.6)]], np.int32)
    cv2.fillConvexPoly(img, tri, (255, 210, 150, 200), AA)
    cv2.circle(img, (cx - 8, int(s * 0.6)), 6, (255, 255, 255, 230), -1, AA)
    return Sprite.from_bgra(img)
