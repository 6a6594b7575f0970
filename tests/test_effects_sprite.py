"""Where a sprite's picture lies (``plane``): facing the camera, in the face's plane, or
along a side of the head."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.effects.base import EffectContext
from facefilters.effects.sprite import SpriteEffect
from facefilters.faces import Faces
from facefilters.geometry import measure
from facefilters.render.sprite import Sprite

from builders import turned_face


def drawn(plane: str, degrees: float, offset_x: float = 0.0, mirrored: bool = False) -> np.ndarray:
    """A grey frame with a 40x20 opaque red block drawn as a sprite on the canonical face
    turned by ``degrees`` of yaw (in the mirrored picture if asked), one eye distance
    wide, pinned at its middle."""
    bgra = np.zeros((20, 40, 4), np.uint8)
    bgra[...] = (0, 0, 255, 255)
    effect = SpriteEffect(
        Sprite.from_bgra(bgra), (20.0, 10.0), "eyes_center", (offset_x, 0.0), 1.0, plane=plane
    )
    faces = Faces(turned_face(degrees)[None])
    if mirrored:
        faces = faces.mirror(400)
    frame = np.full((300, 400, 3), 128, np.uint8)
    effect.apply(frame, EffectContext(None, faces, measure(faces), 0.0, np.ones(1, np.float32)))
    return frame


def red_width(frame: np.ndarray) -> int:
    red = (frame[..., 2] > 200) & (frame[..., 0] < 60)
    cols = np.nonzero(red.any(axis=0))[0]
    return int(cols.max() - cols.min() + 1) if len(cols) else 0


def test_in_the_face_plane_a_frontal_face_draws_as_facing_the_camera() -> None:
    assert np.abs(drawn("face", 0.0).astype(int) - drawn("camera", 0.0)).max() <= 2


def test_in_the_face_plane_the_picture_narrows_as_the_head_turns() -> None:
    front, turned = red_width(drawn("face", 0.0)), red_width(drawn("face", 50.0))
    assert front > 40
    assert abs(turned / front - np.cos(np.radians(50))) < 0.1
    assert red_width(drawn("camera", 50.0)) == pytest.approx(front, abs=2)


@pytest.mark.parametrize("plane", ["left_side", "right_side"])
def test_along_a_side_nothing_shows_from_the_front(plane: str) -> None:
    assert red_width(drawn(plane, 0.0)) == 0


@pytest.mark.parametrize(
    ("plane", "degrees", "shows"),
    [
        # turned_face's positive yaw turns the person's left side away from the camera.
        ("right_side", 40.0, True),
        ("left_side", 40.0, False),
        ("left_side", -40.0, True),
        ("right_side", -40.0, False),
    ],
)
def test_along_a_side_only_the_near_side_shows(plane: str, degrees: float, shows: bool) -> None:
    side = 1.0 if plane == "left_side" else -1.0
    width = red_width(drawn(plane, degrees, offset_x=side))
    if shows:
        # One eye distance running back, seen at 40 degrees: sin(40) of it.
        front = red_width(drawn("camera", 0.0))
        assert abs(width / front - np.sin(np.radians(40))) < 0.15
    else:
        assert width == 0


@pytest.mark.parametrize("plane", ["face", "left_side", "right_side"])
def test_a_mirrored_face_draws_the_mirror_image(plane: str) -> None:
    side = {"face": 0.0, "left_side": 1.0, "right_side": -1.0}[plane]
    straight = drawn(plane, 40.0 if side <= 0 else -40.0, offset_x=side)
    mirrored = drawn(plane, 40.0 if side <= 0 else -40.0, offset_x=side, mirrored=True)
    assert red_width(straight) > 10
    differs = np.abs(straight[:, ::-1].astype(int) - mirrored).max(axis=2) > 60
    assert differs.mean() < 0.002  # edges only
