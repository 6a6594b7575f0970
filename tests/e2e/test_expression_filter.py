"""An expression-triggered filter on real frames: the hearts come with a smile and go.

Grace Hopper's portrait (neutral) and the same photo with her mouth corners warped up
and out (a smile made in code), played as a clip: neutral, smiling, neutral. The
``heart-eyes`` filter's hearts must show on the smiling frames only, on the backend in
use (blendshapes on Tasks, geometry on FaceMesh); its rosy cheeks show throughout.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facefilters.catalog import Catalog
from facefilters.detect import default_detector, installed_backends, landmark_detector
from facefilters.faces import Faces
from facefilters.geometry import measure
from facefilters.pipeline import Pipeline, frames_of
from facefilters.render.warp import apply_warp, warp_roi
from facefilters.tracking import FaceTracker

from .conftest import read

pytestmark = pytest.mark.e2e


def smiling(image: np.ndarray, faces: Faces, amount: float = 1.0) -> np.ndarray:
    """The face with its mouth corners pulled up and out, the lips' middle held."""
    g = measure(faces)
    xy = faces.xy[0]
    eye = float(g.eye_distance[0])
    up, out = -g.axis_y[0] * eye * amount, g.axis_x[0] * eye * amount
    moves = [
        (61, 0.10 * up - 0.07 * out),
        (291, 0.10 * up + 0.07 * out),
        (146, 0.05 * up - 0.03 * out),
        (375, 0.05 * up + 0.03 * out),
    ]
    held = [13, 14, 1, 152, 0, 17]
    src = np.array([xy[i] for i, _ in moves] + [xy[i] for i in held], np.float32)
    dst = np.array([xy[i] + d for i, d in moves] + [xy[i] for i in held], np.float32)
    picture = image.copy()
    h, w = image.shape[:2]
    apply_warp(image, picture, src, dst, warp_roi(xy, (w, h)))
    return picture


def heart_red(picture: np.ndarray, faces: Faces) -> float:
    """Share of candy-red pixels in a disc around each eye socket."""
    g = measure(faces)
    b, gr, r = (picture[..., k].astype(int) for k in range(3))
    red = (r > 170) & (gr < 90) & (b < 120)
    yy, xx = np.mgrid[: picture.shape[0], : picture.shape[1]]
    shares = []
    for anchor in ("left_eye", "right_eye"):
        x, y = g.anchors[anchor][0]
        disc = (xx - x) ** 2 + (yy - y) ** 2 < (0.2 * g.eye_distance[0]) ** 2
        shares.append(red[disc].mean())
    return float(min(shares))


@pytest.fixture(scope="module")
def clip(photos: dict[str, Path]) -> list[np.ndarray]:
    neutral = read(photos["grace_hopper"])
    with landmark_detector(static_image_mode=True, max_faces=1) as detector:
        smile = smiling(neutral, detector.detect(neutral))
    return [neutral] * 8 + [smile] * 10 + [neutral] * 10


@pytest.mark.parametrize("backend", ["facemesh", "tasks"])
def test_the_hearts_come_with_a_smile_and_go(
    clip: list[np.ndarray], backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend not in installed_backends():
        pytest.skip(f"the {backend} backend is not installed here")
    from facefilters.detect import base

    monkeypatch.setattr(base, "_chosen", [backend])
    hearts = Catalog().load("heart-eyes")
    with default_detector(static_image_mode=False) as detector:
        pipeline = Pipeline(detector, FaceTracker(), [hearts])
        done = [pipeline.step(frame) for frame in frames_of(f.copy() for f in clip)]
    # A new face is shown once found in two frames in a row.
    assert [len(p.faces) for p in done] == [0] + [1] * (len(clip) - 1)
    smile = [0.0] + [float(measure(p.faces).measures["smile"][0]) for p in done[1:]]
    red = [0.0] + [heart_red(p.picture, p.faces) for p in done[1:]]
    # A heart covers 0.45 of the disc (its glint and shading are not candy-red); the
    # cheeks' blush and the skin around the eyes 0.03 at most.
    shown = [share > 0.3 for share in red]
    print("\nsmile", np.round(smile, 2).tolist(), "\nred", np.round(red, 2).tolist())
    # Neutral, then the smile, then neutral again. The tracker smooths the landmarks (and
    # so the smile) over a few frames, Tasks in video mode does too, and the hearts fade
    # in and out over 0.15 s (4.5 frames).
    assert not any(shown[:8]), (smile, red)
    assert all(shown[13:18]), (smile, red)
    assert not any(shown[25:]), (smile, red)
    assert max(smile[:8] + smile[25:]) < 0.25 and min(smile[11:18]) > 0.45, smile
