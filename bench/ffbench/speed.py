"""Section 1 and 2: ``apply`` against a sequential bare loop, and where the time goes.

The bare loop is the floor of one-thread work: decode, FaceMesh, x264 and mux (audio
copied), one after another on one Python thread, nothing else. ``apply_file`` spreads the
same work, plus tracking and drawing, over three Python threads (decoder, detection,
draw and encode). The issue asks that this pipelining make ``apply`` at least 1.3 times
as fast as the bare loop, without making its file more than 1.5 times as big.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

import facefilters.apps.files as files_module
import facefilters.pipeline as pipeline_module
from facefilters.apps.files import apply_file
from facefilters.detect import FaceMeshDetector, default_detector
from facefilters.effects import Filter
from facefilters.io.sinks import ThreadedSink, VideoFileSink
from facefilters.io.video import VideoReader, VideoWriter
from facefilters.tracking import FaceTracker

from .common import (
    HEADLINE,
    CpuMeter,
    CpuUse,
    Filters,
    Section,
    ThreadCpu,
    log,
    machine_busy_s,
    median,
    num,
    process_cpu_s,
    table,
    thread_ids,
    verdict,
)

SWAP_AIM = 0.7
"""The face swap's own aim: at least this share of the bare loop's throughput."""
SPEED_AIM = 1.3
"""median(apply fps) / median(sequential bare fps) must reach this."""
SIZE_AIM = 1.5
"""apply's output may be at most this many times the bare loop's output."""
BUSY_OTHERS_CORES = 0.25
"""Other processes using more than this many cores on average during runs: a warning."""
BARE_CRF = 20
BARE_PRESET = "veryfast"
"""The bare loop's x264 settings: the issue's reference encoder."""
MAX_FACES = 4
"""What ``apply`` uses by default; the bare loop asks FaceMesh for the same."""


# --------------------------------------------------------------------------- one run


@dataclass(frozen=True)
class Run:
    """One timed call: frames, wall time, CPU, and the size of the file it wrote."""

    frames: int
    cpu: CpuUse
    size_bytes: int

    @property
    def fps(self) -> float:
        return self.frames / self.cpu.wall_s


def bare_run(clip: Path, output: Path) -> Run:
    """Decode -> FaceMesh -> x264 -> mux (audio copied), one after another on this thread.

    The same reader, detector and writer ``apply`` uses, with their default settings
    (x264 ``veryfast``, crf 20), timed with their start-up (model load, opening files) and
    closing, as ``apply`` is. No prefetching, no tracking, no drawing, no other thread.
    """
    with CpuMeter() as meter:
        frames = 0
        detector = FaceMeshDetector(static_image_mode=False, max_faces=MAX_FACES)
        try:
            with VideoReader(clip) as reader:
                info = reader.info
                # x264 settings spelled out: the reference is veryfast, crf 20.
                with VideoWriter(
                    output,
                    info.size_wh,
                    info.fps,
                    audio_from=clip if info.has_audio else None,
                    crf=BARE_CRF,
                    preset=BARE_PRESET,
                ) as writer:
                    for frame in reader:
                        detector.detect(frame.image, frame.time_s)
                        writer.write(frame.image)
                        frames += 1
        finally:
            detector.close()
    return Run(frames, meter.use, output.stat().st_size)


def apply_run(clip: Path, output: Path, drawer: Any, **kwargs: Any) -> Run:
    """``apply_file`` as ``facefilters apply`` calls it (the filter loaded beforehand)."""
    with CpuMeter() as meter:
        result = apply_file(clip, output, drawer, force=True, **kwargs)
    return Run(result.frames, meter.use, output.stat().st_size)


# --------------------------------------------------------------------------- section 1


@dataclass
class Variant:
    """Every run of one variant, in run order, with the round each belongs to."""

    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def fps(self) -> list[float]:
        return [r.fps for r in self.runs]

    @property
    def median_fps(self) -> float:
        return median(self.fps)

    @property
    def median_size(self) -> float:
        return median([r.size_bytes for r in self.runs])


@dataclass
class SpeedResult:
    bare: Variant
    filters: dict[str, Variant]
    frames: int
    with_faces: int

    def round_ratios(self, name: str) -> list[float]:
        """Each run of a filter over the bare runs just before and after it (their
        geometric mean): a slow spell that lasts a few runs moves both sides alike."""
        bare = self.bare.fps
        return [
            run.fps / float(np.sqrt(bare[r] * bare[r + 1]))
            for r, run in enumerate(self.filters[name].runs)
        ]

    def ratio(self, name: str) -> float:
        return self.filters[name].median_fps / self.bare.median_fps

    def size_ratio(self, name: str) -> float:
        return self.filters[name].median_size / self.bare.median_size


def measure_speed(
    clip: Path, filters: Filters, rounds: int, tmp: Path, quiet: Callable[[], None] = lambda: None
) -> SpeedResult:
    """Bare, then every filter (the headline first, the others in a rotating order),
    ``rounds`` times, then one more bare run, so that every filter run has a bare run on
    either side of it."""
    bare = Variant("bare")
    variants = {name: Variant(name) for name in filters.ids}
    others = [n for n in filters.ids if n != HEADLINE]
    # A copy: a filter that fails is dropped from ``filters`` while this runs.
    frames = 0
    for r in range(rounds + 1):
        quiet()
        run = bare_run(clip, tmp / "bare.mp4")
        bare.runs.append(run)
        label = f"round {r + 1}/{rounds}" if r < rounds else "last bare run"
        log(
            f"  {label}: {'bare':>10} {run.fps:6.2f} fps"
            + (
                f" (others used {run.cpu.others_cores:.2f} cores)"
                if run.cpu.others_cores > BUSY_OTHERS_CORES
                else ""
            )
        )
        if r == rounds:
            break
        k = r % len(others) if others else 0
        order = ([HEADLINE] if HEADLINE in variants else []) + others[k:] + others[:k]
        for name in order:
            if name not in filters.loaded:
                continue
            try:
                run = apply_run(clip, tmp / f"apply-{name}.mp4", filters.loaded[name])
            except Exception as exc:  # noqa: BLE001 - one broken filter, the others go on
                filters.drop(name, "the speed section", exc)
                variants.pop(name, None)
                continue
            variants[name].runs.append(run)
            frames = run.frames
            log(f"  round {r + 1}/{rounds}: {name:>10} {run.fps:6.2f} fps")
    with_faces = _frames_with_faces(clip)
    return SpeedResult(bare, variants, frames or bare.runs[0].frames, with_faces)


def _frames_with_faces(clip: Path) -> int:
    """Frames of the clip in which ``apply``'s detector finds a face (one untimed pass)."""
    with (
        FaceMeshDetector(static_image_mode=False, max_faces=MAX_FACES) as detector,
        VideoReader(clip) as reader,
    ):
        return sum(len(detector.detect(f.image, f.time_s)) > 0 for f in reader)


def speed_section(result: SpeedResult, rounds: int, clip_info: str, note: str) -> Section:
    bare = result.bare
    lines = [
        f"Clip: {clip_info}; FaceMesh finds a face in {result.with_faces} of its "
        f"{result.frames} frames. *bare* is the sequential loop: `VideoReader` (no "
        "prefetch) -> `FaceMeshDetector(static_image_mode=False, max_faces=4).detect` -> "
        "`VideoWriter` (x264 `veryfast`, crf 20, the clip's audio copied) -> mux, one "
        "after another on one Python thread, nothing else (the libraries keep their own "
        "threads: FFmpeg's decoder, MediaPipe's graph, x264). *apply* is "
        "`facefilters.apps.files.apply_file(clip, out, filter, force=True)`, what "
        "`facefilters apply --filter ID` runs: decoding on the reader's prefetch thread, "
        "detection and tracking on the calling thread, drawing on a `ThreadedSink` "
        "thread and encoding on another (x264 `veryfast` with `subme=1`, crf 20). Both "
        "are timed around the whole call, start-up and "
        f"closing included: fps = frames / wall seconds. {rounds} rounds; each round runs "
        f"bare, then `{HEADLINE}`, then the other filters in an order that rotates from "
        "round to round, and one more bare run ends the last round. *median of round "
        "ratios*: each filter run over the geometric mean of the bare runs before and "
        "after it. *cores*: CPU seconds of the process per wall second (median); *size*: "
        "the output file (median). "
        f"Aims: median(apply fps) / median(bare fps) >= {SPEED_AIM}; apply's file at most "
        f"{SIZE_AIM}x the bare loop's, for `{HEADLINE}`; the other filters are shown for "
        "comparison (the warps and textures cost more to draw, and `mesh`'s thousand thin "
        "lines are detail x264 must spend bits on).",
    ]
    if note:
        lines += ["", note]
    rows = [
        [
            "bare (sequential)",
            num(bare.median_fps),
            ", ".join(f"{v:.1f}" for v in bare.fps),
            "1.00",
            "",
            num(median([r.cpu.own_cores for r in bare.runs])),
            f"{bare.median_size / 1e6:.2f} MB",
            "1.00",
            "",
        ]
    ]
    summary = []
    for name, variant in result.filters.items():
        if not variant.runs:
            continue
        ratio = result.ratio(name)
        size = result.size_ratio(name)
        ok = ratio >= SPEED_AIM and size <= SIZE_AIM
        # The aims are the headline filter's; the others are shown for comparison.
        met = verdict(ok) if name == HEADLINE else ("yes" if ok else "no")
        label = f"apply `{name}`" + (" (headline)" if name == HEADLINE else "")
        rows.append(
            [
                label,
                num(variant.median_fps),
                ", ".join(f"{v:.1f}" for v in variant.fps),
                f"**{num(ratio)}**",
                num(median(result.round_ratios(name))),
                num(median([r.cpu.own_cores for r in variant.runs])),
                f"{variant.median_size / 1e6:.2f} MB",
                num(size),
                met,
            ]
        )
        if name == HEADLINE:
            paired = median(result.round_ratios(name))
            summary.append(
                [
                    f"speed: apply `{name}` / sequential bare >= {SPEED_AIM}x",
                    f"{num(ratio)}x (round ratios {num(paired)}x)",
                    verdict(ratio >= SPEED_AIM),
                ]
            )
            summary.append(
                [
                    f"size: apply `{name}` / sequential bare <= {SIZE_AIM}x",
                    f"{num(size)}x",
                    verdict(size <= SIZE_AIM),
                ]
            )
    lines += [
        "",
        table(
            [
                "variant",
                "median fps",
                "each run (fps)",
                "ratio to bare",
                "median of round ratios",
                "cores",
                "size",
                "size ratio",
                f"aims >= {SPEED_AIM}x, <= {SIZE_AIM}x",
            ],
            rows,
        ),
    ]
    others = [name for name in result.filters if name != HEADLINE and result.filters[name].runs]
    if others:
        ratios = {name: result.ratio(name) for name in others}
        passing = sum(r >= SPEED_AIM for r in ratios.values())
        worst = min(ratios, key=ratios.__getitem__)
        summary.append(
            [
                f"speed: other filters >= {SPEED_AIM}x (for comparison, not an aim)",
                f"{passing} of {len(ratios)} (slowest `{worst}` {num(ratios[worst])}x)",
                "",
            ]
        )
        sizes = {name: result.size_ratio(name) for name in others}
        big = max(sizes, key=sizes.__getitem__)
        summary.append(
            [
                f"size: other filters <= {SIZE_AIM}x (for comparison, not an aim)",
                f"largest `{big}` {num(sizes[big])}x",
                "",
            ]
        )
    if "swap" in result.filters and result.filters["swap"].runs:
        swap_ratio = result.ratio("swap")
        summary.append(
            [
                f"speed: apply `swap` / sequential bare >= {SWAP_AIM}x",
                f"{num(swap_ratio)}x",
                verdict(swap_ratio >= SWAP_AIM),
            ]
        )
    all_runs = [r for v in [bare, *result.filters.values()] for r in v.runs]
    others_cores = median([r.cpu.others_cores for r in all_runs])
    spread = (max(bare.fps) - min(bare.fps)) / bare.median_fps
    warnings = []
    if others_cores > BUSY_OTHERS_CORES:
        warnings.append(
            f"other processes used {others_cores:.2f} cores (median over runs) while these ran"
        )
    if spread > 0.15:
        warnings.append(f"the bare runs spread over {spread:.0%} of their median")
    if warnings:
        lines += [
            "",
            "**Warning:** " + "; ".join(warnings) + ". The machine was busy with "
            "other work: trust the median of round ratios more than the ratio of "
            "medians, and rerun on a quiet machine for firm figures.",
        ]
    return Section("Speed of `apply` against a sequential bare loop", "\n".join(lines), summary)


# --------------------------------------------------------------------------- section 2


@dataclass
class Profile:
    """One instrumented run: busy and waiting time per stage, and CPU per thread group.

    Attributes:
        name: "bare" or the filter id.
        frames: frames processed.
        wall_s: wall time of the run.
        stages: stage -> total seconds (summed over frames).
        groups: thread group -> CPU seconds.
        own_cpu_s: CPU seconds of the whole process (``os.times``), to check the groups.
        threads: thread group -> how many threads used CPU.
        others_cores: cores other processes used meanwhile.
    """

    name: str
    frames: int
    wall_s: float
    stages: dict[str, float]
    groups: dict[str, float]
    own_cpu_s: float
    threads: dict[str, int]
    others_cores: float = float("nan")

    def ms(self, stage: str) -> float:
        return 1000 * self.stages.get(stage, float("nan")) / self.frames

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s

    @property
    def cpu_ms_per_frame(self) -> float:
        """The whole process's CPU per frame, start-up and closing included."""
        return 1000 * self.own_cpu_s / self.frames

    @property
    def sampled_ms_per_frame(self) -> float:
        return 1000 * sum(self.groups.values()) / self.frames


GROUPS = (
    "main thread",
    "decoder thread",
    "sink thread",
    "encoder thread",
    "MediaPipe",
    "FFmpeg decoder",
    "x264",
    "other",
)
"""Thread groups of the CPU table; the first four are Python threads."""


class _Roles:
    """Which OS thread did what, recorded from inside the instrumented calls."""

    def __init__(self) -> None:
        self.tids: dict[str, int] = {}
        self.x264: set[int] = set()
        self.stages: dict[str, float] = defaultdict(float)
        self.lock = threading.Lock()

    def add(self, stage: str, seconds: float, role: str | None = None) -> None:
        with self.lock:
            self.stages[stage] += seconds
            if role is not None:
                self.tids.setdefault(role, threading.get_native_id())

    def group(self, tid: int, name: str, main: int) -> str:
        if tid == main:
            return "main thread"
        for role in ("decoder thread", "sink thread", "encoder thread"):
            if self.tids.get(role) == tid:
                return role
        if name.startswith("mediapipe"):
            return "MediaPipe"
        if name.startswith("av:"):
            return "FFmpeg decoder"
        if tid in self.x264:
            return "x264"
        return "other"


def _groups(
    cpu: dict[int, tuple[float, str]], roles: _Roles
) -> tuple[dict[str, float], dict[str, int]]:
    """CPU seconds and number of threads per group."""
    main = threading.main_thread().native_id
    out: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for tid, (seconds, name) in cpu.items():
        group = roles.group(tid, name, main)
        out[group] += seconds
        count[group] += 1
    return dict(out), dict(count)


def profile_bare(clip: Path, output: Path) -> Profile:
    """The bare loop with each stage timed per frame and CPU per thread group."""
    roles = _Roles()
    clock = time.perf_counter
    sampler = ThreadCpu()
    cpu0 = process_cpu_s()
    busy0 = machine_busy_s()
    start = clock()
    frames = 0
    detector = FaceMeshDetector(static_image_mode=False, max_faces=MAX_FACES)
    try:
        with VideoReader(clip) as reader:
            info = reader.info
            before = thread_ids()
            writer = VideoWriter(
                output,
                info.size_wh,
                info.fps,
                audio_from=clip if info.has_audio else None,
                crf=BARE_CRF,
                preset=BARE_PRESET,
            )
            roles.x264 = thread_ids() - before
            with writer:
                it = iter(reader)
                while True:
                    t0 = clock()
                    frame = next(it, None)
                    t1 = clock()
                    if frame is None:
                        break
                    detector.detect(frame.image, frame.time_s)
                    t2 = clock()
                    writer.write(frame.image)
                    t3 = clock()
                    roles.add("decode", t1 - t0)
                    roles.add("detect", t2 - t1)
                    roles.add("encode", t3 - t2)
                    frames += 1
                sampler.sample()  # x264's threads end when the writer closes
    finally:
        sampler.sample()  # and MediaPipe's when the detector does
        detector.close()
    wall = clock() - start
    own = process_cpu_s() - cpu0
    groups, threads = _groups(sampler.stop(), roles)
    return Profile(
        "bare",
        frames,
        wall,
        dict(roles.stages),
        groups,
        own,
        threads,
        _others_cores(busy0, own, wall),
    )


@contextmanager
def _patched(module: Any, name: str, value: Any) -> Iterator[None]:
    if not hasattr(module, name):
        raise AttributeError(f"{module.__name__}.{name} is gone: update bench/ffbench/speed.py")
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def profile_apply(clip: Path, output: Path, filter: Filter) -> Profile:
    """``apply_file`` with its stages timed from the inside.

    The classes ``apply_file`` and the pipeline build (reader, tracker, video sink,
    threaded sink) are swapped for subclasses that time their calls, and the detector
    and the filter are wrapped; the work itself is unchanged.
    """
    roles = _Roles()
    clock = time.perf_counter

    class Reader(VideoReader):
        def _iterate(self, first: Any) -> Iterator[Any]:  # the decoder thread's work
            frames = super()._iterate(first)
            while True:
                t0 = clock()
                frame = next(frames, None)
                roles.add("decode", clock() - t0, "decoder thread")
                if frame is None:
                    return
                yield frame

        def __iter__(self) -> Iterator[Any]:  # what the detection thread waits for
            frames = super().__iter__()

            def waited() -> Iterator[Any]:
                while True:
                    t0 = clock()
                    frame = next(frames, None)
                    roles.add("wait for a frame", clock() - t0)
                    if frame is None:
                        return
                    yield frame

            return waited()

    class Tracker(FaceTracker):
        def update(self, *args: Any, **kwargs: Any) -> Any:
            t0 = clock()
            faces = super().update(*args, **kwargs)
            roles.add("track", clock() - t0)
            return faces

    class Sink(VideoFileSink):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            before = thread_ids()
            super().__init__(*args, **kwargs)
            roles.x264 |= thread_ids() - before

        def write(self, frame: Any, t_s: float) -> None:
            t0 = clock()
            super().write(frame, t_s)
            roles.add("encode", clock() - t0, "encoder thread")

        def close(self) -> None:
            sampler.sample()  # x264's threads end in here
            super().close()

    class Threaded(ThreadedSink):
        def write(self, *args: Any) -> None:  # blocks while the queue is full
            t0 = clock()
            super().write(*args)
            roles.add("wait for the sink", clock() - t0)

    class EncoderQueue(ThreadedSink):
        def write(self, *args: Any) -> None:  # on the sink thread, behind the drawing
            t0 = clock()
            super().write(*args)
            roles.add("wait for the encoder", clock() - t0)

    class Detector:
        def __init__(self, **kwargs: Any) -> None:
            self.detector = default_detector(**kwargs)  # what apply_file would build

        def detect(self, frame: Any, t_s: float) -> Any:
            t0 = clock()
            faces = self.detector.detect(frame, t_s)
            roles.add("detect", clock() - t0)
            return faces

        def close(self) -> None:
            sampler.sample()  # MediaPipe's threads end in here
            self.detector.close()

    class Drawer:
        def apply(self, frame: Any, faces: Any, t: float) -> Any:
            t0 = clock()
            filter.apply(frame, faces, t)
            roles.add("draw", clock() - t0, "sink thread")
            return frame

    sampler = ThreadCpu()
    cpu0 = process_cpu_s()
    busy0 = machine_busy_s()
    try:
        with (
            _patched(files_module, "VideoReader", Reader),
            _patched(files_module, "FaceTracker", Tracker),
            _patched(files_module, "VideoFileSink", Sink),
            _patched(files_module, "ThreadedSink", EncoderQueue),
            _patched(pipeline_module, "ThreadedSink", Threaded),
        ):
            start = clock()
            result = apply_file(
                clip, output, Drawer(), force=True, detector_factory=lambda **kw: Detector(**kw)
            )
            wall = clock() - start
    finally:
        cpu = sampler.stop()
    own = process_cpu_s() - cpu0
    groups, threads = _groups(cpu, roles)
    return Profile(
        filter.id,
        result.frames,
        wall,
        dict(roles.stages),
        groups,
        own,
        threads,
        _others_cores(busy0, own, wall),
    )


def _others_cores(busy0: float | None, own_s: float, wall_s: float) -> float:
    busy1 = machine_busy_s()
    if busy0 is None or busy1 is None:
        return float("nan")
    return max(0.0, busy1 - busy0 - own_s) / wall_s


def profile_section(profiles: list[Profile], cores: int) -> Section:
    """Where the time goes, per Python thread and per group of native threads."""
    bare = next(p for p in profiles if p.name == "bare")
    applies = [p for p in profiles if p.name != "bare"]
    lines = [
        "One instrumented run each (the faster of two, interleaved), on the same clip: "
        "the bare loop with each stage timed, "
        "and `apply_file` with the classes it builds swapped for subclasses that time "
        "their calls (the work is unchanged; the timing adds a little). Figures are "
        "wall-clock ms per frame, summed over the run and divided by its frames, so a "
        "thread's stages and waits add up to about its share of the run.",
        "",
        "| run | fps | Python thread | busy (ms/frame) | waiting (ms/frame) |",
        "| :--- | ---: | :--- | :--- | :--- |",
    ]

    def stages(p: Profile, names: list[str]) -> str:
        return ", ".join(f"{s} {p.ms(s):.2f}" for s in names if s in p.stages)

    lines.append(
        f"| bare | {bare.fps:.1f} | main | {stages(bare, ['decode', 'detect', 'encode'])}"
        " | none (sequential) |"
    )
    for p in applies:
        per_frame = 1000 * p.wall_s / p.frames
        dec_busy = p.ms("decode")
        sink_busy = p.ms("draw") + p.ms("wait for the encoder")
        lines.append(
            f"| apply `{p.name}` | {p.fps:.1f} | decoder | decode {dec_busy:.2f} | "
            f"idle {per_frame - dec_busy:.2f} (queue full) |"
        )
        lines.append(
            f"| | | main | {stages(p, ['detect', 'track'])} | "
            f"{stages(p, ['wait for a frame', 'wait for the sink'])} |"
        )
        lines.append(
            f"| | | sink | {stages(p, ['draw'])} | "
            f"{stages(p, ['wait for the encoder'])}, idle "
            f"{per_frame - sink_busy:.2f} (queue empty) |"
        )
        lines.append(
            f"| | | encoder | {stages(p, ['encode'])} | "
            f"idle {per_frame - p.ms('encode'):.2f} (queue empty) |"
        )
    lines += [
        "",
        "*decode* is `VideoReader`'s iterator (demux, FFmpeg's decode, conversion to BGR); "
        "*detect* is `FaceMeshDetector.detect` (BGR to RGB, MediaPipe's graph, landmarks "
        "to numpy); *track* is `FaceTracker.update`; *draw* is `Filter.apply`; *encode* is "
        "`VideoWriter.write` (BGR to YUV, x264, muxing with the audio). *wait for a frame*: "
        "the detection thread found the prefetch queue empty; *wait for the sink*: it "
        "found the sink's queue full (back-pressure from drawing and encoding); *wait for "
        "the encoder*: the drawing thread found the encoder's queue full. The thread that "
        "never waits is the bottleneck.",
        "",
        f"CPU seconds per frame by thread, sampled from `/proc` ({cores} cores: at most "
        f"{cores * 1000 / 30:.0f} ms of CPU per frame at 30 fps). *x264* are the threads "
        "the encoder started; *other* includes OpenCV's and numpy's pools; *not sampled* "
        "is the process's CPU time (`os.times`) that no sample caught (threads that ended "
        "between two samples, 0.1 s apart). Start-up and closing are included, as in the "
        "fps of section 1. *others' cores*: what other processes used meanwhile (each "
        "run is the faster of two; CPU per frame rises when other work shares the cores).",
        "",
    ]
    lines += [
        "Threads per group that used CPU: "
        + "; ".join(
            f"{'bare' if p.name == 'bare' else p.name}: "
            + ", ".join(f"{g} {p.threads[g]}" for g in GROUPS if p.threads.get(g))
            for p in profiles
        )
        + ".",
        "",
    ]
    header = [
        "run",
        *GROUPS,
        "not sampled",
        "total CPU ms/frame",
        "cores used",
        "CPU-bound ceiling fps",
        "others' cores",
    ]
    rows = []
    for p in profiles:
        total = p.cpu_ms_per_frame
        missed = total - p.sampled_ms_per_frame
        rows.append(
            [
                ("bare" if p.name == "bare" else f"apply `{p.name}`"),
                *(f"{1000 * p.groups.get(g, 0.0) / p.frames:.2f}" for g in GROUPS),
                f"{missed:.2f}",
                f"{total:.2f}",
                f"{total * p.fps / 1000:.2f}",
                f"{cores * 1000 / total:.0f}" if total > 0 else "n/a",
                num(p.others_cores),
            ]
        )
    lines.append(table(header, rows))
    lines += [
        "",
        "*CPU-bound ceiling*: the frame rate if every core were busy with this run's work "
        "and nothing else; pipelining cannot beat it, only cutting work can.",
    ]
    for p in applies:
        if bare.cpu_ms_per_frame > 0 and p.cpu_ms_per_frame > 0:
            ceiling = cores * 1000 / p.cpu_ms_per_frame
            lines += ["", _diagnosis(bare, p, ceiling)]
    return Section("Where the time goes", "\n".join(lines))


def _diagnosis(bare: Profile, p: Profile, ceiling: float) -> str:
    """One paragraph naming the bottleneck of an apply run."""
    per_frame = 1000 * p.wall_s / p.frames
    idle = {
        "decoder thread": per_frame - p.ms("decode"),
        "main (detection) thread": p.ms("wait for a frame") + p.ms("wait for the sink"),
        "sink (draw) thread": per_frame - p.ms("draw") - p.ms("wait for the encoder"),
        "encoder thread": per_frame - p.ms("encode"),
    }
    busiest = min(idle, key=idle.__getitem__)
    extra = p.cpu_ms_per_frame - bare.cpu_ms_per_frame
    return (
        f"`{p.name}`: the busiest Python thread is the {busiest} (idle "
        f"{idle[busiest]:.2f} ms per frame of {per_frame:.2f}). The run used "
        f"{p.cpu_ms_per_frame * p.fps / 1000:.2f} cores against the bare loop's "
        f"{bare.cpu_ms_per_frame * bare.fps / 1000:.2f}, and {extra:+.2f} ms of CPU per frame "
        f"more than the bare loop ({p.cpu_ms_per_frame:.2f} against "
        f"{bare.cpu_ms_per_frame:.2f}), so even with every core busy it could reach "
        f"{ceiling:.0f} fps, {ceiling / bare.fps:.2f}x this bare run's {bare.fps:.1f}."
    )
