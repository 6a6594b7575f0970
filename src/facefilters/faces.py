"""The faces found in one frame: landmarks in pixels and a stable id per face."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

N_LANDMARKS = 478
"""FaceMesh with refined irises: 468 mesh points plus 5 per iris."""


@dataclass(frozen=True)
class Faces:
    """Landmarks of every face in one frame, as parallel arrays.

    Attributes:
        landmarks: ndarray of shape (n, 478, 3), float32. ``x, y`` in pixels of the frame
            (x to the right, y down); ``z`` is relative depth in the same pixel scale,
            smaller is closer to the camera.
        ids: ndarray of shape (n,), int64. A face keeps its id across frames while it is
            tracked; ``-1`` means not tracked yet (a detector's raw output).
        mirrored: True when the landmarks were flipped left-right with the picture (the
            selfie view). Landmark indices keep their anatomical meaning, so the person's
            left eye is still ``left_eye``; only the picture is a mirror image.
        scores: ndarray of shape (n,), float32 in [0, 1]: how sure the detector is that
            each face is a face. Backends that report no score (legacy FaceMesh) give 1.
        extras: optional per-face arrays from a backend, name -> ndarray of shape
            (n, ...), e.g. ``"blendshapes"`` of shape (n, 52). Sliced with the faces.
    """

    landmarks: np.ndarray
    ids: np.ndarray = field(default=None)  # type: ignore[arg-type]
    mirrored: bool = False
    scores: np.ndarray = field(default=None)  # type: ignore[arg-type]
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        landmarks = np.asarray(self.landmarks, dtype=np.float32)
        if landmarks.ndim != 3 or landmarks.shape[1:] != (N_LANDMARKS, 3):
            raise ValueError(
                f"landmarks must have shape (n, {N_LANDMARKS}, 3), got {landmarks.shape}"
            )
        ids = self.ids
        ids = np.full(len(landmarks), -1, np.int64) if ids is None else np.asarray(ids, np.int64)
        if ids.shape != (len(landmarks),):
            raise ValueError(f"ids must have shape ({len(landmarks)},), got {ids.shape}")
        n = len(landmarks)
        scores = self.scores
        scores = np.ones(n, np.float32) if scores is None else np.asarray(scores, np.float32)
        if scores.shape != (n,):
            raise ValueError(f"scores must have shape ({n},), got {scores.shape}")
        extras = {}
        for name, value in self.extras.items():
            value = np.asarray(value)
            if value.shape[:1] != (n,):
                raise ValueError(f"extras[{name!r}] must have shape ({n}, ...), got {value.shape}")
            extras[name] = value
        object.__setattr__(self, "landmarks", landmarks)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "extras", MappingProxyType(extras))

    @classmethod
    def empty(cls) -> Faces:
        """No faces."""
        return cls(np.zeros((0, N_LANDMARKS, 3), np.float32))

    def __len__(self) -> int:
        return len(self.landmarks)

    def __getitem__(self, index: int | slice | np.ndarray) -> Faces:
        if isinstance(index, (int, np.integer)):
            n = len(self)
            if not -n <= index < n:
                raise IndexError(f"face index {index} out of range for {n} faces")
            index = slice(int(index) % n, int(index) % n + 1)
        return Faces(
            self.landmarks[index],
            self.ids[index],
            self.mirrored,
            self.scores[index],
            {k: v[index] for k, v in self.extras.items()},
        )

    def with_landmarks(self, landmarks: np.ndarray, ids: np.ndarray | None = None) -> Faces:
        """The same faces (scores, extras, mirroring) with new landmarks, and ids if given.

        Args:
            landmarks: ndarray of shape (n, 478, 3), float32, in pixels.
            ids: ndarray of shape (n,), int64; None keeps the current ids.
        """
        return replace(self, landmarks=landmarks, ids=self.ids if ids is None else ids)

    @property
    def xy(self) -> np.ndarray:
        """ndarray of shape (n, 478, 2), float32: landmark pixel positions."""
        return self.landmarks[..., :2]

    @property
    def xyxy(self) -> np.ndarray:
        """ndarray of shape (n, 4), float32: each face's box ``x1, y1, x2, y2`` in pixels."""
        if len(self) == 0:
            return np.zeros((0, 4), np.float32)
        xy = self.xy
        return np.concatenate([xy.min(axis=1), xy.max(axis=1)], axis=1)

    def mirror(self, width: int) -> Faces:
        """The same faces in a picture flipped left-right, ``width`` pixels wide."""
        landmarks = self.landmarks.copy()
        # Pixel centres map x -> width - 1 - x under cv2.flip(frame, 1).
        landmarks[..., 0] = (width - 1) - landmarks[..., 0]
        return replace(self, landmarks=landmarks, mirrored=not self.mirrored)
