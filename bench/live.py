"""The live window benchmark alone: frames per second and capture-to-display latency.

Run from the repository root (it needs a display; without one it starts Xvfb)::

    .venv/bin/python bench/live.py [--seconds 6] [--filters dog,tears]

It is the same code as ``bench/run.py --only live`` (see bench/ffbench/live.py): a
1280x720 clip played as a camera into the real ``LiveApp`` and an OpenCV window, one
loop per built-in filter, paced and unpaced, next to a bare loop (FaceMesh and
``imshow``). It prints a markdown section.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ffbench.common import load_filters, make_clip
from ffbench.live import live_section, measure_live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="per loop")
    parser.add_argument("--clip-seconds", type=float, default=6.0)
    parser.add_argument("--filters", default=None, help="comma-separated filter ids")
    args = parser.parse_args()
    filters = load_filters(args.filters.split(",") if args.filters else None)
    with tempfile.TemporaryDirectory(prefix="facefilters-bench-") as tmp:
        clip = make_clip(Path(tmp) / "clip.mp4", args.clip_seconds)
        result = measure_live(clip, filters, args.seconds)
    section = live_section(result, args.seconds, filters.note())
    print(f"## {section.title}\n\n{section.body}\n")
    for row in section.summary:
        print(" | ".join(row))


if __name__ == "__main__":
    main()
