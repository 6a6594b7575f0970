"""Someone else's face on a face: the core of a face swap (a deepfake), shown openly.

A swap is four steps, each cheap enough for every frame:

1. **Prepare the source once** (:meth:`SwapSource.from_image`): a crop around the source
   face, its landmarks relative to the crop, halved copies of the crop for small targets,
   and the mean and spread of its skin colour in LAB.
2. **Warp** the source onto the target through the face mesh: every one of the canonical
   face's 898 triangles is an affine map from where it sits on the target to where it sits
   on the source (:func:`~facefilters.render.meshmap.mesh_maps`), and one ``cv2.remap``
   draws them all. The source thereby takes the target's shape, pose and expression.
3. **Match the colour** (Reinhard's transfer): in LAB, the warped face's colours are
   shifted and scaled so that its skin has the target skin's mean and spread.
4. **Blend** it in with a mask: the target's face hull pulled in a little, feathered
   inwards, so the target's own jaw line, hair and background frame the new face. The
   target's mouth interior and eye openings stay the target's (``keep_mouth``,
   ``keep_eyes``), so speech, blinks and gaze stay alive.

``blend="seamless"`` replaces step 4 with Poisson blending (``cv2.seamlessClone``), the
textbook method: it hides the seam by bending the face's colours towards the target's at
the border, but it costs several times more and the colours it borrows from the border
change with every frame (hair, background, a hand), so video flickers more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .anonymize import LEFT_IRIS, RIGHT_IRIS, eye_distance
from .draw import blend_layer
from .meshmap import N_MESH, canonical_face, covering_box, mesh_maps

BLENDS = ("alpha", "seamless")
"""How the warped face meets the target: a feathered alpha mask, or Poisson blending."""

MIN_EYE_PX = 8.0
"""Faces with fewer pixels between the irises are left alone: too small to show a face."""


class SourceFaceTooSmall(ValueError):
    """The source face has fewer than :data:`MIN_EYE_PX` pixels between the eyes.

    Attributes:
        eye_px: its pixels between the eyes.
    """

    def __init__(self, eye_px: float) -> None:
        super().__init__(
            f"the source face is too small to swap ({eye_px:.1f} pixels "
            f"between the eyes, at least {MIN_EYE_PX:g} needed)"
        )
        self.eye_px = eye_px


class SourceFaceOutside(ValueError):
    """The source face lies wholly outside its picture."""

    def __init__(self) -> None:
        super().__init__("the source face is outside the picture")


FEATHER = 0.2
"""Default width of the soft edge at the face's outline, in eye distances."""
INSET = 0.06
"""How far the blend mask is pulled in from the landmark hull, in eye distances: the
outermost landmarks sit on the face's silhouette, where hair and background begin."""
FOREHEAD_INSET = 0.2
"""How much further the mask is pulled down at the top of the forehead, in eye distances:
the mesh reaches mid-forehead, where a fringe of hair often hangs (the source's or the
target's), and hair pasted on someone else's forehead looks like a mask."""
HOLE_FEATHER = 0.035
"""Width of the soft edge around the kept mouth and eyes, in eye distances."""
MARGIN = 0.1
"""Margin of the source crop around the landmarks, in eye distances."""
EDGE_FADE = 0.08
"""Where the source face is cut by its picture's edge, the width over which it fades
out, in eye distances: a hard cut would show as a line on the target."""
STATS_EYE_PX = 32.0
"""Eye distance at which skin statistics are measured: a small copy is as good as the
full picture for a mean and a spread, and costs a fraction."""
RATIO_RANGE = ((0.5, 0.6, 0.6), (2.0, 1.5, 1.5))
"""Bounds of the colour transfer's spread ratio for ``L, a, b``, so a flat source (a
drawing, a shadowless photo) is not stretched into noise. Colour is bounded tighter than
lightness: what spreads a face's colour most is not skin (glasses, make-up, a beard), and
stretching the source's colour by it turns cheeks and lips garish."""

# FaceMesh contours. Eyes: the eyelid margins; lips: inner (the mouth opening) and outer.
RIGHT_EYE = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
LEFT_EYE = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
# Landmark numbers read better packed than one per line.
# fmt: off
INNER_LIPS = (
    78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87,
    178, 88, 95,
)
OUTER_LIPS = (
    61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84,
    181, 91, 146,
)
# fmt: on
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)

FOREHEAD, CHIN = 10, 152

PRINT_SIZE_WH = (44, 52)
"""Width and height of a face print (:func:`face_print`), in pixels."""
PRINT_EYE_PX = 20.0
"""Pixels between the irises in a face print."""
SAME_FACE = 0.65
"""Likeness (:func:`likeness`) above which :func:`same_face` calls two prints one face.

Measured on the bundled portraits with their own photos scaled down to a quarter,
mirrored, turned in the picture by 25 degrees, noisy and JPEG-compressed: a face against
its own photo reads 0.82 to 1.0, the two different people 0.38 to 0.52. A card tilted
away from the camera (``samples/demo.mp4``) can read as low as 0.52, which is why the
swap keeps the highest likeness a face has shown (:class:`~facefilters.effects.swap.SwapEffect`)."""

_SHIFT = 4  # fraction bits of the fixed-point polygons given to cv2.fillPoly


@dataclass(frozen=True)
class SkinColour:
    """Mean and spread of a face's skin colour, in OpenCV's 8-bit LAB.

    Attributes:
        mean_lab: ndarray of shape (3,), float32: ``L, a, b`` means (0..255, ``a`` and
            ``b`` offset by 128, as ``cv2.COLOR_BGR2LAB`` gives them).
        std_lab: ndarray of shape (3,), float32: their standard deviations.
    """

    mean_lab: np.ndarray
    std_lab: np.ndarray


@dataclass(frozen=True)
class SwapSource:
    """A face prepared to be put on other faces.

    Build it with :meth:`from_image`: under a millisecond for a face in a 720p frame, so
    ``trade`` mode builds one from every face of every frame.

    Attributes:
        crop: ndarray of shape (h, w, 4), uint8: the face and a margin around it, BGR and
            an alpha that is 0 on the crop's outer pixels and fades in where the face was
            cut by the picture's edge. Warping samples nothing outside it.
        xyz: ndarray of shape (478, 3), float32: the landmarks in the crop's pixels
            (``z`` as given, smaller is nearer).
        skin: the skin colour, or None when too little skin was visible to measure.
        eye_px: pixels between the iris centres.
        levels: the crop, then halved again and again (area-averaged), while it is at
            least 32 pixels wide: a large source drawn on a small face samples the level
            nearest its size, so it does not alias.
    """

    crop: np.ndarray
    xyz: np.ndarray
    skin: SkinColour | None
    eye_px: float
    levels: tuple[np.ndarray, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        crop, xyz = self.crop, self.xyz
        if crop.ndim != 3 or crop.shape[2] != 4 or crop.dtype != np.uint8:
            raise ValueError(
                f"expected a BGRA uint8 crop of shape (h, w, 4), got {crop.dtype} {crop.shape}"
            )
        if xyz.shape != (478, 3):
            raise ValueError(f"expected landmarks of shape (478, 3), got {xyz.shape}")
        levels = [crop]
        while min(levels[-1].shape[:2]) >= 64:
            h, w = levels[-1].shape[:2]
            level = cv2.resize(
                levels[-1], ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA
            )
            # Averaging lifted the transparent outer ring: every level keeps one.
            level[[0, -1], :, 3] = 0
            level[:, [0, -1], 3] = 0
            levels.append(level)
        object.__setattr__(self, "levels", tuple(levels))

    @classmethod
    def from_image(cls, image: np.ndarray, landmarks: np.ndarray) -> SwapSource:
        """Prepare the face with these landmarks in this picture.

        Args:
            image: ndarray of shape (H, W, 3), uint8, BGR. Not kept: the crop is a copy.
            landmarks: ndarray of shape (478, 3), float: pixels, ``z`` depth.

        Raises:
            SourceFaceTooSmall: the face is smaller than :data:`MIN_EYE_PX`.
            SourceFaceOutside: the face is wholly outside the picture.
            ValueError: the image or the landmarks are not of the shapes above.
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(
                f"expected a BGR uint8 image of shape (H, W, 3), got {image.dtype} {image.shape}"
            )
        xyz = np.asarray(landmarks, np.float32)
        if xyz.shape != (478, 3):
            raise ValueError(f"expected landmarks of shape (478, 3), got {xyz.shape}")
        eye = eye_distance(xyz)
        if not np.isfinite(xyz).all() or not eye >= MIN_EYE_PX:
            raise SourceFaceTooSmall(float(eye))
        h, w = image.shape[:2]
        pad = max(4, int(np.ceil(MARGIN * eye)))
        box = covering_box(xyz[:, :2], (w, h), pad=pad)
        if box is None:
            raise SourceFaceOutside()
        x0, y0, x1, y1 = box
        lo = np.floor(xyz[:, :2].min(axis=0)) - pad
        hi = np.ceil(xyz[:, :2].max(axis=0)) + pad + 1
        # Sides where the picture's edge, not the margin, ends the crop.
        cut = (lo[0] < 0, lo[1] < 0, hi[0] > w, hi[1] > h)
        crop = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2BGRA)
        crop[..., 3] = _edge_alpha((x1 - x0, y1 - y0), cut, max(2.0, EDGE_FADE * eye))
        local = xyz.copy()
        local[:, :2] -= np.array((x0, y0), np.float32)
        return cls(crop, local, skin_colour(image, xyz), eye)


def _edge_alpha(
    size_wh: tuple[int, int], cut: tuple[bool, bool, bool, bool], fade_px: float
) -> np.ndarray:
    """Alpha for a crop: 0 on its outer pixels, a ramp of ``fade_px`` on the cut sides.

    Args:
        size_wh: the crop's width and height.
        cut: whether the left, top, right and bottom sides are the picture's edge.
        fade_px: width of the ramp on those sides.

    Returns:
        ndarray of shape (h, w), uint8.
    """
    w, h = size_wh

    def ramp(n: int, cut_lo: bool, cut_hi: bool) -> np.ndarray:
        i = np.arange(n, dtype=np.float32)
        # 0 on the outermost pixel either way: remapping with BORDER_REPLICATE then reads
        # alpha 0 wherever it samples beyond the crop, and real colours, not black.
        lo = i / (fade_px if cut_lo else 1.0)
        hi = (n - 1 - i) / (fade_px if cut_hi else 1.0)
        return np.clip(np.minimum(lo, hi), 0.0, 1.0)

    across = ramp(w, cut[0], cut[2])
    down = ramp(h, cut[1], cut[3])
    return np.round(np.minimum.outer(down, across) * 255).astype(np.uint8)


def _fill(
    polygons: list[np.ndarray],
    size_wh: tuple[int, int],
    value: int = 255,
    base: np.ndarray | None = None,
    line_type: int = cv2.LINE_AA,
) -> np.ndarray:
    """Polygons (pixel ``xy``, float) filled into a uint8 mask of shape (h, w)."""
    mask = np.zeros(size_wh[::-1], np.uint8) if base is None else base
    pts = [np.round(np.asarray(p, np.float32) * (1 << _SHIFT)).astype(np.int32) for p in polygons]
    cv2.fillPoly(mask, pts, value, line_type, _SHIFT)
    return mask


def _inset_hull(xy: np.ndarray, inset_px: float, forehead_px: float = 0.0) -> np.ndarray:
    """The convex hull of a face's mesh, pulled in.

    Args:
        xy: ndarray of shape (468, 2), float32: the mesh landmarks.
        inset_px: how far each corner moves towards the centre.
        forehead_px: how much further the top of the forehead moves down the face,
            fading to nothing at the hull's middle height.

    Returns:
        ndarray of shape (N, 2), float32: a convex polygon.
    """
    hull = cv2.convexHull(np.ascontiguousarray(xy, np.float32))[:, 0].astype(np.float64)
    centre = hull.mean(axis=0)
    towards = centre - hull
    length = np.hypot(towards[:, 0], towards[:, 1])[:, None]
    # Never past the centre, whatever the inset: a sliver face stays a (tiny) polygon.
    step = np.minimum(inset_px, 0.5 * length) / np.maximum(length, 1e-6)
    hull += towards * step
    if forehead_px > 0:
        # The face's own down, from forehead to chin: the same in a mirrored picture.
        down = xy[CHIN].astype(np.float64) - xy[FOREHEAD]
        down /= max(float(np.hypot(*down)), 1e-6)
        rise = -((hull - centre) @ down)
        upper = np.clip(rise / max(float(rise.max()), 1e-6), 0.0, 1.0)
        top = float(rise.max())
        hull += down * (min(forehead_px, 0.5 * top) * upper**2)[:, None]
    return hull.astype(np.float32)


def skin_colour(image: np.ndarray, face_xyz: np.ndarray) -> SkinColour | None:
    """Mean and spread of a face's skin colour in LAB.

    Measured inside the landmark hull pulled in from the outline, leaving out the eyes,
    the brows and the lips (grown a little), on a copy shrunk to an eye distance of
    :data:`STATS_EYE_PX`.

    Args:
        image: ndarray of shape (H, W, 3), uint8, BGR.
        face_xyz: ndarray of shape (478, 2+), float: landmarks in pixels.

    Returns:
        The colour, or None when fewer than 50 skin pixels (of the small copy) are
        inside the picture.
    """
    xy = np.asarray(face_xyz, np.float32)[:, :2]
    eye = eye_distance(face_xyz)
    if not np.isfinite(xy).all() or not eye > 0:
        return None
    h, w = image.shape[:2]
    hull = _inset_hull(xy[:N_MESH], 2 * INSET * eye)
    box = covering_box(hull, (w, h), pad=1)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    scale = min(1.0, STATS_EYE_PX / eye)
    size_wh = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    sx, sy = size_wh[0] / (x1 - x0), size_wh[1] / (y1 - y0)
    region = image[y0:y1, x0:x1]
    if scale < 1:
        region = cv2.resize(region, size_wh, interpolation=cv2.INTER_AREA)

    corner = np.array((x0 - 0.5, y0 - 0.5), np.float32)
    factor = np.array((sx, sy), np.float32)

    def small(points: np.ndarray) -> np.ndarray:
        return (points - corner) * factor - 0.5

    mask = _fill([small(hull)], size_wh, line_type=cv2.LINE_8)
    features = [
        small(xy[list(c)]) for c in (RIGHT_EYE, LEFT_EYE, OUTER_LIPS, RIGHT_BROW, LEFT_BROW)
    ]
    _fill(features, size_wh, 0, base=mask, line_type=cv2.LINE_8)
    # Grown by the outline too: lashes, lip liner and brow hair reach past the landmarks.
    grow = max(1, round(0.08 * eye * scale))
    pts = [np.round(p * (1 << _SHIFT)).astype(np.int32) for p in features]
    cv2.polylines(mask, pts, True, 0, 2 * grow + 1, cv2.LINE_8, _SHIFT)
    if cv2.countNonZero(mask) < 50:
        return None
    mean, std = cv2.meanStdDev(cv2.cvtColor(region, cv2.COLOR_BGR2LAB), mask=mask)
    return SkinColour(mean[:, 0].astype(np.float32), std[:, 0].astype(np.float32))


def face_print(image: np.ndarray, face_xyz: np.ndarray) -> np.ndarray | None:
    """A small, normalised grey picture of a face, upright at a fixed size.

    The face is turned so the irises are level, scaled to :data:`PRINT_EYE_PX` between
    them and cut out from the brows to below the mouth; its brightness is normalised to
    zero mean and unit spread, so prints of one photo taken at other sizes, turns or
    exposures correlate highly (see :func:`same_face`).

    This is no face recognition: it tells the same photo (or nearly the same picture)
    from another one, which is all the swap needs to avoid putting a face on itself.

    Args:
        image: ndarray of shape (H, W, 3), uint8, BGR.
        face_xyz: ndarray of shape (478, 2+), float: landmarks in pixels.

    Returns:
        ndarray of shape (52, 44), float32; None when the face is too small or outside
        the picture.
    """
    xy = np.asarray(face_xyz, np.float64)[:, :2]
    eye = eye_distance(xy)
    if not np.isfinite(xy).all() or not eye >= MIN_EYE_PX:
        return None
    right, left = xy[RIGHT_IRIS], xy[LEFT_IRIS]
    centre, (dx, dy) = (right + left) / 2, left - right
    scale = PRINT_EYE_PX / eye
    w, h = PRINT_SIZE_WH
    # From the print's pixels back to the picture's: rotate, scale, put the eyes' midpoint
    # on the middle column (so a flipped print is the mirror image's), 0.3 h down.
    cos, sin = dx / eye, dy / eye
    back = np.array([[cos, -sin], [sin, cos]]) / scale
    offset = centre - back @ np.array([(w - 1) / 2, 0.3 * h])
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64) @ back.T + offset
    box = covering_box(corners.astype(np.float32), (image.shape[1], image.shape[0]), pad=2)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    grey = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    if scale < 1:  # shrinking: blur first, so the print does not alias
        grey = cv2.GaussianBlur(grey, (0, 0), 0.5 / scale)
    to_picture = np.hstack([back, (offset - (x0, y0))[:, None]])
    patch = cv2.warpAffine(
        grey,
        to_picture,
        (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    ).astype(np.float32)
    spread = float(patch.std())
    if spread < 1.0:
        return None
    return (patch - patch.mean()) / spread


def likeness(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """How alike two face prints (:func:`face_print`) are: their correlation, -1 to 1.

    A mirror image (a selfie view) is as alike as the picture itself: the larger of the
    correlations with ``b`` and with ``b`` flipped left to right is taken. 0 when either
    print is None.
    """
    if a is None or b is None:
        return 0.0
    return max(float(np.mean(a * b)), float(np.mean(a * b[:, ::-1])))


def same_face(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """True when two face prints (:func:`face_print`) show the same face."""
    return likeness(a, b) > SAME_FACE


def _transfer(patch_bgr: np.ndarray, source: SkinColour, target: SkinColour) -> np.ndarray:
    """Reinhard's colour transfer: LAB shifted and scaled from one skin to another.

    Args:
        patch_bgr: ndarray of shape (h, w, 3), uint8, BGR: the warped source face.

    Returns:
        ndarray of shape (h, w, 3), uint8, BGR.
    """
    ratio = np.clip(target.std_lab / np.maximum(source.std_lab, 1e-3), *RATIO_RANGE)
    ratio = ratio.astype(np.float32)
    offset = target.mean_lab - ratio * source.mean_lab
    # One saturating per-pixel affine map in C: no float copy of the patch.
    matrix = np.zeros((3, 4), np.float32)
    matrix[[0, 1, 2], [0, 1, 2]] = ratio
    matrix[:, 3] = offset
    lab = cv2.transform(cv2.cvtColor(patch_bgr, cv2.COLOR_BGR2LAB), matrix)
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def _outline_mask(
    hull_local: np.ndarray, size_wh: tuple[int, int], eye: float, feather: float
) -> np.ndarray:
    """Where the new face shows, 0..255: the pulled-in hull, feathered inwards.

    Args:
        hull_local: ndarray of shape (N, 2), float32: the pulled-in hull in the box; it
            may reach outside the box (a face partly outside the frame).
        size_wh: the box's width and height.
        eye: the target's eye distance, pixels.
        feather: width of the soft edge, eye distances.

    Returns:
        ndarray of shape (h, w), uint8.
    """
    w, h = size_wh
    sigma = feather * eye / 2
    if sigma < 0.5:
        mask = _fill([hull_local], size_wh)
    else:
        # The feather is drawn and blurred k times smaller (a smooth outline loses
        # nothing), on the whole hull's box, also the part outside the frame: blurring a
        # hull cut at the frame's edge would fade the face out there.
        k = max(1, int(sigma / 2))
        pad = int(np.ceil(3 * sigma / k)) + 1
        lo = np.floor(hull_local.min(axis=0) / k).astype(int) - pad
        hi = np.ceil(hull_local.max(axis=0) / k).astype(int) + pad + 1
        lo = np.minimum(lo, 0)
        hi = np.maximum(hi, (-(-w // k), -(-h // k)))
        small = _fill([(hull_local + 0.5) / k - 0.5 - lo], tuple((hi - lo).tolist()))
        soft = cv2.GaussianBlur(small, (0, 0), sigma / k, borderType=cv2.BORDER_CONSTANT)
        # The inner half of the blurred edge: 0 on the outline, so the feather stays
        # inside the hull and the target's own outline frames the face.
        soft = cv2.addWeighted(soft, 2.0, soft, 0.0, -255.0)
        # Only the cells over the box, grown back to pixels.
        (cx, cy), n = -lo, (-(-w // k), -(-h // k))
        soft = soft[cy : cy + n[1], cx : cx + n[0]]
        if k > 1:
            soft = cv2.resize(soft, (n[0] * k, n[1] * k), interpolation=cv2.INTER_LINEAR)
        mask = np.ascontiguousarray(soft[:h, :w])
    return mask


def _kept_mask(
    xy_local: np.ndarray, size_wh: tuple[int, int], eye: float, keep_mouth: bool, keep_eyes: bool
) -> np.ndarray | None:
    """Where the target's own features stay, 0..255, with a soft edge on their contours.

    Args:
        xy_local: ndarray of shape (478, 2), float32: the target's landmarks in the box.
        size_wh: the box's width and height.
        eye: the target's eye distance, pixels.

    Returns:
        ndarray of shape (h, w), uint8; None when nothing is kept.
    """
    holes = [
        xy_local[list(c)]
        for keep, contours in ((keep_eyes, (RIGHT_EYE, LEFT_EYE)), (keep_mouth, (INNER_LIPS,)))
        if keep
        for c in contours
    ]
    if not holes:
        return None
    kept = _fill(holes, size_wh)
    sigma = HOLE_FEATHER * eye / 2
    if sigma >= 0.3:
        kept = cv2.GaussianBlur(kept, (0, 0), sigma)
        # Steeper, so the middle of an eye a few pixels high is wholly kept, not 99 %
        # kept; the edge stays on the contour.
        kept = cv2.addWeighted(kept, 2.0, kept, 0.0, -127.5)
    return kept


def _level(source: SwapSource, eye_px: float) -> tuple[np.ndarray, np.ndarray]:
    """The source level at most twice the target's size, and its landmark ``xy``."""
    index = int(np.floor(np.log2(max(source.eye_px / max(eye_px, 1e-3), 1.0))))
    picture = source.levels[min(index, len(source.levels) - 1)]
    (h0, w0), (h, w) = source.crop.shape[:2], picture.shape[:2]
    # Pixel centres: x in the crop is (x + 0.5) * w / w0 - 0.5 in the level.
    scale = np.array((w / w0, h / h0), np.float32)
    xy = (source.xyz[:N_MESH, :2] + 0.5) * scale - 0.5
    return picture, xy


def swap_face(
    frame: np.ndarray,
    target_xyz: np.ndarray,
    source: SwapSource,
    *,
    keep_mouth: bool = True,
    keep_eyes: bool = True,
    color_match: bool = True,
    blend: str = "alpha",
    feather: float = FEATHER,
    target_skin: SkinColour | None = None,
) -> np.ndarray:
    """Put the source face on one face of the frame, in place.

    Only the box of the target's landmark hull changes, and inside it only what the
    (feathered) hull covers. Faces partly outside the frame are swapped where they are
    inside; faces smaller than :data:`MIN_EYE_PX` are left alone. A mirrored picture
    needs nothing special: the source's left eye goes where the target's left eye is.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR; modified in place.
        target_xyz: ndarray of shape (478, 3), float: the target's landmarks in pixels,
            ``z`` depth (smaller is nearer; where a turned head folds the mesh, the
            nearer triangles win).
        source: the face to put there.
        keep_mouth: keep the target's mouth opening (inside the inner lips), so its
            teeth and tongue move with its speech.
        keep_eyes: keep the target's eye openings, so its blinks and gaze stay.
        color_match: bring the source's skin colour to the target's (LAB mean and
            spread); off, the source keeps its own colours.
        blend: one of :data:`BLENDS`: ``"alpha"`` (fast, steady) or ``"seamless"``
            (Poisson blending; several times slower, and it flickers more in video).
        feather: width of the soft edge at the outline, in eye distances.
        target_skin: the target's skin colour, if already known (trade mode measures
            each face once); None measures it in ``frame`` before anything is drawn.

    Returns:
        The same ``frame``.
    """
    if blend not in BLENDS:
        raise ValueError(f"blend must be one of {BLENDS}, got {blend!r}")
    xyz = np.asarray(target_xyz, np.float32)
    if xyz.shape != (478, 3):
        raise ValueError(f"expected landmarks of shape (478, 3), got {xyz.shape}")
    eye = eye_distance(xyz)
    if not np.isfinite(xyz).all() or not eye >= MIN_EYE_PX:
        return frame
    h, w = frame.shape[:2]
    xy = xyz[:, :2]
    hull = _inset_hull(xy[:N_MESH], INSET * eye, FOREHEAD_INSET * eye)
    roi = covering_box(hull, (w, h), pad=1)
    if roi is None:
        return frame
    x0, y0, x1, y1 = roi
    if color_match and target_skin is None:
        target_skin = skin_colour(frame, xyz)

    picture, src_xy = _level(source, eye)
    map_x, map_y, _ = mesh_maps(
        xy[:N_MESH], src_xy, canonical_face().triangles, roi, depth=xyz[:N_MESH, 2]
    )
    # Where a turned face's mesh folds (beside the nose, at the jaw), triangles narrower
    # than a pixel still fill a line of pixels, and their affine maps, extrapolated that
    # far, point anywhere in the source. A 3x3 median removes such lines and leaves the
    # rest: inside a triangle the map is linear, and a linear map's median is itself.
    map_x, map_y = cv2.medianBlur(map_x, 3), cv2.medianBlur(map_y, 3)
    # Replicated borders: the crop's outer alpha is 0, so whatever is sampled beyond it
    # (the maps' OUTSIDE included) comes out transparent, in real colours.
    patch = cv2.remap(picture, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    colour = cv2.cvtColor(patch, cv2.COLOR_BGRA2BGR)
    if color_match and source.skin is not None and target_skin is not None:
        colour = _transfer(colour, source.skin, target_skin)

    origin = np.array((x0, y0), np.float32)
    size_wh = (x1 - x0, y1 - y0)
    # Where the source has no face (beyond its picture's edge) the target stays.
    mask = cv2.multiply(
        _outline_mask(hull - origin, size_wh, eye, feather),
        cv2.extractChannel(patch, 3),
        scale=1.0 / 255.0,
    )
    kept = _kept_mask(xy - origin, size_wh, eye, keep_mouth, keep_eyes)
    region = frame[y0:y1, x0:x1]
    if blend == "seamless":
        # The kept features are put back afterwards, not cut out of the clone: their
        # edges would be more border for the solver to match, and it would smear the
        # target's lashes and glasses across the new face.
        colour, mask = _seamless(region, colour, mask)
    if kept is not None:
        mask = cv2.subtract(mask, kept)
    blend_layer(region, colour, mask, 1.0)
    return frame


def _seamless(
    region: np.ndarray, colour: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``colour`` Poisson-blended into ``region`` where ``mask`` is over half.

    Returns:
        ndarray of shape (h, w, 3), uint8: the region with the clone in it (outside the
        clone's mask, whatever the solver left there), and ndarray of shape (h, w),
        uint8: the clone's mask, 0 or 255, to blend it in with.
    """
    binary = cv2.compare(mask, 127, cv2.CMP_GT)
    # The solver needs a ring of known pixels around the mask, also where the face
    # leaves the frame.
    binary[[0, -1], :] = 0
    binary[:, [0, -1]] = 0
    x, y, bw, bh = cv2.boundingRect(binary)
    if bw < 3 or bh < 3:
        return region.copy(), np.zeros_like(binary)
    # seamlessClone centres the mask's bounding box on this point: this one puts it
    # back where it came from. It writes into the mask it is given (OpenCV 4.11): a copy.
    centre = (x + bw // 2, y + bh // 2)
    cloned = cv2.seamlessClone(colour, region, binary.copy(), centre, cv2.NORMAL_CLONE)
    return cloned, binary


def trade_faces(
    frame: np.ndarray,
    faces_xyz: np.ndarray,
    *,
    untouched: np.ndarray | None = None,
    keep_mouth: bool = True,
    keep_eyes: bool = True,
    color_match: bool = True,
    blend: str = "alpha",
    feather: float = FEATHER,
) -> np.ndarray:
    """The faces of a frame trade places, in place: each gets the next one's face.

    Face ``i`` gets face ``i + 1``'s, and the last gets the first's (Snapchat's face
    swap, for two faces an exchange). Faces too small or outside the frame take no
    part. Every source is taken before anything is drawn, so no face passes on a face
    it was just given.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR; modified in place.
        faces_xyz: ndarray of shape (n, 478, 3), float: landmarks in pixels.
        untouched: ndarray of shape (H, W, 3), uint8, BGR: the frame as captured, to
            take the faces from (when earlier effects already drew on ``frame``); None
            takes them from ``frame``.
        keep_mouth, keep_eyes, color_match, blend, feather: as in :func:`swap_face`.

    Returns:
        The same ``frame``.
    """
    if blend not in BLENDS:
        raise ValueError(f"blend must be one of {BLENDS}, got {blend!r}")
    picture = frame if untouched is None else untouched
    faces = np.asarray(faces_xyz, np.float32)
    sources: list[tuple[np.ndarray, SwapSource]] = []
    for xyz in faces:
        try:
            sources.append((xyz, SwapSource.from_image(picture, xyz)))
        except ValueError:
            continue
    if len(sources) < 2:
        return frame
    for i, (xyz, own) in enumerate(sources):
        swap_face(
            frame,
            xyz,
            sources[(i + 1) % len(sources)][1],
            keep_mouth=keep_mouth,
            keep_eyes=keep_eyes,
            color_match=color_match,
            blend=blend,
            feather=feather,
            target_skin=own.skin,
        )
    return frame
