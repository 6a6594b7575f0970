"""Tears that well up at the eyes and run down the cheeks (Snapchat's crying filter).

The animation is a pure function of time: every drop's state comes from ``t`` and a
hash of (face, eye, stream, cycle), so it runs at its own pace whatever the frame rate,
the same ``t`` always draws the same picture, and nothing is kept between calls.

Each stream is painted as water lying on skin, so it still reads when the picture is
shown small: a tinted band, darker along its edges where the water bends the light, a
bright specular line down its lit side, and a pool along the lower lid. Given the face's
landmarks, a stream runs over the real cheek through chains of landmarks (lower lid,
cheek, towards the jaw), so it stays on the cheek when the head turns or rolls; without
them it follows a fixed curve in the face frame. Sizes follow the face's turn-proof size
(``FaceGeometry.size_px``), and an eye's tears fade out as the head turns it away.
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

STREAM_WIDTH = 0.12
"""Width of a wet stream, in face sizes (``FaceGeometry.size_px``)."""

DROP_HEIGHT = 0.34
"""Height of a full-grown drop, in face sizes."""

CHEEK_LENGTH = 1.2
"""About how long the landmark chains below are on a face seen from the front, in eye
distances; a drop that runs ``length`` eye distances covers ``length / CHEEK_LENGTH`` of
its chain, whatever the pose."""

# MediaPipe FaceMesh landmarks, the person's own right and left. Lower lids run from the
# nose side outward; each stream runs between an inner and an outer chain down the cheek.
RIGHT_LID = (155, 154, 153, 145, 144, 163, 7)
LEFT_LID = (362, 382, 380, 374, 373, 390, 249)
RIGHT_CHEEK = (
    (154, 231, 120, 100, 36, 205, 207, 214, 135),  # inner: beside the nose, round the mouth
    (163, 229, 118, 50, 187, 192, 138, 172),  # outer: over the cheekbone to the jaw
)
LEFT_CHEEK = (
    (382, 451, 349, 329, 266, 425, 427, 434, 364),
    (390, 449, 347, 280, 411, 416, 367, 397),
)

_SUBPIXEL = 4  # fractional bits of the fixed-point points given to OpenCV
_CHAIN_SAMPLES = 24


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


@dataclass(frozen=True)
class _Drop:
    """One drop at one instant: where its tip is and which way it runs."""

    tip_xy: np.ndarray
    down_xy: np.ndarray  # unit vector along the run
    scale: float  # 0..1 of a full-grown drop
    opacity: float


def _rand(*key: int) -> float:
    # Cheap deterministic hash to [0, 1): the same drop always wiggles the same way.
    h = 2166136261
    for k in key:
        h = ((h ^ (k & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0x5BD1E995) & 0xFFFFFFFF
    return (h ^ (h >> 15)) / 2**32


def _path(t: np.ndarray, start: np.ndarray, outward: float, length: float) -> np.ndarray:
    """Points along a tear's run without landmarks: down the face, bending out.

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


def _resample(points: np.ndarray, n: int) -> np.ndarray:
    """``n`` points evenly spaced along a polyline.

    Args:
        points: ndarray of shape (k, 2), float64.
        n: how many points to return.

    Returns:
        ndarray of shape (n, 2), float64, from the first point to the last.
    """
    run = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    at = np.linspace(0.0, max(run[-1], 1e-9), n)
    return np.stack([np.interp(at, run, points[:, 0]), np.interp(at, run, points[:, 1])], 1)


def _smooth(points: np.ndarray, passes: int = 3) -> np.ndarray:
    """A polyline of shape (k, 2) with its kinks eased out; the ends stay put.

    Landmark chains zigzag a little (the mesh is not drawn for tears); a few [1, 2, 1]
    passes leave a curve that still lies over the same cheek.
    """
    p = points.copy()
    for _ in range(passes):
        p[1:-1] = (p[:-2] + 2 * p[1:-1] + p[2:]) / 4
    return p


def _cut(points: np.ndarray, fraction: float) -> np.ndarray:
    """The first ``fraction`` (0..1, by length) of a polyline of shape (k, 2)."""
    run = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    end = fraction * run[-1]
    k = int(np.searchsorted(run, end, side="right"))
    if k >= len(points):
        return points
    a = (end - run[k - 1]) / max(run[k] - run[k - 1], 1e-9)
    tip = points[k - 1] + a * (points[k] - points[k - 1])
    return np.concatenate([points[:k], tip[None]])


def _life(face_id: int, eye_index: int, s: int, t: float, style: TearStyle):
    """Where stream ``s`` of one eye is in its cycle at time ``t``.

    Returns:
        ``(cycle, life, pos, scale, fade)``: which drop, 0..1 through its life, 0..1 along
        its run, its size (0..1 of full-grown) and its opacity.
    """
    cycle_f = t * style.rate + _rand(face_id, eye_index, s)
    cycle, life = int(np.floor(cycle_f)), cycle_f - np.floor(cycle_f)
    if life < WELL_FRACTION:
        pos, scale = 0.0, 0.35 + 0.65 * life / WELL_FRACTION
    else:
        run = (life - WELL_FRACTION) / (1 - WELL_FRACTION)
        # Accelerates off the lid like a real drop, then keeps a steady speed.
        pos, scale = run * run * (3 - 2 * run) * 0.4 + run * 0.6, 1.0
    fade = 1.0 if life < 0.85 else max(0.0, (1.0 - life) / 0.15)
    return cycle, life, pos, scale, fade


def draw_tears(
    frame: np.ndarray,
    geometry: FaceGeometry,
    i: int,
    face_id: int,
    t: float,
    style: TearStyle,
    face_xy: np.ndarray | None = None,
) -> None:
    """Draw face ``i``'s tears at time ``t`` (seconds), in place.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR.
        geometry: the frame's face geometry.
        i: which face.
        face_id: the face's stable id (varies the drops between faces).
        t: animation time in seconds.
        style: how the tears look.
        face_xy: ndarray of shape (478, 2) (or (478, 3)), float32: face ``i``'s landmarks
            in pixels. When given, the streams run through landmarks over the cheeks and
            stay on them whatever the pose; without it they follow the face frame.
    """
    size = float(geometry.size_px[i])
    ax, ay = geometry.axis_x[i].astype(np.float64), geometry.axis_y[i].astype(np.float64)
    plane_x = geometry.plane_x[i].astype(np.float64)
    plane_y = geometry.plane_y[i].astype(np.float64)
    lm = None if face_xy is None else np.asarray(face_xy, np.float64)[:, :2]
    run_time = (1.0 - WELL_FRACTION) / style.rate
    length = max(0.8, style.speed * run_time * 0.75)  # eye distances a drop runs

    def to_image(p_face: np.ndarray, eye: str) -> np.ndarray:
        base = geometry.anchors[eye][i].astype(np.float64)
        return base + p_face[..., :1] * plane_x + p_face[..., 1:2] * plane_y

    trails: list[tuple[np.ndarray, float]] = []
    pools: list[tuple[np.ndarray, float, float]] = []
    drops: list[_Drop] = []
    eyes = (("right_eye", -1.0, RIGHT_LID, RIGHT_CHEEK), ("left_eye", 1.0, LEFT_LID, LEFT_CHEEK))
    for eye_index, (eye, outward, lid_ids, cheek_ids) in enumerate(eyes):
        shown = geometry.visibility(i, eye)
        if shown <= 0:
            continue
        lives = [_life(face_id, eye_index, s, t, style) for s in range(style.streams)]
        # The pool along the lid is fullest as a drop starts to well up, and drains into it.
        swell = max(
            (1.0 - life / WELL_FRACTION for _, life, _, _, _ in lives if life < WELL_FRACTION),
            default=0.0,
        )
        if lm is None:
            # The lower lid, below the socket centre: low in the middle, up at the corners.
            lid_x = np.linspace(-0.24, 0.24, 9)
            lid = to_image(
                np.stack([lid_x, 0.03 + 0.05 * np.cos(lid_x / 0.24 * np.pi / 2)], 1), eye
            )
            chains = None
        else:
            lid = lm[list(lid_ids)] + ay * 0.02 * size  # just below the lashes
            chains = [_smooth(_resample(lm[list(c)], _CHAIN_SAMPLES)) for c in cheek_ids]
        pools.append((lid, 1.0 + 0.35 * swell, shown))

        for s, (cycle, _, pos, scale, fade) in enumerate(lives):
            # Streams spread along the lower lid, from near the nose to the outer corner.
            along = (s + 0.5) / style.streams + (_rand(face_id, eye_index, s, cycle) - 0.5) * 0.12
            if chains is None:
                start = np.array([outward * (-0.16 + 0.42 * along), 0.1])
                ts = np.linspace(0, pos, max(2, int(pos * 24) + 2))
                trail = to_image(_path(ts, start, outward, length), eye)
                ahead = to_image(_path(np.array([pos, pos + 0.02]), start, outward, length), eye)
                down = ahead[1] - ahead[0]
            else:
                # The outermost streams run on the chains, the others between them.
                a = 0.5 + (along - 0.5) * style.streams / max(style.streams - 1, 1)
                path = chains[0] + (chains[1] - chains[0]) * float(np.clip(a, 0.0, 1.0))
                trail = _cut(path, min(1.0, pos * length / CHEEK_LENGTH))
                down = trail[-1] - trail[-2] if len(trail) > 1 and pos > 0 else path[1] - path[0]
            norm = float(np.hypot(*down))
            down = down / norm if norm > 1e-6 else ay
            if pos > 0.01:
                trails.append((trail, fade * shown))
            drops.append(_Drop(trail[-1], down, scale, fade * shown))

    if not pools:
        return

    _draw_water(frame, trails, pools, style.color_bgr, size)
    det = ax[0] * ay[1] - ax[1] * ay[0]  # keeps a mirrored face's frame mirrored
    for drop in drops:
        side = np.array([drop.down_xy[1], -drop.down_xy[0]]) * np.sign(det)
        _draw_drop(
            frame,
            drop.tip_xy,
            size * DROP_HEIGHT * drop.scale,
            drop.opacity,
            side,
            drop.down_xy,
            style,
        )


def _draw_water(
    frame: np.ndarray,
    trails: list[tuple[np.ndarray, float]],
    pools: list[tuple[np.ndarray, float, float]],
    color: tuple[int, int, int],
    size: float,
) -> None:
    """Paint wet streams and lid pools on the frame, in place.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR.
        trails: (points, opacity) per stream; points of shape (k, 2), pixels.
        pools: (lid points, swell, opacity) per eye; points of shape (k, 2) from the nose
            side outward, pixels; swell thickens the pool.
        color: BGR tint of the water.
        size: the face's size in pixels (``FaceGeometry.size_px``).
    """
    width = max(3, int(round(size * STREAM_WIDTH)))
    thick = size * 0.035  # pool thickness in its middle
    h, w = frame.shape[:2]
    pts = np.concatenate([p for p, _ in trails] + [p for p, _, _ in pools])
    pad = width + thick
    x0, y0 = np.maximum(np.floor(pts.min(axis=0) - pad).astype(int), 0)
    x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
    x1, y1 = min(int(x1), w), min(int(y1), h)
    if x1 <= x0 or y1 <= y0:
        return
    region = frame[y0:y1, x0:x1]
    origin = np.array([x0, y0], np.float64)

    def fixed(p: np.ndarray) -> np.ndarray:
        return np.round((p - origin) * (1 << _SUBPIXEL)).astype(np.int32)

    band = np.zeros(region.shape[:2], np.uint8)
    core = np.zeros_like(band)
    shine = np.zeros_like(band)
    pool = np.zeros_like(band)
    # Light comes from the upper left of the picture, so the shine sits on that side.
    light = np.array([-0.22, -0.1]) * width
    core_w, shine_w = max(1, int(round(width * 0.45))), max(1, int(round(width * 0.18)))
    for points, opacity in sorted(trails, key=lambda tr: tr[1]):
        level = int(round(255 * opacity))
        line = [fixed(points)]
        cv2.polylines(band, line, False, level, width, AA, _SUBPIXEL)
        cv2.polylines(core, line, False, level, core_w, AA, _SUBPIXEL)
        cv2.polylines(shine, [fixed(points + light)], False, level, shine_w, AA, _SUBPIXEL)
    for lid, swell, opacity in pools:
        # A crescent hanging from the lid: thickest in the middle, pointed at the corners.
        k = np.linspace(0.0, 1.0, len(lid))
        dense_k = np.linspace(0.0, 1.0, 16)
        top = np.stack([np.interp(dense_k, k, lid[:, 0]), np.interp(dense_k, k, lid[:, 1])], 1)
        along = top[-1] - top[0]
        down = np.array([-along[1], along[0]]) / max(float(np.hypot(*along)), 1e-9)
        if down @ (top.mean(axis=0) - (top[0] + top[-1]) / 2) < 0:
            down = -down  # the lid sags; the pool hangs on the sagging side
        depth = np.sin(np.pi * dense_k)[:, None] ** 0.8 * thick * swell
        # A thin film on the lid, not a tube: tinted and glinting, without the streams'
        # dark rims, so it reads as wet eyes rather than a bar joining the streams.
        cv2.fillPoly(
            pool,
            [fixed(np.concatenate([top, (top + down * depth)[::-1]]))],
            int(round(255 * opacity)),
            AA,
            _SUBPIXEL,
        )
        inner = top + down * depth * 0.4
        cv2.polylines(
            shine, [fixed(inner[3:-3])], False, int(round(150 * opacity)), shine_w, AA, _SUBPIXEL
        )
    shine = cv2.min(shine, cv2.max(band, pool))
    edge = cv2.subtract(band, core)
    tint = np.empty_like(region)
    tint[...] = color
    # Water on skin: the skin shows through, tinted; darker at the rim, where the water
    # bends the light away, clearer in the middle; and a bright specular line.
    blend_layer(region, cv2.addWeighted(region, 0.45, tint, 0.55, 0), band, 0.85)
    blend_layer(region, cv2.addWeighted(region, 0.5, tint, 0.5, 15), pool, 0.6)
    blend_layer(region, cv2.addWeighted(region, 0.3, tint, 0.2, -10), edge, 0.85)
    blend_layer(region, cv2.addWeighted(region, 0.5, tint, 0.5, 20), core, 0.3)
    tint[...] = 255
    blend_layer(region, tint, shine, 0.9)


def _draw_drop(
    frame: np.ndarray,
    tip_xy: np.ndarray,
    height: float,
    opacity: float,
    axis_x: np.ndarray,
    axis_y: np.ndarray,
    style: TearStyle,
) -> None:
    """One drop, its tip at ``tip_xy``, its round end leading along ``axis_y``."""
    if opacity <= 0 or height < 1:
        return
    sprite = style.drop or _default_drop()
    sw, sh = sprite.size_wh
    pin = (sw / 2, sh * 0.08)
    matrix = similarity_matrix(pin, tip_xy, height / sh, axis_x, axis_y)
    draw_sprite(frame, sprite, matrix, opacity)


@lru_cache(maxsize=1)
def _default_drop() -> Sprite:
    """A plain glossy drop, drawn once, for a tears layer without an image."""
    s = 96
    img = np.zeros((s, s * 2 // 3, 4), np.uint8)
    cx = img.shape[1] // 2
    body = (255, 210, 150, 215)
    cv2.ellipse(img, (cx, int(s * 0.66)), (int(s * 0.3), int(s * 0.3)), 0, 0, 360, body, -1, AA)
    tri = np.array(
        [[cx, 2], [cx - int(s * 0.29), int(s * 0.6)], [cx + int(s * 0.29), int(s * 0.6)]], np.int32
    )
    cv2.fillConvexPoly(img, tri, body, AA)
    cv2.ellipse(
        img,
        (cx, int(s * 0.66)),
        (int(s * 0.3), int(s * 0.3)),
        0,
        20,
        160,
        (190, 120, 40, 235),
        3,
        AA,
    )
    cv2.circle(img, (cx - 8, int(s * 0.6)), 6, (255, 255, 255, 240), -1, AA)
    return Sprite.from_bgra(img)
