"""RGBA sprites placed on a frame by a similarity transform, with correct alpha.

Sprites are kept with premultiplied alpha. Resampling straight (non-premultiplied)
RGBA mixes the colour of transparent pixels into the edge and leaves dark fringes;
premultiplied colour resamples cleanly, and compositing is then ``src + dst * (1 - a)``.
All work happens inside the box the placed sprite covers, clipped to the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass(frozen=True)
class Sprite:
    """An image with alpha, ready to composite.

    Attributes:
        premultiplied: ndarray of shape (H, W, 4), float32 in [0, 1]: B, G, R times alpha,
            then alpha.
        levels: what is drawn: ndarrays of shape (h, w, 4), uint8, premultiplied BGRA; the
            image at full size, then halved again and again (area-averaged). Bilinear
            sampling alone skips pixels when a sprite is drawn much smaller than its art,
            which makes fine detail grainy; drawing from the level nearest the final size
            avoids that. 8-bit levels let OpenCV warp and blend with its fast integer paths.
    """

    premultiplied: np.ndarray
    levels: tuple[np.ndarray, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        level = np.clip(self.premultiplied * 255.0 + 0.5, 0, 255).astype(np.uint8)
        levels = [level]
        while min(levels[-1].shape[:2]) >= 16:
            h, w = levels[-1].shape[:2]
            size_wh = ((w + 1) // 2, (h + 1) // 2)
            levels.append(cv2.resize(levels[-1], size_wh, interpolation=cv2.INTER_AREA))
        object.__setattr__(self, "levels", tuple(levels))

    @classmethod
    def from_bgra(cls, bgra: np.ndarray) -> Sprite:
        """A sprite from straight BGRA.

        Args:
            bgra: ndarray of shape (H, W, 4), uint8, straight (not premultiplied) alpha.
        """
        if bgra.ndim != 3 or bgra.shape[2] != 4 or bgra.dtype != np.uint8:
            raise ValueError(
                f"expected BGRA uint8 of shape (H, W, 4), got {bgra.dtype} {bgra.shape}"
            )
        f = bgra.astype(np.float32) / 255.0
        f[..., :3] *= f[..., 3:4]
        return cls(f)

    @property
    def size_wh(self) -> tuple[int, int]:
        h, w = self.premultiplied.shape[:2]
        return w, h


def similarity_matrix(
    pin_xy: tuple[float, float],
    target_xy: np.ndarray,
    scale: float,
    axis_x: np.ndarray,
    axis_y: np.ndarray,
) -> np.ndarray:
    """The 2x3 affine matrix that puts a sprite's pin on a target point.

    The sprite's +x follows ``axis_x`` and its +y follows ``axis_y`` (a reflection when the
    face frame is mirrored), both scaled by ``scale``.

    Args:
        pin_xy: the point on the sprite, in sprite pixels.
        target_xy: ndarray of shape (2,): where the pin goes, in frame pixels.
        scale: frame pixels per sprite pixel.
        axis_x, axis_y: ndarray of shape (2,): unit vectors of the face frame.

    Returns:
        ndarray of shape (2, 3), float64: maps sprite ``xy`` to frame ``xy``.
    """
    linear = np.column_stack([axis_x, axis_y]).astype(np.float64) * scale
    offset = np.asarray(target_xy, np.float64) - linear @ np.asarray(pin_xy, np.float64)
    return np.column_stack([linear, offset])


def draw_sprite(
    frame: np.ndarray, sprite: Sprite, matrix: np.ndarray, opacity: float = 1.0
) -> np.ndarray:
    """Composite a sprite onto a frame, in place.

    Parts outside the frame are clipped; a sprite wholly outside draws nothing.

    Args:
        frame: ndarray of shape (H, W, 3), uint8, BGR; modified in place.
        sprite: the sprite.
        matrix: ndarray of shape (2, 3): sprite ``xy`` to frame ``xy``.
        opacity: multiplies the sprite's alpha, 0..1.

    Returns:
        The same ``frame``.
    """
    if opacity <= 0:
        return frame
    h, w = frame.shape[:2]
    sw, sh = sprite.size_wh
    corners = np.array([[0, 0, 1], [sw, 0, 1], [0, sh, 1], [sw, sh, 1]], np.float64)
    placed = corners @ matrix.T
    x0, y0 = np.floor(placed.min(axis=0)).astype(int)
    x1, y1 = np.ceil(placed.max(axis=0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 <= x0 or y1 <= y0:
        return frame
    # Sample from the pyramid level at most 2x larger than the drawn size.
    # The 2x2 determinant by hand: np.linalg would wake OpenBLAS's threads every call.
    (a, b), (c, d) = matrix[0, :2], matrix[1, :2]
    shrink = 1.0 / max(float(np.sqrt(abs(a * d - b * c))), 1e-9)
    level = min(max(int(np.floor(np.log2(shrink))), 0), len(sprite.levels) - 1)
    source = sprite.levels[level]
    lh, lw = source.shape[:2]
    shifted = matrix.astype(np.float64).copy()
    shifted[:, :2] = shifted[:, :2] * (sw / lw, sh / lh)
    shifted[:, 2] -= (x0, y0)
    # Half-pixel shift: the matrix maps continuous coordinates (pixel corners at
    # integers) but warpAffine samples pixel centres.
    shifted[:, 2] += shifted[:, :2] @ (0.5, 0.5) - (0.5, 0.5)
    patch = cv2.warpAffine(
        source,
        shifted,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    if opacity < 1:
        patch = cv2.convertScaleAbs(patch, alpha=opacity)
    composite_premultiplied(frame[y0:y1, x0:x1], patch)
    return frame


def composite_premultiplied(region: np.ndarray, patch: np.ndarray) -> None:
    """Composite premultiplied BGRA over a BGR region, in place: ``src + dst * (1 - a)``.

    Args:
        region: ndarray of shape (h, w, 3), uint8, BGR; a view into the frame.
        patch: ndarray of shape (h, w, 4), uint8 premultiplied BGRA, or float32 in [0, 1].
    """
    if patch.dtype != np.uint8:
        patch = np.clip(patch * 255.0 + 0.5, 0, 255).astype(np.uint8)
    bgr, alpha = patch[..., :3], patch[..., 3]
    keep = cv2.cvtColor(255 - alpha, cv2.COLOR_GRAY2BGR)
    # OpenCV's saturating integer arithmetic: rounded, no float temporaries.
    under = cv2.multiply(region, keep, scale=1.0 / 255.0)
    region[...] = cv2.add(under, np.ascontiguousarray(bgr))
