"""Textures and anonymising on real photos, judged by the real FaceMesh model.

Anonymising must hide a face from FaceMesh itself, on each photo as it is, at half and
double size, turned 20 degrees either way, saved as a JPEG of quality 60 (before or after
hiding), and with two faces side by side in one picture. The built-in textures must land
on the face and nowhere else, also on a turned head.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters.detect import Detector
from facefilters.paths import builtin_filters_dir
from facefilters.render.anonymize import MODES, anonymize_face
from facefilters.render.texture import FaceTexture, draw_texture

from .conftest import changed, read

pytestmark = pytest.mark.e2e

PHOTOS = ("grace_hopper", "astronaut")
VARIANTS = (
    "original",
    "half",
    "double",
    "turned_left",
    "turned_right",
    "jpeg60_before",
    "jpeg60_after",
)


def turned(frame: np.ndarray, degrees: float) -> np.ndarray:
    """The photo turned about its centre, on a canvas large enough to keep it whole."""
    h, w = frame.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    size_wh = (int(h * s + w * c), int(h * c + w * s))
    m[:, 2] += ((size_wh[0] - w) / 2, (size_wh[1] - h) / 2)
    return cv2.warpAffine(frame, m, size_wh, borderMode=cv2.BORDER_REPLICATE)


def jpeg(frame: np.ndarray, quality: int = 60) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def variant(frame: np.ndarray, name: str) -> np.ndarray:
    h, w = frame.shape[:2]
    if name == "half":
        return cv2.resize(frame, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    if name == "double":
        return cv2.resize(frame, (w * 2, h * 2), interpolation=cv2.INTER_CUBIC)
    if name in ("turned_left", "turned_right"):
        return turned(frame, 20.0 if name == "turned_left" else -20.0)
    if name == "jpeg60_before":
        return jpeg(frame)
    return frame


def face_crop(frame: np.ndarray, detector: Detector, size: int = 320) -> np.ndarray:
    """A square around the face, twice its landmark span wide."""
    xy = detector.detect(frame).xy[0]
    centre, span = (xy.min(axis=0) + xy.max(axis=0)) / 2, float(np.ptp(xy, axis=0).max())
    x0, y0 = np.maximum(centre - span, 0).astype(int)
    x1, y1 = (centre + span).astype(int)
    return cv2.resize(frame[y0:y1, x0:x1], (size, size), interpolation=cv2.INTER_AREA)


def hide_all(
    frame: np.ndarray, detector: Detector, mode: str, strength: float = 1.0
) -> tuple[np.ndarray, int]:
    """The picture with every face FaceMesh finds hidden, and how many it found."""
    faces = detector.detect(frame)
    out = frame.copy()
    for landmarks in faces.landmarks:
        anonymize_face(out, landmarks, mode, strength)
    return out, len(faces)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize("photo", PHOTOS)
def test_anonymised_faces_are_not_found(
    photos: dict[str, Path], detector, photo, name, mode
) -> None:
    frame = variant(read(photos[photo]), name)
    hidden, found = hide_all(frame, detector, mode)
    assert found == 1
    if name == "jpeg60_after":
        hidden = jpeg(hidden)
    assert len(detector.detect(hidden)) == 0


@pytest.mark.parametrize("mode", MODES)
def test_two_faces_side_by_side_are_both_hidden(
    grace_hopper_path: Path, astronaut_path: Path, detector, mode: str
) -> None:
    pair = np.hstack(
        [face_crop(read(grace_hopper_path), detector), face_crop(read(astronaut_path), detector)]
    )
    hidden, found = hide_all(pair, detector, mode)
    assert found == 2
    assert len(detector.detect(hidden)) == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_light_touch_is_not_enough(photos: dict[str, Path], detector, mode: str) -> None:
    # The check above could pass for the wrong reason (a detector that finds nothing in
    # any processed picture); at a tenth of the strength the face must still be found.
    hidden, found = hide_all(read(photos["grace_hopper"]), detector, mode, strength=0.1)
    assert found == 1
    assert len(detector.detect(hidden)) == 1


def hull_mask(xy: np.ndarray, shape_hw: tuple[int, int], grow_px: int) -> np.ndarray:
    mask = np.zeros(shape_hw, np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(xy).astype(np.int32)), 1)
    kernel = np.ones((2 * grow_px + 1,) * 2, np.uint8)
    return cv2.dilate(mask, kernel).astype(bool)


def squeezed(frame: np.ndarray, detector: Detector) -> np.ndarray:
    """The face as if turned: its half right of the nose squeezed to 60% of its width."""
    xy = detector.detect(frame).xy[0]
    nose_x, edge_x = float(xy[1, 0]), float(xy[:, 0].max()) + 10
    h, w = frame.shape[:2]
    xs = np.arange(w, dtype=np.float32)
    new_edge = nose_x + 0.6 * (edge_x - nose_x)
    src_x = np.where(
        xs <= nose_x,
        xs,
        np.where(
            xs <= new_edge,
            nose_x + (xs - nose_x) / 0.6,
            edge_x + (xs - new_edge) * (w - edge_x) / max(w - new_edge, 1),
        ),
    )
    map_x = np.broadcast_to(src_x, (h, w)).astype(np.float32)
    map_y = np.broadcast_to(np.arange(h, dtype=np.float32)[:, None], (h, w)).copy()
    return cv2.remap(
        frame, np.ascontiguousarray(map_x), map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


@pytest.fixture(scope="module")
def textures() -> dict[str, tuple[FaceTexture, str]]:
    def load(name: str) -> FaceTexture:
        bgra = cv2.imread(str(builtin_filters_dir() / name), cv2.IMREAD_UNCHANGED)
        assert bgra is not None, name
        return FaceTexture.from_bgra(bgra)

    return {
        "paint": (load("face-paint/paint.png"), "paint"),
        "mask": (load("carnival/mask.png"), "normal"),
    }


@pytest.mark.parametrize("texture", ["paint", "mask"])
@pytest.mark.parametrize("pose", ["original", "turned_left", "turned_right", "squeezed"])
@pytest.mark.parametrize("photo", PHOTOS)
def test_texture_stays_on_the_face(photos, detector, textures, photo, pose, texture) -> None:
    frame = read(photos[photo])
    frame = squeezed(frame, detector) if pose == "squeezed" else variant(frame, pose)
    faces = detector.detect(frame)
    assert len(faces) == 1
    xyz = faces.landmarks[0]
    tex, blend = textures[texture]
    out = draw_texture(frame.copy(), xyz, tex, blend=blend)
    diff = changed(out, frame)
    assert diff.sum() > 300
    assert not (diff & ~hull_mask(xyz[:, :2], frame.shape[:2], grow_px=2)).any()


@pytest.mark.parametrize("photo", PHOTOS)
def test_paint_lands_on_the_cheeks_and_the_mask_leaves_the_eyes(
    photos, detector, textures, photo
) -> None:
    frame = read(photos[photo])
    xyz = detector.detect(frame).landmarks[0]
    eye = float(np.linalg.norm(xyz[468, :2] - xyz[473, :2]))
    size_hw = frame.shape[:2]

    def disc(index: int, radius: float) -> np.ndarray:
        mask = np.zeros(size_hw, np.uint8)
        centre = tuple(int(v) for v in np.round(xyz[index, :2]))
        cv2.circle(mask, centre, max(1, round(radius)), 1, -1)
        return mask.astype(bool)

    def drawn(name: str) -> np.ndarray:
        texture, blend = textures[name]
        return changed(draw_texture(frame.copy(), xyz, texture, blend=blend), frame)

    painted = drawn("paint")
    # Below the cheekbones on either side (landmarks 187 and 411), and not on the nose tip.
    for cheek in (187, 411):
        assert painted[disc(cheek, 0.15 * eye)].mean() > 0.5
    assert painted[disc(1, 0.1 * eye)].mean() < 0.05

    masked = drawn("mask")
    for iris in (468, 473):
        assert masked[disc(iris, 0.1 * eye)].mean() < 0.05
    # The bridge of the nose, between the eyes, is under the mask.
    assert masked[disc(168, 0.1 * eye)].mean() > 0.9
