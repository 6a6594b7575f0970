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
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

FILTERS = Path(__file__).resolve().parents[1] / "filters"

SS = 4  # supersampling factor: paint at 4x, shrink with INTER_AREA for smooth edges

# Light from the upper left and in front, as in most selfies; (x right, y down, z to viewer).
LIGHT = np.array([-0.42, -0.62, 0.66]) / np.linalg.norm([-0.42, -0.62, 0.66])
HALFWAY = (LIGHT + [0, 0, 1]) / np.linalg.norm(LIGHT + [0, 0, 1])

# Picture sizes and pins (pixels); filter.toml files repeat the pins.
EARS_SIZE, EARS_PIN, EARS_WIDTH_ED = (800, 384), (400, 252), 3.0
NOSE_SIZE, NOSE_PIN = (256, 200), (128, 96)
TONGUE_SIZE, TONGUE_PIN = (224, 256), (112, 20)
GLASSES_SIZE, GLASSES_PIN, GLASSES_WIDTH_ED = (700, 260), (350, 134), 2.3
DROP_SIZE = (64, 96)


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


# --- dog --------------------------------------------------------------------------------


def _tufts(c: Canvas, rng, roots, direction, length: float, width: float) -> np.ndarray:
    """Coverage of a fringe of thin fur strands growing from ``roots`` along ``direction``.

    Every strand gets its own length, lean and bend, so the fringe looks grown, not stamped.
    """
    direction = np.asarray(direction, np.float64) / np.linalg.norm(direction)
    side = np.array([-direction[1], direction[0]])
    cover = np.zeros(c.shape, np.float32)
    for root in np.asarray(roots, np.float64):
        reach = length * rng.uniform(0.55, 1.0)
        lean = direction + side * rng.uniform(-0.35, 0.35)
        tip = root + lean / np.linalg.norm(lean) * reach
        ctrl = (root + tip) / 2 + side * rng.uniform(-0.25, 0.25) * reach
        stroke = c.polygon(strand(root, ctrl, tip, width * rng.uniform(0.7, 1.2)))
        cover = np.maximum(cover, stroke)
    return cover


def _fur_colour(c: Canvas, mask: np.ndarray, streaks: np.ndarray, light, dark, w: float):
    """Shades a furry region: rounded by its bevel, streaked, with a thin darker rim."""
    height = bevel(mask, 0.3 * w) + 0.03 * streaks
    diffuse, specular = lighting(height, 40, shininess=10)
    col = mix(dark, light, np.clip(diffuse * 0.8 - 0.1, 0, 1)) + 0.1 * specular[..., None]
    col *= 1 + 0.08 * streaks[..., None]
    rim = 1 - smoothstep(0.0, 2.5, depth(mask))
    return np.clip(mix(col, np.float32(dark) * 0.55, 0.6 * rim), 0, 1)


def _ribbon(spine: np.ndarray, half_width: np.ndarray) -> np.ndarray:
    """Outline of a band of varying width around a polyline (both sides, closed)."""
    tangent = np.gradient(spine, axis=0)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    offset = normal * half_width[:, None]
    return np.concatenate([spine + offset, (spine - offset)[::-1]])


def _reflect(points: np.ndarray, origin: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Mirrors points across the line through ``origin`` along ``direction``."""
    d = direction / np.linalg.norm(direction)
    v = points - origin
    return origin + 2 * (v @ d)[:, None] * d - v


def _ear(width: float, length: float, seed: int) -> Canvas:
    """Paints one dog ear (outer side on the left) in a canvas of its own.

    The ear grows up along a curved spine and its tip flops over towards the viewer, like
    a puppy's: the flap is the tip mirrored across the crease, as a folded sheet would be.
    The root sits at ``(canvas width / 2, canvas height - 0.3 * length)``; below it the
    ear runs on, to be hidden by the skull cut in :func:`draw_ears`.
    """
    w, L = width, length
    cw, ch = int(w * 1.8), int(length * 1.6)
    cx, by = cw / 2, ch - 0.3 * L
    c = Canvas(cw, ch)
    rng = np.random.default_rng(seed)

    root, tip = (cx, by + 0.3 * L), (cx - 0.3 * w, by - 1.12 * L)
    spine = bezier([root, ((cx, by - 0.3 * L), (cx + 0.02 * w, by - 0.75 * L), tip)], steps=400)
    run = np.concatenate([[0], np.cumsum(np.linalg.norm(np.diff(spine, axis=0), axis=1))])
    t = run / run[-1]
    half = 0.5 * w * (1 + 0.3 * np.sin(np.pi * t)) * (1 - 0.6 * t**2)
    cap = 0.3 * w  # round the tip: a quarter ellipse over its last ``cap`` pixels
    left = np.clip((run[-1] - run) / cap, 0, 1)
    half *= np.sqrt(1 - (1 - left) ** 2)

    crease_i = int(np.searchsorted(t, 0.74))
    origin = spine[crease_i]
    along = spine[crease_i + 1] - spine[crease_i - 1]
    across = np.array([-along[1], along[0]])
    body_outline = _ribbon(spine[: crease_i + 1], half[: crease_i + 1])
    flap_outline = _reflect(_ribbon(spine[crease_i:], half[crease_i:]), origin, across)
    inside = slice(40, crease_i - 10)
    rounded = np.sqrt(np.sin(np.linspace(0, np.pi, inside.stop - inside.start)))
    hollow_outline = _ribbon(spine[inside], 0.58 * half[inside] * rounded)
    # The bend is rounded, not a cut: a flat ellipse along the crease caps the ear.
    bend_angle = np.degrees(np.arctan2(across[1], across[0]))
    bend = c.ellipse(tuple(origin), (half[crease_i] * 0.98, 0.11 * L), bend_angle)

    streaks = noise(rng, c.shape, (6, 44)) + 0.25 * noise(rng, c.shape, (2.5, 16))

    # Fur: let streaky noise nibble the edge so it reads as hair, not as cut paper.
    def furry(mask: np.ndarray) -> np.ndarray:
        return smoothstep(0.38, 0.62, blur(mask, 1.6) + 0.09 * streaks)

    body = furry(c.polygon(body_outline))
    rise = smoothstep(0.3, -0.9, (c.y - by) / L)  # 0 at the root, 1 near the top
    light = mix((0.44, 0.26, 0.14), (0.66, 0.42, 0.24), rise)
    c.paint(body, _fur_colour(c, body, streaks, light, (0.25, 0.13, 0.06), w))

    # The hollow: light it upside down (it is concave) and deepen it towards the root.
    hollow = blur(c.polygon(hollow_outline), 1.2)
    idiff, ispec = lighting(-bevel(hollow, 0.14 * w), 20, shininess=16)
    deep = smoothstep(-0.6, 0.25, (c.y - by) / L)
    pink = mix((0.92, 0.68, 0.64), (0.55, 0.3, 0.29), deep)
    pink = pink * (0.5 + 0.5 * idiff[..., None]) + 0.1 * ispec[..., None]
    pink *= 1 + 0.03 * streaks[..., None]
    c.paint(hollow, np.clip(pink, 0, 1))
    c.paint(blur(1 - hollow, 0.04 * w) * hollow, (0.28, 0.12, 0.1), 0.5)  # rim's shadow

    # Pale fur fringing the hollow's inner edge, combed up along the ear.
    edge = _ribbon(spine[inside], 0.58 * half[inside] * rounded)
    roots = edge[: len(edge) // 2][40:-60:7]
    fringe = _tufts(c, rng, roots, (-0.3, -1.0), 0.13 * w, 0.028 * w)
    c.paint(blur(fringe, 0.3), (0.95, 0.88, 0.78), 0.6)

    # The flopped tip shows the ear's back and casts a soft shadow on the ear below.
    flap = furry(np.maximum(c.polygon(flap_outline), bend))
    drop = np.float32([[1, 0, 0.03 * w * SS], [0, 1, 0.05 * L * SS]])
    shadow = blur(cv2.warpAffine(flap, drop, flap.shape[::-1]), 0.04 * w) * (1 - flap)
    c.paint(shadow * c.alpha, (0.12, 0.05, 0.03), 0.6)
    near = np.linalg.norm(np.dstack([c.x - origin[0], c.y - origin[1]]), axis=2)
    crease = smoothstep(0.35 * L, 0.0, near)  # the bend catches the light
    back = mix((0.4, 0.23, 0.12), (0.7, 0.47, 0.28), crease)
    c.paint(flap, _fur_colour(c, flap, streaks, back, (0.22, 0.11, 0.05), w))
    # Where the skull cut does not reach (beside a narrow head), the root melts away.
    c.clip(smoothstep(by + 0.2 * L, by, c.y))
    return c


def draw_ears() -> Canvas:
    """Two dog ears standing on the skull, with a gap for the forehead between them."""
    ed = EARS_SIZE[0] / EARS_WIDTH_ED  # picture pixels per eye distance
    c = Canvas(*EARS_SIZE)
    ear_w, ear_l = 0.7 * ed, 1.16 * ed
    ear = _ear(ear_w, ear_l, seed=7)
    ew, eh = ear.size
    src = (ew / 2 * SS, (eh - 0.3 * ear_l) * SS)
    dst = (EARS_PIN[0] - 0.7 * ed, EARS_PIN[1] + 0.08 * ed)
    m = cv2.getRotationMatrix2D(src, 26.0, 1.0)  # lean the ear out from the head
    m[:, 2] += np.array(dst) * SS - np.array(src)
    h, w = c.shape
    rgb = cv2.warpAffine(ear.rgb, m, (w, h), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(ear.alpha, m, (w, h), flags=cv2.INTER_LINEAR)
    c.over(rgb, alpha)
    c.over(rgb[:, ::-1].copy(), alpha[:, ::-1].copy())  # the other ear, mirrored

    # The skull (a rough ellipse through the top of the head) hides the ears' roots, so
    # they seem to grow out of the hair; fur darkens where it meets the head.
    skull = c.ellipse((EARS_PIN[0], EARS_PIN[1] + 0.95 * ed), (1.12 * ed, 0.98 * ed))
    outside = 1 - blur(skull, 0.02 * ed)
    c.rgb *= (1 - 0.45 * blur(skull, 0.08 * ed))[..., None]
    c.clip(outside)
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
    """A glossy pink tongue hanging down from the lower lip, with a centre groove."""
    c = Canvas(*TONGUE_SIZE)
    rng = np.random.default_rng(5)
    mid = TONGUE_PIN[0]
    half = bezier(
        [
            (mid, -20),
            ((mid + 30, -20), (mid + 48, -20), (mid + 52, -8)),
            ((mid + 66, 40), (mid + 94, 100), (mid + 92, 160)),
            ((mid + 90, 222), (mid + 48, 242), (mid + 14, 236)),
            ((mid + 6, 237), (mid + 3, 232), (mid, 232)),
        ]
    )
    outline = np.concatenate([half, mirror(half, mid)])
    body = c.polygon(outline)
    groove = np.exp(-(((c.x - mid) / 11) ** 2)) * smoothstep(0, 40, c.y) * smoothstep(230, 150, c.y)
    papillae = noise(rng, c.shape, (3, 3))
    height = bevel(body, 50) - 0.22 * groove + 0.0012 * papillae
    diffuse, specular = lighting(height, 60, shininess=22)
    col = mix((0.78, 0.25, 0.36), (0.98, 0.52, 0.6), smoothstep(0.2, 1.0, bevel(body, 70)))
    col = col * (0.4 + 0.6 * diffuse[..., None]) + 0.45 * specular[..., None]
    # Deep in the mouth there is no light: darken towards the top edge.
    col *= (0.55 + 0.45 * smoothstep(TONGUE_PIN[1] - 20, TONGUE_PIN[1] + 30, c.y))[..., None]
    c.paint(body, np.clip(col, 0, 1))
    c.paint(blur(c.ellipse((mid - 42, 115), (13, 36), 10), 3) * body, (1, 0.92, 0.94), 0.35)
    drop_shadow(c, (3, 8), 7, 0.3)
    # Fade in at the top, where the tongue comes out of the mouth.
    c.clip(smoothstep(0, 16, c.y))
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


# --- tears ------------------------------------------------------------------------------


def draw_drop() -> Canvas:
    """A glossy, see-through light-blue teardrop, pointed on top."""
    w, h = DROP_SIZE
    c = Canvas(w, h)
    mid, r = w / 2, 0.4 * w
    cy = h - r - 4
    k = 0.5523 * r  # Bézier handle length for a quarter circle
    half = bezier(
        [
            (mid, 4),
            ((mid + 4, 20), (mid + r, cy - r * 1.05), (mid + r, cy)),
            ((mid + r, cy + k), (mid + k, cy + r), (mid, cy + r)),
        ]
    )
    outline = np.concatenate([half, mirror(half, mid)])
    body = c.polygon(outline)
    height = bevel(body, r * 0.9)
    diffuse, specular = lighting(height, r * 0.9, shininess=30)
    # Water is clearer face-on and denser towards the rim, where light crosses more of it.
    rim = 1 - smoothstep(0, r * 0.55, depth(body))
    col = mix((0.66, 0.86, 1.0), (0.28, 0.55, 0.86), rim)
    col = col * (0.7 + 0.3 * diffuse[..., None])
    # Light refracted through the drop gathers on the side away from the light.
    caustic = blur(c.ellipse((mid + 0.25 * r, cy + 0.5 * r), (0.45 * r, 0.22 * r), -25), 1.5)
    col = mix(col, (0.92, 0.98, 1.0), 0.7 * caustic)
    opacity = 0.5 + 0.4 * rim + 0.3 * caustic
    c.paint(body, np.clip(col, 0, 1), np.clip(opacity, 0, 1))
    c.paint(body * specular, (1, 1, 1), 0.8)
    glint = blur(c.ellipse((mid - 0.38 * r, cy - 0.35 * r), (0.14 * r, 0.3 * r), 25), 0.5)
    c.paint(glint * body, (1, 1, 1), 0.95)
    c.paint(blur(c.ellipse((mid - 0.05 * r, 24), (1.6, 4), 10), 0.4) * body, (1, 1, 1), 0.7)
    return c


# --- main -------------------------------------------------------------------------------


def main(out_dir: Path = FILTERS) -> None:
    """Paints every picture and writes it into its filter folder.

    Args:
        out_dir: The folder of filter folders; the repository's ``filters/`` by default.
            A different one (the first command-line argument) is handy for trying changes.
    """
    art = {
        "dog/ears.png": draw_ears,
        "dog/nose.png": draw_nose,
        "dog/tongue.png": draw_tongue,
        "glasses/glasses.png": draw_glasses,
        "tears/drop.png": draw_drop,
    }
    for name, draw in art.items():
        save(finish(draw()), out_dir / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FILTERS)
