"""Placing a panel inside an area and off the faces (render/layout.py)."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.render.layout import is_free, place_box

AREA = (0, 0, 400, 300)


@pytest.mark.parametrize(
    ("size_wh", "avoid", "near_xy", "expected_xy"),
    [
        # Nothing in the way: centred on the wish, as far as the area allows.
        ((100, 50), [], (200, 150), (150, 125)),
        ((100, 50), [], (0, 0), (0, 0)),
        ((100, 50), [], (1000, 1000), (300, 250)),
        # A face where it wanted to go: beside it, nearest the wish.
        ((100, 50), [(100, 100, 300, 200)], (200, 150), (150, 200)),
        # Larger than the area: the area's corner.
        ((500, 50), [], (200, 150), (0, 0)),
    ],
)
def test_place_box(size_wh, avoid, near_xy, expected_xy) -> None:
    x, y = place_box(size_wh, AREA, avoid, near_xy)
    # Positions are tried 8 px apart (and at the area's far edges).
    assert abs(x - expected_xy[0]) < 8 and abs(y - expected_xy[1]) < 8, (x, y)


def test_placed_box_is_inside_and_free_when_there_is_room() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        faces = []
        for _ in range(3):
            x, y = rng.uniform(0, 350), rng.uniform(0, 250)
            faces.append((x, y, x + 40, y + 40))
        w, h = 80, 40
        x, y = place_box((w, h), AREA, faces, tuple(rng.uniform(0, 400, 2)))
        assert 0 <= x and x + w <= 400 and 0 <= y and y + h <= 300
        # Three 40 px faces leave room for an 80 x 40 panel somewhere in 400 x 300.
        assert is_free((x, y, x + w, y + h), faces)


def test_no_room_covers_least() -> None:
    # Faces everywhere but one corner strip: the panel goes there.
    faces = [(0, 0, 400, 250), (100, 250, 400, 300)]
    x, y = place_box((100, 50), AREA, faces, (300, 100))
    assert (x, y) == (0, 250)


@pytest.mark.parametrize(
    ("box", "free"),
    [
        ((0, 0, 10, 10), True),  # touching is free
        ((5, 5, 15, 15), False),
        ((20, 20, 30, 30), True),
        ((0, 0, 30, 30), False),
    ],
)
def test_is_free(box, free) -> None:
    assert is_free(box, [(10, 10, 20, 20)]) is free
