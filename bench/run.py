"""Benchmarks: apply against a sequential bare loop, effect costs, the live window, and
landmark jitter and lag.

Run from the repository root::

    .venv/bin/python bench/run.py                 # everything; writes docs/BENCHMARKS.md
    .venv/bin/python bench/run.py --quick         # a smoke test of everything, prints only
    .venv/bin/python bench/run.py --only speed,effects --filters dog,tears

Speed is never an absolute figure here: ``apply`` runs next to a bare loop in the same
process, rounds interleaved, and is reported as a ratio of medians, so a slow machine
moves both sides alike. Every built-in filter (``Catalog().ids()``) is measured; one that
does not load is noted and left out. bench/README.md explains every figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ffbench import ROOT, backends, effects, finding, live, pose, smoothing, speed, swap
from ffbench.common import (
    FULL,
    HEADLINE,
    QUICK,
    Section,
    Settings,
    load_filters,
    log,
    machine_info,
    make_clip,
    table,
    wait_for_quiet,
)

from facefilters.io.video import VideoReader

SECTIONS = (
    "speed",
    "profile",
    "effects",
    "live",
    "finding",
    "backends",
    "swap",
    "smoothing",
    "pose",
)
ALIASES = {
    "jitter": "smoothing",
    "lag": "smoothing",
    "sweep": "smoothing",
    "apply": "speed",
    "window": "live",
}
QUIET_WAIT_S = 30.0
"""Before each timed round, wait up to this long for other processes to calm down."""
QUIET_WAIT_TOTAL_S = 180.0
PROFILE_REPEATS = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Without --quick, --only, --filters and the size options, the report is "
        "also written to docs/BENCHMARKS.md; otherwise it is only printed (or "
        "written to --output).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 rounds on a 3 s clip, fewer calls and frames, 3 s live "
        "loops: a smoke test (about 3 minutes), figures rough",
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run, of {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--filters",
        default=None,
        help="comma-separated filter ids (default: every built-in filter)",
    )
    parser.add_argument("--rounds", type=int, default=None, help="rounds of the speed section")
    parser.add_argument("--clip-seconds", type=float, default=None, help="length of the 720p clip")
    parser.add_argument(
        "--live-seconds", type=float, default=None, help="length of each live window loop"
    )
    parser.add_argument("--no-live", action="store_true", help="same as leaving live out of --only")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="do not wait for other processes to go quiet before timed runs",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the report (default: docs/BENCHMARKS.md for a full run, else nowhere)",
    )
    args = parser.parse_args(argv)
    only = []
    for name in (s.strip() for s in args.only.split(",") if s.strip()):
        name = ALIASES.get(name, name)
        if name not in SECTIONS:
            parser.error(f"unknown section '{name}'; choose from {', '.join(SECTIONS)}")
        if name not in only:
            only.append(name)
    if args.no_live and "live" in only:
        only.remove("live")
    args.sections = only
    args.filter_ids = (
        [s.strip() for s in args.filters.split(",") if s.strip()] if args.filters else None
    )
    return args


def settings_of(args: argparse.Namespace) -> Settings:
    settings = QUICK if args.quick else FULL
    if args.rounds is not None:
        settings = replace(settings, rounds=max(1, args.rounds))
    if args.clip_seconds is not None:
        settings = replace(settings, clip_s=args.clip_seconds)
    if args.live_seconds is not None:
        settings = replace(settings, live_s=args.live_seconds)
    return settings


def is_full_run(args: argparse.Namespace) -> bool:
    return (
        not args.quick
        and args.sections == list(SECTIONS)
        and args.filter_ids is None
        and args.rounds is None
        and args.clip_seconds is None
        and args.live_seconds is None
    )


class Quiet:
    """Waits for a quiet machine before timed runs, within a total budget."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.waited_s = 0.0

    def __call__(self) -> None:
        if not self.enabled or self.waited_s >= QUIET_WAIT_TOTAL_S:
            return
        budget = min(QUIET_WAIT_S, QUIET_WAIT_TOTAL_S - self.waited_s)
        waited = wait_for_quiet(budget)
        if waited:
            log(f"  waited {waited:.0f} s for other processes to go quiet")
        self.waited_s += waited


def failed_section(title: str, exc: BaseException) -> Section:
    log(f"  {title} failed: {type(exc).__name__}: {exc}")
    return Section(
        title,
        f"**Not measured**: `{type(exc).__name__}: {exc}`.",
        [[title, "not measured", "**FAIL**"]],
    )


def guarded(title: str, report: Callable[[], Section]) -> list[Section]:
    """The section ``report`` makes, or one saying why it could not be measured: one
    failing part of the benchmark never stops the others."""
    try:
        return [report()]
    except Exception as exc:  # noqa: BLE001 - the other sections still run
        return [failed_section(title, exc)]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = settings_of(args)
    full = is_full_run(args)
    output = args.output or (ROOT / "docs" / "BENCHMARKS.md" if full else None)
    started = time.perf_counter()
    info = machine_info()
    quiet = Quiet(not args.no_wait)
    log(f"sections: {', '.join(args.sections)}")
    filters = load_filters(args.filter_ids)
    if not filters.loaded and set(args.sections) - {"smoothing", "pose"}:
        raise SystemExit("no filter loads: nothing to measure")
    sections: list[Section] = []

    with tempfile.TemporaryDirectory(prefix="facefilters-bench-") as tmp_name:
        tmp = Path(tmp_name)
        clip = tmp / "clip.mp4"
        clip_info = ""
        if set(args.sections) & {"speed", "profile", "effects", "live", "finding", "backends"}:
            log(f"making a {settings.clip_s:g} s 1280x720 clip")
            make_clip(clip, settings.clip_s)
            with VideoReader(clip) as reader:
                vi = reader.info
            clip_info = (
                f"`make_clip` {vi.size_wh[0]}x{vi.size_wh[1]}, {vi.frame_count} "
                f"frames at {vi.fps} fps ({float(vi.fps):.2f}), "
                f"{'with' if vi.has_audio else 'without'} audio, "
                f"{clip.stat().st_size / 1e6:.2f} MB"
            )

        speed_result = None
        if "speed" in args.sections:
            log(f"speed: {settings.rounds} rounds of bare, {', '.join(filters.ids)}")
            try:
                speed.bare_run(clip, tmp / "warm-up.mp4")  # MediaPipe and files, warm
                speed_result = speed.measure_speed(clip, filters, settings.rounds, tmp, quiet=quiet)
                sections.append(
                    speed.speed_section(speed_result, settings.rounds, clip_info, filters.note())
                )
            except Exception as exc:  # noqa: BLE001 - the other sections still run
                sections.append(failed_section("Speed of `apply`", exc))

        if "profile" in args.sections:
            names = [HEADLINE] if HEADLINE in filters.loaded else filters.ids[:1]
            if speed_result is not None and len(speed_result.filters) > 1:
                slowest = min(speed_result.filters, key=speed_result.ratio)
                if slowest not in names:
                    names.append(slowest)
            log(f"profile: bare, {', '.join(names)}")
            try:
                # Each twice, interleaved; the faster run is the least disturbed one.
                runs: dict[str, list[speed.Profile]] = {"bare": [], **{n: [] for n in names}}
                for _ in range(PROFILE_REPEATS):
                    quiet()
                    runs["bare"].append(speed.profile_bare(clip, tmp / "profile-bare.mp4"))
                    for name in names:
                        quiet()
                        runs[name].append(
                            speed.profile_apply(
                                clip, tmp / f"profile-{name}.mp4", filters.loaded[name]
                            )
                        )
                profiles = [max(r, key=lambda p: p.fps) for r in runs.values()]
                sections.append(speed.profile_section(profiles, os.cpu_count() or 1))
            except Exception as exc:  # noqa: BLE001
                sections.append(failed_section("Where the time goes", exc))

        if "effects" in args.sections:
            log("effects: Filter.apply per filter and per layer")

            def effects_report() -> Section:
                quiet()
                scenes, costs, geometry = effects.measure_effects(
                    clip, filters, settings.effect_calls, settings.effect_warmup
                )
                return effects.effects_section(
                    scenes,
                    costs,
                    geometry,
                    settings.effect_calls,
                    settings.effect_warmup,
                    filters.note(),
                )

            sections += guarded("Cost of each effect", effects_report)

        if "live" in args.sections:
            log(f"live window: {settings.live_s:g} s per loop, {2 * len(filters.ids) + 3} loops")

            def live_report() -> Section:
                quiet()
                result = live.measure_live(clip, filters, settings.live_s)
                return live.live_section(result, settings.live_s, filters.note())

            sections += guarded("Live window", live_report)

        if "finding" in args.sections:

            def finding_report() -> Section:
                quiet()
                result = finding.measure_finding(clip, filters, settings.finding_rounds, tmp)
                return finding.finding_section(result, settings.finding_rounds)

            sections += guarded("Finding faces", finding_report)

        if "backends" in args.sections:
            backend_rounds = min(settings.rounds, settings.finding_rounds)
            log(
                f"backends: {', '.join(backends.base.installed_backends())}, "
                f"{backend_rounds} rounds"
            )

            def backends_report() -> Section:
                quiet()
                result = backends.measure_backends(clip, filters, backend_rounds, tmp)
                return backends.backends_section(result, backend_rounds)

            sections += guarded("Detection backends", backends_report)

    if "swap" in args.sections:
        log(
            f"face swap: 2 portraits x {len(swap.NOISE_SIGMAS)} noise levels, "
            f"{settings.swap_frames} frames each"
        )

        def swap_report() -> Section:
            quiet()
            return swap.swap_section(swap.measure_swap(settings.swap_frames), settings.swap_frames)

        sections += guarded("Face swap", swap_report)

    if "smoothing" in args.sections:
        try:
            recordings, default, sweep = smoothing.measure_smoothing(settings)
            sections += [
                smoothing.jitter_section(recordings, default),
                smoothing.lag_section(recordings, default),
                smoothing.sweep_section(recordings, default, sweep),
            ]
        except Exception as exc:  # noqa: BLE001
            sections.append(failed_section("Jitter and lag", exc))

    if "pose" in args.sections:
        log("pose: 2 portraits x 10 turns x 4 ways of showing them")
        sections += guarded("Pose on turned heads", lambda: pose.pose_section(pose.measure_pose()))

    elapsed = time.perf_counter() - started
    text = report(args, settings, info, sections, elapsed, quiet.waited_s)
    print(text, end="")
    if output is not None:
        output.write_text(text, encoding="utf-8")
        log(f"wrote {output}")
    log(f"done in {elapsed / 60:.1f} min")
    return 0


def report(
    args: argparse.Namespace,
    settings: Settings,
    info: dict[str, str],
    sections: list[Section],
    elapsed_s: float,
    waited_s: float,
) -> str:
    """The whole run as markdown: the same text is printed and written."""
    how = "`" + " ".join(["bench/run.py", *sys.argv[1:]]) + "`"
    out = ["# Benchmarks", ""]
    out.append(
        f"Written by {how}"
        + (
            " (`--quick`: a smoke test, few rounds on a short clip; figures are rough)"
            if args.quick
            else ""
        )
        + f" on {info['date']}, in {elapsed_s / 60:.1f} min"
        + (
            f" ({waited_s:.0f} s of it waiting for other processes to go quiet)"
            if waited_s >= 1
            else ""
        )
        + ". See `bench/README.md` for how to run it and what each figure means."
    )
    out += ["", "## Machine", ""]
    info = {**info, "load average at end": " ".join(f"{v:.2f}" for v in _loadavg())}
    out.append(table(["", ""], [[k, v] for k, v in info.items()], "ll"))
    out += [
        "",
        f"Settings: {settings.rounds} speed rounds, a {settings.clip_s:g} s clip, "
        f"{settings.effect_calls} calls per effect figure, {settings.live_s:g} s per "
        f"live loop, {settings.swap_frames} frames per face-swap run, "
        f"{settings.still_frames} still frames.",
    ]
    rows = []
    for k, section in enumerate(sections, 1):
        rows += [[*row[:2], row[2] if len(row) > 2 else "", str(k)] for row in section.summary]
    out += [
        "",
        "## Summary",
        "",
        "Every aim, with the section that measures it.",
        "",
        table(["aim", "figure", "verdict", "section"], rows, "lrrr"),
    ]
    for k, section in enumerate(sections, 1):
        out += ["", f"## {k}. {section.title}", "", section.body]
    return "\n".join(out) + "\n"


def _loadavg() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3


if __name__ == "__main__":
    sys.exit(main())
