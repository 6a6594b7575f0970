"""Fixtures for end-to-end tests: real public-domain photos and the real FaceMesh model."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest
from skimage import data
from typer.testing import CliRunner

from facefilters.paths import samples_dir
from turned_head import pitch_rotation, yaw_rotation  # noqa: F401  (the e2e tests' turns)


@pytest.fixture(scope="session")
def grace_hopper_path() -> Path:
    return Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"


@pytest.fixture(scope="session")
def astronaut_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(scope="session")
def photos(grace_hopper_path: Path, astronaut_path: Path) -> dict[str, Path]:
    return {"grace_hopper": grace_hopper_path, "astronaut": astronaut_path}


@pytest.fixture(scope="session")
def demo_clip() -> Path:
    path = samples_dir() / "demo.mp4"
    assert path.is_file(), f"missing sample {path}; run `make samples`"
    return path


@pytest.fixture(scope="session")
def no_face_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A smooth gradient with shapes: an image, but nothing like a face.
    h, w = 240, 320
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = np.linspace(40, 220, w, dtype=np.uint8)[None, :]
    img[..., 1] = np.linspace(200, 60, h, dtype=np.uint8)[:, None]
    cv2.rectangle(img, (40, 40), (120, 200), (20, 20, 200), -1)
    path = tmp_path_factory.mktemp("photos") / "landscape.png"
    cv2.imwrite(str(path), img)
    return path


def read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, f"cannot read {path}"
    return image


os.environ.setdefault("COLUMNS", "120")

_runner = CliRunner()


def run(*args: object):
    """Run the ``facefilters`` command line in-process with these arguments.

    Whatever happens, the user must never see a traceback: checked on every call.
    """
    from facefilters.cli import app

    result = _runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixels that differ clearly between two BGR pictures: ndarray (H, W) of bool."""
    return np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 12


@pytest.fixture(scope="session")
def open_mouth_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The astronaut with her jaw pulled down by a smooth warp, so her mouth is open.

    Made in code from the public-domain photo: everything below the lips slides down by
    0.3 eye distances, fading out sideways and below the chin.
    """
    from facefilters.detect import landmark_detector
    from facefilters.geometry import measure

    img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    with landmark_detector(static_image_mode=True) as detector:
        g = measure(detector.detect(img))
    eye = float(g.eye_distance[0])
    lip, chin = g.anchors["mouth_center"][0], g.anchors["chin"][0]
    h, w = img.shape[:2]
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    below = np.clip((yy - lip[1]) / (0.08 * eye), 0, 1)
    fade = np.clip(1 - (yy - chin[1]) / eye, 0, 1) * np.exp(-(((xx - lip[0]) / (1.1 * eye)) ** 2))
    warped = cv2.remap(
        img, xx, yy - 0.3 * eye * below * fade, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    path = tmp_path_factory.mktemp("photos") / "astronaut-mouth-open.png"
    cv2.imwrite(str(path), warped)
    return path


@pytest.fixture(scope="session")
def detector():
    """FaceMesh in still-photo mode, one face, shared by the modules that read photos."""
    from facefilters.detect import landmark_detector

    with landmark_detector(static_image_mode=True) as d:
        yield d


def variant(frame: np.ndarray, name: str) -> np.ndarray:
    """A photo as it is, at half size, or turned 20 degrees about its centre."""
    h, w = frame.shape[:2]
    if name == "original":
        return frame
    if name == "half":
        return cv2.resize(frame, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    angle = {"turned_left": 20.0, "turned_right": -20.0}[name]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        frame, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def redrawn(
    image: np.ndarray, xyz: np.ndarray, rotation: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The photo with its face turned in 3-D about the middle of its mesh.

    The face is re-drawn through its own mesh, rotated and projected straight on (nearer
    triangles win where it folds); hair, ears and background stay as they were. Two
    public-domain photos hold no turned head, so this makes one. The depth it turns is
    FaceMesh's own (``z`` in the scale of ``x``), so a turn made this way is only as true
    as that depth.

    Args:
        image: ndarray of shape (H, W, 3), uint8, BGR.
        xyz: ndarray of shape (478, 3): the face's landmarks in ``image``.
        rotation: ndarray of shape (3, 3): the turn, in camera axes (x right, y up, z
            towards the camera).

    Returns:
        The picture, ndarray (H, W, 3) uint8, and the landmarks it was drawn with, (478, 3).
    """
    from facefilters.render.swap import SwapSource, swap_face

    flip = np.array([1.0, -1.0, -1.0])  # landmark axes (y down, z away) <-> camera axes
    xyz = xyz.astype(np.float64)
    centre = xyz.mean(axis=0)
    turned = ((xyz - centre) * flip) @ np.asarray(rotation, np.float64).T * flip + centre
    turned = turned.astype(np.float32)
    picture = swap_face(
        image.copy(),
        turned,
        SwapSource.from_image(image, xyz),
        keep_mouth=False,
        keep_eyes=False,
        color_match=False,
        feather=0.1,
    )
    return picture, turned
