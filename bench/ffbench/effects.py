"""Section 3: what each effect costs per face on a 720p frame.

``Filter.apply`` is timed on a frame of the benchmark clip with the landmarks the real
model finds on it (tracked, so the faces have ids), for every built-in filter and for
each of its layers alone, with one face and with two.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from facefilters.detect import FaceMeshDetector
from facefilters.effects import Filter, Layer
from facefilters.faces import Faces
from facefilters.geometry import measure
from facefilters.io.video import VideoReader
from facefilters.tracking import FaceTracker

from .common import FPS, HEADLINE, Filters, Section, log, median, table, verdict

EFFECT_AIM_MS = 5.0
KIND_AIM_MS = {"swap": 15.0}
"""Kinds with an aim of their own: the face swap's budget is 15 ms per face."""


def aim_ms(kind: str) -> float:
    return KIND_AIM_MS.get(kind, EFFECT_AIM_MS)


"""``Filter.apply`` may take at most this long per face on a 720p frame."""

# Where in the clip to look for one face and for two (fractions of its length):
# make_clip shows Grace Hopper alone for the first third and both faces in the middle.
ONE_FACE_AT = (0.15, 0.10, 0.20, 0.05, 0.25)
TWO_FACES_AT = (0.52, 0.48, 0.56, 0.45, 0.59)


@dataclass(frozen=True)
class Scene:
    """A frame of the clip and its faces, as the pipeline would draw on them."""

    image: np.ndarray
    faces: Faces
    index: int


def find_scenes(clip: Path) -> dict[int, Scene]:
    """A frame with exactly one face and one with exactly two, with real landmarks.

    Each candidate frame goes through FaceMesh in photo mode (the frame alone), then
    through a ``FaceTracker`` for ids, as ``apply`` would give them to a filter.
    """
    with VideoReader(clip) as reader:
        count = reader.info.frame_count or 1
        wanted = {round(u * count) for u in (*ONE_FACE_AT, *TWO_FACES_AT)}
        frames = {f.index: f.image for f in reader if f.index in wanted}
    scenes: dict[int, Scene] = {}
    with FaceMeshDetector(static_image_mode=True, max_faces=4) as detector:
        for n, candidates in ((1, ONE_FACE_AT), (2, TWO_FACES_AT)):
            for u in candidates:
                index = round(u * count)
                if index not in frames:
                    continue
                raw = detector.detect(frames[index], index / float(FPS))
                if len(raw) == n:
                    faces = FaceTracker().update(raw, index / float(FPS))
                    scenes[n] = Scene(frames[index], faces, index)
                    break
    return scenes


def time_apply(filter: Filter, scene: Scene, calls: int, warmup: int) -> float:
    """Median ms of ``filter.apply`` on a fresh copy of the frame, time moving on at
    the clip's rate (so that physics and triggers step as in a video)."""
    times = []
    dt = 1 / float(FPS)
    for k in range(warmup + calls):
        frame = scene.image.copy()
        start = time.perf_counter()
        filter.apply(frame, scene.faces, k * dt)
        if k >= warmup:
            times.append(time.perf_counter() - start)
    return 1000 * median(times)


def time_measure(scene: Scene, calls: int) -> float:
    """Median ms of ``measure(faces)``, which every ``Filter.apply`` does once."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        measure(scene.faces)
        times.append(time.perf_counter() - start)
    return 1000 * median(times)


def _fresh(filter: Filter, layers: tuple[Layer, ...], suffix: str) -> Filter:
    return Filter(f"{filter.id}{suffix}", filter.name, filter.description, layers)


def _describe(layer: Layer) -> str:
    effect = layer.effect
    parts = [f"`{effect.kind}`"]
    for attr in ("anchor", "image", "name"):
        value = getattr(effect, attr, None)
        if isinstance(value, str):
            parts.append(value)
            break
    if layer.when is not None:
        parts.append("triggered")
    return " ".join(parts)


@dataclass
class FilterCost:
    """Median ms of one filter, and of each of its layers.

    Attributes:
        as_is: faces -> ms of the filter as it is (triggered layers off on these faces
            unless their trigger fires).
        all_on: faces -> ms with every layer drawn (triggers removed).
        layers: per layer: (description, faces -> ms, drawn alone and always on).
    """

    id: str
    as_is: dict[int, float] = field(default_factory=dict)
    all_on: dict[int, float] = field(default_factory=dict)
    layers: list[tuple[str, dict[int, float]]] = field(default_factory=list)
    triggered: bool = False

    def worst_per_face(self) -> float:
        return max(ms / n for n, ms in self.all_on.items())


def _filter_cost(filter: Filter, scenes: dict[int, Scene], calls: int, warmup: int) -> FilterCost:
    cost = FilterCost(filter.id, triggered=any(x.when is not None for x in filter.layers))
    all_on = _fresh(filter, tuple(Layer(x.effect) for x in filter.layers), "+all")
    for n, scene in scenes.items():
        # A fresh copy of the filter per figure would reload assets; its effects keep
        # per-face state (swinging, triggers) which only warms up, so one is fine.
        cost.as_is[n] = time_apply(filter, scene, calls, warmup)
        cost.all_on[n] = time_apply(all_on, scene, calls, warmup)
    for k, layer in enumerate(filter.layers):
        alone = _fresh(filter, (Layer(layer.effect),), f"[{k}]")
        cost.layers.append(
            (
                _describe(layer),
                {n: time_apply(alone, scene, calls, warmup) for n, scene in scenes.items()},
            )
        )
    return cost


def measure_effects(
    clip: Path, filters: Filters, calls: int, warmup: int
) -> tuple[dict[int, Scene], dict[str, FilterCost], dict[int, float]]:
    scenes = find_scenes(clip)
    costs: dict[str, FilterCost] = {}
    geometry = {n: time_measure(scene, calls) for n, scene in scenes.items()}
    for name in filters.ids:
        try:
            cost = _filter_cost(filters.loaded[name], scenes, calls, warmup)
        except Exception as exc:  # noqa: BLE001 - one broken filter, the others go on
            filters.drop(name, "the effects section", exc)
            continue
        costs[name] = cost
        log(
            f"  {name:>10}: "
            + ", ".join(
                f"{n} face{'s' if n > 1 else ''} {ms:.2f} ms" for n, ms in cost.all_on.items()
            )
        )
    return scenes, costs, geometry


def effects_section(
    scenes: dict[int, Scene],
    costs: dict[str, FilterCost],
    geometry: dict[int, float],
    calls: int,
    warmup: int,
    note: str,
) -> Section:
    def eye(n: int) -> str:
        g = measure(scenes[n].faces)
        return ", ".join(f"{float(d):.0f}" for d in g.eye_distance)

    where = "; ".join(
        f"{n} face{'s' if n > 1 else ''}: frame {s.index} (eye distance {eye(n)} px)"
        for n, s in sorted(scenes.items())
    )
    lines = [
        "`Filter.apply(frame, faces, t)` on a 1280x720 frame of the clip, with the "
        "landmarks FaceMesh finds on it (photo mode), given ids by a `FaceTracker`: "
        f"{where}. Median of {calls} calls after {warmup} untimed ones, each on a fresh "
        "copy of the frame (the copy is not timed), with t advancing at 29.97 fps. One "
        "thread, nothing else running in the process: inside `apply`, drawing shares the "
        "cores with decoding, detection and encoding and takes longer. *as is*: the "
        "filter as loaded (a triggered layer, such as the dog's tongue, is only drawn "
        "when its trigger fires, and these faces have their mouths closed); *all on*: "
        "every layer drawn, triggers removed, the worst case. Per face = total / faces. "
        f"Every figure includes `measure(faces)` (anchors, pose), "
        + ", ".join(
            f"{ms:.2f} ms for {n} face{'s' if n > 1 else ''}" for n, ms in sorted(geometry.items())
        )
        + f". Aim: each effect (one layer, always on) at most {EFFECT_AIM_MS:g} ms per face "
        + "("
        + ", ".join(f"`{k}` {v:g} ms" for k, v in KIND_AIM_MS.items())
        + "); "
        "the whole filters, all layers on, are shown first.",
    ]
    if note:
        lines += ["", note]
    if 1 not in scenes:
        lines += [
            "",
            "**No frame with exactly one face was found**: per-face figures "
            "below come from the frames that were.",
        ]
    ns = sorted(scenes)
    header = ["filter"]
    for n in ns:
        label = f"{n} face{'s' if n > 1 else ''}"
        header += [f"{label}: as is (ms)", f"{label}: all on (ms)"]
        if n > 1:
            header.append(f"{label}: all on, per face (ms)")
    header += ["worst per face (ms)"]
    rows = []
    summary = []
    for name, cost in costs.items():
        row = [f"`{name}`"]
        for n in ns:
            row += [f"{cost.as_is[n]:.2f}", f"{cost.all_on[n]:.2f}"]
            if n > 1:
                row.append(f"{cost.all_on[n] / n:.2f}")
        worst = cost.worst_per_face()
        row.append(f"{worst:.2f}")
        rows.append(row)
    lines += [
        "",
        table(header, rows),
        "",
        "Each layer alone, always on (a one-layer "
        "`Filter` built from `filter.layers[k]`, trigger removed), ms:",
        "",
    ]
    rows = []
    for name, cost in costs.items():
        for k, (desc, ms) in enumerate(cost.layers):
            row = [f"`{name}`" if k == 0 else "", str(k), desc]
            for n in ns:
                row.append(f"{ms[n]:.2f}")
                if n > 1:
                    row.append(f"{ms[n] / n:.2f}")
            rows.append(row)
    layer_header = ["filter", "layer", "effect"]
    for n in ns:
        layer_header.append(f"{n} face{'s' if n > 1 else ''}")
        if n > 1:
            layer_header.append("per face")
    layer_header.append("worst per face, aim (ms)")
    layer_worst = {}
    layer_aim = {}
    for row, (name, k, desc, ms) in zip(
        rows,
        [
            (name, k, desc, ms)
            for name, cost in costs.items()
            for k, (desc, ms) in enumerate(cost.layers)
        ],
    ):
        worst = max(ms[n] / n for n in ns)
        kind = desc.split()[0].strip("`")
        key = f"`{name}` layer {k} ({desc.split()[0]})"
        layer_worst[key], layer_aim[key] = worst, aim_ms(kind)
        row.append(f"{worst:.2f} <= {aim_ms(kind):g} {verdict(worst <= aim_ms(kind))}")
    lines.append(table(layer_header, rows, "lrl" + "r" * (len(layer_header) - 3)))
    if costs:
        worst_layer = max(layer_worst, key=lambda k: layer_worst[k] / layer_aim[k])
        passing = sum(layer_worst[k] <= layer_aim[k] for k in layer_worst)
        summary.append(
            [
                f"effects: every effect <= {EFFECT_AIM_MS:g} ms per face at 720p "
                "(" + ", ".join(f"`{k}` {v:g} ms" for k, v in KIND_AIM_MS.items()) + ")",
                f"{passing} of {len(layer_worst)}; closest to its aim {worst_layer} "
                f"{layer_worst[worst_layer]:.2f} ms of {layer_aim[worst_layer]:g}",
                verdict(passing == len(layer_worst)),
            ]
        )
        worst_id = max(costs, key=lambda k: costs[k].worst_per_face())
        summary.append(
            [
                "effects: slowest whole filter per face (all layers on)",
                f"`{worst_id}` {costs[worst_id].worst_per_face():.2f} ms",
                "",
            ]
        )
        if HEADLINE in costs:
            summary.append(
                [
                    f"effects: `{HEADLINE}` per face (1 face, all on)",
                    f"{costs[HEADLINE].all_on.get(1, float('nan')):.2f} ms",
                    "",
                ]
            )
    return Section("Cost of each effect at 720p", "\n".join(lines), summary)
