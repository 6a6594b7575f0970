"""Stable face ids across frames, and landmark smoothing with a One Euro filter.

The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) is a low-pass filter whose
cutoff rises with speed: a still face is smoothed hard (no shaking filters), a moving
face is barely smoothed (no lag). Here the speed is one number per face, the mean
landmark speed in eye distances per second, so every point of a face shares one
cutoff (the mesh moves as one piece) and the tuning does not depend on face size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .faces import Faces
from .geometry import LEFT_IRIS, RIGHT_IRIS


def _alpha(cutoff_hz: float | np.ndarray, dt: float) -> float | np.ndarray:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


@dataclass
class OneEuroFilter:
    """One Euro filter over an array of points that move together.

    Args:
        min_cutoff_hz: cutoff when still; lower means smoother and slower.
        beta: how fast the cutoff rises with speed (per eye distance per second).
        d_cutoff_hz: cutoff of the speed estimate itself.
    """

    min_cutoff_hz: float = 1.0
    beta: float = 4.0
    d_cutoff_hz: float = 1.0
    _x: np.ndarray | None = field(default=None, repr=False)
    _dx: np.ndarray | None = field(default=None, repr=False)
    _t: float | None = field(default=None, repr=False)

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._x = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0) -> np.ndarray:
        """Smooth one sample.

        Args:
            x: ndarray of shape (..., D), float: the points at time ``t``.
            t: time in seconds; must increase between calls.
            scale: the size unit for speed (eye distance in pixels).

        Returns:
            ndarray like ``x``, float32: the smoothed points.
        """
        x = np.asarray(x, np.float32)
        if self._x is None or self._t is None or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        dx = (x - self._x) / dt
        self._dx = self._dx + _alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        speed = float(np.mean(np.linalg.norm(self._dx, axis=-1))) / max(scale, 1e-3)
        cutoff = self.min_cutoff_hz + self.beta * speed
        self._x = self._x + _alpha(cutoff, dt) * (x - self._x)
        self._t = t
        return self._x.copy()


@dataclass
class _Track:
    id: int
    filter: OneEuroFilter
    center_xy: np.ndarray
    size: float
    last_seen_t: float


class FaceTracker:
    """Gives each face a stable id and smooths its landmarks over time.

    A face that disappears is remembered for ``keep_lost_s`` seconds; if a face shows up
    near where it was last seen, it gets the same id and its smoothing state back.

    Args:
        smoothing: smooth the landmarks; with False only ids are assigned.
        keep_lost_s: how long a lost face is remembered.
        max_jump: how far (in face sizes) a face may move between sightings and still
            count as the same face.
        min_cutoff_hz, beta: One Euro parameters (see :class:`OneEuroFilter`).
    """

    def __init__(
        self,
        *,
        smoothing: bool = True,
        keep_lost_s: float = 1.0,
        max_jump: float = 1.5,
        min_cutoff_hz: float = 1.0,
        beta: float = 4.0,
    ) -> None:
        self.smoothing = smoothing
        self.keep_lost_s = keep_lost_s
        self.max_jump = max_jump
        self._filter_args = {"min_cutoff_hz": min_cutoff_hz, "beta": beta}
        self._tracks: list[_Track] = []
        self._next_id = 0

    def update(self, faces: Faces, t: float) -> Faces:
        """Match this frame's faces to known ones, and smooth them.

        Args:
            faces: raw detections of one frame (their ``ids`` are ignored).
            t: the frame's time in seconds.

        Returns:
            The same faces in the same order, with stable ``ids`` and smoothed landmarks.
        """
        self._tracks = [tr for tr in self._tracks if t - tr.last_seen_t <= self.keep_lost_s]
        if len(faces) == 0:
            return faces
        xy = faces.xy
        centers = xy.mean(axis=1)
        sizes = np.linalg.norm(xy[:, LEFT_IRIS] - xy[:, RIGHT_IRIS], axis=1)
        assigned = self._match(centers, sizes)

        landmarks = np.empty_like(faces.landmarks)
        ids = np.empty(len(faces), np.int64)
        for i, track in enumerate(assigned):
            if track is None:
                track = _Track(self._next_id, OneEuroFilter(**self._filter_args), centers[i], 0, t)
                self._next_id += 1
                self._tracks.append(track)
            track.center_xy, track.size, track.last_seen_t = centers[i], float(sizes[i]), t
            ids[i] = track.id
            if self.smoothing:
                landmarks[i] = track.filter(faces.landmarks[i], t, scale=float(sizes[i]))
            else:
                landmarks[i] = faces.landmarks[i]
        return Faces(landmarks, ids, faces.mirrored)

    def _match(self, centers: np.ndarray, sizes: np.ndarray) -> list[_Track | None]:
        # Greedy nearest-first matching is enough for a handful of faces.
        pairs = []
        for i, (center, size) in enumerate(zip(centers, sizes)):
            for j, track in enumerate(self._tracks):
                dist = float(np.linalg.norm(center - track.center_xy))
                if dist <= self.max_jump * 2.5 * max(size, track.size, 1.0):
                    pairs.append((dist, i, j))
        result: list[_Track | None] = [None] * len(centers)
        used_tracks: set[int] = set()
        for _, i, j in sorted(pairs):
            if result[i] is None and j not in used_tracks:
                result[i] = self._tracks[j]
                used_tracks.add(j)
        return result
