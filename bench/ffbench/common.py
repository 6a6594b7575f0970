"""What every part of the benchmark shares: settings, the clip, the filters, the machine,
CPU accounting and markdown helpers."""

from __future__ import annotations

import datetime
import os
import platform
import runpy
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import av
import cv2
import mediapipe
import numpy as np

import facefilters
from facefilters.apps.prepare import prepare_filter
from facefilters.catalog import Catalog
from facefilters.detect import default_detector
from facefilters.effects import Filter
from facefilters.errors import FilterError

from . import ROOT

FPS = Fraction(30000, 1001)
SIZE_WH = (1280, 720)
HEADLINE = "dog"
"""The filter whose figures are the headline ones."""


@dataclass(frozen=True)
class Settings:
    """How much work a run does.

    Attributes:
        rounds: interleaved rounds of the speed section (bare, then every filter).
        clip_s: length of the 720p clip, in seconds.
        effect_calls: timed ``Filter.apply`` calls per figure of the effects section.
        effect_warmup: untimed calls before them.
        still_frames: frames of the still face (jitter).
        moving_max_frames: the most frames per moving-face speed (lag).
        speeds: moving-face speeds, in eye distances per second.
        live_s: seconds of each live window loop, the first of which is not counted.
        swap_frames: frames of each still-face run of the face swap section. seamlessClone's
            flicker comes in bursts (when its mask's edge moves by a pixel): 60 frames
            caught one burst or none and read anywhere from 0.2x to 2x; 240 read 0.04x to
            0.22x on two seeds.
        finding_rounds: rounds of bare and apply on the 1080p group clip.
    """

    rounds: int
    clip_s: float
    effect_calls: int
    effect_warmup: int
    still_frames: int
    moving_max_frames: int
    speeds: tuple[float, ...]
    live_s: float
    swap_frames: int
    finding_rounds: int


FULL = Settings(
    rounds=5,
    clip_s=6.0,
    effect_calls=60,
    effect_warmup=10,
    still_frames=300,
    moving_max_frames=300,
    speeds=(0.5, 1.0, 2.0, 4.0),
    live_s=6.0,
    swap_frames=240,
    finding_rounds=3,
)
QUICK = Settings(
    rounds=2,
    clip_s=3.0,
    effect_calls=20,
    effect_warmup=3,
    still_frames=90,
    moving_max_frames=90,
    speeds=(0.5, 1.0, 2.0, 4.0),
    live_s=3.0,
    swap_frames=60,
    finding_rounds=1,
)


def tests_module(name: str):  # noqa: ANN201 - a module
    """A helper module of the tests (``tests/scenes.py``, ``tests/turned_head.py``): test
    helpers, not a package, so they are imported from the tests folder."""
    import importlib

    tests = str(Path(__file__).resolve().parents[2] / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    return importlib.import_module(name)


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- filters


@dataclass
class Filters:
    """The built-in filters that loaded, in catalog order, and those that did not.

    Attributes:
        loaded: id -> filter.
        failed: id -> why it did not load (e.g. an effect kind not registered yet).
    """

    loaded: dict[str, Filter] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """Loaded ids, the headline first."""
        ids = list(self.loaded)
        return sorted(ids, key=lambda i: (i != HEADLINE, ids.index(i)))

    def drop(self, filter_id: str, where: str, exc: BaseException) -> None:
        """Leave out a filter that failed while being measured; later sections skip it."""
        self.loaded.pop(filter_id, None)
        self.failed[filter_id] = _short(f"failed in {where}: {type(exc).__name__}: {exc}")
        log(f"  filter {filter_id} failed in {where}, left out: {type(exc).__name__}: {exc}")

    def note(self) -> str:
        """A sentence on the filters left out, or ""."""
        if not self.failed:
            return ""
        parts = "; ".join(f"`{k}`: {v}" for k, v in self.failed.items())
        return f"Left out, since they do not load (yet) or failed: {parts}."


def load_filters(only: Sequence[str] | None = None) -> Filters:
    """Every built-in filter (``Catalog().ids()``), each loaded on its own.

    A filter that fails to load (assets still being drawn, a kind not registered yet) is
    noted and skipped; the others are measured.
    """
    catalog = Catalog()
    ids = catalog.ids()
    if only:
        unknown = [i for i in only if i not in ids]
        if unknown:
            raise SystemExit(f"unknown filter(s) {', '.join(unknown)}; built-in: {', '.join(ids)}")
        ids = [i for i in ids if i in only]
    result = Filters()
    for filter_id in ids:
        try:
            # A swap finds its source faces once, as the apps do before the first frame.
            result.loaded[filter_id] = prepare_filter(catalog.load(filter_id), default_detector)
        except FilterError as exc:
            result.failed[filter_id] = _short(str(exc))
            log(f"  filter {filter_id} does not load, left out: {exc}")
    return result


def _short(text: str) -> str:
    """An error without the repository path in front, for the report."""
    return text.replace(str(ROOT) + os.sep, "").replace("|", "\\|")


# --------------------------------------------------------------------------- the clip


def load_make_clip() -> Callable[..., Path]:
    """``make_clip`` from samples/make_samples.py, which is a script, not a module."""
    script = ROOT / "samples" / "make_samples.py"
    if not script.is_file():
        raise SystemExit(f"{script} is missing: it makes the benchmark clip")
    make_clip: Callable[..., Path] = runpy.run_path(str(script))["make_clip"]
    return make_clip


def make_clip(path: Path, seconds: float) -> Path:
    """The benchmark clip: 1280x720 at 30000/1001 fps, with audio."""
    return load_make_clip()(path, size_wh=SIZE_WH, seconds=seconds, fps=FPS)


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
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "facefilters": f"{facefilters.__version__} (commit {git_commit()})",
        "mediapipe": mediapipe.__version__,
        "opencv": f"{cv2.__version__} ({cv2.getNumThreads()} threads)",
        "av": f"{av.__version__} (FFmpeg {_ffmpeg_version()})",
        "numpy": np.__version__,
        # Other work on the machine slows both sides of a ratio, but not always evenly.
        "load average at start": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def git_commit() -> str:
    """The short commit, with "+ changes" when the working tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + uncommitted changes" if dirty.strip() else "")


def _ffmpeg_version() -> str:
    versions = getattr(av, "ffmpeg_version_info", None)
    return str(versions) if versions else "unknown"


# --------------------------------------------------------------------------- CPU


def _clock_ticks() -> int:
    try:
        return os.sysconf("SC_CLK_TCK")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not Linux
        return 100


_TICK = _clock_ticks()


def process_cpu_s() -> float:
    """CPU seconds (user + system) this process has used, all its threads together."""
    t = os.times()
    return t.user + t.system


def machine_busy_s() -> float | None:
    """CPU seconds every core of the machine has been busy since boot; None off Linux."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    # guest time is already counted in user time.
    return (sum(values[:8]) - idle) / _TICK


@dataclass(frozen=True)
class CpuUse:
    """Where the cores went during one timed call.

    Attributes:
        wall_s: wall time.
        own_s: CPU seconds of this process.
        others_s: CPU seconds of every other process (the rest of the machine's busy
            time), or NaN when unknown.
    """

    wall_s: float
    own_s: float
    others_s: float

    @property
    def own_cores(self) -> float:
        return self.own_s / self.wall_s

    @property
    def others_cores(self) -> float:
        return self.others_s / self.wall_s


class CpuMeter:
    """Measures wall time, this process's CPU and everybody else's around a block."""

    def __enter__(self) -> CpuMeter:
        self._busy = machine_busy_s()
        self._own = process_cpu_s()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._start
        own = process_cpu_s() - self._own
        busy = machine_busy_s()
        others = (
            max(0.0, busy - self._busy - own)
            if busy is not None and self._busy is not None
            else float("nan")
        )
        self.use = CpuUse(wall, own, others)


class ThreadCpu:
    """CPU seconds per OS thread of this process while running, sampled from /proc.

    Threads that end during the run (x264's, FFmpeg's) keep their last sample, so up to
    one ``period`` of their work may be missed. Linux only; elsewhere it reports nothing.
    """

    def __init__(self, period_s: float = 0.1) -> None:
        self.period_s = period_s
        self.cpu_s: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self._base = self._read()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench cpu sampler", daemon=True)
        self._thread.start()

    @staticmethod
    def _read() -> dict[int, tuple[float, str]]:
        out: dict[int, tuple[float, str]] = {}
        try:
            tids = os.listdir("/proc/self/task")
        except OSError:
            return out
        for tid in tids:
            try:
                text = Path(f"/proc/self/task/{tid}/stat").read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            out[int(tid)] = ((int(fields[11]) + int(fields[12])) / _TICK, name)
        return out

    def sample(self) -> None:
        """Take a sample now (before threads that are about to end do)."""
        self._sample()

    def _sample(self) -> None:
        for tid, (cpu, name) in self._read().items():
            self.cpu_s[tid] = cpu - self._base.get(tid, (0.0, ""))[0]
            self.names[tid] = name

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            self._sample()

    def stop(self) -> dict[int, tuple[float, str]]:
        """Stop sampling; returns tid -> (CPU seconds during the run, thread name)."""
        self._stop.set()
        self._thread.join()
        self._sample()
        sampler = self._thread.native_id
        return {
            tid: (cpu, self.names[tid])
            for tid, cpu in self.cpu_s.items()
            if tid != sampler and cpu > 0
        }


def thread_ids() -> set[int]:
    """The OS ids of this process's threads now."""
    try:
        return {int(t) for t in os.listdir("/proc/self/task")}
    except OSError:
        return set()


# --------------------------------------------------------------------------- markdown


def num(value: float, digits: int = 2) -> str:
    """``value`` rounded for a table, without the "-0.00" of a tiny negative number."""
    if value != value:  # NaN
        return "n/a"
    return f"{round(value, digits) + 0.0:.{digits}f}"


def verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """A markdown table; by default the first column left-aligned, the rest right-aligned.

    Args:
        align: one letter per column, "l" or "r", to choose otherwise.
    """
    align = align or "l" + "r" * (len(header) - 1)
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(":---" if a == "l" else "---:" for a in align) + " |",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


@dataclass
class Section:
    """One part of the report: its markdown, and its rows of the summary table.

    Attributes:
        title: the heading, without the number.
        body: markdown under the heading.
        summary: rows ``[aim, figure, verdict]``.
    """

    title: str
    body: str
    summary: list[list[str]] = field(default_factory=list)


def wait_for_quiet(max_wait_s: float, others_cores: float = 0.2, window_s: float = 1.0) -> float:
    """Wait until other processes use less than ``others_cores`` cores over ``window_s``.

    Gives up after ``max_wait_s``. Returns the seconds waited. On a shared machine this
    keeps a timed run from starting while somebody else's job holds a core.
    """
    waited = 0.0
    while True:
        busy0, own0 = machine_busy_s(), process_cpu_s()
        time.sleep(window_s)
        busy1, own1 = machine_busy_s(), process_cpu_s()
        if busy0 is None or busy1 is None:
            return waited
        others = max(0.0, busy1 - busy0 - (own1 - own0)) / window_s
        if others < others_cores or waited >= max_wait_s:
            return waited
        waited += window_s
