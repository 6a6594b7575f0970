"""A swapped face on a still face stays still: the swap filter's alpha blend flickers
less than OpenCV's seamlessClone, measured on real photos with camera-like noise."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.catalog import Catalog
from facefilters.detect import landmark_detector
from facefilters.frames import Frame
from facefilters.pipeline import Pipeline
from facefilters.tracking import FaceTracker

from .conftest import read

pytestmark = pytest.mark.e2e

FRAMES = 40


def face_flicker(frames: list[np.ndarray], mask: np.ndarray) -> float:
    """Mean change of the face's mean brightness from one frame to the next (0..255)."""
    means = np.array([f[mask].mean() for f in frames])
    return float(np.abs(np.diff(means)).mean())


@pytest.mark.parametrize(
    ("target", "source_name"), [("grace_hopper", "astronaut"), ("astronaut", "grace_hopper")]
)
def test_alpha_swap_flickers_less_than_seamless_clone(
    photos, detector, target, source_name
) -> None:
    def find(photo):
        return detector.detect(photo, 0.0)

    filters = {}
    for blend in ("alpha", "seamless"):
        chosen = Catalog().load("swap")
        chosen.layers[0].effect.blend = blend
        chosen.prepare(find, read(photos[source_name]))
        filters[blend] = chosen
    still = read(photos[target])
    rng = np.random.default_rng(7)
    results: dict[str, list[np.ndarray]] = {blend: [] for blend in filters}
    camera: list[np.ndarray] = []
    with landmark_detector(static_image_mode=False) as video:
        pipeline = Pipeline(video, FaceTracker())
        for k in range(FRAMES):
            # A still face as a webcam sees it: sensor noise, nothing else moves.
            noisy = np.clip(still + rng.normal(0, 3, still.shape), 0, 255).astype(np.uint8)
            faces = pipeline.step(Frame(k, k / 30, noisy)).faces
            assert len(faces) == 1
            camera.append(noisy)
            for blend, chosen in filters.items():
                results[blend].append(chosen.apply(noisy.copy(), faces, k / 30))
    # The face's middle, where both blends replace the skin.
    xy = faces.xy[0]
    h, w = still.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    centre, eye = xy[1], float(np.hypot(*(xy[473] - xy[468])))
    mask = (xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 < (0.8 * eye) ** 2
    flicker = {blend: face_flicker(frames, mask) for blend, frames in results.items()}
    baseline = face_flicker(camera, mask)
    print(
        f"flicker of the face's mean brightness: camera {baseline:.3f}, "
        f"alpha {flicker['alpha']:.3f}, seamless {flicker['seamless']:.3f}"
    )
    assert flicker["alpha"] < 0.5 * flicker["seamless"]
    assert flicker["alpha"] < 4 * baseline + 0.1
