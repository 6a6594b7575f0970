"""Sections on smoothing: jitter of a still face, lag on a moving face, and a sweep of the
smoother's parameters, on two faces at several sizes and noise levels.

The frames are public-domain photos with fresh sensor noise in every frame, through the
real FaceMesh detector; raw and smoothed tracks come from the same detections, so their
difference is the tracker's alone. Grace Hopper's scenes are the *tuning set* (the
defaults were chosen on them); the astronaut's are the *judging set*, and the aims are
checked on it.
"""

from __future__ import annotations

import inspect
import math
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import matplotlib
import numpy as np
from skimage import data as skimage_data

from facefilters.detect import FaceMeshDetector
from facefilters.faces import Faces
from facefilters.geometry import LEFT_IRIS, NOSE_TIP, RIGHT_IRIS
from facefilters.tracking import FaceTracker

from .common import FPS, SIZE_WH, Section, Settings, log, num, table, verdict

JITTER_AIM = 3.0
"""Raw jitter / smoothed jitter of a still face must reach this on every judging scene."""
LAG_AIM_FRAMES = 1.0
"""The smoothed track may trail the raw one by at most this many frames."""

STILL_EYE_PX = (30.0, 60.0, 100.0)
"""Face sizes of the still scenes: eye distance in pixels on the 1280x720 canvas (a face
across a room, a webcam at arm's length, close up)."""
STILL_SIGMAS = (2.0, 4.0, 8.0)
"""Sensor noise of the still scenes, grey levels per channel: a bright room to a dim one."""
TILTED = (60.0, 4.0, 20.0)
"""One more judging scene: eye distance, noise and a head tilted this many degrees."""
MOVING_EYE_PX = 90.0
MOVING_SIGMA = 4.0

SMALL_EYE_PX = 50.0
"""Below this eye distance the legacy FaceMesh detector finds no face on the full 1280x720
canvas, so it is given a window of the canvas around the face instead (what a two-stage
detector hands it); its landmark model then sees the same pixels as on the canvas, and the
landmarks are moved back by the window's offset."""
WINDOW_WH = (640, 360)
BACKGROUND_BGR = (128, 128, 128)

# The smoother starts from the first sample and its motion estimate from zero, so the
# first frames of a moving face are a transient, not the steady state measured.
SETTLE_S = 0.75
STILL_SKIP_FRAMES = 15
HOLD_FRAMES = 30

SWEPT = ("shape_cutoff_hz", "gate")
TRACKER_DEFAULTS = {
    name: param.default
    for name, param in inspect.signature(FaceTracker).parameters.items()
    if name in ("min_cutoff_hz", "beta", *SWEPT)
}
"""The smoothing parameters ``FaceTracker()`` uses, read from its signature."""

SWEEP_SHAPE_CUTOFF_HZ = (0.02, 0.05, 0.1, 0.2)
SWEEP_GATE = (2.0, 3.0, 4.0, 6.0)

# --------------------------------------------------------------------------- scenes


@dataclass(frozen=True)
class Photo:
    """A public-domain portrait and where its face is.

    Attributes:
        name: as the report names it.
        role: "tuning" or "judging".
        crop_xyxy: the face with some hair and collar around it: the face detector wants
            some context.
        eye_px: eye distance in the photo, in pixels (FaceMesh, photo mode).
    """

    name: str
    role: str
    crop_xyxy: tuple[int, int, int, int]
    eye_px: float

    def card(self) -> np.ndarray:
        """The cropped face, BGR uint8."""
        if self.role == "tuning":
            path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
            photo = cv2.imread(str(path))
            if photo is None:
                raise SystemExit(f"cannot read {path}")
        else:
            photo = cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR)
        x0, y0, x1, y1 = self.crop_xyxy
        return photo[y0:y1, x0:x1]


HOPPER = Photo("Grace Hopper", "tuning", (140, 95, 390, 385), 83.7)
ASTRONAUT = Photo("astronaut", "judging", (150, 30, 300, 210), 43.2)
PHOTOS = (HOPPER, ASTRONAUT)


class NoisyPhoto:
    """A face card on a grey canvas, scaled and tilted, with fresh camera noise in every
    frame.

    Args:
        photo: whose face.
        eye_px: eye distance wanted on the canvas, in pixels.
        sigma: Gaussian sensor noise, grey levels per channel.
        roll_deg: the card turned clockwise on screen by this much.
        size_wh: canvas width and height in pixels.
        seed: for OpenCV's random generator, so runs see the same noise.
    """

    def __init__(
        self,
        photo: Photo,
        eye_px: float,
        sigma: float,
        roll_deg: float = 0.0,
        size_wh: tuple[int, int] = SIZE_WH,
        seed: int = 1,
    ) -> None:
        self.card = photo.card()
        self.scale = eye_px / photo.eye_px
        self.roll_deg = roll_deg
        height, width = self.card.shape[:2]
        self.card_wh = (self.scale * width, self.scale * height)
        self.size_wh = size_wh
        self.sigma = sigma
        self._noise = np.empty((size_wh[1], size_wh[0], 3), np.int16)
        cv2.setRNGSeed(seed)

    def frame(self, center_xy: tuple[float, float]) -> np.ndarray:
        """A BGR uint8 frame with the card's centre at ``center_xy`` (sub-pixel)."""
        height, width = self.card.shape[:2]
        a = math.radians(self.roll_deg)
        turn = self.scale * np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        shift = np.asarray(center_xy) - turn @ np.array([width / 2, height / 2])
        matrix = np.hstack([turn, shift[:, None]])
        clean = cv2.warpAffine(
            self.card,
            matrix,
            self.size_wh,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=BACKGROUND_BGR,
        )
        # One 2-D view so that the scalar sigma applies to all three channels, not just
        # the first, which is what cv2.randn does with a 3-channel array.
        noise_2d = self._noise.reshape(self._noise.shape[0], -1)
        cv2.randn(noise_2d, 0.0, self.sigma)
        noisy = cv2.add(clean.astype(np.int16), self._noise)
        return np.clip(noisy, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- jitter, lag


def frame_time(i: int) -> float:
    """Time of frame ``i`` at 29.97 fps, in seconds."""
    return i * 1001 / 30000


def detect_sequence(frames: Iterator[np.ndarray]) -> list[Faces]:
    """Raw FaceMesh detections of a sequence, with video-mode tracking as in ``apply``."""
    detector = FaceMeshDetector(static_image_mode=False)
    try:
        return [detector.detect(frame, frame_time(i)) for i, frame in enumerate(frames)]
    finally:
        detector.close()


def nose_track(
    detections: Sequence[Faces], tracker: FaceTracker, times_s: list[float] | None = None
) -> np.ndarray:
    """The nose tip of the first face seen, followed by its track id.

    FaceMesh sometimes reports a second, ghost mesh over the same face for a frame (a
    re-detection from a new box, listed first); it gets an id of its own and is left
    out, raw and smoothed alike, so the figures follow one face.

    Args:
        times_s: if given, the wall time of each ``update`` with a face is appended.

    Returns:
        ndarray of shape (n, 2), float64: pixel ``xy`` per frame, NaN where the face is
        not found.
    """
    nose = np.full((len(detections), 2), np.nan)
    face_id = None
    for i, raw in enumerate(detections):
        start = time.perf_counter()
        faces = tracker.update(raw, frame_time(i))
        if len(faces):
            if times_s is not None:
                times_s.append((time.perf_counter() - start) / len(faces))
            if face_id is None:
                face_id = int(faces.ids[0])
            found = np.flatnonzero(faces.ids == face_id)
            if len(found):
                nose[i] = faces.xy[found[0], NOSE_TIP]
    return nose


def eye_distance(detections: Sequence[Faces]) -> float:
    """Median distance between the iris centres, in pixels."""
    distances = [
        float(np.linalg.norm(f.xy[0, LEFT_IRIS] - f.xy[0, RIGHT_IRIS]))
        for f in detections
        if len(f)
    ]
    return statistics.median(distances) if distances else math.nan


@dataclass(frozen=True)
class Jitter:
    """How much a still point shakes.

    Attributes:
        std_px: spread about its mean, ``sqrt(var_x + var_y)``.
        step_px: root mean square of the frame-to-frame displacement.
    """

    std_px: float
    step_px: float


def jitter(nose: np.ndarray, skip: int) -> Jitter:
    """Jitter of a track of a still point, ignoring the first ``skip`` frames."""
    xy = nose[skip:]
    valid = ~np.isnan(xy).any(axis=1)
    spread = float(np.sqrt(np.nanvar(xy[:, 0]) + np.nanvar(xy[:, 1])))
    steps = np.diff(xy, axis=0)[valid[1:] & valid[:-1]]
    return Jitter(spread, float(np.sqrt(np.mean(np.sum(steps**2, axis=1)))))


@dataclass(frozen=True)
class Lag:
    """How far a smoothed track trails the raw one.

    Attributes:
        delay_frames: the delay ``d`` that best fits ``smoothed(t) = raw(t - d)``.
        behind_frames: mean distance behind the raw track along the motion, in per-frame
            steps.
        behind_px: the same in pixels.

    For a steady ramp both equal the delay of the filter, but when the raw noise is not
    small next to the step, the fit is pulled towards half a frame: interpolating the raw
    track between two frames averages their noise, and the smoothed track shares noise
    with the latest raw frames. At the slowest speed it reads about 0.25 frame low, so the
    aim is checked against the larger of the two; ``behind`` has no such bias (the noise
    averages out along a straight line).
    """

    delay_frames: float
    behind_frames: float
    behind_px: float

    @property
    def frames(self) -> float:
        """The larger of the two estimates: what the aim is checked against."""
        return max(self.delay_frames, self.behind_frames)


def lag(raw: np.ndarray, smooth: np.ndarray, steady: slice, step_xy: np.ndarray) -> Lag:
    """Lag of ``smooth`` behind ``raw``, both of shape (n, 2), over the ``steady`` frames.

    The delay is searched in 0.05-frame steps from -1 to 4 frames, with the raw track
    linearly interpolated between frames, then refined by a parabola through the best
    three, so it is not quantised to the grid.
    """
    index = np.arange(len(raw), dtype=np.float64)
    valid = ~np.isnan(raw).any(axis=1) & ~np.isnan(smooth).any(axis=1)
    known = index[valid]
    raw_x = np.interp(index, known, raw[valid, 0])
    raw_y = np.interp(index, known, raw[valid, 1])
    rows = index[steady][valid[steady]]
    target = smooth[rows.astype(int)]
    delays = np.arange(-1.0, 4.0001, 0.05)
    errors = np.array(
        [
            np.mean(
                (target[:, 0] - np.interp(rows - d, index, raw_x)) ** 2
                + (target[:, 1] - np.interp(rows - d, index, raw_y)) ** 2
            )
            for d in delays
        ]
    )
    k = int(np.argmin(errors))
    best = float(delays[k])
    if 0 < k < len(delays) - 1:
        e0, e1, e2 = errors[k - 1 : k + 2]
        curvature = e0 - 2 * e1 + e2
        if curvature > 0:
            best += 0.05 * 0.5 * (e0 - e2) / curvature
    step_px = float(np.linalg.norm(step_xy))
    direction = step_xy / step_px
    behind_px = float(np.mean((raw[rows.astype(int)] - target) @ direction))
    return Lag(best, behind_px / step_px, behind_px)


@dataclass(frozen=True)
class StillScene:
    """Raw detections of a still face.

    Attributes:
        photo: whose face.
        eye_px: the eye distance asked for; ``eye_distance_px`` is FaceMesh's median.
        sigma: sensor noise, grey levels per channel.
        roll_deg: head tilt.
        detections: raw faces per frame.
        raw: ndarray of shape (n, 2): the raw nose tip per frame, NaN where no face.
        eye_distance_px: median eye distance of the detections.
    """

    photo: Photo
    eye_px: float
    sigma: float
    roll_deg: float
    detections: list[Faces]
    raw: np.ndarray
    eye_distance_px: float

    @property
    def label(self) -> str:
        tilt = f", tilted {self.roll_deg:g}°" if self.roll_deg else ""
        return f"{self.photo.name}, {self.eye_distance_px:.0f} px, σ {self.sigma:g}{tilt}"


@dataclass(frozen=True)
class MotionRun:
    """Raw detections of a face moving at one speed, then stopping.

    Attributes:
        photo: whose face.
        speed: eye distances per second.
        step_xy: ndarray of shape (2,): true displacement per frame, in pixels.
        detections: raw faces per frame.
        raw: ndarray of shape (n, 2): the raw nose tip per frame, NaN where no face.
        steady: the frames of steady motion, past the start-up transient.
        held: the frames after the face stopped.
    """

    photo: Photo
    speed: float
    step_xy: np.ndarray
    detections: list[Faces]
    raw: np.ndarray
    steady: slice
    held: slice


@dataclass(frozen=True)
class Recordings:
    """Raw detections of every scene, to replay through trackers.

    Attributes:
        still: the still scenes, tuning set first.
        moving: one run per face and speed.
    """

    still: list[StillScene]
    moving: list[MotionRun]

    @property
    def missed(self) -> int:
        """Frames in which FaceMesh found no face."""
        return sum(len(faces) == 0 for run in self._runs() for faces in run)

    @property
    def ghosts(self) -> int:
        """Frames in which FaceMesh reported more than one face."""
        return sum(len(faces) > 1 for run in self._runs() for faces in run)

    def _runs(self) -> list[list[Faces]]:
        return [*(s.detections for s in self.still), *(run.detections for run in self.moving)]


def record_still(
    photo: Photo, eye_px: float, sigma: float, roll_deg: float, frames: int, seed: int
) -> StillScene:
    """The detections of a still face in the middle of the canvas."""
    scene = NoisyPhoto(photo, eye_px, sigma, roll_deg, seed=seed)
    width, height = SIZE_WH
    center = (width / 2, height / 2)
    x0 = y0 = 0
    x1, y1 = width, height
    if eye_px < SMALL_EYE_PX:
        x0, y0 = (width - WINDOW_WH[0]) // 2, (height - WINDOW_WH[1]) // 2
        x1, y1 = x0 + WINDOW_WH[0], y0 + WINDOW_WH[1]
    detections = detect_sequence(scene.frame(center)[y0:y1, x0:x1] for _ in range(frames))
    offset = np.float32([x0, y0, 0.0])
    detections = [f.with_landmarks(f.landmarks + offset) if len(f) else f for f in detections]
    raw = nose_track(detections, FaceTracker(smoothing=False))
    still = StillScene(photo, eye_px, sigma, roll_deg, detections, raw, eye_distance(detections))
    log(f"  still: {still.label}, {frames} frames")
    return still


def record_moving(photo: Photo, speed: float, settings: Settings, seed: int) -> MotionRun:
    """The detections of a face moving left to right at ``speed``, then stopping."""
    scene = NoisyPhoto(photo, MOVING_EYE_PX, MOVING_SIGMA, seed=seed)
    width, height = SIZE_WH
    card_w = scene.card_wh[0]
    margin = 20.0
    start_x, end_x = margin + card_w / 2, width - margin - card_w / 2
    step = speed * MOVING_EYE_PX / float(FPS)
    count = min(settings.moving_max_frames, int((end_x - start_x) / step) + 1)
    log(
        f"  moving: {photo.name}, {speed:g} eye distances/s, {step:.2f} px/frame, {count} "
        f"frames, then {HOLD_FRAMES} still"
    )
    # The face stops dead at the end: a filter that predicts motion overshoots there.
    xs = [start_x + min(i, count - 1) * step for i in range(count + HOLD_FRAMES)]
    detections = detect_sequence(scene.frame((x, height / 2)) for x in xs)
    raw = nose_track(detections, FaceTracker(smoothing=False))
    settle = round(SETTLE_S * float(FPS))
    return MotionRun(
        photo,
        speed,
        np.array([step, 0.0]),
        detections,
        raw,
        steady=slice(settle, count - 2),
        held=slice(count, None),
    )


def record(settings: Settings) -> Recordings:
    """Run the real detector over every scene, once.

    Trackers do not feed back into the detector, so every tracker setting can then be
    replayed over the same detections: raw and smoothed differ by the tracker alone.
    """
    specs = [
        (photo, eye, sigma, 0.0)
        for photo in PHOTOS
        for eye in STILL_EYE_PX
        for sigma in STILL_SIGMAS
    ]
    specs.append((ASTRONAUT, TILTED[0], TILTED[1], TILTED[2]))
    still = [record_still(*spec, settings.still_frames, seed=k + 1) for k, spec in enumerate(specs)]
    moving = [
        record_moving(photo, speed, settings, seed=100 + k)
        for k, (photo, speed) in enumerate(
            (photo, speed) for photo in PHOTOS for speed in settings.speeds
        )
    ]
    return Recordings(still, moving)


def overshoot(run: MotionRun, smooth: np.ndarray) -> float:
    """How far past its resting place the smoothed nose tip goes once the face stops, px.

    The resting place is the mean raw position over the second half of the held frames,
    when FaceMesh itself has settled.
    """
    held = run.raw[run.held]
    rest = np.nanmean(held[len(held) // 2 :], axis=0)
    direction = run.step_xy / float(np.linalg.norm(run.step_xy))
    beyond = (smooth[run.held] - rest) @ direction
    return max(0.0, float(np.nanmax(beyond)))


@dataclass(frozen=True)
class Smoothing:
    """Jitter and lag of one tracker setting on every scene, with the raw figures.

    Attributes:
        params: the smoothing parameters, defaults filled in.
        raw_jitter, jitter: per still scene, in the order of ``Recordings.still``.
        lags, overshoots_px: per moving run, in the order of ``Recordings.moving``.
        update_s: median wall time of ``FaceTracker.update`` with one face, in seconds.
        roles: "tuning" or "judging" per still scene.
    """

    params: dict[str, float]
    raw_jitter: tuple[Jitter, ...]
    jitter: tuple[Jitter, ...]
    lags: tuple[Lag, ...]
    overshoots_px: tuple[float, ...]
    update_s: float
    roles: tuple[str, ...]

    def std_reductions(self, role: str) -> list[float]:
        return [
            r.std_px / s.std_px
            for r, s, k in zip(self.raw_jitter, self.jitter, self.roles)
            if k == role
        ]

    def step_reductions(self, role: str) -> list[float]:
        return [
            r.step_px / s.step_px
            for r, s, k in zip(self.raw_jitter, self.jitter, self.roles)
            if k == role
        ]

    def worst(self, role: str) -> float:
        """The smallest reduction, std or step, over the role's scenes."""
        return min(self.std_reductions(role) + self.step_reductions(role))

    @property
    def max_lag(self) -> float:
        return max(lag.frames for lag in self.lags)

    def passes(self, role: str = "judging") -> bool:
        return self.worst(role) >= JITTER_AIM and self.max_lag <= LAG_AIM_FRAMES


def evaluate(recordings: Recordings, **tracker_args: float) -> Smoothing:
    """Replay the recordings through a smoothing tracker, and compare it with raw."""
    times: list[float] = []
    smooth_still = [
        nose_track(s.detections, FaceTracker(**tracker_args), times) for s in recordings.still
    ]
    lags, overshoots = [], []
    for run in recordings.moving:
        smooth = nose_track(run.detections, FaceTracker(**tracker_args), times)
        lags.append(lag(run.raw, smooth, run.steady, run.step_xy))
        overshoots.append(overshoot(run, smooth))
    return Smoothing(
        params={k: float(v) for k, v in {**TRACKER_DEFAULTS, **tracker_args}.items()},
        raw_jitter=tuple(jitter(s.raw, STILL_SKIP_FRAMES) for s in recordings.still),
        jitter=tuple(jitter(track, STILL_SKIP_FRAMES) for track in smooth_still),
        lags=tuple(lags),
        overshoots_px=tuple(overshoots),
        update_s=statistics.median(times) if times else math.nan,
        roles=tuple(s.photo.role for s in recordings.still),
    )


def _spread(values: Sequence[float]) -> str:
    return (
        f"{min(values):.2f}x / {statistics.median(values):.2f}x / {max(values):.2f}x"
        if values
        else "n/a"
    )


def _params(params: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in params.items())


def jitter_section(recordings: Recordings, default: Smoothing) -> Section:
    """A still face: how much smoothing steadies it, scene by scene."""
    d = default
    n = len(recordings.still[0].detections) if recordings.still else 0
    out: list[str] = []
    out.append(
        f"Each face still in the middle of a {SIZE_WH[0]}x{SIZE_WH[1]} grey canvas at "
        f"{len(STILL_EYE_PX)} sizes (eye distance {', '.join(f'{e:g}' for e in STILL_EYE_PX)} "
        f"px) and {len(STILL_SIGMAS)} noise levels (fresh Gaussian sensor noise, σ "
        f"{', '.join(f'{s:g}' for s in STILL_SIGMAS)} grey levels per channel), plus the "
        f"astronaut tilted {TILTED[2]:g}° ({TILTED[0]:g} px, σ {TILTED[1]:g}); {n} frames "
        f"each at 29.97 fps, real FaceMesh in video mode (faces under {SMALL_EYE_PX:g} px "
        f"on a {WINDOW_WH[0]}x{WINDOW_WH[1]} window of the canvas around them, where the "
        "legacy detector finds them). "
        f"The nose tip (landmark {NOSE_TIP}) raw, and through `FaceTracker()` (defaults: "
        f"{_params(d.params)}); first {STILL_SKIP_FRAMES} frames skipped. *std*: spread "
        "about the mean; *step*: RMS frame-to-frame move. The defaults were tuned on "
        f"{HOPPER.name}'s scenes (*tuning*); the aim is checked on the {ASTRONAUT.name}'s "
        f"(*judging*): both reductions >= {JITTER_AIM:g}x on every judging scene."
    )
    out.append("")
    rows = []
    for scene, raw, smooth in zip(recordings.still, d.raw_jitter, d.jitter):
        std_red, step_red = raw.std_px / smooth.std_px, raw.step_px / smooth.step_px
        ok = min(std_red, step_red) >= JITTER_AIM
        rows.append(
            [
                scene.label,
                scene.photo.role,
                f"{raw.std_px:.3f}",
                f"{smooth.std_px:.3f}",
                f"{std_red:.2f}x",
                f"{raw.step_px:.3f}",
                f"{smooth.step_px:.3f}",
                f"{step_red:.2f}x",
                verdict(ok) if scene.photo.role == "judging" else ("yes" if ok else "no"),
            ]
        )
    out.append(
        table(
            [
                "scene",
                "set",
                "raw std (px)",
                "smoothed",
                "std reduction",
                "raw step (px)",
                "smoothed",
                "step reduction",
                f"aim >= {JITTER_AIM:g}x",
            ],
            rows,
        )
    )
    out.append("")
    out.append(
        table(
            [
                "set",
                "scenes",
                "std reduction: min / median / max",
                "step reduction: min / median / max",
            ],
            [
                [
                    f"tuning ({HOPPER.name})",
                    str(len(d.std_reductions("tuning"))),
                    _spread(d.std_reductions("tuning")),
                    _spread(d.step_reductions("tuning")),
                ],
                [
                    f"judging ({ASTRONAUT.name})",
                    str(len(d.std_reductions("judging"))),
                    _spread(d.std_reductions("judging")),
                    _spread(d.step_reductions("judging")),
                ],
            ],
        )
    )
    out.append("")
    out.append(
        f"Cost: the median `FaceTracker.update` with one face took {d.update_s * 1e3:.3f} ms "
        "over every replay of the default tracker (ids and smoothing; one thread, nothing "
        "else running)."
    )
    judged_std = d.std_reductions("judging")
    judged_step = d.step_reductions("judging")
    summary = [
        [
            f"jitter: std reduction >= {JITTER_AIM:g}x on every judging scene (worst)",
            f"{min(judged_std):.2f}x",
            verdict(min(judged_std) >= JITTER_AIM),
        ],
        [
            f"jitter: step reduction >= {JITTER_AIM:g}x on every judging scene (worst)",
            f"{min(judged_step):.2f}x",
            verdict(min(judged_step) >= JITTER_AIM),
        ],
        [
            "smoothing: update of one face <= 1 ms",
            f"{d.update_s * 1e3:.3f} ms",
            verdict(d.update_s <= 1e-3),
        ],
    ]
    return Section("Jitter of a still face", "\n".join(out), summary)


def lag_section(recordings: Recordings, default: Smoothing) -> Section:
    """A moving face: how far the smoothed track trails, and overshoots at a stop."""
    d = default
    out: list[str] = []
    out.append(
        f"Each face at {MOVING_EYE_PX:g} px between the eyes and σ {MOVING_SIGMA:g}, moving "
        "left to right at a steady speed (eye distances per second; a head turning to look "
        "at something moves 2 to 4). *delay* is the d (frames) that minimises the squared "
        "error between smoothed(t) and raw(t - d) (0.05-frame grid, raw interpolated, "
        "parabola through the minimum); *behind* is the mean distance of the smoothed nose "
        "tip behind the raw one along the motion, divided by the step per frame. Both over "
        f"the steady part (from {SETTLE_S:g} s on), with the default tracker. Then the face "
        f"stops dead for {HOLD_FRAMES} frames: *overshoot* is how far past its resting place "
        "the smoothed nose tip goes (a filter that predicts motion carries on a little; no "
        "aim), next to the raw track's, which is its noise alone. The fit reads low when "
        "the noise is not small next to the step (slow speeds), so the verdict takes the "
        f"larger of the two. Aim: the smoothed track trails by <= {LAG_AIM_FRAMES:g} frame "
        "at every speed, on both faces."
    )
    out.append("")
    rows = []
    for run, lg, over in zip(recordings.moving, d.lags, d.overshoots_px):
        steady = len(range(*run.steady.indices(len(run.detections))))
        rows.append(
            [
                run.photo.name,
                run.photo.role,
                f"{run.speed:g}",
                f"{float(np.linalg.norm(run.step_xy)):.2f}",
                f"{run.held.start} ({steady})",
                num(lg.delay_frames),
                num(lg.behind_frames),
                num(lg.behind_px),
                f"{num(over)} ({num(overshoot(run, run.raw))})",
                verdict(lg.frames <= LAG_AIM_FRAMES),
            ]
        )
    out.append(
        table(
            [
                "face",
                "set",
                "eye distances/s",
                "px/frame",
                "frames (steady)",
                "delay (frames)",
                "behind (frames)",
                "behind (px)",
                "overshoot at stop, px (raw)",
                f"aim <= {LAG_AIM_FRAMES:g}",
            ],
            rows,
        )
    )
    if recordings.missed or recordings.ghosts:
        out += [
            "",
            f"FaceMesh found no face in {recordings.missed} and two faces (a ghost "
            f"mesh over the one face, left out) in {recordings.ghosts} of the "
            f"{sum(len(run) for run in recordings._runs())} frames of the still and "
            "moving scenes.",
        ]
    summary = [
        [
            f"lag: worst trail <= {LAG_AIM_FRAMES:g} frame (both faces)",
            num(d.max_lag),
            verdict(d.max_lag <= LAG_AIM_FRAMES),
        ]
    ]
    return Section("Lag on a moving face", "\n".join(out), summary)


def sweep_section(recordings: Recordings, default: Smoothing, sweep: list[Smoothing]) -> Section:
    """The grid of shape settings, chosen on the tuning set and judged on the other."""
    d = default
    out: list[str] = []
    out.append(
        "The same detections replayed through `FaceTracker(shape_cutoff_hz=..., gate=...)` "
        "(the pose's parameters at their defaults). Each cell: the smallest jitter "
        "reduction (std or step) over the tuning scenes / over the judging scenes / the "
        "worst lag (frames) over every moving run. ✓: the tuning figure meets "
        f">= {JITTER_AIM:g}x and the lag <= {LAG_AIM_FRAMES:g} frame."
    )
    out.append("")
    cells = {(s.params["shape_cutoff_hz"], s.params["gate"]): s for s in sweep}
    rows = []
    for cutoff in SWEEP_SHAPE_CUTOFF_HZ:
        row: list[str] = [f"{cutoff:g}"]
        for gate in SWEEP_GATE:
            s = cells[(cutoff, gate)]
            row.append(
                f"{s.worst('tuning'):.1f}x / {s.worst('judging'):.1f}x / "
                f"{num(s.max_lag)}" + (" ✓" if s.passes("tuning") else "")
            )
        rows.append(row)
    out.append(table(["shape_cutoff_hz \\ gate", *(f"{g:g}" for g in SWEEP_GATE)], rows))
    out.append("")
    out.append(sweep_conclusion(d, sweep))
    return Section("Smoothing parameters: tuned on one face, judged on the other", "\n".join(out))


def sweep_conclusion(default: Smoothing, sweep: list[Smoothing]) -> str:
    """Which setting the tuning set picks, and how it does on the judging set."""
    within = [s for s in sweep if s.max_lag <= LAG_AIM_FRAMES] or sweep
    # Picked on the tuning set alone: the judging set only reports on the choice.
    best = max(within, key=lambda s: (round(s.worst("tuning"), 1), -s.max_lag))
    return (
        f"On the tuning set the steadiest setting within the lag aim is "
        f"`shape_cutoff_hz={best.params['shape_cutoff_hz']:g}, gate={best.params['gate']:g}`: "
        f"worst reduction {best.worst('tuning'):.2f}x there and {best.worst('judging'):.2f}x "
        f"on the judging set (std {_spread(best.std_reductions('judging'))} min / median / "
        f"max), worst lag {num(best.max_lag)} frames, overshoot at a stop up to "
        f"{max(best.overshoots_px):.2f} px. The defaults (`{_params(default.params)}`) give "
        f"{default.worst('tuning'):.2f}x on the tuning set, {default.worst('judging'):.2f}x "
        f"on the judging set, a worst lag of {num(default.max_lag)} frames and an overshoot "
        f"up to {max(default.overshoots_px):.2f} px."
    )


def measure_smoothing(settings: Settings) -> tuple[Recordings, Smoothing, list[Smoothing]]:
    """Record the detections once, then replay them through the default tracker and
    every setting of the sweep."""
    log("smoothing: detecting")
    recordings = record(settings)
    log("smoothing: replaying trackers")
    default = evaluate(recordings)
    sweep = [
        evaluate(recordings, shape_cutoff_hz=cutoff, gate=gate)
        for cutoff in SWEEP_SHAPE_CUTOFF_HZ
        for gate in SWEEP_GATE
    ]
    return recordings, default, sweep
