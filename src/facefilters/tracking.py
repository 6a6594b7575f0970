"""Stable face ids across frames, and landmark smoothing.

The smoother is built around a One Euro filter (Casiez, Roussel and Vogel, CHI 2012): a
low-pass filter whose cutoff rises with speed, so a still face is smoothed hard and a
moving one hardly at all. FaceMesh's noise on a still face (measured in bench/, on two
portraits at three sizes and three noise levels) shaped the rest:

- Most of the nose tip's shake is not the face moving but the mesh changing shape: the
  nose wanders against the cheeks, often in slow steps (a few tenths of a pixel, held for
  a second). So each frame is split into the face's *pose* (a similarity transform:
  position, turn in the picture, size) and its *shape* in the face's own frame, and the
  two are smoothed apart.
- The pose goes through a One Euro filter whose speed is that of the whole face, in eye
  distances per second (noise in single points averages out of it), and which predicts:
  it moves the estimate along the face's motion before correcting it, so a face moving
  steadily is followed without lag.
- The shape is smoothed hard (a time constant of seconds) except where it really
  changes: a point whose distance from its estimate exceeds a few times the face's own
  noise (the running median over all points, so a small or a grainy face sets its own
  threshold) is let through at once. A mouth opening or a blink moves a few points far
  and shows in the next frame; the mesh's wander never gets that far.
- The first frame of a track comes from FaceMesh's face detector box, not from the
  previous landmarks, and is off by up to a sixth of an eye distance; the estimate
  starts as a running mean of the frames after it. A frame whose whole mesh jumps out of
  shape (FaceMesh losing the face and finding it again) is held back once or twice; if
  the jump lasts, the filter starts afresh from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .faces import Faces
from .geometry import LEFT_IRIS, RIGHT_IRIS

MAX_PREDICT_S = 0.25
"""Beyond this gap between samples the old motion is not trusted to continue."""

WARM_FRAMES = 1.5
"""The shape and pose start as a running mean whose weight on the newest frame is
``WARM_FRAMES / frames seen`` until it falls to the filter's own."""

GLITCH_EYE = 0.05
"""A frame whose points move, by their median, more than this many eye distances against
the face's pose is a glitch (measured: 0.09 to 0.15 for FaceMesh re-detections, under 0.02
for a fast head turn)."""

MAX_GLITCH_FRAMES = 2
"""Glitches held back in a row; one more and the filter starts from the new shape."""


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


def _wrap(angle: float) -> float:
    return (angle + math.pi) % (2.0 * math.pi) - math.pi


@dataclass
class OneEuroFilter:
    """Adaptive smoothing of one face's points: pose and shape apart (see the module doc).

    Args:
        min_cutoff_hz: the pose's cutoff when still; lower means smoother.
        beta: how fast the pose's cutoff rises with speed (per eye distance per second).
        d_cutoff_hz: cutoff of the pose's velocity estimate.
        predict: move the pose along its velocity before correcting it.
        shape_cutoff_hz: cutoff of the shape where it moves no more than noise.
        gate: how many times the face's noise (median distance of its points from their
            estimate) a point must move before its shape change is let through.
        close_hz: how fast an opened gate closes again.
    """

    min_cutoff_hz: float = 0.2
    beta: float = 8.0
    d_cutoff_hz: float = 1.0
    predict: bool = True
    shape_cutoff_hz: float = 0.05
    gate: float = 4.0
    close_hz: float = 2.0
    _shape: np.ndarray | None = field(default=None, repr=False)
    _pose: np.ndarray = field(default_factory=lambda: np.zeros(4), repr=False)
    _raw_pose: np.ndarray = field(default_factory=lambda: np.zeros(4), repr=False)
    _velocity: np.ndarray = field(default_factory=lambda: np.zeros(4), repr=False)
    _noise_px: float | None = field(default=None, repr=False)
    _opening: np.ndarray | None = field(default=None, repr=False)
    _t: float | None = field(default=None, repr=False)
    _raw_t: float = field(default=0.0, repr=False)
    _frames: int = field(default=0, repr=False)
    _glitches: int = field(default=0, repr=False)

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._shape = self._t = self._noise_px = None

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0) -> np.ndarray:
        """Smooth one sample.

        Args:
            x: ndarray of shape (P, D), D >= 2, float: the points at time ``t``; the first
                two columns are image ``xy``, the others (depth) scale with the face.
            t: time in seconds; a time that does not increase starts afresh.
            scale: the face's size unit in pixels (eye distance): speeds and glitches
                are measured in it.

        Returns:
            ndarray of shape (P, D), float32: the smoothed points.
        """
        x = np.asarray(x, np.float64)
        if self._shape is None or self._t is None or t <= self._t:
            self._start(x, t)
            return x.astype(np.float32)
        dt = t - self._t
        self._t = t
        self._frames += 1
        unit = max(scale, 1e-3)
        raw_pose, raw_shape, radius = _fit_pose(self._shape, x, self._pose)
        change = raw_shape - self._shape
        change_px = np.hypot(change[:, 0], change[:, 1]) * math.exp(raw_pose[2])
        # The median, not the mean: a mouth or the eyes moving are a minority of the
        # points and cannot shift it.
        typical_px = float(np.median(change_px))
        warm = min(1.0, WARM_FRAMES / self._frames)
        if warm < 1.0 and typical_px > GLITCH_EYE * unit:
            if self._glitches < MAX_GLITCH_FRAMES:
                self._glitches += 1
                self._pose = self._predicted(dt)
                return self._place()
            # The change has lasted: it is the face now.
            self._start(x, t)
            return x.astype(np.float32)
        self._glitches = 0

        if warm < 1.0:
            # Not from the first frames, which still carry the detector box's offset.
            self._noise_px = (
                typical_px
                if self._noise_px is None
                else (
                    self._noise_px
                    + max(_alpha(self.shape_cutoff_hz, dt), warm) * (typical_px - self._noise_px)
                )
            )
        self._smooth_pose(raw_pose, dt, unit, radius, warm)

        # Points that move within the noise are averaged over seconds; beyond it the gate
        # opens smoothly, fully at twice the threshold, so a real change comes through.
        # It then closes over a fraction of a second, not at once: a lid that has closed
        # by little more than the threshold must settle where it went, not stop halfway
        # and creep the rest at the still face's pace.
        if self._noise_px is None:
            opening = np.zeros_like(change_px)
        else:
            threshold = max(self.gate * self._noise_px, 1e-6)
            opening = np.clip(change_px / threshold - 1.0, 0.0, 1.0) ** 2
        if self._opening is not None and len(self._opening) == len(opening):
            opening = np.maximum(opening, self._opening * (1.0 - _alpha(self.close_hz, dt)))
        self._opening = opening
        base = max(_alpha(self.shape_cutoff_hz, dt), warm)
        self._shape += (base + (1.0 - base) * opening)[:, None] * change
        return self._place()

    def _start(self, x: np.ndarray, t: float) -> None:
        origin_xy = x[:, :2].mean(axis=0)
        self._shape = x.copy()
        self._shape[:, :2] -= origin_xy
        self._pose = np.array([origin_xy[0], origin_xy[1], 0.0, 0.0])
        self._raw_pose = self._pose.copy()
        self._velocity = np.zeros(4)
        self._noise_px = self._opening = None
        self._t, self._raw_t, self._frames, self._glitches = t, t, 0, 0

    def _predicted(self, dt: float) -> np.ndarray:
        if self.predict and dt <= MAX_PREDICT_S:
            return self._pose + self._velocity * dt
        return self._pose.copy()

    def _smooth_pose(
        self, raw_pose: np.ndarray, dt: float, unit: float, radius: float, warm: float
    ) -> None:
        step = raw_pose - self._raw_pose
        step[3] = _wrap(step[3])
        # Since the last sample taken, which is older than dt after a held-back glitch.
        assert self._t is not None  # set by update() before any pose is smoothed
        step_s = self._t - self._raw_t
        self._raw_pose, self._raw_t = raw_pose, self._t
        if warm >= 1.0 or step_s > MAX_PREDICT_S:
            # A start-up jump or an old sample says nothing about the current motion.
            self._velocity = np.zeros(4)
        else:
            self._velocity += _alpha(self.d_cutoff_hz, dt) * (step / step_s - self._velocity)
        vx, vy, v_zoom, v_turn = self._velocity
        # The root mean square speed of the face's points, in eye distances per second:
        # turning and zooming move a point in proportion to its distance from the centre.
        speed = (
            math.sqrt(vx * vx + vy * vy + (radius * v_zoom) ** 2 + (radius * v_turn) ** 2) / unit
        )
        alpha = max(_alpha(self.min_cutoff_hz + self.beta * speed, dt), warm)
        predicted = self._predicted(dt)
        error = raw_pose - predicted
        error[3] = _wrap(error[3])
        self._pose = predicted + alpha * error

    def _place(self) -> np.ndarray:
        assert self._shape is not None
        return _place(self._pose, self._shape).astype(np.float32)


def _fit_pose(
    shape: np.ndarray, x: np.ndarray, pose: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """The similarity transform that best maps ``shape`` onto ``x``, and ``x`` in the
    face frame it defines.

    Args:
        shape: ndarray of shape (P, D), float64: the points in the face frame.
        x: ndarray of shape (P, D), float64: the points in the picture (``xy`` first).
        pose: ndarray of shape (4,): the current pose, whose size and turn are kept when
            the points cannot tell them (a single point).

    Returns:
        The pose ``(x, y, log size, turn in radians)`` as ndarray of shape (4,), ``x`` in
        the face frame as ndarray of shape (P, D), and the root mean square distance of the
        points from their centre in pixels.
    """
    # Closed-form least squares (a 2-D similarity is linear in a = s cos, b = s sin): no
    # np.linalg on purpose, as OpenBLAS answers even a small solve by waking its worker
    # threads, which then spin and take CPU from decoding and detection.
    shape_mean = shape[:, :2].mean(axis=0)
    x_mean = x[:, :2].mean(axis=0)
    sx, sy = shape[:, 0] - shape_mean[0], shape[:, 1] - shape_mean[1]
    px, py = x[:, 0] - x_mean[0], x[:, 1] - x_mean[1]
    spread = float(np.dot(sx, sx) + np.dot(sy, sy))
    if spread > 1e-9:
        a = (float(np.dot(sx, px)) + float(np.dot(sy, py))) / spread
        b = (float(np.dot(sx, py)) - float(np.dot(sy, px))) / spread
        size = max(math.hypot(a, b), 1e-9)
        turn = math.atan2(b, a)
    else:
        size, turn = math.exp(pose[2]), pose[3]
    cos, sin = math.cos(turn), math.sin(turn)
    origin_x = x_mean[0] - size * (cos * shape_mean[0] - sin * shape_mean[1])
    origin_y = x_mean[1] - size * (sin * shape_mean[0] + cos * shape_mean[1])
    rel_x, rel_y = x[:, 0] - origin_x, x[:, 1] - origin_y
    in_face = np.empty_like(x)
    in_face[:, 0] = (cos * rel_x + sin * rel_y) / size
    in_face[:, 1] = (cos * rel_y - sin * rel_x) / size
    in_face[:, 2:] = x[:, 2:] / size
    radius = size * math.sqrt(spread / len(x))
    return np.array([origin_x, origin_y, math.log(size), turn]), in_face, radius


def _place(pose: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Points of the face frame in the picture: ndarray of shape (P, D), float64."""
    size = math.exp(pose[2])
    cos, sin = size * math.cos(pose[3]), size * math.sin(pose[3])
    out = np.empty_like(shape)
    out[:, 0] = pose[0] + cos * shape[:, 0] - sin * shape[:, 1]
    out[:, 1] = pose[1] + sin * shape[:, 0] + cos * shape[:, 1]
    out[:, 2:] = size * shape[:, 2:]
    return out


FADE_S = 0.3
"""How long a lost face's filter takes to fade out in videos and the live window."""


@dataclass
class _Track:
    id: int
    filter: OneEuroFilter
    center_xy: np.ndarray
    size: float
    last_seen_t: float
    last_xyz: np.ndarray | None = None


class FaceTracker:
    """Gives each face a stable id and smooths its landmarks over time.

    A face that disappears is remembered for ``keep_lost_s`` seconds; if a face shows up
    near where it was last seen, it gets the same id and its smoothing state back.

    Args:
        smoothing: smooth the landmarks; with False only ids are assigned.
        keep_lost_s: how long a lost face is remembered.
        max_jump: how far (in face sizes) a face may move between sightings and still
            count as the same face.
        min_cutoff_hz, beta, shape_cutoff_hz, gate: smoothing parameters (see
            :class:`OneEuroFilter`).
        fade_s: for this long after a face is lost, it is still reported where it was
            last seen, with ``extras["presence"]`` falling from 1 to 0, so a filter
            fades out instead of vanishing (:meth:`~facefilters.effects.Filter.apply`).
            0 reports only the faces seen, and no presence.
    """

    def __init__(
        self,
        *,
        smoothing: bool = True,
        keep_lost_s: float = 1.0,
        max_jump: float = 1.5,
        min_cutoff_hz: float = 0.2,
        beta: float = 8.0,
        shape_cutoff_hz: float = 0.05,
        gate: float = 4.0,
        fade_s: float = 0.0,
    ) -> None:
        self.smoothing = smoothing
        self.fade_s = fade_s
        self.keep_lost_s = keep_lost_s
        self.max_jump = max_jump
        self._filter_args: dict[str, Any] = {
            "min_cutoff_hz": min_cutoff_hz,
            "beta": beta,
            "shape_cutoff_hz": shape_cutoff_hz,
            "gate": gate,
        }
        self._tracks: list[_Track] = []
        self._next_id = 0

    def reset(self) -> None:
        """Forget every face: the next faces get ids from 0 again, as in a new video."""
        self._tracks = []
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
        seen = self._seen(faces, t) if len(faces) else faces
        if self.fade_s <= 0:
            return seen
        return self._with_fading(seen, t)

    def _with_fading(self, seen: Faces, t: float) -> Faces:
        """The faces seen (presence 1) and the lost ones still fading out."""
        shown = set(seen.ids.tolist())
        fading = [
            tr
            for tr in self._tracks
            if tr.id not in shown
            and tr.last_xyz is not None
            and 0 < t - tr.last_seen_t < self.fade_s
        ]
        presence = np.ones(len(seen) + len(fading), np.float32)
        presence[len(seen) :] = [1.0 - (t - tr.last_seen_t) / self.fade_s for tr in fading]
        extras = {}
        for name, value in seen.extras.items():
            # A fading face keeps none of a backend's extras (blendshapes): zeros.
            pad = np.zeros((len(fading), *value.shape[1:]), value.dtype)
            extras[name] = np.concatenate([value, pad])
        extras["presence"] = presence
        lost = np.array([tr.last_xyz for tr in fading], np.float32).reshape(
            len(fading), *seen.landmarks.shape[1:]
        )
        landmarks = np.concatenate([seen.landmarks, lost])
        return Faces(
            landmarks,
            ids=np.array([*seen.ids, *[tr.id for tr in fading]]),
            mirrored=seen.mirrored,
            scores=np.concatenate([seen.scores, np.zeros(len(fading), np.float32)]),
            extras=extras,
        )

    def _seen(self, faces: Faces, t: float) -> Faces:
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
            track.last_xyz = landmarks[i]
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
