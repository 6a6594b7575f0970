"""Sections on smoothing: jitter of a still face, lag on a moving face, and a sweep of
the One Euro parameters.

The frames are a photo with fresh sensor noise in every frame, through the real FaceMesh
detector; raw and smoothed tracks come from the same detections, so their difference is
the tracker's alone.
"""

from __future__ import annotations

import inspect
import math
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import matplotlib
import numpy as np

from facefilters.detect import FaceMeshDetector
from facefilters.faces import Faces
from facefilters.geometry import LEFT_IRIS, NOSE_TIP, RIGHT_IRIS
from facefilters.tracking import FaceTracker

from .common import FPS, SIZE_WH, Section, Settings, log, num, table, verdict

JITTER_AIM = 3.0
"""Raw jitter / smoothed jitter of a still face must reach this."""
LAG_AIM_FRAMES = 1.0
"""The smoothed track may trail the raw one by at most this many frames."""

NOISE_SIGMA = 4.0
"""Sensor noise, grey levels per channel: a webcam in a lit room."""

# Grace Hopper's face with some hair and collar around it: the face detector wants some
# context, and a small card leaves the most room to move across the frame.
HOPPER_CROP_XYXY = (140, 95, 390, 385)
# Gives an eye distance of about 92 px, the middle of what a webcam at arm's length sees.
HOPPER_SCALE = 1.1
BACKGROUND_BGR = (128, 128, 128)

# The One Euro filter starts from the first sample and its speed estimate from zero, so
# the first frames of a moving face are a transient, not the steady state measured.
SETTLE_S = 0.75
STILL_SKIP_FRAMES = 15
HOLD_FRAMES = 30

TRACKER_DEFAULTS = {
    name: param.default
    for name, param in inspect.signature(FaceTracker).parameters.items()
    if name in ("min_cutoff_hz", "beta")
}
"""The One Euro parameters ``FaceTracker()`` uses, read from its signature."""

SWEEP_MIN_CUTOFF_HZ = (0.3, 0.5, 0.8, 1.0, 1.5)
SWEEP_BETA = (1.0, 2.0, 3.0, 4.0, 8.0, 16.0)

# --------------------------------------------------------------------------- jitter, lag


class NoisyPhoto:
    """Grace Hopper's photo on a grey canvas, with fresh camera noise in every frame.

    Args:
        size_wh: canvas width and height in pixels.
        sigma: Gaussian sensor noise, grey levels per channel.
        seed: for OpenCV's random generator, so runs see the same noise.
    """

    def __init__(self, size_wh: tuple[int, int], sigma: float, seed: int = 1) -> None:
        path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
        photo = cv2.imread(str(path))
        if photo is None:
            raise SystemExit(f"cannot read {path}")
        x0, y0, x1, y1 = HOPPER_CROP_XYXY
        self.card = photo[y0:y1, x0:x1]
        self.card_wh = (HOPPER_SCALE * (x1 - x0), HOPPER_SCALE * (y1 - y0))
        self.size_wh = size_wh
        self.sigma = sigma
        width, height = size_wh
        self._noise = np.empty((height, width, 3), np.int16)
        cv2.setRNGSeed(seed)

    def frame(self, center_xy: tuple[float, float]) -> np.ndarray:
        """A BGR uint8 frame with the card's centre at ``center_xy`` (sub-pixel)."""
        cw, ch = self.card_wh
        matrix = np.float64([
            [HOPPER_SCALE, 0, center_xy[0] - cw / 2],
            [0, HOPPER_SCALE, center_xy[1] - ch / 2],
        ])
        clean = cv2.warpAffine(self.card, matrix, self.size_wh, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=BACKGROUND_BGR)
        # One 2-D view so that the scalar sigma applies to all three channels, not just
        # the first, which is what cv2.randn does with a 3-channel array.
        noise_2d = self._noise.reshape(self._noise.shape[0], -1)
        cv2.randn(noise_2d, 0.0, self.sigma)
        noisy = cv2.add(clean.astype(np.int16), self._noise)
        return np.clip(noisy, 0, 255).astype(np.uint8)


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


def nose_track(detections: Sequence[Faces], tracker: FaceTracker) -> np.ndarray:
    """The nose tip of the first face through a tracker.

    Returns:
        ndarray of shape (n, 2), float64: pixel ``xy`` per frame, NaN where no face.
    """
    nose = np.full((len(detections), 2), np.nan)
    for i, raw in enumerate(detections):
        faces = tracker.update(raw, frame_time(i))
        if len(faces):
            nose[i] = faces.xy[0, NOSE_TIP]
    return nose


def eye_distance(detections: Sequence[Faces]) -> float:
    """Median distance between the iris centres, in pixels."""
    distances = [float(np.linalg.norm(f.xy[0, LEFT_IRIS] - f.xy[0, RIGHT_IRIS]))
                 for f in detections if len(f)]
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
    errors = np.array([
        np.mean((target[:, 0] - np.interp(rows - d, index, raw_x)) ** 2
                + (target[:, 1] - np.interp(rows - d, index, raw_y)) ** 2)
        for d in delays
    ])
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
class MotionRun:
    """Raw detections of the photo moving at one speed, then stopping.

    Attributes:
        speed: eye distances per second.
        step_xy: ndarray of shape (2,): true displacement per frame, in pixels.
        detections: raw faces per frame.
        raw: ndarray of shape (n, 2): the raw nose tip per frame, NaN where no face.
        steady: the frames of steady motion, past the start-up transient.
        held: the frames after the face stopped.
    """

    speed: float
    step_xy: np.ndarray
    detections: list[Faces]
    raw: np.ndarray
    steady: slice
    held: slice


@dataclass(frozen=True)
class Recordings:
    """Raw detections of the still photo and of each speed, to replay through trackers.

    Attributes:
        still: raw faces of the still photo, per frame.
        still_raw: ndarray of shape (n, 2): their raw nose tip.
        eye_distance_px: median eye distance of the still face.
        moving: one run per speed.
    """

    still: list[Faces]
    still_raw: np.ndarray
    eye_distance_px: float
    moving: list[MotionRun]

    @property
    def missed(self) -> int:
        """Frames in which FaceMesh found no face."""
        runs = [self.still, *(run.detections for run in self.moving)]
        return sum(len(faces) == 0 for run in runs for faces in run)


def record(settings: Settings) -> Recordings:
    """Run the real detector over the still and the moving photo, once.

    Trackers do not feed back into the detector, so every tracker setting can then be
    replayed over the same detections: raw and smoothed differ by the tracker alone.
    """
    scene = NoisyPhoto(SIZE_WH, NOISE_SIGMA)
    width, height = SIZE_WH
    center = (width / 2, height / 2)
    log(f"  still face: {settings.still_frames} frames")
    still = detect_sequence(scene.frame(center) for _ in range(settings.still_frames))
    eyes = eye_distance(still)

    card_w = scene.card_wh[0]
    margin = 20.0
    start_x, end_x = margin + card_w / 2, width - margin - card_w / 2
    settle = round(SETTLE_S * float(FPS))
    moving = []
    for speed in settings.speeds:
        step = speed * eyes / float(FPS)
        count = min(settings.moving_max_frames, int((end_x - start_x) / step) + 1)
        log(f"  moving face: {speed} eye distances/s, {step:.2f} px/frame, {count} frames, "
            f"then {HOLD_FRAMES} still")
        # The face stops dead at the end: a filter that predicts motion overshoots there.
        xs = [start_x + min(i, count - 1) * step for i in range(count + HOLD_FRAMES)]
        detections = detect_sequence(scene.frame((x, height / 2)) for x in xs)
        raw = nose_track(detections, FaceTracker(smoothing=False))
        moving.append(MotionRun(speed, np.array([step, 0.0]), detections, raw,
                                steady=slice(settle, count - 2), held=slice(count, None)))
    still_raw = nose_track(still, FaceTracker(smoothing=False))
    return Recordings(still, still_raw, eyes, moving)


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
    """Jitter and lag of one tracker setting, with the raw figures next to them."""

    min_cutoff_hz: float
    beta: float
    raw_jitter: Jitter
    jitter: Jitter
    lags: tuple[Lag, ...]
    overshoots_px: tuple[float, ...]

    @property
    def std_reduction(self) -> float:
        return self.raw_jitter.std_px / self.jitter.std_px

    @property
    def step_reduction(self) -> float:
        return self.raw_jitter.step_px / self.jitter.step_px

    @property
    def max_lag(self) -> float:
        return max(lag.frames for lag in self.lags)

    @property
    def passes(self) -> bool:
        return (min(self.std_reduction, self.step_reduction) >= JITTER_AIM
                and self.max_lag <= LAG_AIM_FRAMES)


def evaluate(recordings: Recordings, **tracker_args: float) -> Smoothing:
    """Replay the recordings through a smoothing tracker, and compare it with raw."""
    smooth_still = nose_track(recordings.still, FaceTracker(**tracker_args))
    lags, overshoots = [], []
    for run in recordings.moving:
        smooth = nose_track(run.detections, FaceTracker(**tracker_args))
        lags.append(lag(run.raw, smooth, run.steady, run.step_xy))
        overshoots.append(overshoot(run, smooth))
    args = {**TRACKER_DEFAULTS, **tracker_args}
    return Smoothing(
        min_cutoff_hz=float(args["min_cutoff_hz"]),
        beta=float(args["beta"]),
        raw_jitter=jitter(recordings.still_raw, STILL_SKIP_FRAMES),
        jitter=jitter(smooth_still, STILL_SKIP_FRAMES),
        lags=tuple(lags),
        overshoots_px=tuple(overshoots),
    )



def jitter_section(recordings: Recordings, default: Smoothing) -> Section:
    """A still face: how much smoothing steadies it."""
    d = default
    out: list[str] = []
    out.append(
        f"Grace Hopper's photo still on a {SIZE_WH[0]}x{SIZE_WH[1]} grey canvas (eye "
        f"distance {recordings.eye_distance_px:.0f} px), fresh Gaussian sensor noise "
        f"(sigma {NOISE_SIGMA:g} grey levels per channel) in each of "
        f"{len(recordings.still)} frames at 29.97 fps, real FaceMesh in video mode. The "
        f"nose tip (landmark {NOSE_TIP}) raw, and through `FaceTracker()` (defaults: "
        f"min_cutoff_hz={d.min_cutoff_hz:g}, beta={d.beta:g}); first {STILL_SKIP_FRAMES} "
        f"frames skipped. Aim: smoothing reduces both by >= {JITTER_AIM:g}x."
    )
    out.append("")
    out.append(table(
        ["nose tip jitter", "raw (px)", "smoothed (px)", "reduction", f"aim >= {JITTER_AIM:g}x"],
        [["std about the mean", f"{d.raw_jitter.std_px:.3f}", f"{d.jitter.std_px:.3f}",
          f"{d.std_reduction:.2f}x", verdict(d.std_reduction >= JITTER_AIM)],
         ["RMS frame-to-frame step", f"{d.raw_jitter.step_px:.3f}", f"{d.jitter.step_px:.3f}",
          f"{d.step_reduction:.2f}x", verdict(d.step_reduction >= JITTER_AIM)]],
    ))

    summary = [
        [f"jitter: std reduction >= {JITTER_AIM:g}x", f"{d.std_reduction:.2f}x",
         verdict(d.std_reduction >= JITTER_AIM)],
        [f"jitter: step reduction >= {JITTER_AIM:g}x", f"{d.step_reduction:.2f}x",
         verdict(d.step_reduction >= JITTER_AIM)],
    ]
    return Section("Jitter of a still face", "\n".join(out), summary)


def lag_section(recordings: Recordings, default: Smoothing) -> Section:
    """A moving face: how far the smoothed track trails, and overshoots at a stop."""
    d = default
    out: list[str] = []
    out.append(
        "The same photo and noise, moving left to right at a steady speed (eye distances "
        "per second; a head turning to look at something moves 2 to 4). *delay* is the "
        "d (frames) that minimises the squared error between smoothed(t) and raw(t - d) "
        "(0.05-frame grid, raw interpolated, parabola through the minimum); *behind* is the "
        "mean distance of the smoothed nose tip behind the raw one along the motion, "
        "divided by the step per frame. Both over the steady part (from "
        f"{SETTLE_S:g} s on), with the default tracker. Then the face stops dead for "
        f"{HOLD_FRAMES} frames: *overshoot* is how far past its resting place the smoothed "
        "nose tip goes (a filter that predicts motion carries on a little; no aim), next "
        "to the raw track's, which is its noise alone. "
        "The fit reads low when the noise is "
        "not small next to the step (slow speeds), so the verdict takes the larger of the "
        f"two. Aim: the smoothed track trails by <= {LAG_AIM_FRAMES:g} frame at every speed."
    )
    out.append("")
    rows = []
    for run, lg, over in zip(recordings.moving, d.lags, d.overshoots_px):
        steady = len(range(*run.steady.indices(len(run.detections))))
        moving = run.held.start
        rows.append([f"{run.speed:g}", f"{float(np.linalg.norm(run.step_xy)):.2f}",
                     f"{moving} ({steady})", num(lg.delay_frames),
                     num(lg.behind_frames), num(lg.behind_px),
                     f"{num(over)} ({num(overshoot(run, run.raw))})",
                     verdict(lg.frames <= LAG_AIM_FRAMES)])
    out.append(table(["eye distances/s", "px/frame", "frames (steady)", "delay (frames)",
                      "behind (frames)", "behind (px)", "overshoot at stop, px (raw)",
                      f"aim <= {LAG_AIM_FRAMES:g}"], rows))
    if recordings.missed:
        out += ["", f"FaceMesh found no face in {recordings.missed} of the frames of "
                "the still and moving photo."]
    summary = [[f"lag: worst trail <= {LAG_AIM_FRAMES:g} frame", num(d.max_lag),
                verdict(d.max_lag <= LAG_AIM_FRAMES)]]
    return Section("Lag on a moving face", "\n".join(out), summary)


def sweep_section(recordings: Recordings, default: Smoothing,
                  sweep: list[Smoothing]) -> Section:
    """The grid of One Euro settings, and the steadiest that meets both aims."""
    d = default
    out: list[str] = []
    out.append(
        "The same detections replayed through `FaceTracker(min_cutoff_hz=..., beta=...)`. "
        "Each cell: the smaller of the two jitter reductions / the worst lag (frames; the "
        "larger of delay and behind) over all speeds. ✓ meets both aims "
        f"(>= {JITTER_AIM:g}x and <= {LAG_AIM_FRAMES:g} frame)."
    )
    out.append("")
    cells = {(s.min_cutoff_hz, s.beta): s for s in sweep}
    rows = []
    for mc in SWEEP_MIN_CUTOFF_HZ:
        row: list[str] = [f"{mc:g}"]
        for beta in SWEEP_BETA:
            s = cells[(mc, beta)]
            jit = min(s.std_reduction, s.step_reduction)
            row.append(f"{jit:.1f}x / {num(s.max_lag)}" + (" ✓" if s.passes else ""))
        rows.append(row)
    out.append(table(["min_cutoff_hz \\ beta", *(f"{b:g}" for b in SWEEP_BETA)], rows))
    out.append("")
    out.append(sweep_conclusion(d, sweep, recordings))
    return Section("One Euro parameters: jitter against lag", "\n".join(out))


def sweep_conclusion(default: Smoothing, sweep: list[Smoothing],
                     recordings: Recordings) -> str:
    """Which setting to use, with its figures per speed."""
    passing = [s for s in sweep if s.passes]
    if not passing:
        best = max(sweep, key=lambda s: min(s.std_reduction, s.step_reduction)
                   - 10 * max(0.0, s.max_lag - LAG_AIM_FRAMES))
        head = "No setting in the grid meets both aims; the closest is"
    else:
        # Of those that meet both aims, the steadiest still face; ties to the least lag.
        best = max(passing, key=lambda s: (round(min(s.std_reduction, s.step_reduction), 1),
                                           -s.max_lag))
        head = f"{len(passing)} settings meet both aims; the steadiest is"
    lags = ", ".join(f"{run.speed:g}: {num(lg.frames)}"
                     for run, lg in zip(recordings.moving, best.lags))
    return (
        f"{head} `min_cutoff_hz={best.min_cutoff_hz:g}, beta={best.beta:g}`: jitter "
        f"reduced {best.std_reduction:.2f}x (std) and {best.step_reduction:.2f}x (step), "
        f"lag in frames by speed (eye distances/s) {lags}, overshoot at a stop up to "
        f"{max(best.overshoots_px):.2f} px. The current defaults "
        f"(`min_cutoff_hz={default.min_cutoff_hz:g}, beta={default.beta:g}`) give "
        f"{default.std_reduction:.2f}x, {default.step_reduction:.2f}x, a worst lag of "
        f"{num(default.max_lag)} frames and an overshoot up to "
        f"{max(default.overshoots_px):.2f} px."
    )


def measure_smoothing(settings: Settings) -> tuple[Recordings, Smoothing, list[Smoothing]]:
    """Record the detections once, then replay them through the default tracker and
    every setting of the sweep."""
    log("jitter and lag: detecting")
    recordings = record(settings)
    log("jitter and lag: replaying trackers")
    default = evaluate(recordings)
    sweep = [evaluate(recordings, min_cutoff_hz=mc, beta=beta)
             for mc in SWEEP_MIN_CUTOFF_HZ for beta in SWEEP_BETA]
    return recordings, default, sweep
