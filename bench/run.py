"""Benchmarks: apply speed against a bare loop, and landmark jitter and lag.

Run from the repository root::

    .venv/bin/python bench/run.py            # the full run, writes docs/BENCHMARKS.md
    .venv/bin/python bench/run.py --quick    # a smoke test, prints only

Speed is never an absolute figure here: every variant is run in the same process, rounds
interleaved, next to a bare loop (decode -> detect -> encode, nothing else), and reported
as a ratio of medians, so a busy or slow machine moves both sides alike. Jitter and lag
are measured on a photo of a still and of a moving face with fresh sensor noise in every
frame, through the real FaceMesh detector; raw and smoothed tracks come from the same
detections, so their difference is the tracker's alone. bench/README.md explains every
figure.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import math
import os
import platform
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import av
import cv2
import matplotlib
import mediapipe
import numpy as np

try:
    import facefilters
    from facefilters.catalog import Catalog
    from facefilters.detect import FaceMeshDetector
    from facefilters.faces import Faces
    from facefilters.geometry import LEFT_IRIS, NOSE_TIP, RIGHT_IRIS
    from facefilters.io.video import BackgroundWriter, VideoReader, VideoWriter
    from facefilters.layers import Filter
    from facefilters.pipeline import apply_file
    from facefilters.tracking import FaceTracker
except ImportError:
    # Runs from a plain checkout too, without `pip install -e .`.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import facefilters
    from facefilters.catalog import Catalog
    from facefilters.detect import FaceMeshDetector
    from facefilters.faces import Faces
    from facefilters.geometry import LEFT_IRIS, NOSE_TIP, RIGHT_IRIS
    from facefilters.io.video import BackgroundWriter, VideoReader, VideoWriter
    from facefilters.layers import Filter
    from facefilters.pipeline import apply_file
    from facefilters.tracking import FaceTracker

ROOT = Path(__file__).resolve().parent.parent
FPS = Fraction(30000, 1001)
SIZE_WH = (1280, 720)
FILTERS = ("dog", "tears", "mesh")

SPEED_AIM = 0.8
"""median(apply fps) / median(bare fps) must reach this."""
JITTER_AIM = 3.0
"""Raw jitter / smoothed jitter of a still face must reach this."""
LAG_AIM_FRAMES = 1.0
"""The smoothed track may trail the raw one by at most this many frames."""

BUSY_SPREAD = 0.15
"""Bare runs spread wider than this (max - min over median) mean other work interfered."""

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


@dataclass(frozen=True)
class Settings:
    """How much work a run does.

    Attributes:
        rounds: interleaved rounds of every throughput variant.
        clip_s: length of the 720p clip, in seconds.
        still_frames: frames of the still face.
        moving_max_frames: the most frames per moving-face speed.
        speeds: moving-face speeds, in eye distances per second.
        live_s: seconds of each live window loop (bench/live.py).
    """

    rounds: int
    clip_s: float
    still_frames: int
    moving_max_frames: int
    speeds: tuple[float, ...]
    live_s: float = 15.0


FULL = Settings(rounds=5, clip_s=10.0, still_frames=300, moving_max_frames=300,
                speeds=(0.5, 1.0, 2.0, 4.0))
QUICK = Settings(rounds=2, clip_s=3.0, still_frames=90, moving_max_frames=90,
                 speeds=(0.5, 1.0, 2.0, 4.0), live_s=3.0)


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- machine


def machine_info() -> dict[str, str]:
    """The facts a reader needs to compare two runs."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
            text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "facefilters": f"{facefilters.__version__} (commit {commit})",
        "mediapipe": mediapipe.__version__,
        "opencv": cv2.__version__,
        "av": f"{av.__version__} (FFmpeg {_ffmpeg_version()})",
        "numpy": np.__version__,
        # Other work on the machine slows both sides of a ratio, but not always evenly.
        "load average at start": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def _ffmpeg_version() -> str:
    versions = getattr(av, "ffmpeg_version_info", None)
    return str(versions) if versions else "unknown"


# --------------------------------------------------------------------------- throughput


def bare_run(clip: Path, output: Path) -> tuple[int, float]:
    """Decode, detect and encode, nothing else: the floor ``apply`` is measured against.

    It opens the same pieces ``apply_file`` opens (a video detector, a reader, a writer
    copying the same audio and encoding on its own thread) inside the timing, so the two
    differ only by tracking and drawing.

    Returns:
        Frames processed and wall time in seconds.
    """
    start = time.perf_counter()
    detector = FaceMeshDetector(static_image_mode=False)
    frames = 0
    try:
        with VideoReader(clip) as reader:
            audio_from = clip if reader.info.has_audio else None
            writer = VideoWriter(output, reader.info.size_wh, reader.info.fps,
                                 audio_from=audio_from)
            with BackgroundWriter(writer) as out:
                for frame in reader:
                    detector.detect(frame.image)
                    out.write(frame.image)
                    frames += 1
    finally:
        detector.close()
    return frames, time.perf_counter() - start


def apply_run(clip: Path, output: Path, filter: Filter) -> tuple[int, float]:
    """``apply_file`` as the command line calls it.

    Returns:
        Frames processed and wall time in seconds.
    """
    start = time.perf_counter()
    result = apply_file(clip, output, filter, force=True)
    return result.frames, time.perf_counter() - start


@dataclass(frozen=True)
class Throughput:
    """Frames per second of each run of one variant, in run order."""

    name: str
    fps: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.fps)


def measure_throughput(clip: Path, filters: dict[str, Filter], rounds: int,
                       tmp: Path) -> list[Throughput]:
    """Run bare and every filter ``rounds`` times, interleaved.

    Interleaving spreads slow spells of the machine (another process, thermal limits)
    over every variant instead of penalising whichever ran during them.
    """
    runs: dict[str, list[float]] = {"bare": [], **{name: [] for name in filters}}
    for r in range(rounds):
        for name in runs:
            output = tmp / f"{name}.mp4"
            if name == "bare":
                frames, seconds = bare_run(clip, output)
            else:
                frames, seconds = apply_run(clip, output, filters[name])
            runs[name].append(frames / seconds)
            log(f"  round {r + 1}/{rounds} {name:>6}: {frames / seconds:6.2f} fps")
    return [Throughput(name, tuple(fps)) for name, fps in runs.items()]


# --------------------------------------------------------------------------- profile

STAGES = ("decode", "detect", "track", "filter", "encode")


@dataclass(frozen=True)
class Profile:
    """Per-frame wall time of each stage of one filter's loop, in seconds."""

    name: str
    stages: dict[str, np.ndarray]
    total: np.ndarray
    loop_s: float

    def median_ms(self, stage: str) -> float:
        return float(np.median(self.stages[stage])) * 1000

    def mean_ms(self, stage: str) -> float:
        return float(np.mean(self.stages[stage])) * 1000


def profile_loop(clip: Path, filter: Filter, output: Path) -> Profile:
    """Time each stage of the loop ``FrameProcessor`` runs, frame by frame.

    The loop is ``apply_file``'s, unrolled: the same reader, detector, tracker, filter and
    writer, so its stages add up to the work ``apply`` does per frame. The one difference
    is that it encodes on this thread, where ``apply`` hands frames to a
    ``BackgroundWriter``: that way the encoder's cost is measured instead of hidden.
    """
    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    totals: list[float] = []
    clock = time.perf_counter
    start = clock()
    detector = FaceMeshDetector(static_image_mode=False)
    tracker = FaceTracker()
    try:
        with VideoReader(clip) as reader:
            audio_from = clip if reader.info.has_audio else None
            with VideoWriter(output, reader.info.size_wh, reader.info.fps,
                             audio_from=audio_from) as writer:
                frames = iter(reader)
                while True:
                    t0 = clock()
                    frame = next(frames, None)
                    t1 = clock()
                    if frame is None:
                        break
                    raw = detector.detect(frame.image)
                    t2 = clock()
                    faces = tracker.update(raw, frame.time_s)
                    t3 = clock()
                    filter.apply(frame.image, faces, frame.time_s)
                    t4 = clock()
                    writer.write(frame.image)
                    t5 = clock()
                    for stage, (a, b) in zip(STAGES, [(t0, t1), (t1, t2), (t2, t3),
                                                      (t3, t4), (t4, t5)]):
                        times[stage].append(b - a)
                    totals.append(t5 - t0)
    finally:
        detector.close()
    loop_s = clock() - start
    return Profile(filter.id, {k: np.array(v) for k, v in times.items()}, np.array(totals),
                   loop_s)


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
        return [detector.detect(frame) for frame in frames]
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


# --------------------------------------------------------------------------- report


def num(value: float, digits: int = 2) -> str:
    """``value`` rounded for a table, without the "-0.00" of a tiny negative number."""
    return f"{round(value, digits) + 0.0:.{digits}f}"


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; the first column left-aligned, the rest right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join([":---"] + ["---:"] * (len(header) - 1)) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report(settings: Settings, quick: bool, info: dict[str, str], clip_info: str,
           throughput: list[Throughput], profiles: list[Profile],
           recordings: Recordings, default: Smoothing, sweep: list[Smoothing],
           elapsed_s: float) -> str:
    """The whole run as markdown: the same text is printed and written."""
    out: list[str] = ["# Benchmarks", ""]
    out.append(
        "Written by `bench/run.py`" + (" in `--quick` mode (smoke test: few rounds, short "
                                       "clip; figures are rough)" if quick else "")
        + f" on {info['date']}, in {elapsed_s / 60:.1f} min. See `bench/README.md` for "
        "how to run it and what each figure means."
    )
    out += ["", "## Machine", ""]
    out.append(table(["", ""], [[k, v] for k, v in info.items()]))

    # -- speed
    bare = next(t for t in throughput if t.name == "bare")
    out += ["", "## 1. Speed of `apply` against a bare loop", ""]
    out.append(
        f"Clip: {clip_info}. *bare* decodes, runs FaceMesh and encodes (with the same "
        "audio copy, on a background thread as `apply` does), nothing else; the filters "
        "run `pipeline.apply_file` as the command "
        f"line does. {settings.rounds} rounds, interleaved; fps is frames over the wall "
        "time of a whole call, start-up included. "
        f"Aim: median(apply fps) / median(bare fps) >= {SPEED_AIM}."
    )
    out.append("")
    rows = []
    for t in throughput:
        runs = ", ".join(f"{v:.1f}" for v in t.fps)
        if t.name == "bare":
            rows.append([t.name, f"{t.median:.2f}", runs, "1.00", "", ""])
        else:
            ratio = t.median / bare.median
            # Each filter run next to the bare run of its own round: a second view that a
            # slow spell spanning a few rounds moves less.
            paired = statistics.median(a / b for a, b in zip(t.fps, bare.fps))
            rows.append([f"apply {t.name}", f"{t.median:.2f}", runs, f"{ratio:.2f}",
                         f"{paired:.2f}", verdict(ratio >= SPEED_AIM)])
    out.append(table(["variant", "median fps", "each round (fps)", "ratio to bare",
                      "median of round ratios", f"aim >= {SPEED_AIM}"], rows))
    spread = (max(bare.fps) - min(bare.fps)) / bare.median
    if spread > BUSY_SPREAD:
        out += ["", f"**Warning:** the bare runs varied by {spread:.0%} of their median: "
                "the machine was busy with other work, so these ratios are unreliable. "
                "Rerun on a quiet machine."]

    # -- profile
    out += ["", "## 2. Where the time of `apply` goes", ""]
    out.append(
        "One pass per filter of `apply`'s loop unrolled (same reader, detector, tracker, "
        "filter and writer), each stage timed per frame. Medians in ms per frame; the "
        "mean total includes the slow first frames (model start-up), and *loop fps* is "
        "frames over the whole pass. *encode* includes the audio copy. Unlike `apply`, "
        "this loop encodes on the main thread, so that its cost shows: `apply` overlaps it "
        "with the next frame's work on a thread of its own, which is why section 1 runs "
        "faster than *loop fps* here. x264 and MediaPipe also run threads of their own, "
        "so on few cores every stage slows the others a little."
    )
    out.append("")
    rows = []
    for p in profiles:
        frames = len(p.total)
        rows.append([p.name, *(f"{p.median_ms(s):.2f}" for s in STAGES),
                     f"{float(np.median(p.total)) * 1000:.2f}",
                     f"{float(np.mean(p.total)) * 1000:.2f}", f"{frames / p.loop_s:.1f}"])
    out.append(table(["filter", *STAGES, "median total", "mean total", "loop fps"], rows))
    out.append("")
    out.append("Share of the mean time per frame:")
    out.append("")
    rows = []
    for p in profiles:
        total = float(np.sum(p.total))
        rows.append([p.name, *(f"{100 * float(np.sum(p.stages[s])) / total:.0f} %"
                               for s in STAGES)])
    out.append(table(["filter", *STAGES], rows))

    # -- jitter
    d = default
    out += ["", "## 3. Jitter of a still face", ""]
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

    # -- lag
    out += ["", "## 4. Lag on a moving face", ""]
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
                "sections 3 and 4."]

    # -- sweep
    out += ["", "## 5. One Euro parameters: jitter against lag", ""]
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

    # -- summary
    out += ["", "## Summary", ""]
    rows = [[f"speed: apply {t.name} / bare >= {SPEED_AIM}", f"{t.median / bare.median:.2f}",
             verdict(t.median / bare.median >= SPEED_AIM)] for t in throughput if t is not bare]
    rows.append([f"jitter: std reduction >= {JITTER_AIM:g}x", f"{d.std_reduction:.2f}x",
                 verdict(d.std_reduction >= JITTER_AIM)])
    rows.append([f"jitter: step reduction >= {JITTER_AIM:g}x", f"{d.step_reduction:.2f}x",
                 verdict(d.step_reduction >= JITTER_AIM)])
    rows.append([f"lag: worst trail <= {LAG_AIM_FRAMES:g} frame", num(d.max_lag),
                 verdict(d.max_lag <= LAG_AIM_FRAMES)])
    out.append(table(["aim", "figure", "verdict"], rows))
    return "\n".join(out) + "\n"


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


# --------------------------------------------------------------------------- main


def load_make_clip() -> Callable[..., Path]:
    """``make_clip`` from samples/make_samples.py, which is a script, not a module."""
    script = ROOT / "samples" / "make_samples.py"
    if not script.is_file():
        raise SystemExit(f"{script} is missing: it makes the benchmark clip")
    make_clip: Callable[..., Path] = runpy.run_path(str(script))["make_clip"]
    return make_clip


def warm_up(clip: Path) -> None:
    """Load MediaPipe and touch the clip once, so the first timed run is not the cold one."""
    with FaceMeshDetector(static_image_mode=False) as detector, VideoReader(clip) as reader:
        for frame in reader:
            detector.detect(frame.image)
            if frame.index >= 5:
                break


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds, a shorter clip and fewer frames: a smoke test "
                             "that prints its report but does not write docs/BENCHMARKS.md")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the report (default: docs/BENCHMARKS.md, "
                             "or nowhere with --quick)")
    parser.add_argument("--no-live", action="store_true",
                        help="skip the live window benchmark (it needs a display or Xvfb)")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    output = args.output or (None if args.quick else ROOT / "docs" / "BENCHMARKS.md")

    started = time.perf_counter()
    info = machine_info()
    catalog = Catalog()
    # Loaded once, outside the timing: throughput is about frames, not reading PNGs.
    filters = {name: catalog.load(name) for name in FILTERS}

    with tempfile.TemporaryDirectory(prefix="facefilters-bench-") as tmp_name:
        tmp = Path(tmp_name)
        clip = tmp / "clip.mp4"
        log(f"making a {settings.clip_s:g} s {SIZE_WH[0]}x{SIZE_WH[1]} clip")
        load_make_clip()(clip, size_wh=SIZE_WH, seconds=settings.clip_s, fps=FPS)
        with VideoReader(clip) as reader:
            vi = reader.info
        clip_info = (f"`make_clip` {vi.size_wh[0]}x{vi.size_wh[1]}, {vi.frame_count} frames at "
                     f"{vi.fps} fps ({float(vi.fps):.2f}), "
                     f"{'with' if vi.has_audio else 'without'} audio")
        warm_up(clip)

        log(f"throughput: {settings.rounds} rounds of bare, {', '.join(FILTERS)}")
        throughput = measure_throughput(clip, filters, settings.rounds, tmp)

        log("profile")
        profiles = [profile_loop(clip, filters[name], tmp / f"profile-{name}.mp4")
                    for name in FILTERS]

        live = None
        if not args.no_live:
            log(f"live window: {settings.live_s:g} s per loop")
            live_bench = runpy.run_path(str(Path(__file__).with_name("live.py")))
            live = live_bench["run_on"](clip, settings.live_s)

    log("jitter and lag: detecting")
    recordings = record(settings)
    log("jitter and lag: replaying trackers")
    default = evaluate(recordings)
    sweep = [evaluate(recordings, min_cutoff_hz=mc, beta=beta)
             for mc in SWEEP_MIN_CUTOFF_HZ for beta in SWEEP_BETA]

    text = report(settings, args.quick, info, clip_info, throughput, profiles, recordings,
                  default, sweep, time.perf_counter() - started)
    if live is not None:
        # The live window's section goes before the summary, its aims into the summary.
        section, rows = live
        head, sep, summary = text.partition("\n## Summary\n")
        text = f"{head}\n{section}{sep}{summary.rstrip()}\n" + "\n".join(rows) + "\n"
    print(text, end="")
    if output is not None:
        output.write_text(text, encoding="utf-8")
        log(f"wrote {output}")


if __name__ == "__main__":
    main()
