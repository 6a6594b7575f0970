"""Piecewise-affine mesh maps: exact for affine motion, finite when degenerate, depth-sorted."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.render.meshmap import (
    N_MESH,
    OUTSIDE,
    affine_coefficients,
    canonical_face,
    covering_box,
    mesh_maps,
)


def uv_mesh(size: float = 200.0, offset_xy=(20.0, 30.0)) -> tuple[np.ndarray, np.ndarray]:
    """The canonical face laid flat: vertices (468, 2) float32 and triangles (898, 3)."""
    model = canonical_face()
    return (model.uv * size + np.float32(offset_xy)).astype(np.float32), model.triangles


def box_of(xy: np.ndarray, pad: int = 2) -> tuple[int, int, int, int]:
    lo = np.floor(xy.min(axis=0)).astype(int) - pad
    hi = np.ceil(xy.max(axis=0)).astype(int) + pad
    return int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])


def pixel_grid(roi) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = roi
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    return xs, ys


def test_canonical_face_tables() -> None:
    model = canonical_face()
    assert model.triangles.shape == (898, 3)
    assert model.uv.shape == (N_MESH, 2) and model.uv.dtype == np.float32
    assert model.canonical_xyz.shape == (N_MESH, 3)
    assert model.triangles.min() == 0 and model.triangles.max() == N_MESH - 1
    assert (model.uv >= 0).all() and (model.uv <= 1).all()
    # v grows downwards like image rows; u puts the person's right eye on the left.
    forehead, chin, right_eye, left_eye = model.uv[[10, 152, 33, 263]]
    assert forehead[1] < 0.2 < 0.9 < chin[1]
    assert right_eye[0] < 0.5 < left_eye[0]


def test_identity_mapping_gives_the_pixel_grid() -> None:
    xy, triangles = uv_mesh()
    roi = box_of(xy)
    map_x, map_y, coverage = mesh_maps(xy, xy, triangles, roi)
    xs, ys = pixel_grid(roi)
    inside = coverage > 0
    assert inside.mean() > 0.5
    np.testing.assert_allclose(map_x[inside], xs[inside], atol=2e-3)
    np.testing.assert_allclose(map_y[inside], ys[inside], atol=2e-3)
    assert (map_x[~inside] == OUTSIDE).all() and (map_y[~inside] == OUTSIDE).all()


@pytest.mark.parametrize(
    ("matrix", "offset"),
    [
        (((1.0, 0.0), (0.0, 1.0)), (37.5, -12.25)),  # translation
        (((2.0, 0.0), (0.0, 0.5)), (3.0, 4.0)),  # unequal scale
        (((0.8, -0.6), (0.6, 0.8)), (100.0, 0.0)),  # rotation
        (((1.0, 0.4), (0.0, 1.0)), (0.0, 0.0)),  # shear
        (((-1.0, 0.0), (0.0, 1.0)), (500.0, 0.0)),  # mirror
    ],
)
def test_affine_motion_gives_exactly_that_affine(matrix, offset) -> None:
    xy, triangles = uv_mesh()
    a = np.asarray(matrix, np.float32)
    src = (xy @ a.T + np.float32(offset)).astype(np.float32)
    roi = box_of(xy)
    map_x, map_y, coverage = mesh_maps(xy, src, triangles, roi)
    xs, ys = pixel_grid(roi)
    inside = coverage > 0
    np.testing.assert_allclose(
        map_x[inside], (a[0, 0] * xs + a[0, 1] * ys + offset[0])[inside], atol=5e-3
    )
    np.testing.assert_allclose(
        map_y[inside], (a[1, 0] * xs + a[1, 1] * ys + offset[1])[inside], atol=5e-3
    )


def test_roi_is_a_window_onto_the_same_maps() -> None:
    xy, triangles = uv_mesh()
    src = xy * 1.5
    full = box_of(xy)
    part = (full[0] + 40, full[1] + 50, full[0] + 120, full[1] + 90)
    big_x, _, _ = mesh_maps(xy, src, triangles, full)
    small_x, _, small_cov = mesh_maps(xy, src, triangles, part)
    window = big_x[50:90, 40:120]
    inside = small_cov > 0
    np.testing.assert_allclose(small_x[inside], window[inside], atol=1e-3)


@pytest.mark.parametrize(
    "collapse",
    ["point", "line", "all_to_one_point"],
)
def test_degenerate_triangles_give_finite_maps(collapse: str) -> None:
    xy, triangles = uv_mesh()
    xy = xy.copy()
    if collapse == "point":
        xy[triangles[:100, 1]] = xy[triangles[:100, 0]]
    elif collapse == "line":
        xy[:, 1] = np.round(xy[:, 1] / 40) * 40  # many triangles flattened onto lines
    else:
        xy[:] = xy[0]
    src = canonical_face().uv * 512
    map_x, map_y, coverage = mesh_maps(xy, src, triangles, box_of(xy))
    assert np.isfinite(map_x).all() and np.isfinite(map_y).all()
    assert coverage.dtype == np.uint8 and set(np.unique(coverage)) <= {0, 255}


def test_zero_area_triangle_maps_to_its_source_centroid() -> None:
    dst = np.float32([[0, 0], [10, 0], [20, 0]])
    src = np.float32([[1, 2], [3, 4], [5, 9]])
    coef = affine_coefficients(dst, src, np.array([[0, 1, 2]]))
    a, b, c, d, e, f = coef[0]
    assert (a, b, d, e) == (0, 0, 0, 0)
    assert (c, f) == pytest.approx((3.0, 5.0))


@pytest.mark.parametrize(("near", "expected_src_x"), [("first", 1000.0), ("second", 2000.0)])
def test_the_nearer_of_two_overlapping_triangles_wins(near: str, expected_src_x: float) -> None:
    # Two triangles on top of each other; each maps to its own far-apart source.
    dst = np.float32([[10, 10], [90, 10], [50, 90], [12, 12], [88, 14], [48, 86]])
    src = dst.copy()
    src[:3, 0] += 1000.0 - 50.0
    src[3:, 0] += 2000.0 - 50.0
    depth = np.float32([0, 0, 0, 5, 5, 5]) if near == "first" else np.float32([5, 5, 5, 0, 0, 0])
    triangles = np.array([[0, 1, 2], [3, 4, 5]])
    map_x, _, coverage = mesh_maps(dst, src, triangles, (0, 0, 100, 100), depth=depth)
    # (50, 40) lies inside both; map_x there is 50 shifted by the winner's offset.
    assert coverage[40, 50] == 255
    assert map_x[40, 50] == pytest.approx(expected_src_x, abs=0.01)


@pytest.mark.parametrize(
    ("xy", "size_wh", "expected"),
    [
        ([[10.2, 20.7], [50.5, 60.1]], (640, 480), (8, 18, 54, 64)),
        ([[-30, -30], [10, 10]], (640, 480), (0, 0, 13, 13)),
        ([[600, 400], [700, 500]], (640, 480), (598, 398, 640, 480)),
        ([[-50, -50], [-10, -10]], (640, 480), None),
    ],
)
def test_covering_box(xy, size_wh, expected) -> None:
    assert covering_box(np.asarray(xy, np.float32), size_wh, pad=2) == expected


def test_empty_roi_gives_empty_maps() -> None:
    xy, triangles = uv_mesh()
    map_x, map_y, coverage = mesh_maps(xy, xy, triangles, (5, 5, 5, 40))
    assert map_x.shape == map_y.shape == coverage.shape == (35, 0)
