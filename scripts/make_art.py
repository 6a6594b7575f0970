"""Draws the art of the built-in filters and writes it as RGBA PNGs into ``filters/``.

All filter art is drawn in code by this script: no image is downloaded, traced or copied.
Run it again after changing a drawing:

    .venv/bin/python scripts/make_art.py

The output is deterministic (fixed noise seeds, nothing read from the clock or the
machine), so two runs give the same files. Each picture is painted at ``SS`` times its
final size with anti-aliased polygons, lit through a small height-map shader, and shrunk
with ``cv2.INTER_AREA``. The PNGs hold straight (non-premultiplied) colour, and pixels
that are (nearly) transparent carry the colour of the nearest painted pixels, so the
engine can resample them without dark fringes.

The ``pin`` of every sprite in a ``filter.toml`` is a pixel position in these pictures:
when a drawing moves, update its ``filter.toml`` too (the ``*_PIN`` constants below).
Parts that swing (ears) are pictures of their own, pinned at their root or base, and
each left/right pair is drawn twice rather than flipped, so both are lit from the same
side. Fur is many small tapering strokes: tufts along the edges, hairs over the surface.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import cv2
import numpy as np

FILTERS = Path(__file__).resolve().parents[1] / "filters"

SS = 4  # supersampling factor: paint at 4x, shrink with INTER_AREA for smooth edges

# Light from the upper left and in front, as in most selfies; (x right, y down, z to viewer).
LIGHT = np.array([-0.42, -0.62, 0.66]) / np.linalg.norm([-0.42, -0.62, 0.66])
HALFWAY = (LIGHT + [0, 0, 1]) / np.linalg.norm(LIGHT + [0, 0, 1])

# Picture sizes and pins (pixels); filter.toml files repeat the pins. Parts placed on a
# face are drawn in eye distances at ``*_PX_PER_ED`` picture pixels per eye distance, so
# their filter.toml ``width`` is the picture's width over that (e.g. 360 / 288 = 1.25).
DOG_EAR_SIZE, DOG_EAR_PIN, DOG_EAR_PX_PER_ED = (360, 640), (100, 92), 288
NOSE_SIZE, NOSE_PIN = (256, 200), (128, 96)
TONGUE_SIZE, TONGUE_PIN, TONGUE_PX_PER_ED = (256, 368), (128, 44), 388
CAT_EAR_SIZE, CAT_EAR_PIN, CAT_EAR_PX_PER_ED = (360, 400), (160, 330), 300
CAT_NOSE_SIZE, CAT_NOSE_PIN, CAT_NOSE_PX_PER_ED = (256, 224), (128, 96), 512
WHISKERS_SIZE, WHISKERS_PIN, WHISKERS_PX_PER_ED = (768, 224), (384, 64), 265
BUNNY_EAR_SIZE, BUNNY_EAR_PIN, BUNNY_EAR_PX_PER_ED = (400, 640), (110, 600), 280
BUNNY_NOSE_SIZE, BUNNY_NOSE_PIN, BUNNY_NOSE_PX_PER_ED = (256, 208), (128, 96), 427
TEETH_SIZE, TEETH_PIN, TEETH_PX_PER_ED = (256, 224), (128, 36), 700
GLASSES_SIZE, GLASSES_PIN, GLASSES_WIDTH_ED = (700, 260), (350, 134), 2.3
GLASSES_ARM_SIZE, GLASSES_ARM_PIN = (470, 64), (10, 26)
"""A glasses arm, from its hinge (the pin) back to behind the ear: 1.5 eye distances at
the glasses' scale."""
GLASSES_BRIDGE_HALF = 40
"""The glasses are drawn whole, then cut into three pictures at this many pixels either
side of the bridge's middle: each lens with its hinge (so the far one can fade on its
own as the head turns) and the bridge. Frontal, the three pieces make the whole again."""
DROP_SIZE = (96, 144)
HEART_SIZE, HEART_PIN, HEART_PX_PER_ED = (256, 240), (128, 120), 400
"""A heart over each eye, pinned at its middle: 0.64 eye distances wide."""
HEART_CROWN_SIZE, HEART_CROWN_PIN, HEART_CROWN_PX_PER_ED = (720, 300), (360, 270), 300
"""Small hearts in an arc over the head, pinned at the arc's foot on the forehead."""
BLUSH_SIZE, BLUSH_PIN, BLUSH_PX_PER_ED = (640, 160), (320, 60), 320
"""Two rosy cheeks, pinned between them (just below the nose tip)."""


# --- painting surface -------------------------------------------------------------------


class Canvas:
    """A premultiplied RGBA surface, ``SS`` times the size of the picture it makes.

    Shapes are given in picture pixels; masks and colour arrays are at canvas resolution.
    """

    def __init__(self, width: int, height: int) -> None:
        self.size = (width, height)
        self.rgb = np.zeros((height * SS, width * SS, 3), np.float32)
        self.alpha = np.zeros((height * SS, width * SS), np.float32)
        # Picture coordinates of every canvas sample's centre, for procedural shading.
        self.y, self.x = (np.mgrid[0 : height * SS, 0 : width * SS].astype(np.float32) + 0.5) / SS

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the canvas arrays."""
        return self.alpha.shape

    def polygon(self, points: np.ndarray) -> np.ndarray:
        """Returns the anti-aliased coverage (0..1) of a closed polygon."""
        mask = np.zeros(self.shape, np.uint8)
        fixed = np.round(np.asarray(points) * SS * 16).astype(np.int32)  # 4 fractional bits
        cv2.fillPoly(mask, [fixed], 255, cv2.LINE_AA, shift=4)
        return mask.astype(np.float32) / 255

    def ellipse(
        self, center: tuple[float, float], axes: tuple[float, float], angle: float = 0.0
    ) -> np.ndarray:
        """Returns the coverage of an ellipse; ``angle`` in degrees, clockwise on screen."""
        t = np.deg2rad(angle)
        dx, dy = self.x - center[0], self.y - center[1]
        u = (dx * np.cos(t) + dy * np.sin(t)) / axes[0]
        v = (-dx * np.sin(t) + dy * np.cos(t)) / axes[1]
        # Signed distance to the rim, approximately, in canvas samples: a one-sample ramp.
        return np.clip((1 - np.sqrt(u * u + v * v)) * min(axes) * SS + 0.5, 0, 1)

    def strokes(self, polygons) -> np.ndarray:
        """Returns the anti-aliased coverage of the union of many polygons (fur, whiskers).

        One mask for all of them: thousands of hairs cost thousands of cheap ``fillPoly``
        calls, not thousands of full-canvas blends.
        """
        mask = np.zeros(self.shape, np.uint8)
        for points in polygons:
            fixed = np.round(np.asarray(points) * SS * 16).astype(np.int32)
            cv2.fillPoly(mask, [fixed], 255, cv2.LINE_AA, shift=4)
        return mask.astype(np.float32) / 255

    def paint(self, coverage: np.ndarray, color, opacity=1.0) -> None:
        """Composites ``color`` (an RGB or an HxWx3 array, straight) over the canvas."""
        a = np.clip(coverage * opacity, 0, 1).astype(np.float32)
        color = np.asarray(color, np.float32)
        self.rgb = color * a[..., None] + self.rgb * (1 - a[..., None])
        self.alpha = a + self.alpha * (1 - a)

    def over(self, rgb: np.ndarray, alpha: np.ndarray) -> None:
        """Composites a premultiplied layer of the same size over the canvas."""
        self.rgb = rgb + self.rgb * (1 - alpha[..., None])
        self.alpha = alpha + self.alpha * (1 - alpha)

    def clip(self, coverage: np.ndarray) -> None:
        """Keeps only what lies inside ``coverage`` (premultiplied, so colour fades too)."""
        self.rgb *= coverage[..., None]
        self.alpha *= coverage


# --- geometry ---------------------------------------------------------------------------


def bezier(points, steps: int = 40) -> np.ndarray:
    """Samples a chain of cubic Bézier segments into a polyline.

    Args:
        points: The start point, then one ``(control, control, end)`` triple per segment,
            all in picture pixels.
        steps: Samples per segment.

    Returns:
        An (N, 2) array of points, without repeating the final point.
    """
    start, *segments = points
    pts = np.concatenate([np.reshape(start, (1, 2))] + [np.reshape(s, (3, 2)) for s in segments])
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    sampled = [
        (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * c1 + 3 * (1 - t) * t**2 * c2 + t**3 * p1
        for p0, c1, c2, p1 in (pts[i : i + 4] for i in range(0, len(pts) - 1, 3))
    ]
    return np.concatenate(sampled).astype(np.float64)


def mirror(points, axis_x: float) -> np.ndarray:
    """Reflects points about the vertical line ``x = axis_x`` and reverses their order.

    Reversing keeps a half outline and its mirror image joinable into one polygon.
    """
    pts = np.asarray(points, np.float64)[::-1].copy()
    pts[:, 0] = 2 * axis_x - pts[:, 0]
    return pts


def strand(p0, p1, p2, width: float, steps: int = 24) -> np.ndarray:
    """Returns the outline of a tapering brush stroke along a quadratic curve.

    Args:
        p0: Root of the stroke, where it is ``width`` wide.
        p1: Control point that bends the stroke.
        p2: Tip of the stroke, where it ends in a point.
        width: Width at the root, in picture pixels.
        steps: Samples along the curve.
    """
    p0, p1, p2 = (np.asarray(p, np.float64) for p in (p0, p1, p2))
    t = np.linspace(0, 1, steps)[:, None]
    centre = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
    tangent = 2 * (1 - t) * (p1 - p0) + 2 * t * (p2 - p1)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    half = width / 2 * (1 - t) ** 0.8
    return np.concatenate([centre + normal * half, (centre - normal * half)[::-1]])


# --- shading ----------------------------------------------------------------------------


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with ``sigma`` in picture pixels."""
    return cv2.GaussianBlur(img, (0, 0), sigma * SS)


def smoothstep(edge0: float, edge1: float, x) -> np.ndarray:
    """0 at ``edge0``, 1 at ``edge1``, smooth between; swap the edges for a falling step."""
    t = np.clip((np.asarray(x, np.float32) - edge0) / (edge1 - edge0), 0, 1)
    return t * t * (3 - 2 * t)


def mix(a, b, t: np.ndarray) -> np.ndarray:
    """Blends two colours (or colour arrays) by a per-pixel weight."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return a + (b - a) * np.asarray(t, np.float32)[..., None]


def depth(mask: np.ndarray) -> np.ndarray:
    """Distance from each inside sample to the shape's edge, in picture pixels."""
    inside = (mask > 0.5).astype(np.uint8)
    return cv2.distanceTransform(inside, cv2.DIST_L2, 5) / SS


def bevel(mask: np.ndarray, radius: float) -> np.ndarray:
    """A height map (0 at the edge, 1 inside) with a rounded rim ``radius`` pixels wide."""
    t = np.clip(depth(mask) / radius, 0, 1)
    return blur(np.sqrt(1 - (1 - t) ** 2), radius * 0.12)


def lighting(height: np.ndarray, relief: float, shininess: float = 30.0):
    """Lights a height map.

    Args:
        height: Height map at canvas resolution, about 0..1.
        relief: How many picture pixels a height of 1 stands for; higher is bumpier.
        shininess: Phong exponent of the specular highlight.

    Returns:
        ``(diffuse, specular)``: diffuse is 1 on a flat face-on surface, specular is 0..1.
    """
    gy, gx = np.gradient(height * relief * SS)  # slope per picture pixel
    normal = np.dstack([-gx, -gy, np.ones_like(gx)])
    normal /= np.linalg.norm(normal, axis=2, keepdims=True)
    diffuse = np.clip(normal @ LIGHT.astype(np.float32), 0, None) / LIGHT[2]
    specular = np.clip(normal @ HALFWAY.astype(np.float32), 0, 1) ** shininess
    return diffuse.astype(np.float32), specular.astype(np.float32)


def noise(rng: np.random.Generator, shape: tuple[int, int], cell: tuple[float, float]):
    """Smooth value noise (about -1..1) with features ``cell`` = (dx, dy) picture pixels.

    Unequal cells make streaks, which read as fur or grain.
    """
    cx, cy = max(1, round(cell[0] * SS)), max(1, round(cell[1] * SS))
    # Normal samples scaled by 0.6 stay mostly inside -1..1, so the clip rarely bites.
    grid = rng.standard_normal((shape[0] // cy + 3, shape[1] // cx + 3)).astype(np.float32)
    big = cv2.resize(grid, (grid.shape[1] * cx, grid.shape[0] * cy), interpolation=cv2.INTER_CUBIC)
    return np.clip(big[cy : cy + shape[0], cx : cx + shape[1]] * 0.6, -1, 1)


# --- output -----------------------------------------------------------------------------


def bleed(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Un-premultiplies colour and gives empty pixels the colour of the nearest paint.

    Widening blurs find, for every empty pixel, an alpha-weighted average of the painted
    pixels around it, so a resampling filter that mixes in transparent neighbours mixes in
    a matching colour instead of black.
    """
    known = alpha > 1e-3
    out = np.zeros_like(rgb)
    out[known] = rgb[known] / alpha[known, None]
    filled = known.copy()
    sigma = 1.0
    while not filled.all() and sigma < 4 * max(alpha.shape):
        num = cv2.GaussianBlur(rgb, (0, 0), sigma)
        den = cv2.GaussianBlur(alpha, (0, 0), sigma)
        new = ~filled & (den > 1e-4)
        out[new] = num[new] / den[new, None]
        filled |= new
        sigma *= 2
    return np.clip(out, 0, 1)


def finish(canvas: Canvas) -> np.ndarray:
    """Shrinks a canvas to its picture size; returns straight BGRA, uint8."""
    rgb = cv2.resize(canvas.rgb, canvas.size, interpolation=cv2.INTER_AREA)
    alpha = np.clip(cv2.resize(canvas.alpha, canvas.size, interpolation=cv2.INTER_AREA), 0, 1)
    straight = bleed(rgb, alpha)
    bgra = np.dstack([straight[..., ::-1], alpha])
    return np.round(bgra * 255).astype(np.uint8)


def save(bgra: np.ndarray, path: Path) -> None:
    """Writes a BGRA picture as a PNG, creating its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), bgra, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"could not write {path}")
    print(f"wrote {path} ({bgra.shape[1]}x{bgra.shape[0]}, {path.stat().st_size // 1024} KB)")


def drop_shadow(canvas: Canvas, offset: tuple[float, float], sigma: float, strength: float):
    """Puts a soft dark copy of the canvas's alpha behind what is painted so far."""
    m = np.float32([[1, 0, offset[0] * SS], [0, 1, offset[1] * SS]])
    h, w = canvas.shape
    shadow = blur(cv2.warpAffine(canvas.alpha, m, (w, h)), sigma) * strength
    shade_rgb = np.zeros_like(canvas.rgb) + np.float32([0.05, 0.02, 0.02]) * shadow[..., None]
    # "Behind" means the art keeps its own alpha and the shadow only fills what is left.
    canvas.rgb = canvas.rgb + shade_rgb * (1 - canvas.alpha[..., None])
    canvas.alpha = canvas.alpha + shadow * (1 - canvas.alpha)


# --- fur --------------------------------------------------------------------------------


def resample(outline: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``spacing`` pixels along a closed outline, with outward normals.

    Returns:
        ``(points, normals)``, both (N, 2); the normals are unit vectors pointing out of
        the shape whichever way round the outline runs.
    """
    outline = np.asarray(outline, np.float64)
    closed = np.concatenate([outline, outline[:1]])
    run = np.concatenate([[0], np.cumsum(np.linalg.norm(np.diff(closed, axis=0), axis=1))])
    at = np.arange(0, run[-1], spacing)
    pts = np.stack([np.interp(at, run, closed[:, k]) for k in (0, 1)], axis=1)
    tangent = np.roll(pts, -1, axis=0) - np.roll(pts, 1, axis=0)
    x, y = outline[:, 0], outline[:, 1]
    # Shoelace sign: positive runs clockwise on screen (y down), with "out" on the left.
    area = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1) * np.sign(area)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    return pts, normal


def hair(rng: np.random.Generator, root, direction, length: float, width: float) -> np.ndarray:
    """Outline of one hair or tuft: a tapering stroke from ``root``, bent at random."""
    d = np.asarray(direction, np.float64)
    d = d / max(float(np.linalg.norm(d)), 1e-9)
    side = np.array([-d[1], d[0]])
    tip = np.asarray(root) + d * length
    ctrl = (np.asarray(root) + tip) / 2 + side * rng.uniform(-0.22, 0.22) * length
    return strand(root, ctrl, tip, width, steps=10)


def fur_fringe(
    c: Canvas,
    rng,
    outline,
    *,
    spacing: float,
    length,
    width: float,
    flow=(0.0, 1.0),
    out: float = 1.0,
    where=None,
) -> np.ndarray:
    """Coverage of tufts growing out of a shape's edge, so the outline reads as fur.

    Args:
        c: The canvas (for its size).
        rng: Random generator; a fixed seed keeps the art deterministic.
        outline: (N, 2) closed outline, picture pixels.
        spacing: Pixels between tufts along the edge.
        length: A tuft's longest reach out of the edge, in pixels; or a callable of the
            root point, for tufts that grow longer in places.
        width: A tuft's width at its root, in pixels.
        flow: The way the fur is combed, mixed with the outward normal.
        out: Weight of the outward normal against ``flow``.
        where: Optional callable of the root point: False where no tufts grow.
    """
    pts, normals = resample(outline, spacing)
    flow = np.asarray(flow, np.float64)
    polys = []
    for p, n in zip(pts, normals):
        if where is not None and not where(p):
            continue
        reach = (length(p) if callable(length) else length) * rng.uniform(0.4, 1.0)
        d = out * n + flow + rng.normal(0, 0.25, 2)
        d = d / max(float(np.linalg.norm(d)), 1e-9)
        if d @ n < 0.25:  # a tuft must leave the shape, not run back along its edge
            d = d + (0.25 - d @ n) * n
        root = p - n * reach * 0.6  # rooted inside, so the tuft grows out of the body
        polys.append(hair(rng, root, d, reach * 1.6, width * rng.uniform(0.6, 1.3)))
    return c.strokes(polys)


def fur_hairs(
    c: Canvas, rng, mask: np.ndarray, count: int, *, flow, length: float, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Coverages of short hairs scattered over a shape, half to paint light, half dark.

    Args:
        mask: Coverage of the shape, canvas resolution.
        count: How many hairs.
        flow: The combing direction: a fixed ``(x, y)`` or a callable of an (N, 2) array
            of roots returning (N, 2) directions.
        length: A hair's longest length, in pixels.
        width: A hair's width at its root, in pixels.
    """
    ys, xs = np.nonzero(mask[::SS, ::SS] > 0.6)
    pick = rng.integers(0, len(xs), count)
    roots = np.stack([xs[pick], ys[pick]], axis=1) + rng.uniform(0, 1, (count, 2))
    dirs = flow(roots) if callable(flow) else np.broadcast_to(np.asarray(flow, float), roots.shape)
    light, dark = [], []
    for root, d in zip(roots, dirs):
        d = d / max(float(np.linalg.norm(d)), 1e-9) + rng.normal(0, 0.12, 2)
        poly = hair(rng, root, d, length * rng.uniform(0.5, 1.0), width * rng.uniform(0.6, 1.2))
        (light if rng.random() < 0.5 else dark).append(poly)
    return c.strokes(light), c.strokes(dark)


def _ribbon(spine: np.ndarray, half_width: np.ndarray) -> np.ndarray:
    """Outline of a band of varying width around a polyline (both sides, closed)."""
    tangent = np.gradient(spine, axis=0)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    offset = normal * half_width[:, None]
    return np.concatenate([spine + offset, (spine - offset)[::-1]])


def flip(bgra: np.ndarray) -> np.ndarray:
    """The picture mirrored left-right (a pin at ``x`` moves to ``width - x``)."""
    return np.ascontiguousarray(bgra[:, ::-1])


# --- dog --------------------------------------------------------------------------------


def draw_dog_ear(side: int = 1) -> Canvas:
    """One long, soft, droopy spaniel ear, hanging from its root at ``DOG_EAR_PIN``.

    Args:
        side: 1 for the person's left ear (the face's +x side: the ear hangs out to the
            right of its root), -1 for the right ear, drawn mirrored but lit from the
            same side, so the pair shares one light.
    """
    w, h = DOG_EAR_SIZE
    u = DOG_EAR_PX_PER_ED
    pin = np.array([w / 2 + side * (DOG_EAR_PIN[0] - w / 2), DOG_EAR_PIN[1]], np.float64)
    c = Canvas(w, h)
    rng = np.random.default_rng(21 + side)

    def at(points) -> np.ndarray:
        """Ear units (eye distances from the root, x outward) to picture pixels."""
        return pin + np.asarray(points, np.float64) * (side * u, u)

    outline = bezier(
        [
            (-0.1, 0.08),
            ((-0.1, -0.06), (0.02, -0.15), (0.16, -0.15)),  # over the fold on top of the head
            ((0.32, -0.15), (0.44, -0.04), (0.5, 0.14)),  # the outer shoulder
            ((0.6, 0.42), (0.74, 0.72), (0.76, 1.08)),  # the outer edge, flaring
            ((0.8, 1.45), (0.56, 1.72), (0.3, 1.7)),  # the lobe
            ((0.08, 1.68), (-0.08, 1.52), (-0.08, 1.3)),
            ((-0.08, 0.95), (-0.03, 0.55), (-0.06, 0.32)),  # the inner edge, along the head
            ((-0.08, 0.2), (-0.1, 0.16), (-0.1, 0.08)),
        ],
        steps=80,
    )
    # The lobe's edge falls in soft waves.
    pts, normals = resample(outline, 0.004)
    wave = 0.012 * np.sin(pts[:, 0] * 34 + pts[:, 1] * 9) * smoothstep(1.1, 1.5, pts[:, 1])
    outline = at(pts + normals * wave[:, None])
    body = c.polygon(outline)
    ey = (c.y - pin[1]) / u  # ear units down from the root
    ex = (c.x - pin[0]) / (side * u)  # ear units outward from the root

    # Short velvety fur: small tufts all round the edge, combed down the ear.
    def reach(p) -> float:
        return (0.022 + 0.03 * float(smoothstep(1.2, 1.65, (p[1] - pin[1]) / u))) * u

    fringe = fur_fringe(
        c, rng, outline, spacing=2.0, length=reach, width=0.02 * u, flow=(0.0, 1.4), out=0.8
    )
    waves = noise(rng, c.shape, (10, 60))  # broad locks
    fine = noise(rng, c.shape, (1.6, 14))  # single hairs
    fur = np.maximum(body, blur(fringe, 0.4))

    # The ear is a soft sheet, rounded across, bulging where it folds over the head, with
    # its inner edge rolled towards the viewer.
    height = 0.75 * bevel(body, 0.3 * u) + 0.12 * bevel(body, 0.035 * u)
    fold = np.exp(-(((ey + 0.03) / 0.14) ** 2)) * smoothstep(0.45, 0.0, ex)
    roll = np.exp(-((ex / 0.06) ** 2)) * smoothstep(0.2, 0.5, ey) * smoothstep(1.5, 1.1, ey)
    height = height + 0.35 * fold + 0.2 * roll + 0.015 * waves + 0.002 * fine
    diffuse, specular = lighting(height, 0.2 * u, shininess=8)
    light = mix((0.74, 0.47, 0.24), (0.52, 0.29, 0.12), smoothstep(0.2, 1.7, ey))
    dark = (0.16, 0.08, 0.03)
    col = mix(dark, light, np.clip(diffuse * 0.95 - 0.08, 0, 1)) + 0.1 * specular[..., None]
    # Shade where the ear turns in towards the head, and under the fold.
    col *= (1 - 0.3 * smoothstep(0.04, -0.08, ex) * smoothstep(0.05, 0.35, ey))[..., None]
    under = np.exp(-(((ey - 0.2) / 0.1) ** 2)) * smoothstep(0.4, 0.05, ex)
    col *= (1 - 0.2 * under)[..., None]
    # Fur combed one way shines in a band across the combing, broken up by the locks.
    band = np.exp(-(((ey - 0.42 - 0.05 * waves - 0.12 * ex) / 0.14) ** 2))
    col = col + (band * (0.16 + 0.08 * fine) * diffuse)[..., None] * np.float32([1.0, 0.8, 0.55])
    col *= (1 + 0.04 * fine + 0.03 * waves)[..., None]
    # Darker towards the edge, as a beagle's ear is; the fringe catches a little light.
    rim = 1 - smoothstep(0.0, 0.1 * u, depth(body))
    col = mix(col, col * 0.72, rim)
    fuzz = fur * (1 - body)
    col = mix(col, np.clip(col * 1.25 + 0.04, 0, 1), fuzz)
    c.paint(fur, np.clip(col, 0, 1))

    # Short soft hairs combed down the ear, some lit, some in shadow.
    def comb(roots: np.ndarray) -> np.ndarray:
        down = (roots[:, 1] - pin[1]) / u
        sway = 0.2 * np.sin(down * 9 + (roots[:, 0] - pin[0]) / u * 6)
        return np.stack(
            [side * (0.35 - 0.35 * np.clip(down, 0, 1.2)) + sway, np.ones(len(roots))], 1
        )

    lit, shaded = fur_hairs(c, rng, body, 1600, flow=comb, length=0.07 * u, width=0.01 * u)
    c.paint(blur(lit, 0.3) * body, np.clip(col * 1.3 + 0.05, 0, 1), 0.16)
    c.paint(blur(shaded, 0.3) * body, np.clip(col * 0.6, 0, 1), 0.16)
    drop_shadow(c, (-side * 0.035 * u, 0.04 * u), 0.035 * u, 0.55)
    return c


def draw_nose() -> Canvas:
    """A shiny, leathery dog nose with comma-shaped nostrils."""
    c = Canvas(*NOSE_SIZE)
    rng = np.random.default_rng(11)
    mid = NOSE_PIN[0]
    half = bezier(
        [
            (mid, 30),
            ((mid + 50, 27), (mid + 98, 34), (mid + 100, 74)),
            ((mid + 102, 110), (mid + 70, 132), (mid + 36, 148)),
            ((mid + 18, 157), (mid + 8, 168), (mid, 170)),
        ]
    )
    outline = np.concatenate([half, mirror(half, mid)])
    body = c.polygon(outline)

    nostrils = np.zeros(c.shape, np.float32)
    for side in (-1, 1):
        comma = bezier(
            [
                (mid + side * 20, 112),
                ((mid + side * 20, 98), (mid + side * 40, 94), (mid + side * 50, 104)),
                ((mid + side * 58, 112), (mid + side * 66, 124), (mid + side * 80, 134)),
                ((mid + side * 62, 134), (mid + side * 48, 126), (mid + side * 38, 126)),
                ((mid + side * 28, 126), (mid + side * 20, 122), (mid + side * 20, 112)),
            ]
        )
        nostrils = np.maximum(nostrils, c.polygon(comma))
    nostrils = blur(nostrils, 0.8)

    philtrum = np.exp(-(((c.x - mid) / 3.5) ** 2)) * smoothstep(112, 140, c.y)
    bumps = noise(rng, c.shape, (3.5, 3.5))
    height = bevel(body, 42) - 0.45 * blur(nostrils, 2.0) - 0.12 * philtrum + 0.0018 * bumps
    diffuse, specular = lighting(height, 60, shininess=28)
    top = smoothstep(150, 40, c.y)
    col = mix((0.11, 0.085, 0.09), (0.27, 0.22, 0.23), top)
    col = col * (0.3 + 0.7 * diffuse[..., None]) + 0.55 * specular[..., None]
    col = mix(col, (0.015, 0.01, 0.012), 0.92 * nostrils)
    c.paint(body, np.clip(col, 0, 1))

    # A wet shine: one broad soft reflection and one crisp glint, both from the light.
    c.paint(c.ellipse((mid - 34, 58), (30, 13), -12) * body, (1, 1, 1), 0.28)
    c.paint(blur(c.ellipse((mid - 38, 55), (13, 5.5), -14), 1.2) * body, (1, 1, 1), 0.8)
    c.paint(blur(c.ellipse((mid + 40, 52), (10, 4), 10), 1.5) * body, (1, 1, 1), 0.25)
    drop_shadow(c, (0, 7), 6, 0.35)
    return c


def draw_tongue() -> Canvas:
    """A wet, pink-red dog tongue lolling over the lower lip, with a centre groove.

    Its root, above ``TONGUE_PIN``, sits in the open mouth: dark there, in the shadow of
    the upper lip, and fading out at the top edge.
    """
    c = Canvas(*TONGUE_SIZE)
    rng = np.random.default_rng(5)
    u = TONGUE_PX_PER_ED
    pin = np.array(TONGUE_PIN, np.float64)

    def at(points) -> np.ndarray:
        """Tongue units (eye distances from the root) to picture pixels."""
        return pin + np.asarray(points, np.float64) * u

    half = bezier(
        [
            (0.0, -0.1),
            ((0.12, -0.1), (0.19, -0.09), (0.2, -0.03)),
            ((0.22, 0.14), (0.29, 0.32), (0.285, 0.5)),
            ((0.28, 0.66), (0.18, 0.76), (0.07, 0.755)),
            ((0.04, 0.752), (0.02, 0.745), (0.0, 0.745)),
        ],
        steps=60,
    )
    outline = at(np.concatenate([half, mirror(half, 0.0)]))
    body = c.polygon(outline)
    tx = (c.x - pin[0]) / u
    ty = (c.y - pin[1]) / u

    groove = np.exp(-((tx / 0.03) ** 2)) * smoothstep(-0.05, 0.12, ty) * smoothstep(0.66, 0.3, ty)
    papillae = noise(rng, c.shape, (2.0, 2.0))
    height = bevel(body, 0.14 * u) - 0.25 * groove + 0.0015 * papillae
    diffuse, specular = lighting(height, 0.12 * u, shininess=36)
    inner = smoothstep(0.0, 0.12 * u, depth(body))  # 0 at the edge, 1 inside
    col = mix((0.7, 0.15, 0.26), (0.95, 0.42, 0.5), inner)
    col = col * (0.45 + 0.55 * diffuse[..., None])
    col = mix(col, col * 0.72, groove)
    col = col * (1 + 0.04 * papillae[..., None]) + 0.6 * specular[..., None]
    # Deep in the mouth there is no light.
    col *= (0.3 + 0.7 * smoothstep(-0.09, 0.06, ty))[..., None]
    c.paint(body, np.clip(col, 0, 1))
    # A wet sheen on each lobe, brighter on the side facing the light.
    for x, strength in ((-0.15, 0.5), (0.15, 0.22)):
        sheen = blur(c.ellipse(tuple(at((x, 0.36))), (0.045 * u, 0.15 * u), 8 * np.sign(x)), 4)
        c.paint(sheen * body, (1.0, 0.95, 0.96), strength)
    c.paint(
        blur(c.ellipse(tuple(at((-0.16, 0.3))), (0.012 * u, 0.05 * u), -8), 1) * body,
        (1, 1, 1),
        0.8,
    )
    drop_shadow(c, (0.0, 0.035 * u), 0.035 * u, 0.4)
    # Fade in at the top, where the tongue comes out of the mouth.
    c.clip(smoothstep(at((0, -0.1))[1], at((0, -0.05))[1], c.y))
    return c


# --- cat --------------------------------------------------------------------------------


def _turn(points: np.ndarray, degrees: float) -> np.ndarray:
    """Turns (N, 2) points about the origin, clockwise on screen (y down)."""
    t = np.deg2rad(degrees)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return np.asarray(points, np.float64) @ rot.T


def _fur_shade(height: np.ndarray, relief: float, light, dark, shininess: float = 10.0):
    """Soft fur colour from a height map: ``dark`` in shadow, ``light`` where lit."""
    diffuse, specular = lighting(height, relief, shininess=shininess)
    col = mix(dark, light, np.clip(diffuse * 0.95 - 0.05, 0, 1))
    return col + 0.08 * specular[..., None], diffuse


def draw_cat_ear(side: int = 1) -> Canvas:
    """A pointed, furry grey tabby ear with a pink inside and white tufts.

    Args:
        side: 1 for the person's left ear (leaning out to the right of its pin), -1 for
            the right ear, mirrored but lit from the same side.
    """
    w, h = CAT_EAR_SIZE
    u = CAT_EAR_PX_PER_ED
    pin = np.array([w / 2 + side * (CAT_EAR_PIN[0] - w / 2), CAT_EAR_PIN[1]], np.float64)
    c = Canvas(w, h)
    rng = np.random.default_rng(31 + side)
    lean = 12.0  # degrees outward, as a cat's ears splay

    def at(points) -> np.ndarray:
        """Ear units (eye distances from the base's middle, x outward) to pixels."""
        return pin + _turn(points, lean) * (side * u, u)

    outline = at(
        bezier(
            [
                (-0.36, 0.06),
                ((-0.3, -0.3), (-0.08, -0.7), (0.06, -0.88)),  # inner edge up to the tip
                ((0.09, -0.92), (0.13, -0.91), (0.14, -0.86)),  # the tip, barely rounded
                ((0.24, -0.55), (0.4, -0.25), (0.37, 0.06)),  # outer edge, down and out
                ((0.2, 0.14), (-0.2, 0.14), (-0.36, 0.06)),  # base, hidden in the hair
            ],
            steps=60,
        )
    )
    inside = at(
        bezier(
            [
                (-0.23, 0.02),
                ((-0.2, -0.25), (-0.04, -0.55), (0.05, -0.7)),
                ((0.07, -0.73), (0.09, -0.72), (0.1, -0.69)),
                ((0.16, -0.45), (0.25, -0.2), (0.23, 0.02)),
                ((0.1, 0.07), (-0.1, 0.07), (-0.23, 0.02)),
            ],
            steps=60,
        )
    )
    body = c.polygon(outline)
    hollow = c.polygon(inside)
    ey = (c.y - pin[1]) / u

    tip_dir = _turn([(0.0, -1.0)], lean)[0] * (side, 1)
    fringe = fur_fringe(
        c, rng, outline, spacing=2.0, length=0.04 * u, width=0.018 * u, flow=tip_dir * 0.9, out=0.8
    )
    streaks = noise(rng, c.shape, (1.8, 12))
    fur = np.maximum(body, blur(fringe, 0.35))
    height = bevel(body, 0.16 * u) + 0.01 * streaks
    col, _ = _fur_shade(height, 0.12 * u, (0.8, 0.78, 0.76), (0.2, 0.19, 0.2))
    col *= (1 - 0.35 * smoothstep(-0.45, -0.85, ey))[..., None]  # darker towards the tip
    # Tabby bands across the back of the ear.
    bands = 0.5 + 0.5 * np.sin((ey * 22) + 2.5 * noise(rng, c.shape, (20, 20)))
    col *= (1 - 0.16 * smoothstep(0.55, 0.95, bands))[..., None]
    col *= (1 + 0.07 * streaks)[..., None]
    c.paint(fur, np.clip(col, 0, 1))

    # The inside is concave: light it upside down, deeper pink in its shadowed bottom.
    hol = blur(hollow, 0.6)
    idiff, ispec = lighting(-bevel(hollow, 0.1 * u), 0.08 * u, shininess=14)
    pink = mix((1.0, 0.76, 0.8), (0.82, 0.46, 0.55), smoothstep(-0.5, 0.05, ey))
    pink = pink * (0.55 + 0.45 * idiff[..., None]) + 0.08 * ispec[..., None]
    c.paint(hol, np.clip(pink, 0, 1))
    c.paint(blur(1 - hollow, 0.02 * u) * hol, (0.35, 0.2, 0.22), 0.45)  # the rim's shadow
    # Fine white hairs spring from the hollow's edges and its bottom, combed to the tip.
    roots, normals = resample(inside, 2.0)
    polys = []
    for p, n in zip(roots, normals):
        up = -(p[1] - pin[1]) / u  # 0 at the base, 0.7 at the hollow's tip
        if up > 0.5:
            continue
        d = -n * 0.7 + tip_dir + rng.normal(0, 0.3, 2)
        reach = rng.uniform(0.04, 0.15) * u * (1 - up)
        polys.append(hair(rng, p - n * 2, d, reach, rng.uniform(0.008, 0.014) * u))
    c.paint(blur(c.strokes(polys), 0.3), (0.97, 0.95, 0.93), 0.75)
    drop_shadow(c, (0.0, 0.03 * u), 0.03 * u, 0.4)
    # The base melts into the hair.
    c.clip(smoothstep(pin[1] + 0.14 * u, pin[1] - 0.01 * u, c.y))
    return c


def draw_cat_nose() -> Canvas:
    """A small, glossy pink cat nose with a short philtrum line below it."""
    c = Canvas(*CAT_NOSE_SIZE)
    u = CAT_NOSE_PX_PER_ED
    pin = np.array(CAT_NOSE_PIN, np.float64)

    def at(points) -> np.ndarray:
        return pin + np.asarray(points, np.float64) * u

    half = bezier(
        [
            (0.0, -0.088),
            ((0.082, -0.091), (0.164, -0.088), (0.176, -0.059)),
            ((0.188, -0.029), (0.117, 0.035), (0.047, 0.088)),
            ((0.023, 0.105), (0.012, 0.108), (0.0, 0.108)),
        ],
        steps=50,
    )
    body = c.polygon(at(np.concatenate([half, mirror(half, 0.0)])))
    line = at(np.array([[0.0, 0.1], [0.0, 0.22]]))
    philtrum = c.polygon(np.concatenate([line + (-0.007 * u, 0), line[::-1] + (0.007 * u, 0)]))
    c.paint(blur(philtrum, 0.5), (0.42, 0.2, 0.25), 0.85)
    height = bevel(body, 0.07 * u)
    diffuse, specular = lighting(height, 0.06 * u, shininess=30)
    ny = (c.y - pin[1]) / u
    col = mix((1.0, 0.72, 0.78), (0.86, 0.44, 0.54), smoothstep(-0.07, 0.105, ny))
    col = col * (0.6 + 0.4 * diffuse[..., None]) + 0.35 * specular[..., None]
    rim = 1 - smoothstep(0.0, 0.014 * u, depth(body))
    col = mix(col, (0.6, 0.28, 0.36), 0.6 * rim)
    c.paint(body, np.clip(col, 0, 1))
    glint = blur(c.ellipse(tuple(at((-0.059, -0.041))), (0.041 * u, 0.016 * u), -8), 1.2)
    c.paint(glint * body, (1, 1, 1), 0.75)
    drop_shadow(c, (0.0, 0.018 * u), 0.018 * u, 0.35)
    return c


def draw_whiskers() -> Canvas:
    """Three thin, slightly drooping whiskers each side, growing from dotted pads.

    ``WHISKERS_PIN`` goes on the nose tip; the whiskers grow from the upper lip beside it.
    """
    c = Canvas(*WHISKERS_SIZE)
    u = WHISKERS_PX_PER_ED
    pin = np.array(WHISKERS_PIN, np.float64)
    rng = np.random.default_rng(41)
    polys, dots = [], []
    for side in (-1, 1):
        for k, angle in enumerate((-11.0, 1.0, 13.0)):
            root = np.array([side * (0.24 + 0.02 * k), 0.1 + 0.07 * k])
            a = np.deg2rad(angle + rng.uniform(-2, 2))
            length = rng.uniform(1.0, 1.12) - 0.06 * abs(k - 1)
            direction = np.array([side * np.cos(a), np.sin(a)])
            tip = root + direction * length
            # Whiskers droop a little under their own weight.
            ctrl = (root + tip) / 2 + np.array([0.0, -0.06 + 0.02 * k])
            polys.append(strand(pin + root * u, pin + ctrl * u, pin + tip * u, 0.03 * u, 60))
            for j in range(2):
                dots.append(root + np.array([-side * (0.05 + 0.05 * j), -0.015 + 0.01 * j]))
    whiskers = blur(c.strokes(polys), 0.25)
    c.paint(whiskers, (0.08, 0.07, 0.07), 0.92)
    for d in dots:
        c.paint(
            blur(c.ellipse(tuple(pin + d * u), (0.012 * u, 0.012 * u)), 0.5),
            (0.25, 0.16, 0.14),
            0.7,
        )
    return c


# --- bunny ------------------------------------------------------------------------------


def draw_bunny_ear(side: int = 1, bend: float = 0.0) -> Canvas:
    """A tall white rabbit ear with a pink inside, growing up from ``BUNNY_EAR_PIN``.

    Args:
        side: 1 for the person's left ear (leaning out to the right), -1 for the right,
            mirrored but lit from the same side.
        bend: How far the tip flops over outward, in degrees; past the bend the ear shows
            its white back.
    """
    w, h = BUNNY_EAR_SIZE
    u = BUNNY_EAR_PX_PER_ED
    pin = np.array([w / 2 + side * (BUNNY_EAR_PIN[0] - w / 2), BUNNY_EAR_PIN[1]], np.float64)
    c = Canvas(w, h)
    rng = np.random.default_rng(51 + side)

    # The spine, in ear units (x outward, y down): up from the base, leaning out a little,
    # its direction turning by ``bend`` around 65% of the way up.
    n = 400
    t = np.linspace(0, 1, n)
    length = 1.9
    angle = np.deg2rad(8 + 6 * t + bend * smoothstep(0.58, 0.74, t))
    step = np.stack([np.sin(angle), -np.cos(angle)], axis=1) * length / (n - 1)
    spine = np.concatenate([[[0.0, 0.08]], np.cumsum(step, axis=0)[:-1] + [0, 0.08]])
    half = 0.125 + 0.125 * np.sin(np.pi * np.clip(t * 1.15, 0, 1)) ** 0.8
    half *= np.sqrt(np.clip((1 - t) / 0.12, 0, 1) * (2 - np.clip((1 - t) / 0.12, 0, 1)))
    half = np.maximum(half, 1e-3)
    scale = np.array([side * u, u])
    outline = pin + _ribbon(spine, half) * scale
    front = t < (0.62 if bend else 0.9)
    inner_half = half * 0.58 * np.sqrt(np.sin(np.pi * np.clip(t / (0.62 if bend else 0.86), 0, 1)))
    inside = pin + _ribbon(spine[front], np.maximum(inner_half[front], 1e-3)) * scale
    body = c.polygon(outline)
    hollow = c.polygon(inside)
    ey = (c.y - pin[1]) / u

    up = np.array([side * 0.14, -1.0])
    fringe = fur_fringe(
        c, rng, outline, spacing=2.0, length=0.035 * u, width=0.018 * u, flow=up * 0.7, out=0.9
    )
    streaks = noise(rng, c.shape, (1.8, 14))
    fur = np.maximum(body, blur(fringe, 0.35))
    height = bevel(body, 0.1 * u) + 0.01 * streaks
    col, _ = _fur_shade(height, 0.08 * u, (1.0, 0.99, 0.98), (0.62, 0.62, 0.7))
    col *= (1 + 0.025 * streaks)[..., None]
    c.paint(fur, np.clip(col, 0, 1))
    if bend:
        # The crease where the tip folds over, and the tip's shadow on the ear below it.
        k = int(np.searchsorted(t, 0.64))
        centre = pin + spine[k] * scale
        crease = c.ellipse(
            tuple(centre), (half[k] * u * 1.05, 0.025 * u), np.degrees(angle[k]) * side
        )
        c.paint(blur(crease, 0.02 * u) * body, (0.55, 0.5, 0.58), 0.5)

    hol = blur(hollow, 0.8)
    idiff, ispec = lighting(-bevel(hollow, 0.07 * u), 0.06 * u, shininess=14)
    pink = mix((1.0, 0.78, 0.84), (0.9, 0.5, 0.62), smoothstep(-0.6, 0.05, ey))
    pink = pink * (0.62 + 0.38 * idiff[..., None]) + 0.08 * ispec[..., None]
    c.paint(hol, np.clip(pink, 0, 1))
    c.paint(blur(1 - hollow, 0.015 * u) * hol, (0.5, 0.3, 0.36), 0.35)
    # Fine white hairs grow over the pink from its edges.
    roots, normals = resample(inside, 3.0)
    polys = [
        hair(
            rng,
            p - nrm * 2,
            -nrm * 0.8 + up + rng.normal(0, 0.2, 2),
            rng.uniform(0.03, 0.07) * u,
            0.012 * u,
        )
        for p, nrm in zip(roots, normals)
    ]
    c.paint(blur(c.strokes(polys), 0.3) * hol, (0.99, 0.97, 0.97), 0.7)
    drop_shadow(c, (0.0, 0.025 * u), 0.03 * u, 0.35)
    c.clip(smoothstep(pin[1] + 0.12 * u, pin[1] + 0.02 * u, c.y))
    return c


def draw_bunny_nose() -> Canvas:
    """A soft, rounded rose-pink bunny nose, dipped on top like a heart, with a "Y" below."""
    c = Canvas(*BUNNY_NOSE_SIZE)
    u = BUNNY_NOSE_PX_PER_ED
    pin = np.array(BUNNY_NOSE_PIN, np.float64)

    def at(points) -> np.ndarray:
        return pin + np.asarray(points, np.float64) * u

    half = bezier(
        [
            (0.0, -0.074),
            ((0.049, -0.123), (0.164, -0.131), (0.189, -0.074)),
            ((0.213, -0.016), (0.115, 0.066), (0.041, 0.098)),
            ((0.02, 0.108), (0.01, 0.112), (0.0, 0.112)),
        ],
        steps=50,
    )
    body = c.polygon(at(np.concatenate([half, mirror(half, 0.0)])))
    # The "Y" under the nose: a short stem, then a curve out to each side.
    stem = at(np.array([[0.0, 0.098], [0.0, 0.18]]))
    strokes = [np.concatenate([stem + (-0.008 * u, 0), stem[::-1] + (0.008 * u, 0)])]
    for side in (-1, 1):
        branch = at(
            bezier(
                [
                    (0.0, 0.172),
                    ((side * 0.016, 0.205), (side * 0.066, 0.213), (side * 0.098, 0.205)),
                ],
                steps=12,
            )
        )
        strokes.append(np.concatenate([branch + (0, -0.008 * u), branch[::-1] + (0, 0.008 * u)]))
    c.paint(blur(c.strokes(strokes), 0.5), (0.42, 0.2, 0.26), 0.8)
    height = bevel(body, 0.1 * u)
    diffuse, specular = lighting(height, 0.08 * u, shininess=30)
    ny = (c.y - pin[1]) / u
    col = mix((1.0, 0.72, 0.8), (0.86, 0.42, 0.55), smoothstep(-0.1, 0.115, ny))
    col = col * (0.6 + 0.4 * diffuse[..., None]) + 0.3 * specular[..., None]
    rim = 1 - smoothstep(0.0, 0.016 * u, depth(body))
    col = mix(col, (0.62, 0.3, 0.4), 0.5 * rim)
    c.paint(body, np.clip(col, 0, 1))
    for side, strength in ((-1, 0.75), (1, 0.35)):
        spot = c.ellipse(tuple(at((side * 0.082, -0.066))), (0.041 * u, 0.02 * u), side * 12)
        c.paint(blur(spot, 1.2) * body, (1, 1, 1), strength)
    drop_shadow(c, (0.0, 0.02 * u), 0.02 * u, 0.3)
    return c


def draw_teeth() -> Canvas:
    """Two big front teeth that show below the upper lip; their tops fade under it."""
    c = Canvas(*TEETH_SIZE)
    u = TEETH_PX_PER_ED
    pin = np.array(TEETH_PIN, np.float64)

    def at(points) -> np.ndarray:
        return pin + np.asarray(points, np.float64) * u

    teeth = np.zeros(c.shape, np.float32)
    gaps = np.zeros(c.shape, np.float32)
    for s in (-1, 1):
        x0, x1 = s * 0.006, s * 0.158
        lo, hi = min(x0, x1), max(x0, x1)
        r = 0.045
        tooth = bezier(
            [
                (lo, -0.05),
                ((lo, 0.05), (lo, 0.15), (lo + 0.002, 0.2 - r)),
                ((lo + 0.004, 0.2 - r * 0.3), (lo + r * 0.3, 0.205), (lo + r, 0.205)),
                ((lo + 0.06, 0.205), (hi - 0.06, 0.2), (hi - r, 0.195)),
                ((hi - r * 0.3, 0.19), (hi - 0.002, 0.19 - r * 0.5), (hi, 0.19 - r)),
                ((hi, 0.1), (hi, 0.0), (hi, -0.05)),
            ],
            steps=30,
        )
        m = c.polygon(at(tooth))
        teeth = np.maximum(teeth, m)
        gaps = np.maximum(gaps, m * (1 - smoothstep(0.0, 0.01 * u, depth(m))))
    height = bevel(teeth, 0.05 * u)
    diffuse, specular = lighting(height, 0.04 * u, shininess=40)
    ny = (c.y - pin[1]) / u
    col = mix((0.72, 0.68, 0.64), (1.0, 0.99, 0.95), smoothstep(-0.02, 0.12, ny))
    col = col * (0.75 + 0.25 * diffuse[..., None]) + 0.35 * specular[..., None]
    col = mix(col, (0.45, 0.4, 0.38), 0.7 * gaps)
    c.paint(teeth, np.clip(col, 0, 1))
    for s in (-1, 1):
        glint = blur(c.ellipse(tuple(at((s * 0.05 - 0.02, 0.09))), (0.012 * u, 0.05 * u)), 1.5)
        c.paint(glint * teeth, (1, 1, 1), 0.6)
    drop_shadow(c, (0.0, 0.01 * u), 0.012 * u, 0.3)
    c.clip(smoothstep(at((0, -0.04))[1], at((0, 0.0))[1], c.y))
    return c


# --- glasses ----------------------------------------------------------------------------


def _lens_outline(cx: float, cy: float, hw: float, hh: float, outward: int) -> np.ndarray:
    """A wayfarer-like lens, square on top and round below; ``outward`` is -1 or 1."""
    pts = [
        (0.86, -0.92),
        ((0.3, -1.0), (-0.5, -1.06), (-0.94, -1.0)),
        ((-1.06, -0.96), (-1.06, -0.3), (-0.96, 0.18)),
        ((-0.84, 0.78), (-0.45, 1.0), (0.05, 0.96)),
        ((0.56, 0.9), (0.94, 0.56), (0.99, -0.08)),
        ((1.02, -0.44), (1.0, -0.84), (0.86, -0.92)),
    ]
    return np.array([(cx - outward * u * hw, cy + v * hh) for u, v in bezier(pts)])


def draw_glasses() -> Canvas:
    """Black sunglasses with gradient lenses, a glossy frame and lens reflections."""
    ed = GLASSES_SIZE[0] / GLASSES_WIDTH_ED
    c = Canvas(*GLASSES_SIZE)
    px, py = GLASSES_PIN
    hw, hh = 0.37 * ed, 0.28 * ed
    centres = [(px - 0.5 * ed, py, -1), (px + 0.5 * ed, py, 1)]

    frame = np.zeros(c.shape, np.float32)
    lenses = np.zeros(c.shape, np.float32)
    for x, y, out in centres:
        frame = np.maximum(frame, c.polygon(_lens_outline(x, y - 8, hw + 22, hh + 20, out)))
        lenses = np.maximum(lenses, c.polygon(_lens_outline(x, y, hw, hh, out)))
    top = py - hh - 24
    bridge = bezier(
        [
            (px - 0.2 * ed, top + 8),
            ((px - 0.08 * ed, top - 2), (px + 0.08 * ed, top - 2), (px + 0.2 * ed, top + 8)),
            ((px + 0.2 * ed, top + 44), (px + 0.06 * ed, top + 28), (px, top + 28)),
            ((px - 0.06 * ed, top + 28), (px - 0.2 * ed, top + 44), (px - 0.2 * ed, top + 8)),
        ]
    )
    frame = np.maximum(frame, c.polygon(bridge))
    for side in (-1, 1):  # hinges where the arms would fold back
        x0 = px + side * (0.5 * ed + hw + 20)
        hinge = [
            (x0, top + 10),
            (x0 + side * 26, top + 12),
            (x0 + side * 26, top + 40),
            (x0, top + 46),
        ]
        frame = np.maximum(frame, c.polygon(np.array(hinge)))
    frame = np.maximum(frame - lenses, 0)

    height = bevel(frame, 9)
    diffuse, specular = lighting(height, 8, shininess=40)
    col = np.float32([0.06, 0.055, 0.07]) * (0.5 + 0.5 * diffuse[..., None])
    col = col + 0.75 * specular[..., None]
    c.paint(frame, np.clip(col, 0, 1))

    # Lenses: gradient tint, darker and more opaque on top, as in gradient sunglasses.
    grad = smoothstep(py - hh, py + hh, c.y)
    tint = mix((0.06, 0.05, 0.1), (0.22, 0.18, 0.3), grad)
    c.paint(lenses, tint, (0.96 - 0.14 * grad))
    # Reflections: a broad sheen and a thin stripe running diagonally, and a bright edge.
    diag = (c.x - px) * 0.55 + (c.y - py)
    for x, _, _ in centres:
        d = diag - (x - px) * 0.55
        sheen = smoothstep(-70, -40, d) * smoothstep(-5, -30, d)
        stripe = smoothstep(2, 10, d) * smoothstep(26, 16, d)
        c.paint(lenses * sheen, (0.85, 0.9, 1.0), 0.2)
        c.paint(lenses * stripe, (0.85, 0.9, 1.0), 0.14)
    lens_edge = lenses * (1 - smoothstep(0, 4, depth(lenses)))
    c.paint(lens_edge * smoothstep(py, py + hh, c.y), (0.6, 0.6, 0.75), 0.5)
    # Rivets on the hinges catch the light.
    for side in (-1, 1):
        rx = px + side * (0.5 * ed + 1.06 * hw + 12)
        for ry in (top + 20, top + 36):
            rivet = c.ellipse((rx, ry), (4, 4))
            rd, rs = lighting(bevel(rivet, 4), 4, shininess=20)
            rcol = np.float32([0.7, 0.7, 0.72]) * rd[..., None] + rs[..., None]
            c.paint(rivet, np.clip(rcol, 0, 1))
    return c


def draw_glasses_arm() -> Canvas:
    """One arm of the sunglasses, seen from the side: a glossy black temple, tapering from
    the hinge (left) and bending down behind the ear (right)."""
    w, h = GLASSES_ARM_SIZE
    c = Canvas(w, h)
    px, py = GLASSES_ARM_PIN
    bend = w - 70
    top = bezier(
        [
            (px, py - 11),
            ((bend * 0.5, py - 10), (bend, py - 8), (bend + 30, py - 4)),
            ((w - 28, py + 2), (w - 12, py + 14), (w - 8, py + 26)),
        ]
    )
    bottom = bezier(
        [
            (w - 18, py + 30),
            ((w - 24, py + 16), (w - 40, py + 6), (bend + 24, py + 4)),
            ((bend, py + 2), (bend * 0.5, py + 1), (px, py + 11)),
        ]
    )
    arm = c.polygon(np.concatenate([top, bottom]))
    height = bevel(arm, 7)
    diffuse, specular = lighting(height, 6, shininess=40)
    col = np.float32([0.06, 0.055, 0.07]) * (0.5 + 0.5 * diffuse[..., None])
    col = col + 0.75 * specular[..., None]
    c.paint(arm, np.clip(col, 0, 1))
    return c


@cache
def _glasses() -> np.ndarray:
    """The whole glasses, finished (straight BGRA), drawn once for their three pieces."""
    return finish(draw_glasses())


def glasses_piece(part: str) -> np.ndarray:
    """One piece of the glasses, cut from the whole: ``"right"`` (the person's right lens,
    on the picture's left, with its hinge), ``"bridge"`` or ``"left"``. Each piece's pin
    is its lens centre (the bridge's middle for the bridge), level with ``GLASSES_PIN``."""
    whole = _glasses()
    cut_right, cut_left = (
        GLASSES_PIN[0] - GLASSES_BRIDGE_HALF,
        GLASSES_PIN[0] + GLASSES_BRIDGE_HALF,
    )
    x0, x1 = {
        "right": (0, cut_right),
        "bridge": (cut_right, cut_left),
        "left": (cut_left, whole.shape[1]),
    }[part]
    return np.ascontiguousarray(whole[:, x0:x1])


# --- tears ------------------------------------------------------------------------------


def draw_drop(deep: bool = False) -> Canvas:
    """A glossy, see-through teardrop, pointed on top, with a thin darker rim.

    Args:
        deep: A bluer, more opaque drop with a stronger rim (the crying filter's), for
            the big cartoon tears; the default is the clearer tear of the tears filter.
    """
    w, h = DROP_SIZE
    c = Canvas(w, h)
    mid, r = w / 2, 0.4 * w
    cy = h - r - 0.04 * h
    k = 0.5523 * r  # Bézier handle length for a quarter circle
    tip = 0.04 * h
    half = bezier(
        [
            (mid, tip),
            ((mid + 0.06 * w, 0.2 * h), (mid + r, cy - r * 1.05), (mid + r, cy)),
            ((mid + r, cy + k), (mid + k, cy + r), (mid, cy + r)),
        ]
    )
    outline = np.concatenate([half, mirror(half, mid)])
    body = c.polygon(outline)
    height = bevel(body, r * 0.9)
    diffuse, specular = lighting(height, r * 0.9, shininess=30)
    # Water is clearer face-on and denser towards the rim, where light crosses more of it.
    rim = 1 - smoothstep(0, r * 0.55, depth(body))
    clear, dense = (
        ((0.5, 0.76, 1.0), (0.12, 0.38, 0.82)) if deep else ((0.66, 0.86, 1.0), (0.28, 0.55, 0.86))
    )
    col = mix(clear, dense, rim)
    col = col * (0.7 + 0.3 * diffuse[..., None])
    # Light refracted through the drop gathers on the side away from the light.
    caustic = blur(c.ellipse((mid + 0.25 * r, cy + 0.5 * r), (0.45 * r, 0.22 * r), -25), 1.5)
    col = mix(col, (0.92, 0.98, 1.0), 0.7 * caustic)
    opacity = (0.62 if deep else 0.52) + 0.4 * rim + 0.3 * caustic
    c.paint(body, np.clip(col, 0, 1), np.clip(opacity, 0, 1))
    # The thin dark edge where the water bends the light away, as on the streams.
    edge = body * (1 - smoothstep(0.0, 0.045 * w, depth(body)))
    c.paint(edge, (0.1, 0.26, 0.55) if deep else (0.18, 0.36, 0.62), 0.85 if deep else 0.7)
    c.paint(body * specular, (1, 1, 1), 0.8)
    glint = blur(c.ellipse((mid - 0.38 * r, cy - 0.35 * r), (0.14 * r, 0.3 * r), 25), 0.5)
    c.paint(glint * body, (1, 1, 1), 1.0)
    dot = c.ellipse((mid - 0.12 * r, cy - 0.78 * r), (0.06 * r, 0.06 * r))
    c.paint(blur(dot, 0.3) * body, (1, 1, 1), 0.9)
    c.paint(
        blur(c.ellipse((mid - 0.02 * w, 0.25 * h), (0.025 * w, 0.06 * h), 10), 0.4) * body,
        (1, 1, 1),
        0.7,
    )
    return c


def _heart_outline(cx: float, cy: float, size: float) -> np.ndarray:
    """A heart ``size`` pixels wide, centred on ``(cx, cy)``, its point down."""
    u = size / 2
    half = bezier(
        [
            (cx, cy - 0.42 * u),
            (
                (cx + 0.18 * u, cy - 0.95 * u),
                (cx + 1.0 * u, cy - 0.98 * u),
                (cx + 0.98 * u, cy - 0.3 * u),
            ),
            ((cx + 0.96 * u, cy + 0.2 * u), (cx + 0.45 * u, cy + 0.5 * u), (cx, cy + 0.92 * u)),
        ]
    )
    return np.concatenate([half, mirror(half, cx)])


def _paint_heart(c: Canvas, cx: float, cy: float, size: float, angle: float = 0.0) -> None:
    """A glossy candy-red heart, lit from the upper left, with a soft rim."""
    outline = _heart_outline(cx, cy, size)
    if angle:
        t = np.deg2rad(angle)
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        outline = (outline - (cx, cy)) @ rot.T + (cx, cy)
    body = c.polygon(outline)
    height = bevel(body, 0.28 * size)
    diffuse, specular = lighting(height, 0.3 * size, shininess=24)
    rim = 1 - smoothstep(0, 0.16 * size, depth(body))
    col = mix((0.98, 0.16, 0.3), (0.62, 0.02, 0.12), rim)
    col = col * (0.55 + 0.45 * diffuse[..., None]) + 0.6 * specular[..., None]
    c.paint(body, np.clip(col, 0, 1))
    glint = c.ellipse((cx - 0.22 * size, cy - 0.22 * size), (0.09 * size, 0.05 * size), -35)
    c.paint(blur(glint, 0.02 * size) * body, (1, 1, 1), 0.85)


def draw_heart() -> Canvas:
    """One big heart for an eye."""
    c = Canvas(*HEART_SIZE)
    _paint_heart(c, HEART_PIN[0], HEART_PIN[1] - 8, 0.86 * HEART_SIZE[0])
    drop_shadow(c, (0.0, 6.0), 6.0, 0.4)
    return c


def draw_heart_crown() -> Canvas:
    """Seven small hearts in an arc over the head, tilting outwards, the middle ones
    largest."""
    c = Canvas(*HEART_CROWN_SIZE)
    mid_x, foot_y = HEART_CROWN_PIN
    for k in range(-3, 4):
        a = np.deg2rad(k * 24)
        cx = mid_x + 300 * np.sin(a)
        cy = foot_y - 40 - 190 * np.cos(a)
        _paint_heart(c, cx, cy, 86 - 9 * abs(k), angle=k * 14)
    drop_shadow(c, (0.0, 5.0), 5.0, 0.35)
    return c


def draw_blush() -> Canvas:
    """Two soft rosy patches for the cheeks, fading out at their edges."""
    c = Canvas(*BLUSH_SIZE)
    for side in (-1, 1):
        patch = blur(c.ellipse((BLUSH_PIN[0] + side * 215, BLUSH_PIN[1] + 30), (85, 44)), 14)
        c.paint(patch, (0.98, 0.35, 0.45), 0.55)
    return c


# --- main -------------------------------------------------------------------------------


def main(out_dir: Path = FILTERS) -> None:
    """Paints every picture and writes it into its filter folder.

    Args:
        out_dir: The folder of filter folders; the repository's ``filters/`` by default.
            A different one (the first command-line argument) is handy for trying changes.
    """
    art = {
        "dog/ear_left.png": lambda: draw_dog_ear(1),
        "dog/ear_right.png": lambda: draw_dog_ear(-1),
        "dog/nose.png": draw_nose,
        "dog/tongue.png": draw_tongue,
        "cat/ear_left.png": lambda: draw_cat_ear(1),
        "cat/ear_right.png": lambda: draw_cat_ear(-1),
        "cat/nose.png": draw_cat_nose,
        "cat/whiskers.png": draw_whiskers,
        "bunny/ear_left.png": lambda: draw_bunny_ear(1),
        "bunny/ear_right.png": lambda: draw_bunny_ear(-1, bend=62.0),
        "bunny/nose.png": draw_bunny_nose,
        "bunny/teeth.png": draw_teeth,
        "glasses/lens_right.png": lambda: glasses_piece("right"),
        "glasses/bridge.png": lambda: glasses_piece("bridge"),
        "glasses/lens_left.png": lambda: glasses_piece("left"),
        "glasses/arm.png": draw_glasses_arm,
        "tears/drop.png": draw_drop,
        "crying/drop.png": lambda: draw_drop(deep=True),
        "heart-eyes/heart.png": draw_heart,
        "heart-eyes/crown.png": draw_heart_crown,
        "heart-eyes/blush.png": draw_blush,
    }
    for name, draw in art.items():
        picture = draw()
        save(picture if isinstance(picture, np.ndarray) else finish(picture), out_dir / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FILTERS)
