"""The built-in sunglasses are pieces (each lens with its hinge, the bridge, two arms), so
the lens on the far side of a turned head fades on its own while the near one stays, and
the near arm shows."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.catalog import Catalog
from facefilters.faces import Faces
from facefilters.geometry import measure

from builders import turned_face


def lens_darkness(degrees: float) -> tuple[float, float, float]:
    """How much the glasses darken a grey frame, on the canonical face turned by
    ``degrees`` of yaw: at each lens's centre (the person's right lens, then the left;
    mean over a small disc) and in all (the sum, in grey levels times pixels)."""
    glasses = Catalog().load("glasses")
    faces = Faces(turned_face(degrees)[None])
    frame = np.full((300, 400, 3), 160, np.uint8)
    out = glasses.apply(frame.copy(), faces, 0.0)
    g = measure(faces)
    r = 0.1 * float(g.size_px[0])  # inside a lens narrowed by a 70-degree turn
    dark = (160 - out.astype(float).mean(axis=2)).clip(0)
    shares = []
    for side in (-0.5, 0.5):  # the person's right lens, then the left
        cx, cy = g.face_to_image(0, "eyes_center", (side, 0.05))
        yy, xx = np.mgrid[:300, :400]
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        shares.append(float(dark[disc].mean()))
    return shares[0], shares[1], float(dark.sum())


def test_frontal_glasses_show_both_lenses_alike() -> None:
    right, left, _ = lens_darkness(0.0)
    assert right > 60 and left > 60
    assert abs(right - left) < 0.05 * max(right, left)


@pytest.mark.parametrize("degrees", [70.0, -70.0])
def test_the_far_lens_fades_as_the_head_turns_and_the_near_one_stays(degrees: float) -> None:
    right, left, total = lens_darkness(degrees)
    front_right, front_left, front_total = lens_darkness(0.0)
    # turned_face's positive yaw turns the person's left side away from the camera.
    near, front_near = (right, front_right) if degrees > 0 else (left, front_left)
    assert near > 0.95 * front_near, "the near lens keeps its darkness"
    far = left if degrees > 0 else right
    assert far < 0.2 * front_near, "the far lens fades out"
    # The front narrows as it turns, by cos(70 deg) = 0.34, and one lens of two is left.
    assert total < 0.3 * front_total


def test_a_half_turned_head_keeps_both_lenses() -> None:
    right, left, total = lens_darkness(35.0)
    assert min(right, left) > 0.95 * max(right, left)
    # The front narrows by cos(35 deg) = 0.82, the near arm adds a little.
    assert total > 0.75 * lens_darkness(0.0)[2]


def beside(degrees: float, side: float) -> float:
    """How much the glasses darken a short run of the row of the hinges just outside the
    front, on the person's left (``side`` 1) or right (-1): where a near arm shows."""
    glasses = Catalog().load("glasses")
    faces = Faces(turned_face(degrees)[None])
    out = glasses.apply(np.full((300, 400, 3), 160, np.uint8), faces, 0.0)
    g = measure(faces)
    x, y = g.face_to_image(0, "eyes_center", (side * 1.08, -0.23))
    xs = np.arange(int(x), int(x + side * 0.3 * float(g.size_px[0])), int(side))
    rows = slice(int(round(y)) - 3, int(round(y)) + 4)
    return float((160 - out[rows, xs].astype(float).mean(axis=2)).mean())


def test_no_arm_shows_from_the_front() -> None:
    assert beside(0.0, 1.0) < 1 and beside(0.0, -1.0) < 1


@pytest.mark.parametrize("degrees", [35.0, -35.0])
def test_the_near_arm_shows_on_a_turned_head(degrees: float) -> None:
    near = -1.0 if degrees > 0 else 1.0  # turned_face's +yaw turns the left side away
    assert beside(degrees, near) > 20, "the near arm runs back from its hinge"
