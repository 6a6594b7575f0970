"""A portrait's whole head turned in 3-D by a known rotation, for pose tests and bench.

The two public-domain portraits (Grace Hopper, the astronaut) hold no turned head. This
module makes one: it lifts the photo to a depth map and turns the head in it.

- The face is FaceMesh's own mesh, its depth (``z``, in the scale of ``x``) spread over
  each triangle.
- Around it the skull is an ellipsoid a little wider than the face (forehead, hair, hat,
  ears), its depth pulled onto the mesh's where the two meet so the surface has no step.
  GrabCut tells the head from the room inside it; the room stays put.
- The back of the skull is there too, coloured from the head's outline on the same row
  (hair, mostly), for the side and back a turn brings into view.
- Below the jaw the neck follows less and less; the shoulders stay put.

Each pixel is moved by the rotation (forward warp, nearest surface wins), the picture is
read back through the resulting map with one ``cv2.remap``, and gaps (surface that turns
towards the camera and grows) are filled from their neighbours' source positions, so the
texture stretches rather than leaving holes. What the photo never showed (the side of
the face and head turning into view, the ear behind the hair) is made up by that stretch
and the outline's colours: a turned head as a detector sees one, not a photograph of
one. Seen close, a 45-degree turn shows it: streaky hair beside the near cheek, and on
Grace Hopper (little hair beside her face) a stretched, skin-coloured side of the head.

Sizes are in ``s``, the face's ``size_px`` (eye socket distance as seen from the front);
a real head is about 2.5 s wide, 3.1 s deep and 3.7 s from chin to crown.

Pure numpy, OpenCV and scipy (and ``tests/scenes.py`` to paste a turned head into a room);
used by ``tests/e2e/test_pose_real.py`` and ``bench/`` (section "pose").
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.interpolate import LinearNDInterpolator
from scipy.ndimage import distance_transform_edt

from facefilters.geometry import (
    CHIN,
    LEFT_EYE_CONTOUR,
    LEFT_IRIS,
    RIGHT_EYE_CONTOUR,
    RIGHT_IRIS,
    face_size,
)
from scenes import background, degrade, paste_face

SKULL_HALF_WH = (1.35, 1.85)
"""Half width and half height of the skull's ellipse seen from the front, in ``s``."""
SKULL_HALF_DEPTH = 1.55
"""Half the skull's depth, front to back, in ``s``."""
SKULL_CENTRE = (0.0, -0.25, 1.35)
"""The skull's centre from the eye sockets' midpoint, in ``s``: x right, y down, z away
from the camera (landmark axes). It is also the point the head turns about."""
HAIR_REACH = 1.25
"""How far beyond the skull's outline (as a share of it) hair may still be head."""
SHIFT_REACH = 0.5
"""How far, in ``s``, the skull's depth is pulled towards the face's edge beside it."""
FADE = 0.45
"""Width of the band, in ``s``, over which the turn fades out beyond the skull and below
the jaw: the neck and whatever hair spills past the ellipse."""
RIM_INSET = 0.08
"""How far inside the head's outline, in ``s``, the back of the skull takes its colours
from (hair, mostly)."""
MAX_SPLAT_RADIUS = 12
"""The most output pixels, either side, one source pixel may cover where the turn
stretches the surface (its side turning towards the camera); beyond, gaps are filled."""

FLIP = np.array([1.0, -1.0, -1.0])
"""Landmark axes (x right, y down, z away) <-> camera axes (x right, y up, z towards)."""


def yaw_rotation(degrees: float) -> np.ndarray:
    """3x3 turn about the vertical axis, in camera axes, towards the person's own left
    when positive (the nose moves to the picture's right in an unmirrored photo)."""
    a = np.radians(degrees)
    return np.array([[np.cos(a), 0.0, np.sin(a)], [0.0, 1.0, 0.0], [-np.sin(a), 0.0, np.cos(a)]])


def pitch_rotation(degrees: float) -> np.ndarray:
    """3x3 nod about the horizontal axis, in camera axes, looking up when positive."""
    a = np.radians(-degrees)
    return np.array([[1.0, 0.0, 0.0], [0.0, np.cos(a), -np.sin(a)], [0.0, np.sin(a), np.cos(a)]])


def angles(rotation: np.ndarray) -> np.ndarray:
    """(yaw, pitch, roll) in degrees of a rotation in camera axes, with the conventions of
    ``FaceGeometry``: roll (view axis) after yaw after pitch."""
    r = rotation
    yaw = np.degrees(np.arctan2(-r[2, 0], np.hypot(r[2, 1], r[2, 2])))
    pitch = -np.degrees(np.arctan2(r[2, 1], r[2, 2]))
    roll = -np.degrees(np.arctan2(r[1, 0], r[0, 0]))
    return np.array([yaw, pitch, roll])


@dataclass(frozen=True)
class HeadModel:
    """A portrait lifted to 3-D around its head.

    Attributes:
        image: ndarray (H, W, 3), uint8, BGR: the portrait.
        landmarks: ndarray (478, 3), float64: its face's landmarks (pixels, ``z`` in the
            scale of ``x``, smaller nearer).
        depth: ndarray (H, W), float32: the surface's ``z`` at each pixel (meaningful where
            ``weight`` > 0).
        back: ndarray (H, W), float32: the ``z`` of the back of the skull behind each pixel
            inside the skull's outline, NaN elsewhere.
        weight: ndarray (H, W), float32, 0 .. 1: how much of the turn each pixel takes: 1 on
            the face and skull, fading to 0 over the neck and beyond the hair.
        centre: ndarray (3,), float64: the point the head turns about (landmark axes).
        rim_x: ndarray (H, 2), float64: per row, the ``x`` just inside the head's outline
            on the picture's left and right, where the back of the skull takes its
            colours from.
        size: the face's ``size_px``.
    """

    image: np.ndarray
    landmarks: np.ndarray
    depth: np.ndarray
    back: np.ndarray
    weight: np.ndarray
    centre: np.ndarray
    rim_x: np.ndarray
    size: float

    @classmethod
    def lift(cls, image: np.ndarray, landmarks: np.ndarray) -> HeadModel:
        """Build the head's depth and weight maps from one face's landmarks."""
        lm = np.asarray(landmarks, np.float64)
        h, w = image.shape[:2]
        s = face_size(lm)
        eyes = (
            lm[list(RIGHT_EYE_CONTOUR)].mean(axis=0) + lm[list(LEFT_EYE_CONTOUR)].mean(axis=0)
        ) / 2
        centre = eyes + np.asarray(SKULL_CENTRE) * s
        yy, xx = np.mgrid[:h, :w].astype(np.float64)

        # The skull: the front half of an ellipsoid; outside its outline, its centre depth.
        ax, ay = SKULL_HALF_WH[0] * s, SKULL_HALF_WH[1] * s
        r2 = ((xx - centre[0]) / ax) ** 2 + ((yy - centre[1]) / ay) ** 2
        skull_z = centre[2] - SKULL_HALF_DEPTH * s * np.sqrt(np.clip(1.0 - r2, 0.0, 1.0))

        # The face: the mesh's depth, linear over its triangles (the first 468 points).
        face_z = LinearNDInterpolator(lm[:468, :2], lm[:468, 2])(xx, yy)
        on_face = np.isfinite(face_z)
        # Where skull and face meet, shift the skull onto the face: the shift at the
        # nearest point of the face's edge, smoothed, fading out over about half a face
        # size, so the surface has no step at the mesh's edge.
        offset = np.where(on_face, np.nan_to_num(face_z) - skull_z, 0.0)
        gap_px, (near_y, near_x) = distance_transform_edt(~on_face, return_indices=True)
        shift = cv2.GaussianBlur(offset[near_y, near_x], (0, 0), 0.1 * s)
        shift *= np.exp(-((gap_px / (SHIFT_REACH * s)) ** 2))
        depth = np.where(on_face, face_z, skull_z + shift)

        # The turn: whole on the head (the face, and what looks like head rather than
        # room inside the skull's outline), fading out beyond it: the neck below the jaw,
        # stray hair.
        inside = _head_mask(image, on_face, r2, yy > lm[CHIN, 1] + 0.2 * s)
        outside_px = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 5)
        t = np.clip(1.0 - outside_px / (FADE * s), 0.0, 1.0)
        weight = t * t * (3.0 - 2.0 * t)
        # The back of the skull, for the sides a turned head shows: the front's mirror
        # image through the centre (its colours come from the head's outline, in turn()).
        back = np.where(r2 <= 1.0, 2.0 * centre[2] - skull_z, np.nan)
        return cls(
            image,
            lm,
            depth.astype(np.float32),
            back.astype(np.float32),
            weight.astype(np.float32),
            centre,
            _rim_x(inside, centre[0], s),
            s,
        )

    def turned_landmarks(self, rotation: np.ndarray) -> np.ndarray:
        """The landmarks after the turn: ndarray (478, 3), float64."""
        m = FLIP[:, None] * np.asarray(rotation, np.float64) * FLIP[None, :]
        return (self.landmarks - self.centre) @ m.T + self.centre

    def turn(self, rotation: np.ndarray) -> np.ndarray:
        """The portrait with its head turned by ``rotation`` (3x3, camera axes).

        Returns:
            ndarray (H, W, 3), uint8, BGR.
        """
        h, w = self.image.shape[:2]
        m = FLIP[:, None] * np.asarray(rotation, np.float64) * FLIP[None, :]
        rows, cols = np.nonzero(self.weight > 0)
        y0, y1, x0, x1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        sy, sx = np.mgrid[y0:y1, x0:x1].astype(np.float64)
        far = self.centre[2] + 10.0 * self.size
        pieces = []
        # The back of the skull shows the hair at the head's outline on the same row and
        # side, drawn round towards the back.
        side = (sx >= self.centre[0]).astype(np.int64)
        back_x = self.rim_x[sy.astype(np.int64), side]
        back_y = sy
        head = self.weight[y0:y1, x0:x1]
        for z, wt, is_back, tex in (
            (self.depth[y0:y1, x0:x1], head, False, (sx, sy)),
            (self.back[y0:y1, x0:x1], np.ones_like(sx), True, (back_x, back_y)),
        ):
            wt = np.where(np.isfinite(z), wt, 0.0)
            q = np.stack([sx, sy, np.nan_to_num(z)], axis=-1) - self.centre
            q = q @ m.T + self.centre
            dx = sx + wt * (q[..., 0] - sx)
            dy = sy + wt * (q[..., 1] - sy)
            # What turns only partly (neck, loose hair) lies behind the head, as in a
            # real turn.
            key = head * q[..., 2] + (1.0 - head) * far
            if is_back:
                # The back turns whole, but behind what is room rather than head it stays
                # behind even the room: never seen through what the photo shows.
                key = key + (1.0 - head) * self.size
            pieces.append(_splat(*tex, dx, dy, key, wt > 1e-3, (h, w)))
        cand = [np.concatenate(c) for c in zip(*pieces)]
        flat, key, src_x, src_y = cand
        order = np.argsort(key, kind="stable")[::-1]  # farthest first: nearest written last
        map_x = np.full(h * w, np.nan, np.float32)
        map_y = np.full(h * w, np.nan, np.float32)
        map_x[flat[order]] = src_x[order]
        map_y[flat[order]] = src_y[order]
        map_x, map_y = map_x.reshape(h, w), map_y.reshape(h, w)

        # Gaps: where the turning head was and nothing landed, take the neighbours' source
        # positions (the texture stretches); elsewhere the picture stays as it was.
        hole = np.isnan(map_x)
        moving = self.weight > 0
        fill = hole & moving
        map_x, map_y = _fill(map_x, map_y, fill)
        gy, gx = np.mgrid[:h, :w].astype(np.float32)
        still = hole & ~fill
        map_x[still], map_y[still] = gx[still], gy[still]
        return cv2.remap(self.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _rim_x(head: np.ndarray, centre_x: float, s: float) -> np.ndarray:
    """Per row, ``RIM_INSET`` inside the head's outermost pixel on the left and the right
    of ``centre_x``, smoothed down the rows: ndarray (H, 2), float64. Rows without head
    take the nearest row's."""
    h, w = head.shape
    cols = np.arange(w, dtype=np.float64)
    left = np.where(head, cols, np.inf).min(axis=1)
    right = np.where(head, cols, -np.inf).max(axis=1)
    rows = np.isfinite(left)
    rim = np.zeros((h, 2))
    for k, edge, inward in ((0, left, 1.0), (1, right, -1.0)):
        known = np.interp(np.arange(h), np.nonzero(rows)[0], edge[rows])
        smooth = cv2.GaussianBlur(known[:, None], (1, 0), 0.1 * s)[:, 0]
        rim[:, k] = smooth + inward * RIM_INSET * s
    rim[:, 0] = np.minimum(rim[:, 0], centre_x)
    rim[:, 1] = np.maximum(rim[:, 1], centre_x)
    return rim


def _splat(
    sx: np.ndarray,
    sy: np.ndarray,
    dx: np.ndarray,
    dy: np.ndarray,
    key: np.ndarray,
    valid: np.ndarray,
    shape_hw: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Forward-map a grid of pixels, each covering as many output pixels as the map
    stretches it over, each output pixel reading its own source position through the
    local inverse of the map (so a stretched surface is smooth, not blocky).

    Args:
        sx, sy: ndarray (ny, nx): the source position each grid pixel shows.
        dx, dy: ndarray (ny, nx): where the grid pixels land.
        key: ndarray (ny, nx): depth for the z-buffer, smaller nearer.
        valid: ndarray (ny, nx) of bool: which to draw.
        shape_hw: the output's (rows, columns).

    Returns:
        Candidates ``(flat output index, key, source x, source y)``, 1-D arrays.
    """
    h, w = shape_hw
    # The texture's own stretch, bounded: where it jumps (the back of the skull's middle,
    # from one side's hair to the other's) a sample shows one side only.
    txx, txy = (np.clip(np.gradient(sx, axis=a), -4.0, 4.0) for a in (1, 0))
    tyx, tyy = (np.clip(np.gradient(sy, axis=a), -4.0, 4.0) for a in (1, 0))
    jxx, jxy = np.gradient(dx, axis=1), np.gradient(dx, axis=0)
    jyx, jyy = np.gradient(dy, axis=1), np.gradient(dy, axis=0)
    det = jxx * jyy - jxy * jyx
    stretch = np.maximum(np.abs(jxx) + np.abs(jxy), np.abs(jyx) + np.abs(jyy))
    radius = np.clip(np.ceil((stretch - 1.0) / 2.0), 0, MAX_SPLAT_RADIUS).astype(np.int64)
    ok_det = np.abs(det) > 1e-6
    out: list[list[np.ndarray]] = [[], [], [], []]
    for r in range(MAX_SPLAT_RADIUS + 1):
        pick = valid & (radius == r)
        if not pick.any():
            continue
        px, py, kk = dx[pick], dy[pick], key[pick]
        ox, oy = sx[pick], sy[pick]
        t00, t01, t10, t11 = txx[pick], txy[pick], tyx[pick], tyy[pick]
        a, b, c, d, dt = jxx[pick], jxy[pick], jyx[pick], jyy[pick], det[pick]
        good = ok_det[pick]
        dt = np.where(good, dt, 1.0)
        cx, cy = np.rint(px).astype(np.int64), np.rint(py).astype(np.int64)
        for oy_ in range(-r, r + 1):
            for ox_ in range(-r, r + 1):
                tx, ty = cx + ox_, cy + oy_
                ex, ey = tx - px, ty - py
                # The local inverse of the map: where in the source this pixel lies.
                ux = np.where(good, (d * ex - b * ey) / dt, 0.0)
                uy = np.where(good, (-c * ex + a * ey) / dt, 0.0)
                inside = (
                    (tx >= 0)
                    & (tx < w)
                    & (ty >= 0)
                    & (ty < h)
                    & (np.abs(ux) <= 0.75)
                    & (np.abs(uy) <= 0.75)
                )
                out[0].append((ty * w + tx)[inside])
                out[1].append(kk[inside])
                out[2].append((ox + t00 * ux + t01 * uy)[inside])
                out[3].append((oy + t10 * ux + t11 * uy)[inside])
    if not out[0]:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty, empty, empty
    return tuple(np.concatenate(c) for c in out)  # type: ignore[return-value]


def _head_mask(
    image: np.ndarray, on_face: np.ndarray, r2: np.ndarray, below_jaw: np.ndarray
) -> np.ndarray:
    """The head (face, hair, hat) told from the room by GrabCut, within the skull's outline
    widened by ``HAIR_REACH``: ndarray (H, W) of bool.

    Args:
        image: the portrait.
        on_face: ndarray (H, W) of bool: inside the face mesh.
        r2: ndarray (H, W): squared distance from the skull's centre, 1 on its outline.
        below_jaw: ndarray (H, W) of bool: the neck and body, never head.
    """
    mask = np.full(r2.shape, cv2.GC_PR_BGD, np.uint8)
    mask[r2 <= 0.8**2] = cv2.GC_PR_FGD
    mask[(r2 > HAIR_REACH**2) | below_jaw] = cv2.GC_BGD
    mask[on_face] = cv2.GC_FGD
    rows, cols = np.nonzero(r2 <= (HAIR_REACH + 0.3) ** 2)
    y0, y1, x0, x1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    roi = mask[y0:y1, x0:x1].copy()
    bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.setRNGSeed(0)
    cv2.grabCut(
        np.ascontiguousarray(image[y0:y1, x0:x1]), roi, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK
    )
    head = np.zeros(r2.shape, bool)
    head[y0:y1, x0:x1] = (roi == cv2.GC_FGD) | (roi == cv2.GC_PR_FGD)
    # Only what hangs together with the face: no stray patches of the room.
    _, labels = cv2.connectedComponents(head.astype(np.uint8), connectivity=4)
    face_labels = np.unique(labels[on_face & head])
    head = np.isin(labels, face_labels[face_labels > 0])
    return head | on_face


def _fill(map_x: np.ndarray, map_y: np.ndarray, fill: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill the ``fill`` pixels of two maps (NaN where unknown) by normalised convolution,
    wider and wider until every one has known neighbours."""
    known = ~np.isnan(map_x)
    out_x, out_y = map_x.copy(), map_y.copy()
    todo = fill.copy()
    sigma = 1.0
    while todo.any() and sigma < 256:
        k = known.astype(np.float32)
        wsum = cv2.GaussianBlur(k, (0, 0), sigma)
        bx = cv2.GaussianBlur(np.where(known, map_x, 0).astype(np.float32), (0, 0), sigma)
        by = cv2.GaussianBlur(np.where(known, map_y, 0).astype(np.float32), (0, 0), sigma)
        good = todo & (wsum > 1e-3)
        out_x[good] = bx[good] / wsum[good]
        out_y[good] = by[good] / wsum[good]
        todo &= ~good
        sigma *= 2
    return out_x, out_y


# --- the pose checks' pictures: turns and conditions (tests/e2e/test_pose_real.py, bench)

CONDITIONS = ("full", "half", "noisy_jpeg", "pasted_small")
PASTED_EYE_PX = 25.0
"""Iris distance, seen from the front, of the head pasted into a room: a far face."""
PASTED_CANVAS_WH = (960, 540)


def roll_rotation(degrees: float) -> np.ndarray:
    """3x3 turn about the view axis, anticlockwise on screen when positive, as
    ``cv2.getRotationMatrix2D`` turns a picture."""
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])


TURNS = (
    [(f"yaw{d:+d}", "yaw", d) for d in (-45, -30, -15, 15, 30, 45)]
    + [(f"pitch{d:+d}", "pitch", d) for d in (-25, -15, 15, 25)]
    + [(f"roll{d:+d}", "roll", d) for d in (-20, 20)]
)


def turned_picture(
    image: np.ndarray, head: HeadModel, axis: str, degrees: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The portrait turned, the turn as a 3x3 rotation in camera axes, and the midpoint
    of the irises in the turned picture, ndarray (2,)."""
    irises = head.landmarks[[RIGHT_IRIS, LEFT_IRIS], :2]
    if axis == "roll":
        h, w = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
        picture = cv2.warpAffine(
            image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        return picture, roll_rotation(degrees), cv2.transform(irises[None], matrix)[0].mean(0)
    rotation = yaw_rotation(degrees) if axis == "yaw" else pitch_rotation(degrees)
    turned = head.turned_landmarks(rotation)[[RIGHT_IRIS, LEFT_IRIS], :2]
    return head.turn(rotation), rotation, turned.mean(axis=0)


def condition(
    picture: np.ndarray, name: str, photo: str, eyes_xy: np.ndarray, eye_px: float, seed: int
) -> tuple[np.ndarray, float]:
    """The picture as it is, halved, noisy and JPEG-compressed, or its head pasted small
    into a room (``PASTED_EYE_PX`` between the portrait's irises as seen from the front,
    camera noise, JPEG); and its scale.

    Args:
        eyes_xy: the irises' midpoint in ``picture``.
        eye_px: the portrait's own iris distance, seen from the front.
    """
    if name == "half":
        h, w = picture.shape[:2]
        return cv2.resize(picture, (w // 2, h // 2), interpolation=cv2.INTER_AREA), 0.5
    if name == "noisy_jpeg":
        rng = np.random.default_rng(seed)
        noisy = np.clip(picture + rng.normal(0, 6.0, picture.shape), 0, 255).astype(np.uint8)
        ok, data = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 60])
        assert ok
        return cv2.imdecode(data, cv2.IMREAD_COLOR), 1.0
    if name == "pasted_small":
        rng = np.random.default_rng(seed)
        canvas = background(PASTED_CANVAS_WH, rng)
        # Level irises of the frontal distance: the paste neither turns nor rescales by
        # how the turn moved the real ones.
        level = np.array([eyes_xy - (eye_px / 2, 0.0), eyes_xy + (eye_px / 2, 0.0)])
        centre = (PASTED_CANVAS_WH[0] / 2, PASTED_CANVAS_WH[1] / 2)
        paste_face(canvas, photo, centre, PASTED_EYE_PX, source=(picture, level))
        return degrade(canvas, rng, 3.0, 85), PASTED_EYE_PX / eye_px
    return picture, 1.0
