"""Live window benchmark: frames per second and capture-to-display latency.

Run from the repository root (it needs a display; under Xvfb it starts one itself)::

    .venv/bin/python bench/live.py [--seconds 20]     # or as part of bench/run.py

The live loop (`LiveApp` on a 1280x720 video played as a camera, with the dog filter and
one face) is timed next to a bare loop in the same run: the same source and window, with
FaceMesh and nothing else. Figures are medians of one-second windows; latency is the time
from a frame's capture to the moment `imshow` returned for it. It prints a markdown
section that bench/run.py puts into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
try:
    import facefilters  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))

from facefilters.catalog import Catalog  # noqa: E402
from facefilters.detect import FaceMeshDetector  # noqa: E402
from facefilters.i18n import Messages  # noqa: E402
from facefilters.io.sources import FileSource  # noqa: E402
from facefilters.io.window import CvWindow  # noqa: E402
from facefilters.live import LiveApp, run_loop  # noqa: E402


@dataclass
class LiveFigures:
    """Medians over one-second windows, and latency percentiles."""

    fps_median: float
    latency_median_ms: float
    latency_p95_ms: float
    frames: int


def _figures(shown: list[tuple[float, float]]) -> LiveFigures:
    shown_at = np.array([s for _, s in shown])
    latency = np.array([(s - c) * 1000 for c, s in shown])
    start = shown_at[0]
    windows = np.floor(shown_at - start).astype(int)
    # Whole seconds only: the last, partial one would understate the rate.
    counts = np.bincount(windows)[:-1] if windows.max() > 0 else np.bincount(windows)
    return LiveFigures(float(statistics.median(counts)), float(np.median(latency)),
                       float(np.percentile(latency, 95)), len(shown))


def _run_until(render, seconds: float, clip: Path, realtime: bool = True) -> LiveFigures:
    source = FileSource(clip, realtime=realtime)
    window = CvWindow("facefilters bench")
    shown: list[tuple[float, float]] = []
    end = time.monotonic() + seconds

    class Stop(Exception):
        pass

    def on_frame(capture_s: float, shown_s: float) -> None:
        shown.append((capture_s, shown_s))
        if shown_s > end:
            raise Stop

    try:
        run_loop(source, window, render, lambda key: True, on_frame=on_frame)
    except Stop:
        pass
    finally:
        window.close()
        source.close()
    return _figures(shown[30:])


def measure(clip: Path, seconds: float = 20.0) -> dict[str, LiveFigures]:
    """Bare loop and live app, each for ``seconds``, on the same clip and window.

    Each runs twice: with the source paced like a camera (29.97 fps), and unpaced, which
    shows how much headroom is left on this machine.
    """
    catalog = Catalog()
    results = {}
    for realtime in (True, False):
        suffix = "" if realtime else " (unpaced)"
        with FaceMeshDetector(static_image_mode=False, max_faces=4) as detector:
            def bare(captured, detector=detector):
                detector.detect(captured.image)
                return captured.image

            results["bare" + suffix] = _run_until(bare, seconds, clip, realtime)
        for filter_id in ("dog", "tears"):
            with FaceMeshDetector(static_image_mode=False, max_faces=4) as detector:
                filters = [catalog.load(i) for i in catalog.ids()]
                app = LiveApp(filters, detector, Messages("en"), Path(tempfile.gettempdir()),
                              start=catalog.ids().index(filter_id))
                results[filter_id + suffix] = _run_until(
                    lambda c, app=app: app.render(c.image, c.time_s), seconds, clip, realtime)
    return results


def markdown(results: dict[str, LiveFigures], clip_note: str) -> str:
    rows = ["| loop | frames/s (median) | vs bare | latency median | latency p95 |",
            "| --- | --- | --- | --- | --- |"]
    for name, fig in results.items():
        bare = results["bare (unpaced)" if "unpaced" in name else "bare"]
        label = (f"bare: source + FaceMesh + imshow{name[4:]}" if name.startswith("bare")
                 else f"live, `{name.split()[0]}`{name[len(name.split()[0]):]}")
        rows.append(f"| {label} | {fig.fps_median:.0f} | {fig.fps_median / bare.fps_median:.2f} "
                    f"| {fig.latency_median_ms:.0f} ms | {fig.latency_p95_ms:.0f} ms |")
    ok = all(f.fps_median >= 29 for k, f in results.items()
             if not k.startswith("bare") and "unpaced" not in k)
    return "\n".join([
        "## Live window",
        "",
        f"{clip_note} The live app (mirroring, tracking and smoothing, the filter, the "
        "overlay) against a bare loop on the same source and window. Frames per second are "
        "medians of one-second windows; latency is from capture to `imshow` returning.",
        "Paced rows: the source delivers frames at the clip's own rate (29.97 fps), as a "
        "camera would, so 30 is the ceiling. Unpaced rows: frames as fast as they decode, "
        "the headroom on this machine.",
        "",
        *rows,
        "",
        f"Aim: 30 frames per second at 1280x720 with one face: **{'PASS' if ok else 'FAIL'}**.",
        "",
    ])


def summary_rows(results: dict[str, LiveFigures]) -> list[str]:
    """Rows for the summary table of docs/BENCHMARKS.md."""
    rows = []
    for name in ("dog", "tears"):
        fig = results[name]
        ok = fig.fps_median >= 29
        rows.append(f"| live window {name}: >= 30 frames/s at 1280x720 (paced source) "
                    f"| {fig.fps_median:.0f} | **{'PASS' if ok else 'FAIL'}** |")
        rows.append(f"| live window {name}: capture-to-display latency, median (p95) "
                    f"| {fig.latency_median_ms:.0f} ms ({fig.latency_p95_ms:.0f} ms) | |")
    return rows


def run_on(clip: Path, seconds: float) -> tuple[str, list[str]]:
    """Measure on ``clip`` (starting Xvfb when there is no display): section and rows."""
    xvfb = _ensure_display()
    try:
        results = measure(clip, seconds)
    finally:
        if xvfb:
            xvfb.terminate()
            os.environ.pop("DISPLAY", None)
    where = "Under Xvfb (no window manager)." if xvfb else "On the desktop."
    note = f"The same 1280x720 clip, one face, played as a camera. {where}"
    return markdown(results, note), summary_rows(results)


def _ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY") or sys.platform in ("win32", "darwin"):
        return None
    if not shutil.which("Xvfb"):
        raise SystemExit("no display and no Xvfb: run under a desktop or install xvfb")
    for n in range(90, 130):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1920x1080x24",
                                     "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            for _ in range(50):
                if Path(f"/tmp/.X11-unix/X{n}").exists():
                    break
                time.sleep(0.1)
            os.environ["DISPLAY"] = f":{n}"
            return proc
    raise SystemExit("no free X display number")


def make_clip(path: Path, seconds: float = 10.0) -> Path:
    make = runpy.run_path(str(ROOT / "samples" / "make_samples.py"))["make_clip"]
    return make(path, size_wh=(1280, 720), seconds=seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per loop")
    args = parser.parse_args()
    xvfb = _ensure_display()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            clip = make_clip(Path(tmp) / "clip720.mp4")
            results = measure(clip, args.seconds)
        where = "Under Xvfb." if xvfb else "On the desktop."
        print(markdown(results, f"1280x720 clip, one face, played as a camera. {where}"))
    finally:
        if xvfb:
            xvfb.terminate()


if __name__ == "__main__":
    main()
