"""Draws the face textures (art in the canonical face's UV space) and writes RGBA PNGs.

Like ``scripts/make_art.py``, whose painting toolkit this script shares, everything is
drawn in code: nothing is downloaded, traced or copied. Run it again after changing a
drawing:

    .venv/bin/python scripts/make_textures.py [out_dir]

A texture is a square picture in UV space: ``u`` right, ``v`` down, ``(0, 0)`` the
top-left corner; the person's right eye is on the left, as in a frontal photo (see
``facefilters.render.meshmap.CanonicalFace``). Features are placed at the UVs of the
landmarks they belong to, so the paint lands on the cheeks and the mask's holes on the
eyes. The eye openings and the mouth stay transparent so the real ones show through.

The output is deterministic (fixed seeds); pictures are painted at ``SS`` times their size
and shrunk with ``cv2.INTER_AREA``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_art import (  # noqa: E402  (the sibling script is the toolkit)
    FILTERS,
    SS,
    Canvas,
    bevel,
    blur,
    depth,
    finish,
    lighting,
    mix,
    noise,
    save,
    smoothstep,
)

from facefilters.render.meshmap import canonical_face, mesh_maps  # noqa: E402
from facefilters.render.swap import LEFT_EYE, OUTER_LIPS, RIGHT_EYE  # noqa: E402

SIZE = 1024
"""Texture width and height, pixels."""


def uv_px(index) -> np.ndarray:
    """Texture pixels ``xy`` of landmarks: ndarray of shape (..., 2), float64."""
    return canonical_face().uv[np.asarray(index)].astype(np.float64) * SIZE


def at(u: float, v: float) -> np.ndarray:
    """A UV position in texture pixels."""
    return np.array([u * SIZE, v * SIZE])


def spline(points, steps: int = 24, closed: bool = True) -> np.ndarray:
    """A Catmull-Rom curve through points (picture pixels): ndarray of shape (N, 2)."""
    p = np.asarray(points, np.float64)
    if closed:
        p = np.concatenate([p[-1:], p, p[:2]])
    else:
        p = np.concatenate([p[:1], p, p[-1:]])
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    out = []
    for k in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[k - 1], p[k], p[k + 1], p[k + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    if not closed:
        out.append(p[-2:-1])
    return np.concatenate(out)


def mirror_u(points) -> np.ndarray:
    """Points reflected about the face's midline (``u = 0.5``), order reversed."""
    p = np.asarray(points, np.float64)[::-1].copy()
    p[:, 0] = SIZE - p[:, 0]
    return p


def grow(points, scale_xy, shift_xy=(0.0, 0.0)) -> np.ndarray:
    """Points scaled about their centroid, then shifted (picture pixels)."""
    p = np.asarray(points, np.float64)
    c = p.mean(axis=0)
    return c + (p - c) * np.asarray(scale_xy) + np.asarray(shift_xy)


def lines(c: Canvas, polylines, width: float, closed: bool = False) -> np.ndarray:
    """Anti-aliased coverage (0..1) of polylines ``width`` picture pixels wide."""
    mask = np.zeros(c.shape, np.uint8)
    fixed = [np.round(np.asarray(p) * SS * 16).astype(np.int32) for p in polylines]
    cv2.polylines(mask, fixed, closed, 255, max(1, round(width * SS)), cv2.LINE_AA, 4)
    return mask.astype(np.float32) / 255


def dots(c: Canvas, centres, radii) -> np.ndarray:
    """Anti-aliased coverage of filled circles (picture pixels)."""
    mask = np.zeros(c.shape, np.uint8)
    for (x, y), r in zip(centres, radii):
        cv2.circle(
            mask,
            (round(x * SS * 16), round(y * SS * 16)),
            round(r * SS * 16),
            255,
            -1,
            cv2.LINE_AA,
            4,
        )
    return mask.astype(np.float32) / 255


def openings(c: Canvas, eye_grow: float, lips_grow: float) -> np.ndarray:
    """Coverage of the eye and mouth openings, grown by some pixels, softly edged."""
    cut = np.zeros(c.shape, np.float32)
    for ring, pad in ((RIGHT_EYE, eye_grow), (LEFT_EYE, eye_grow), (OUTER_LIPS, lips_grow)):
        pts = uv_px(ring)
        span = np.ptp(pts, axis=0)
        cut = np.maximum(cut, c.polygon(grow(pts, (1 + 2 * pad / span[0], 1 + 2 * pad / span[1]))))
    return blur(cut, 1.0)


def face_depth(c: Canvas) -> np.ndarray:
    """The canonical face's depth at every canvas sample, in picture pixels (0 at the back).

    Drawn by the same piecewise-affine mapping the renderer uses: each vertex's source
    ``x`` is its depth, so ``map_x`` interpolates depth across every triangle.
    """
    model = canonical_face()
    dst = model.uv * (SIZE * SS) - 0.5
    z = model.canonical_xyz[:, 2]
    cm_to_px = np.ptp(model.uv[:, 0]) * SIZE / np.ptp(model.canonical_xyz[:, 0])
    src = np.stack([(z - z.min()) * cm_to_px, np.zeros_like(z)], axis=1).astype(np.float32)
    h, w = c.shape
    depth, _, coverage = mesh_maps(dst.astype(np.float32), src, model.triangles, (0, 0, w, h))
    return np.where(coverage > 0, depth, 0).astype(np.float32)


def rotated_noise(rng, c: Canvas, cell, angle_deg: float, centre) -> np.ndarray:
    """Streaky noise (about -1..1) with its streaks turned by ``angle_deg`` about ``centre``."""
    n = noise(rng, c.shape, cell)
    m = cv2.getRotationMatrix2D((centre[0] * SS, centre[1] * SS), -angle_deg, 1.0)
    return cv2.warpAffine(n, m, c.shape[::-1], borderMode=cv2.BORDER_REFLECT)


# --- face paint -------------------------------------------------------------------------

FLAG_RGB = ((200, 22, 40), (250, 248, 240), (22, 64, 160))  # red, white, blue bands
STAR_RGB = (255, 120, 0)  # orange
GLITTER_RGB = ((255, 214, 60), (255, 255, 255), (255, 110, 200), (90, 230, 255))


def _stripes(c: Canvas, rng, centre, outward, length: float, height: float) -> None:
    """Three bands across a cheek, each one brush stroke, like a supporter's flag.

    Each stroke starts round where the brush touched down (towards the nose), runs out
    in ragged bristle marks towards the ear, and carries the streaks of the bristles;
    the strokes overlap a little and do not end exactly together, as by hand.

    Args:
        centre: middle of the block, picture pixels.
        outward: unit vector along the bands, pointing towards the ear.
        length, height: of the whole block, picture pixels.
    """
    d = np.asarray(outward, np.float64)
    across = np.array([-d[1], d[0]]) * (1 if d[0] > 0 else -1)  # downwards
    angle = np.degrees(np.arctan2(d[1], d[0]))
    half = height / 6
    for k, rgb in enumerate(FLAG_RGB):
        mid = np.asarray(centre) + across * (k - 1) * height / 3 + d * rng.uniform(-8, 8)
        dx, dy = c.x - mid[0], c.y - mid[1]
        s = dx * d[0] + dy * d[1]  # along the stroke, outwards
        t = dx * across[0] + dy * across[1]  # across it, downwards
        wobble = rotated_noise(rng, c, (70, 50), angle, mid)
        bristle = rotated_noise(rng, c, (60, 1.4), angle, mid)
        streak = rotated_noise(rng, c, (45, 1.1), angle, mid)
        width = half + 2.5 + 2.5 * wobble + 0.8 * bristle
        reach = length / 2 * (1 + 0.05 * rng.standard_normal())
        # Round start: distance to a cap of radius ``width`` centred inside the stroke.
        start = s + reach - width
        cap = np.where(start < 0, width - np.hypot(start, t), width - np.abs(t))
        # Dry end: the bristles run out at different lengths.
        dry = reach + 22 * bristle + 6 * wobble - s
        inside = np.minimum(cap, dry)
        coverage = np.clip(inside * SS + 0.5, 0, 1)
        load = 0.95 + 0.05 * streak - 0.55 * smoothstep(reach * 0.35, reach * 1.05, s)
        coverage *= np.clip(load + 0.25 * bristle * smoothstep(reach * 0.5, reach, s), 0, 1)
        shade = 1 + 0.07 * streak
        c.paint(coverage, np.clip(np.float32(rgb) * shade[..., None], 0, 255) / 255)


def _star_outline(centre, radius: float, inner: float, points: int = 5, turn: float = 0.0):
    a = np.radians(turn) - np.pi / 2 + np.arange(2 * points) * np.pi / points
    r = np.where(np.arange(2 * points) % 2 == 0, radius, radius * inner)
    return np.stack([centre[0] + r * np.cos(a), centre[1] + r * np.sin(a)], axis=1)


def draw_face_paint() -> Canvas:
    """Supporter's face paint: flag bands on both cheeks, a star by one eye, glitter."""
    c = Canvas(SIZE, SIZE)
    rng = np.random.default_rng(2024)
    tilt = np.radians(14)
    cheek = (uv_px(50) * 0.55 + uv_px(123) * 0.45) + (0, 0.06 * SIZE)
    for side in (-1, 1):
        centre = cheek if side < 0 else np.array([SIZE - cheek[0], cheek[1]])
        outward = np.array([side * np.cos(tilt), -np.sin(tilt)])
        _stripes(c, rng, centre, outward, length=0.22 * SIZE, height=0.125 * SIZE)

    # A star below the outer corner of the person's left eye, painted white then orange,
    # so a white rim shows around it. Further out, towards the temple, the face turns
    # away from the camera and a star there would be seen edge-on.
    star_c = at(0.79, 0.452)
    rim = c.polygon(spline(_star_outline(star_c, 60, 0.46, turn=-12), steps=4))
    c.paint(rim, (0.98, 0.97, 0.94), 0.95)
    body = c.polygon(spline(_star_outline(star_c, 49, 0.44, turn=-12), steps=4))
    grain = noise(rng, c.shape, (10, 10))
    c.paint(body, mix(STAR_RGB, (255, 180, 40), 0.5 + 0.5 * grain) / 255, 0.96)

    # Sparkles: four-pointed twinkles.
    for (u, v), r in (((0.72, 0.47), 16), ((0.86, 0.40), 13), ((0.27, 0.48), 12)):
        pts = _star_outline(at(u, v), r, 0.22, points=4)
        c.paint(c.polygon(pts), (1.0, 1.0, 1.0), 0.95)

    # Glitter: a cloud around the star and a dusting along the top of each cheek block.
    centres = [star_c + rng.normal(0, 34, (150, 2))]
    for side in (-1, 1):
        top = (cheek if side < 0 else np.array([SIZE - cheek[0], cheek[1]])) - (0, 0.07 * SIZE)
        centres.append(top + rng.normal(0, (50, 12), (80, 2)))
    pts = np.concatenate(centres)
    radii = rng.uniform(1.2, 3.2, len(pts))
    colour_of = rng.integers(0, len(GLITTER_RGB), len(pts))
    for k, rgb in enumerate(GLITTER_RGB):
        sel = colour_of == k
        c.paint(dots(c, pts[sel], radii[sel]), np.float32(rgb) / 255, 0.95)
    # A bright glint in the middle of the bigger flakes.
    big = radii > 2.6
    c.paint(dots(c, pts[big] - radii[big, None] * 0.3, radii[big] * 0.3), (1.0, 1.0, 1.0), 0.8)

    c.clip(1 - openings(c, eye_grow=6, lips_grow=5))
    return c


# --- carnival mask ----------------------------------------------------------------------

PURPLE = np.float32((46, 8, 78))
PURPLE_LIGHT = np.float32((124, 44, 170))
TEAL = np.float32((0, 118, 124))
TEAL_LIGHT = np.float32((40, 196, 190))
GOLD = np.float32((214, 168, 58))
GOLD_DARK = np.float32((110, 70, 18))


def _mask_outline() -> np.ndarray:
    """The colombina's outline: brow to cheekbone, swept up to points at the temples."""
    half = [
        at(u, v)
        for u, v in (
            (0.50, 0.238),
            (0.41, 0.205),
            (0.30, 0.19),
            (0.20, 0.205),
            (0.12, 0.24),
            (0.075, 0.262),  # the wing's point, just inside the face outline
            (0.065, 0.33),
            (0.085, 0.415),
            (0.14, 0.475),
            (0.23, 0.505),
            (0.32, 0.495),
            (0.40, 0.46),
            (0.455, 0.43),
        )
    ]
    bottom_centre = at(0.5, 0.418)
    return spline([*half, bottom_centre, *mirror_u(half[1:])], steps=20)


def _eye_hole(ring) -> np.ndarray:
    """An almond around an eye, wider than the eye, with a lifted outer corner."""
    pts = uv_px(ring)
    hole = grow(pts, (1.3, 1.95), (0, -0.004 * SIZE))
    # Lift the outer corner (the first point of each ring) into a cat-eye flick.
    outer = hole[0] - hole.mean(axis=0)
    hole[0] += outer * 0.12 + (0, -0.012 * SIZE)
    return spline(hole, steps=8)


def _scroll(centre, radius: float, turns: float, start_deg: float, sense: int, tail) -> np.ndarray:
    """A filigree curl: a spiral from ``centre`` out to ``radius``, then a tail curve."""
    a = np.linspace(0, turns * 2 * np.pi, int(60 * turns))
    r = radius * (a / a[-1]) ** 0.9
    ang = np.radians(start_deg) + sense * a
    spiral = np.stack([centre[0] + r * np.cos(ang), centre[1] + r * np.sin(ang)], axis=1)
    return np.concatenate([spiral, spline([spiral[-1], *tail], steps=12, closed=False)])


def draw_carnival_mask() -> Canvas:
    """A Venetian colombina: purple lacquer, teal around the eyes, gold filigree and rims."""
    c = Canvas(SIZE, SIZE)
    rng = np.random.default_rng(1797)
    outline = _mask_outline()
    holes = [_eye_hole(RIGHT_EYE), _eye_hole(LEFT_EYE)]
    shape = c.polygon(outline)
    hole = np.maximum(c.polygon(holes[0]), c.polygon(holes[1]))
    body = shape * (1 - hole)

    # Teal panels around the eyes, and the gold: an outer rim, eye rims, filigree, beads.
    panels = np.maximum(c.polygon(grow(holes[0], 1.32)), c.polygon(grow(holes[1], 1.32)))
    panel_rim = lines(c, [grow(h, 1.32) for h in holes], 3.0, closed=True)
    rim_out = shape * smoothstep(14.0, 12.5, depth(shape))
    eye_rims = lines(c, holes, 12.0, closed=True)
    curls = []
    for sense in (1, -1):
        mir = (lambda p: p) if sense > 0 else (lambda p: mirror_u(p)[::-1])
        curls += [
            mir(_scroll(at(0.205, 0.255), 20, 1.6, 200, 1, [at(0.16, 0.30), at(0.105, 0.30)])),
            mir(_scroll(at(0.355, 0.245), 16, 1.4, 330, -1, [at(0.29, 0.24), at(0.25, 0.275)])),
            mir(_scroll(at(0.42, 0.29), 11, 1.3, 120, 1, [at(0.455, 0.33), at(0.46, 0.37)])),
            mir(_scroll(at(0.17, 0.43), 15, 1.5, 30, -1, [at(0.22, 0.47), at(0.30, 0.475)])),
            mir(spline([at(0.09, 0.33), at(0.10, 0.38), at(0.13, 0.43)], 12, closed=False)),
        ]
    filigree = lines(c, curls, 5.0)
    bead_pts = []
    for sense in (1, -1):
        pts = [at(0.16 + 0.045 * k, 0.468 + 0.0036 * k * (4 - k)) for k in range(5)]
        bead_pts += pts if sense > 0 else list(mirror_u(pts))
    beads = dots(c, bead_pts, [6.0] * len(bead_pts))
    gem_c = at(0.5, 0.262)
    gem = c.ellipse(tuple(gem_c), (15, 19))
    setting = c.ellipse(tuple(gem_c), (22, 27))
    gold = (
        np.clip(
            np.maximum.reduce(
                [rim_out, eye_rims, filigree * body, beads * body, panel_rim * body, setting]
            ),
            0,
            1,
        )
        * shape
    )

    # Relief: the lacquered shell's rounded rim, the raised gold, the face's own shape.
    height = (
        bevel(body, 14) * 9 + blur(gold, 1.2) * 4 + blur(gem, 2) * 8 + blur(face_depth(c), 10) * 0.5
    )
    diffuse, spec = lighting(height, relief=1.0, shininess=40)
    diffuse = np.clip(diffuse, 0.25, 1.5)[..., None]
    spec = spec[..., None]
    gloss = noise(rng, c.shape, (90, 40))

    # Lacquer: purple with a sheen, deeper towards the temples.
    sheen = 0.5 + 0.5 * gloss
    edge_dark = smoothstep(0.0, 0.42, np.abs(c.x / SIZE - 0.5))
    lacquer = mix(PURPLE_LIGHT, PURPLE, 0.45 + 0.5 * edge_dark - 0.15 * sheen)
    swirl = lines(c, [grow(curl, 1.0, (0, 26)) for curl in curls[:3] + curls[5:8]], 7)
    lacquer = mix(lacquer, lacquer * 0.7, 0.6 * blur(swirl, 2.5))
    teal_t = smoothstep(0.0, 1.0, blur(panels, 10))
    surface = mix(lacquer, mix(TEAL, TEAL_LIGHT, 0.3 + 0.4 * sheen), teal_t * 0.92)
    surface = surface * diffuse**1.6 + 255 * 0.55 * spec
    metal = mix(GOLD_DARK, GOLD, np.clip(diffuse[..., 0] - 0.35, 0, 1)) * (0.6 + 0.5 * diffuse)
    metal = metal + np.float32((255, 240, 190)) * 1.1 * spec**0.7
    gem_rgb = mix(TEAL, TEAL_LIGHT, smoothstep(1.2, 0.6, diffuse[..., 0])) * 0.9 + 255 * spec

    c.paint(body, np.clip(surface, 0, 255) / 255)
    c.paint(gold, np.clip(metal, 0, 255) / 255)
    c.paint(gem, np.clip(gem_rgb, 0, 255) / 255)
    # A soft shadow the mask casts on the skin just below it and in the eye holes; the
    # eyes themselves stay clear.
    shadow_src = cv2.warpAffine(
        shape * (1 - hole), np.float32([[1, 0, 0], [0, 1, 6 * SS]]), c.shape[::-1]
    )
    shadow = blur(shadow_src, 6) * 0.55 * (1 - c.alpha)
    shadow *= 1 - openings(c, eye_grow=1, lips_grow=0)
    # Behind the mask: ``shadow`` is already limited to what the mask leaves uncovered.
    c.rgb = c.rgb + np.float32((0.05, 0.02, 0.06)) * shadow[..., None]
    c.alpha = c.alpha + shadow
    return c


def main(out_dir: Path = FILTERS) -> None:
    """Paints every texture and writes it into its filter folder."""
    art = {
        "face-paint/paint.png": draw_face_paint,
        "carnival/mask.png": draw_carnival_mask,
    }
    for name, draw in art.items():
        save(finish(draw()), out_dir / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FILTERS)
