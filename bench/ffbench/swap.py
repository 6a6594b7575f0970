"""Section: the face swap's two blends, what they cost and how still a still face stays.

Each public-domain portrait is the target in turn, centred on a 1280x720 canvas at a
webcam's face size, with fresh Gaussian sensor noise in every frame (three levels). The
frames go through FaceMesh in video mode and a ``FaceTracker``, as in ``live``, and the
built-in ``swap`` filter puts the *other* portrait's face on it, once with the default
alpha blend and once with ``blend = "seamless"`` (``cv2.seamlessClone``). Nothing in the
picture moves, so any change of the swapped face's brightness from one frame to the next
is flicker: the camera's own is given for comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import matplotlib
import numpy as np

from facefilters.catalog import Catalog
from facefilters.detect import FaceMeshDetector
from facefilters.effects import Filter
from facefilters.frames import Frame
from facefilters.pipeline import Pipeline
from facefilters.tracking import FaceTracker

from .common import FPS, SIZE_WH, Section, log, median, table, verdict

BLENDS = ("alpha", "seamless")
NOISE_SIGMAS = (2.0, 4.0, 8.0)
"""Sensor noise per frame, grey levels: a good webcam in daylight to a dim classroom."""
EYE_PX = 70.0
"""The portraits' eye distance on the canvas: a face at arm's length from a laptop."""
SWAP_FACE_AIM_MS = 15.0


def portraits() -> dict[str, np.ndarray]:
    """The two public-domain faces, BGR uint8, as the tests use them."""
    import skimage.data

    hopper = cv2.imread(str(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))
    astronaut = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    return {"grace_hopper": hopper, "astronaut": astronaut}


def on_canvas(photo: np.ndarray, detector: FaceMeshDetector) -> np.ndarray:
    """The photo scaled to an eye distance of ``EYE_PX`` and centred on a grey 720p canvas."""
    xy = detector.detect(photo, 0.0).xy[0]
    scale = EYE_PX / float(np.hypot(*(xy[473] - xy[468])))
    nose = xy[1] * scale
    w, h = SIZE_WH
    matrix = np.float64([[scale, 0, w / 2 - nose[0]], [0, scale, h / 2 - nose[1]]])
    return cv2.warpAffine(
        photo,
        matrix,
        SIZE_WH,
        flags=cv2.INTER_AREA,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(128, 128, 128),
    )


@dataclass(frozen=True)
class StillRun:
    """One target at one noise level: flicker (grey levels) and cost (ms) per blend."""

    target: str
    sigma: float
    camera: float
    flicker: dict[str, float]
    ms: dict[str, float]

    @property
    def ratio(self) -> float:
        """Alpha's flicker as a share of seamlessClone's."""
        return self.flicker["alpha"] / self.flicker["seamless"]


def face_flicker(frames: list[np.ndarray], mask: np.ndarray) -> float:
    """Mean change of the masked area's mean brightness from frame to frame (0..255)."""
    means = np.array([cv2.mean(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), mask)[0] for f in frames])
    return float(np.abs(np.diff(means)).mean())


def _swaps(source: np.ndarray, detector: FaceMeshDetector) -> dict[str, Filter]:
    out = {}
    for blend in BLENDS:
        chosen = Catalog().load("swap")
        chosen.layers[0].effect.blend = blend
        chosen.prepare(lambda image: detector.detect(image, 0.0), source)
        out[blend] = chosen
    return out


def still_run(
    target: str, canvas: np.ndarray, swaps: dict[str, Filter], sigma: float, frames: int
) -> StillRun:
    rng = np.random.default_rng(int(sigma * 10))
    camera: list[np.ndarray] = []
    results: dict[str, list[np.ndarray]] = {b: [] for b in swaps}
    times: dict[str, list[float]] = {b: [] for b in swaps}
    dt = 1 / float(FPS)
    with FaceMeshDetector(static_image_mode=False) as video:
        pipeline = Pipeline(video, FaceTracker())
        for k in range(frames):
            noisy = np.clip(canvas + rng.normal(0, sigma, canvas.shape), 0, 255).astype(np.uint8)
            faces = pipeline.step(Frame(k, k * dt, noisy)).faces
            if len(faces) != 1:
                raise RuntimeError(f"{target}, noise {sigma:g}: {len(faces)} faces in frame {k}")
            camera.append(noisy)
            for blend, chosen in swaps.items():
                out = noisy.copy()
                start = time.perf_counter()
                chosen.apply(out, faces, k * dt)
                times[blend].append(time.perf_counter() - start)
                results[blend].append(out)
    xy = faces.xy[0]
    eye = float(np.hypot(*(xy[473] - xy[468])))
    # The face's middle, where both blends replace the skin.
    mask = np.zeros(canvas.shape[:2], np.uint8)
    cv2.circle(mask, tuple(int(v) for v in xy[1]), int(0.8 * eye), 255, -1)
    skip = min(5, frames // 4)  # the tracker's and the colour match's first frames
    return StillRun(
        target,
        sigma,
        face_flicker(camera[skip:], mask),
        {b: face_flicker(r[skip:], mask) for b, r in results.items()},
        {b: 1000 * median(t[skip:]) for b, t in times.items()},
    )


def measure_swap(frames: int) -> list[StillRun]:
    photos = portraits()
    runs = []
    with FaceMeshDetector(static_image_mode=True) as still:
        canvases = {name: on_canvas(photo, still) for name, photo in photos.items()}
        swaps = {
            name: _swaps(photos[next(n for n in photos if n != name)], still) for name in photos
        }
    for name, canvas in canvases.items():
        for sigma in NOISE_SIGMAS:
            run = still_run(name, canvas, swaps[name], sigma, frames)
            log(
                f"  {name}, noise {sigma:g}: flicker camera {run.camera:.3f}, alpha "
                f"{run.flicker['alpha']:.3f}, seamless {run.flicker['seamless']:.3f}"
            )
            runs.append(run)
    return runs


def swap_section(runs: list[StillRun], frames: int) -> Section:
    rows = [
        [
            f"`{r.target}`",
            f"{r.sigma:g}",
            f"{r.camera:.3f}",
            f"{r.flicker['alpha']:.3f}",
            f"{r.flicker['seamless']:.3f}",
            f"{r.ratio:.2f}",
            f"{r.ms['alpha']:.1f}",
            f"{r.ms['seamless']:.1f}",
            verdict(r.ratio < 1),
        ]
        for r in runs
    ]
    ratios = sorted(r.ratio for r in runs)
    alpha_ms = [r.ms["alpha"] for r in runs]
    seamless_ms = [r.ms["seamless"] for r in runs]
    body = "\n".join(
        [
            __doc__.split("\n\n", 1)[1].strip().replace("\n", " "),
            "",
            f"{frames} frames per run, the first {min(5, frames // 4)} not counted. *Flicker*: "
            "the mean change, from one frame to the next, of the mean grey level inside a disc "
            "of 0.8 eye distances around the nose tip (0..255). *ms*: median "
            "`Filter.apply` time for the one face, label included. Aim: the alpha blend "
            "flickers less than seamlessClone on every run, and costs at most "
            f"{SWAP_FACE_AIM_MS:g} ms per face.",
            "",
            table(
                [
                    "target",
                    "noise σ",
                    "camera",
                    "alpha",
                    "seamless",
                    "alpha / seamless",
                    "alpha ms",
                    "seamless ms",
                    "alpha steadier",
                ],
                rows,
                "lrrrrrrrr",
            ),
            "",
            f"Alpha over seamless flicker: median {median(ratios):.2f}, from {ratios[0]:.2f} to "
            f"{ratios[-1]:.2f}. Cost per face: alpha median {median(alpha_ms):.1f} ms, "
            f"seamlessClone {median(seamless_ms):.1f} ms "
            f"({median(seamless_ms) / median(alpha_ms):.1f}x).",
        ]
    )
    summary = [
        [
            "swap on a still face: flicker of the alpha blend < seamlessClone's",
            f"median {median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})",
            verdict(all(r < 1 for r in ratios)),
        ],
        [
            f"swap, alpha blend, one face <= {SWAP_FACE_AIM_MS:g} ms",
            f"{median(alpha_ms):.1f} ms (seamless {median(seamless_ms):.1f} ms)",
            verdict(max(alpha_ms) <= SWAP_FACE_AIM_MS),
        ],
    ]
    return Section("Face swap: alpha blend against seamlessClone", body, summary)
