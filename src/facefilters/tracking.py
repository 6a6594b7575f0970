"""Stable face ids across frames, and landmark smoothing.

The smoother is a One Euro filter (Casiez, Roussel and Vogel, CHI 2012) made to suit a
face mesh. A One Euro filter is a low-pass filter whose cutoff rises with speed: a still
face is smoothed hard, so filters do not shake, and a moving face hardly at all, so they
do not lag. Two changes:

- Speed is one number per face, taken from an affine motion model (translation, turn,
  zoom, squeeze) fitted to the velocities of all points. Sensor noise moves each point
  at random and averages out in the fit, so noise no longer passes for motion and a still
  face really is smoothed hard. Speed is in eye distances per second, so the tuning does
  not depend on how big the face is.
- Predict, then correct: each step first moves the previous estimate along the modelled
  motion, then pulls it towards the measurement. A face moving steadily is followed with
  no lag at all, where a plain low-pass filter always trails behind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .faces import Faces
from .geometry import LEFT_IRIS, RIGHT_IRIS

MAX_PREDICT_S = 0.25
"""Beyond this gap between samples the old motion is not trusted to continue."""


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


def _affine_velocity(xy: np.ndarray, v: np.ndarray, scale: float) -> np.ndarray:
    """Least-squares affine velocity field ``v ~ b + A (xy - c) / scale``.

    Args:
        xy: ndarray of shape (P, 2): positions.
        v: ndarray of shape (P, 2): velocities.
        scale: size unit, for conditioning.

    Returns:
        ndarray of shape (3, 2), float64: rows ``b``, then ``A`` transposed.
    """
    # Positions are centred, so the normal equations split into the mean velocity and a
    # 2x2 system, solved here in closed form. No np.linalg and no matrix product on
    # purpose: OpenBLAS answers even a 3x3 solve by waking its worker threads, which then
    # spin and take CPU from decoding and detection (measured: the tracker alone cut the
    # bare loop's throughput from 55 to 41 frames/s; 48 with one BLAS thread).
    x, y = _centred(xy, scale)
    v = v.astype(np.float64)
    mean = v.mean(axis=0)
    sxx, syy, sxy = float(np.sum(x * x)), float(np.sum(y * y)), float(np.sum(x * y))
    rx, ry = (x[:, None] * v).sum(axis=0), (y[:, None] * v).sum(axis=0)
    det = sxx * syy - sxy * sxy
    if det <= 1e-12 * max(sxx * syy, 1e-12):
        # Fewer than three distinct points: only the mean velocity is known.
        return np.stack([mean, np.zeros(2), np.zeros(2)])
    return np.stack([mean, (syy * rx - sxy * ry) / det, (sxx * ry - sxy * rx) / det])


def _centred(xy: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    rel = (xy.astype(np.float64) - xy.mean(axis=0)) / max(scale, 1e-3)
    return rel[:, 0], rel[:, 1]


def _apply_affine(xy: np.ndarray, motion: np.ndarray, scale: float) -> np.ndarray:
    """Velocities ``b + A (xy - c) / scale`` of points: ndarray of shape (P, 2)."""
    x, y = _centred(xy, scale)
    return motion[0] + x[:, None] * motion[1] + y[:, None] * motion[2]


@dataclass
class OneEuroFilter:
    """Adaptive smoothing for a set of points that move together (see the module doc).

    Args:
        min_cutoff_hz: cutoff when still; lower means smoother.
        beta: how fast the cutoff rises with speed (per eye distance per second).
        d_cutoff_hz: cutoff of the motion estimate itself.
        predict: move the estimate along the modelled motion before correcting it.
    """

    min_cutoff_hz: float = 0.5
    beta: float = 3.0
    d_cutoff_hz: float = 2.0
    predict: bool = True
    _x: np.ndarray | None = field(default=None, repr=False)
    _raw: np.ndarray | None = field(default=None, repr=False)
    _motion: np.ndarray | None = field(default=None, repr=False)
    _t: float | None = field(default=None, repr=False)

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._x = self._raw = self._motion = self._t = None

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0) -> np.ndarray:
        """Smooth one sample.

        Args:
            x: ndarray of shape (P, D), D >= 2, float: the points at time ``t``; the first
                two columns are image ``xy``.
            t: time in seconds; a time that does not increase starts afresh.
            scale: the size unit for speed (eye distance in pixels).

        Returns:
            ndarray of shape (P, D), float32: the smoothed points.
        """
        x = np.asarray(x, np.float32)
        if self._x is None or self._raw is None or self._t is None or t <= self._t:
            self._x, self._raw, self._t = x.copy(), x.copy(), t
            self._motion = np.zeros((3, 2))
            return x.copy()
        dt = t - self._t
        # Velocities from raw samples: the fit below averages their noise away.
        measured = _affine_velocity(x[:, :2], (x[:, :2] - self._raw[:, :2]) / dt, scale)
        if dt > MAX_PREDICT_S or self._motion is None:
            self._motion = measured
        else:
            self._motion = self._motion + _alpha(self.d_cutoff_hz, dt) * (measured - self._motion)
        velocity = _apply_affine(self._x[:, :2], self._motion, scale)
        speed = float(np.sqrt(np.mean(np.sum(velocity**2, axis=1)))) / max(scale, 1e-3)
        alpha = _alpha(self.min_cutoff_hz + self.beta * speed, dt)
        predicted = self._x.copy()
        if self.predict and dt <= MAX_PREDICT_S:
            predicted[:, :2] += (velocity * dt).astype(np.float32)
        self._x = predicted + alpha * (x - predicted)
        self._raw, self._t = x.copy(), t
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
        min_cutoff_hz: float = 0.5,
        beta: float = 3.0,
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
        return faces.with_landmarks(landmarks, ids)

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
