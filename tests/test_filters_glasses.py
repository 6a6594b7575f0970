"""The built-in sunglasses are three pieces (each lens with its hinge, and the bridge), so
the lens on the far side of a turned head fades on its own while the near one stays."""

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
    r = 0.2 * float(g.size_px[0])
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
    # Foreshortened, the lenses overlap at their centres: the far lens shows in the sum.
    # One lens of two, and a bit of bridge, is about 0.55 of the whole.
    assert total < 0.7 * front_total, "the far lens fades out"


def test_a_half_turned_head_keeps_both_lenses() -> None:
    right, left, total = lens_darkness(35.0)
    assert min(right, left) > 0.95 * max(right, left)
    assert total > 0.85 * lens_darkness(0.0)[2]  # less only where they overlap
