"""A picture painted on the face through the canonical face model's UV coordinates.

The texture is a square picture in UV space (``u`` right, ``v`` down, ``(0, 0)`` its
top-left corner; see :class:`~facefilters.render.meshmap.CanonicalFace`). Each mesh
triangle carries its piece of the texture along as the face moves and turns, so paint
follows the cheeks and a mask follows the brow; :func:`~.meshmap.mesh_maps` turns the
mesh into one ``cv2.remap``. Only the box the face covers is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .meshmap import N_MESH, canonical_face, covering_box, mesh_maps

BLENDS = ("normal", "multiply", "paint")
"""How the texture's colour meets the skin under it:

- ``normal``: the texture over the skin, like a sticker (a mask, an object).
- ``multiply``: skin times texture colour, like a tint or ink; white changes nothing.
- ``paint``: the texture's colour lit by the skin's own shading (the skin's brightness
  relative to the face's mean), so paint keeps the face's shadows, folds and highlights
  and reads as painted on, even in white.
"""

_SHADE_ONE = 128  # the 8-bit shading value that means "lit like the average skin"
_DETAIL = 0.8  # extra weight of the skin's fine relief seen through paint


@dataclass(frozen=True)
class FaceTexture:
    """A texture in UV space, ready to draw.

    Attributes:
        premultiplied: ndarray of shape (S, S, 4), uint8: B, G, R times alpha, then alpha.
            Premultiplied colour resamples without dark fringes at transparent edges.
        levels: ndarrays of shape (s, s, 4), uint8, premultiplied: the texture, then
            halved again and again (area-averaged). A 1024-pixel texture drawn on a face
            200 pixels wide would alias when sampled bilinearly; drawing from the level
            nearest the final size does not.
    """

    premultiplied: np.ndarray
    levels: tuple[np.ndarray, ...] = field(default=(), repr=False, compare=False)
    painted: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[arg-type]
    """ndarray of shape (T,), bool: the mesh triangles whose piece of the texture is not
    wholly transparent. Only they are drawn, in their box: paint on two cheeks does not
    cost a whole face."""

    def __post_init__(self) -> None:
        tex = self.premultiplied
        if tex.ndim != 3 or tex.shape[2] != 4 or tex.dtype != np.uint8:
            raise ValueError(
                f"expected premultiplied BGRA uint8 of shape (S, S, 4), got {tex.dtype} {tex.shape}"
            )
        levels = [np.ascontiguousarray(tex)]
        while min(levels[-1].shape[:2]) >= 64:
            h, w = levels[-1].shape[:2]
            levels.append(
                cv2.resize(levels[-1], ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)
            )
        object.__setattr__(self, "levels", tuple(levels))
        object.__setattr__(self, "painted", _painted_triangles(tex))

    @classmethod
    def from_bgra(cls, bgra: np.ndarray) -> FaceTexture:
        """A texture from straight (not premultiplied) BGRA.

        Args:
            bgra: ndarray of shape (S, S, 4), uint8, straight alpha, in UV space.
        """
        if bgra.ndim != 3 or bgra.shape[2] != 4 or bgra.dtype != np.uint8:
            raise ValueError(
                f"expected BGRA uint8 of shape (S, S, 4), got {bgra.dtype} {bgra.shape}"
            )
        alpha = cv2.extractChannel(bgra, 3)
        bgr = cv2.multiply(
            cv2.cvtColor(bgra, cv2.COLOR_BGRA2BGR),
            cv2.cvtColor(alpha, cv2.COLOR_GRAY2BGR),
            scale=1.0 / 255.0,
        )
        return cls(cv2.merge([*cv2.split(bgr), alpha]))

    @property
    def size_wh(self) -> tuple[int, int]:
        h, w = self.premultiplied.shape[:2]
        return w, h


def _painted_triangles(premultiplied: np.ndarray) -> np.ndarray:
    """Which triangles of the canonical mesh carry some of the texture (alpha > 0).

    A triangle counts when any alpha, grown by four texels (bilinear sampling and the
    feather reach past a triangle's edge), lies in its box in UV space: generous, but a
    sliver thinner than a texel is never missed.

    Returns:
        ndarray of shape (T,), bool.
    """
    model = canonical_face()
    h, w = premultiplied.shape[:2]
    touched = cv2.dilate(cv2.extractChannel(premultiplied, 3), np.ones((9, 9), np.uint8))
    corners = model.uv[model.triangles] * np.array((w, h), np.float32) - 0.5
    lo = np.clip(np.floor(corners.min(axis=1)).astype(int), 0, (w - 1, h - 1))
    hi = np.clip(np.ceil(corners.max(axis=1)).astype(int) + 1, 1, (w, h))
    hi = np.maximum(hi, lo + 1)
    summed = cv2.integral((touched > 0).astype(np.uint8))
    return (
        summed[hi[:, 1], hi[:, 0]]
        - summed[lo[:, 1], hi[:, 0]]
        - summed[hi[:, 1], lo[:, 0]]
        + summed[lo[:, 1], lo[:, 0]]
    ) > 0


def _level(texture: FaceTexture, xy: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """The pyramid level at most twice as large as the texture is drawn."""
    w, h = texture.size_wh
    drawn = np.ptp(xy, axis=0)
    spanned = np.ptp(uv, axis=0) * (w, h)
    # A turned head narrows one axis only; the other still shows the full detail.
    shrink = float(np.min(spanned / np.maximum(drawn, 1e-3)))
    index = int(np.floor(np.log2(max(shrink, 1.0))))
    return texture.levels[min(index, len(texture.levels) - 1)]


def draw_texture(
    frame: np.ndarray,
    face_xyz: np.ndarray,
    texture: FaceTexture,
    opacity: float = 1.0,
    blend: str = "normal",
    feather_px: float = 1.5,
) -> np.ndarray:
    """Paint a UV texture on one face, in place.

    Where a turned head makes the mesh fold over itself (the nose over the far cheek),
    the nearer triangles win, by landmark depth. The texture's own alpha and a feather of
    ``feather_px`` at the mesh's outline make the edges soft.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR; modified in place.
        face_xyz: ndarray of shape (478, 3) (or (468, 3)), float32: landmarks in pixels,
            ``z`` depth (smaller is nearer). The first 468 are the mesh.
        texture: the texture.
        opacity: multiplies the texture's alpha, 0..1.
        blend: one of :data:`BLENDS`.
        feather_px: width of the soft edge at the mesh's outline, pixels; 0 for a hard one.

    Returns:
        The same ``frame``.
    """
    if blend not in BLENDS:
        raise ValueError(f"blend must be one of {BLENDS}, got {blend!r}")
    if opacity <= 0:
        return frame
    mesh = np.asarray(face_xyz, np.float32)[:N_MESH]
    xy = mesh[:, :2]
    h, w = frame.shape[:2]
    if not texture.painted.any():
        return frame
    model = canonical_face()
    # Only the box of the painted triangles changes.
    roi = covering_box(
        xy[np.unique(model.triangles[texture.painted])], (w, h), pad=2 + int(np.ceil(feather_px))
    )
    if roi is None:
        return frame
    x0, y0, x1, y1 = roi
    source = _level(texture, xy, model.uv)
    size = np.array(source.shape[1::-1], np.float32)
    # UV corners are the texture's outer edges; remap samples pixel centres.
    src_xy = model.uv * size - 0.5
    map_x, map_y, coverage = mesh_maps(
        xy, src_xy, model.triangles, roi, depth=mesh[:, 2], only=texture.painted
    )
    patch = cv2.remap(
        source,
        map_x,
        map_y,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    weight = coverage
    if feather_px > 0:
        # Blurring the coverage fades its inner edge; outside it the patch is empty anyway.
        weight = cv2.GaussianBlur(coverage, (0, 0), feather_px / 2)
        weight = cv2.min(weight, coverage)
    if opacity < 1:
        weight = cv2.convertScaleAbs(weight, alpha=opacity)
    patch = cv2.multiply(patch, cv2.merge([weight] * 4), scale=1.0 / 255.0)
    region = frame[y0:y1, x0:x1]
    if blend == "normal":
        _over(region, patch)
    elif blend == "multiply":
        _multiply(region, patch)
    else:
        _paint(region, patch, _face_brightness(frame, xy))
    return frame


# Channels are taken apart with cvtColor and extractChannel: numpy's strided copy of
# patch[..., :3] costs ten times more than the whole blend.


def _over(region: np.ndarray, patch: np.ndarray) -> None:
    """Premultiplied BGRA over BGR, in place: ``colour + dst * (1 - a)``."""
    keep = cv2.cvtColor(255 - cv2.extractChannel(patch, 3), cv2.COLOR_GRAY2BGR)
    under = cv2.multiply(region, keep, scale=1.0 / 255.0)
    region[...] = cv2.add(under, cv2.cvtColor(patch, cv2.COLOR_BGRA2BGR))


def _multiply(region: np.ndarray, patch: np.ndarray) -> None:
    """``dst * (1 - a) + dst * colour * a``, which is ``dst * (1 - a + premultiplied)``."""
    keep = cv2.cvtColor(255 - cv2.extractChannel(patch, 3), cv2.COLOR_GRAY2BGR)
    factor = cv2.add(keep, cv2.cvtColor(patch, cv2.COLOR_BGRA2BGR))
    region[...] = cv2.multiply(region, factor, scale=1.0 / 255.0)


def _face_brightness(frame: np.ndarray, xy: np.ndarray) -> float:
    """Mean grey level (0..255) of the frame inside the hull of the face's landmarks."""
    h, w = frame.shape[:2]
    box = covering_box(xy, (w, h), pad=0)
    if box is None:
        return 0.0
    x0, y0, x1, y1 = box
    hull = cv2.convexHull(np.round((xy - (x0, y0)) * 16).astype(np.int32))
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(mask, hull, 255, cv2.LINE_8, 4)
    return cv2.mean(cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY), mask=mask)[0]


def _paint(region: np.ndarray, patch: np.ndarray, mean: float) -> None:
    """The paint's colour times the skin's shading, composited over the skin.

    ``mean`` is the whole face's mean grey level: the paint is lit relative to it, so
    the same skin gets the same shade whichever part of the face is painted.
    """
    gray = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY)
    if mean < 1:
        _over(region, patch)
        return
    # Shading: the skin's brightness relative to the face's mean (broad light and
    # shadow), times its fine relief (wrinkles, pores: brightness relative to the
    # neighbourhood) weighted up a little, since a flat colour hides texture the eye
    # expects to see through thin paint. All 8-bit, with _SHADE_ONE meaning 1.0.
    lit = cv2.convertScaleAbs(gray, alpha=_SHADE_ONE / mean)
    local = cv2.GaussianBlur(gray, (0, 0), 3.0)
    relief = cv2.divide(gray, cv2.max(local, 1), scale=_SHADE_ONE)
    relief = cv2.convertScaleAbs(relief, alpha=_DETAIL, beta=(1 - _DETAIL) * _SHADE_ONE)
    shade = cv2.multiply(lit, relief, scale=1.0 / _SHADE_ONE)
    colour = cv2.multiply(
        cv2.cvtColor(patch, cv2.COLOR_BGRA2BGR),
        cv2.cvtColor(shade, cv2.COLOR_GRAY2BGR),
        scale=1.0 / _SHADE_ONE,
    )
    _over(region, cv2.merge([*cv2.split(colour), cv2.extractChannel(patch, 3)]))
