"""The geometry of finding small faces: tiles, merged boxes, square crops and back.

Pure numpy and OpenCV, no model: :mod:`.twostage` runs the models on what this module
cuts out, and maps their answers back into the picture (the box detectors are passed
in).

Why tiles: MediaPipe's face detectors shrink the whole picture to 128 or 192 pixels, so
a face whose eye distance is under about 5 % of the picture's long side shrinks below
what they can see. Halves of the picture, overlapping by half again, double that reach
to about 2.5 %; any face small enough to need them fits wholly inside one tile.

Why square crops: the landmark model works on a face that fills a good part of its
input. A crop around each found face, scaled to :data:`CROP_PX`, gives a far face as
many pixels as a near one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .base import BoxDetector, FaceBoxes

CROP_PX = 256
"""Side of the square crop the landmark model gets, in pixels."""
MIN_TILED_SIDE = 256
TASKS_FAR_TILES = (0.5,)
"""What stands in for a full-range detector on the Tasks backend: its short-range one on
half-size tiles too."""
"""Pictures whose long side is shorter than this are scanned whole only."""


def tiles_xyxy(size_wh: tuple[int, int], fraction: float = 0.5) -> np.ndarray:
    """Square tiles of a fraction of the long side (half by default), overlapping by half
    a tile, covering the picture.

    Args:
        size_wh: the picture's width and height.
        fraction: the tiles' side, as a share of the picture's long side.

    Returns:
        ndarray (k, 4), int64: ``x1, y1, x2, y2`` of each tile, clipped to the picture;
        empty when the picture is too small to tile.
    """
    w, h = (int(v) for v in size_wh)
    long_side = max(w, h)
    side = int(np.ceil(long_side * fraction))
    if long_side < MIN_TILED_SIDE or side < MIN_TILED_SIDE // 2:
        return np.zeros((0, 4), np.int64)
    step = max(1, side // 2)

    def starts(length: int) -> list[int]:
        if length <= side:
            return [0]
        out = list(range(0, length - side, step))
        return [*out, length - side]

    return np.array(
        [(x, y, min(x + side, w), min(y + side, h)) for y in starts(h) for x in starts(w)], np.int64
    )


def box_iou(a_xyxy: np.ndarray, b_xyxy: np.ndarray) -> np.ndarray:
    """Intersection over union of every box in ``a`` with every box in ``b``.

    Args:
        a_xyxy: ndarray (n, 4), float.
        b_xyxy: ndarray (m, 4), float.

    Returns:
        ndarray (n, m), float64 in [0, 1].
    """
    a = np.asarray(a_xyxy, np.float64).reshape(-1, 4)[:, None]
    b = np.asarray(b_xyxy, np.float64).reshape(-1, 4)[None]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / np.maximum(area_a + area_b - inter, 1e-9)


def merge_boxes(xyxy: np.ndarray, scores: np.ndarray, iou: float = 0.3) -> np.ndarray:
    """Indices of the boxes kept when overlapping ones are merged, best score first.

    Each box suppresses the lower-scored boxes that overlap it by more than ``iou``, or
    that lie mostly inside it (a tile's half face next to the whole face).

    Args:
        xyxy: ndarray (n, 4), float.
        scores: ndarray (n,), float.

    Returns:
        ndarray (k,), int64.
    """
    xyxy = np.asarray(xyxy, np.float64).reshape(-1, 4)
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    overlap = box_iou(xyxy, xyxy)
    area = (xyxy[:, 2] - xyxy[:, 0]) * (xyxy[:, 3] - xyxy[:, 1])
    # Share of box j's area that lies inside box i.
    inside = (
        overlap * (area[:, None] + area[None, :]) / (1 + overlap) / np.maximum(area[None, :], 1e-9)
    )
    keep: list[int] = []
    for i in order:
        if all(overlap[k, i] <= iou and inside[k, i] <= 0.7 and inside[i, k] <= 0.7 for k in keep):
            keep.append(int(i))
    return np.array(keep, np.int64)


@dataclass(frozen=True)
class Crop:
    """A square part of a picture, scaled to a fixed size.

    Attributes:
        origin_xy: ndarray (2,), float64: where the crop's top-left corner is in the
            picture (may be outside it: the crop is padded there).
        scale: crop pixels per picture pixel.
        image: ndarray (CROP_PX, CROP_PX, 3), uint8, BGR.
    """

    origin_xy: np.ndarray
    scale: float
    image: np.ndarray

    @property
    def centre_xy(self) -> np.ndarray:
        """The crop's centre, in the crop's own pixels: ndarray (2,), float64."""
        return np.full(2, self.image.shape[1] / 2.0)

    def to_picture(self, xyz: np.ndarray) -> np.ndarray:
        """Landmarks found in the crop, in the picture's pixels.

        Args:
            xyz: ndarray (..., 3), float: ``x, y`` in crop pixels, ``z`` in the same scale.

        Returns:
            ndarray (..., 3), float32.
        """
        out = np.asarray(xyz, np.float64) / self.scale
        out[..., :2] += self.origin_xy
        return out.astype(np.float32)


def square_crop(frame: np.ndarray, centre_xy: np.ndarray, side: float, size: int = CROP_PX) -> Crop:
    """The square of ``side`` picture pixels around ``centre_xy``, scaled to ``size``.

    Parts outside the picture are filled by repeating its edge, so a face at the border
    is still centred in its crop.

    Args:
        frame: ndarray (H, W, 3), uint8, BGR.
        centre_xy: ndarray (2,), float.
        side: the square's side in picture pixels (at least 1).
        size: the crop's side in pixels.
    """
    side = max(float(side), 1.0)
    scale = size / side
    origin = np.asarray(centre_xy, np.float64) - side / 2
    # One affine warp does the cut, the scaling and the padding at once.
    matrix = np.array([[scale, 0, -origin[0] * scale], [0, scale, -origin[1] * scale]])
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    image = cv2.warpAffine(
        frame, matrix, (size, size), flags=flags, borderMode=cv2.BORDER_REPLICATE
    )
    return Crop(origin, scale, image)


def landmark_box(xyz: np.ndarray) -> np.ndarray:
    """The box around a face's landmarks: ndarray (4,), float64 ``x1, y1, x2, y2``."""
    xy = np.asarray(xyz, np.float64)[:, :2]
    return np.concatenate([xy.min(axis=0), xy.max(axis=0)])


def nearest_to_centre(landmarks: np.ndarray, centre_xy: np.ndarray) -> int:
    """Which face's landmark box centre is nearest ``centre_xy``; -1 when there is none.

    Args:
        landmarks: ndarray (n, 478, 3), float.
        centre_xy: ndarray (2,), float.
    """
    if len(landmarks) == 0:
        return -1
    xy = np.asarray(landmarks, np.float64)[..., :2]
    centres = (xy.min(axis=1) + xy.max(axis=1)) / 2
    return int(np.argmin(np.hypot(*(centres - centre_xy).T)))


Pass = tuple[BoxDetector, np.ndarray, tuple[int, int]]
"""One look of a box detector: the detector, the picture (the frame or a tile of it),
and where that picture's top-left corner lies in the frame."""


def tile_passes(detector: BoxDetector, frame: np.ndarray, fraction: float = 0.5) -> list[Pass]:
    """A look at each tile of ``frame`` (ndarray (H, W, 3), uint8, BGR) by ``detector``,
    the tiles a ``fraction`` of the long side (see :func:`tiles_xyxy`)."""
    return [
        (detector, np.ascontiguousarray(frame[y0:y1, x0:x1]), (x0, y0))
        for x0, y0, x1, y1 in tiles_xyxy((frame.shape[1], frame.shape[0]), fraction)
    ]


def boxes_of(passes: list[Pass], first_wins: bool = False) -> FaceBoxes:
    """Every pass's boxes, moved into the frame, overlapping ones merged (the most
    confident kept; with ``first_wins``, the first pass's boxes before any other's)."""
    boxes: list[np.ndarray] = [np.zeros((0, 4), np.float32)]
    scores: list[np.ndarray] = [np.zeros(0, np.float32)]
    rank: list[np.ndarray] = [np.zeros(0, np.float32)]
    for k, (detector, picture, (x0, y0)) in enumerate(passes):
        found = detector.detect(picture, 0.0)
        boxes.append(found.xyxy + np.array([x0, y0, x0, y0], np.float32))
        scores.append(found.confidence)
        rank.append(found.confidence + (1.0 if first_wins and k == 0 else 0.0))
    xyxy, confidence = np.concatenate(boxes), np.concatenate(scores)
    keep = merge_boxes(xyxy, np.concatenate(rank))
    return FaceBoxes(xyxy[keep].astype(np.float32), confidence[keep].astype(np.float32))


class TiledBoxDetector:
    """A box detector that also looks at tiles: far faces for a backend with a short-range
    detector only (Tasks). Implements :class:`~.base.BoxDetector`.

    Args:
        detector: the box detector, run on the whole picture and on every tile.
        fractions: the tilings, as tile sides in shares of the picture's long side.
    """

    def __init__(self, detector: BoxDetector, fractions: tuple[float, ...] = (0.5,)) -> None:
        self.detector = detector
        self.fractions = fractions

    def detect(self, frame: np.ndarray, t_s: float = 0.0) -> FaceBoxes:
        """Boxes of the faces in a BGR uint8 frame of shape (H, W, 3)."""
        passes: list[Pass] = [(self.detector, frame, (0, 0))]
        for fraction in self.fractions:
            passes += tile_passes(self.detector, frame, fraction)
        # A face seen whole keeps the whole picture's box: a tile may cut it, and a box
        # that changes with the tiling jumps when the picture is mirrored.
        return boxes_of(passes, first_wins=True)

    def close(self) -> None:
        close = getattr(self.detector, "close", None)
        if close:
            close()

    def __enter__(self) -> TiledBoxDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
