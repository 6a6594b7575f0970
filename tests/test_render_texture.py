"""UV textures on a face: colour where the mesh covers, nothing elsewhere, blend modes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facefilters.render.meshmap import canonical_face, folds
from facefilters.render.texture import BLENDS, FaceTexture, draw_texture

from builders import turned_face

FRAME_HW = (300, 400)


def flat_face(size: float = 200.0, offset_xy=(100.0, 50.0)) -> np.ndarray:
    """A frontal face whose mesh is the UV layout itself: (478, 3) float32 pixels.

    ``z`` is the canonical depth, negated so the nose is nearest (smallest), as FaceMesh
    reports it; the ten iris points sit at the eye centres.
    """
    model = canonical_face()
    xyz = np.zeros((478, 3), np.float32)
    xyz[:468, :2] = model.uv * size + np.float32(offset_xy)
    xyz[:468, 2] = -model.canonical_xyz[:, 2] * size / 15
    xyz[468:473, :2] = xyz[[33, 133], :2].mean(axis=0)
    xyz[473:478, :2] = xyz[[263, 362], :2].mean(axis=0)
    return xyz


def mesh_area(xyz: np.ndarray, shape_hw=FRAME_HW) -> np.ndarray:
    """Pixels the mesh covers: ndarray (H, W) of bool."""
    mask = np.zeros(shape_hw, np.uint8)
    pts = np.round(xyz[:468, :2][canonical_face().triangles]).astype(np.int32)
    cv2.fillPoly(mask, list(pts), 1)
    return mask.astype(bool)


def solid(bgr, alpha: int, size: int = 64) -> FaceTexture:
    img = np.empty((size, size, 4), np.uint8)
    img[...] = (*bgr, alpha)
    return FaceTexture.from_bgra(img)


def textured_frame(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(40, 216, (*FRAME_HW, 3), dtype=np.uint8)


def eroded(mask: np.ndarray, px: int) -> np.ndarray:
    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), kernel).astype(bool)


def test_flat_colour_paints_the_covered_area_that_colour() -> None:
    frame = textured_frame()
    face = flat_face()
    draw_texture(frame, face, solid((10, 200, 30), 255), blend="normal")
    inner = eroded(mesh_area(face), 3)
    assert inner.sum() > 10000
    assert np.abs(frame[inner].astype(int) - (10, 200, 30)).max() <= 2


@pytest.mark.parametrize("blend", BLENDS)
@pytest.mark.parametrize(
    ("texture", "opacity"),
    [
        (solid((0, 0, 255), 0), 1.0),  # fully transparent
        (solid((0, 0, 255), 255), 0.0),  # opacity 0
    ],
    ids=["transparent", "opacity_0"],
)
def test_nothing_to_draw_changes_nothing(texture, opacity, blend) -> None:
    frame = textured_frame()
    before = frame.copy()
    draw_texture(frame, flat_face(), texture, opacity=opacity, blend=blend)
    np.testing.assert_array_equal(frame, before)


@pytest.mark.parametrize("blend", BLENDS)
def test_outside_the_face_is_untouched(blend: str) -> None:
    frame = textured_frame()
    before = frame.copy()
    face = flat_face()
    draw_texture(frame, face, solid((250, 5, 120), 255), blend=blend)
    outside = ~cv2.dilate(mesh_area(face).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    np.testing.assert_array_equal(frame[outside], before[outside])
    assert (frame != before).any()


def test_half_opacity_is_half_way() -> None:
    frame = np.full((*FRAME_HW, 3), 200, np.uint8)
    face = flat_face()
    draw_texture(frame, face, solid((0, 0, 0), 255), opacity=0.5)
    inner = eroded(mesh_area(face), 3)
    assert np.abs(frame[inner].astype(int) - 100).max() <= 2


def test_multiply_by_white_changes_nothing_and_by_grey_halves() -> None:
    face = flat_face()
    inner = eroded(mesh_area(face), 3)
    frame = textured_frame()
    before = frame.copy()
    draw_texture(frame, face, solid((255, 255, 255), 255), blend="multiply")
    assert np.abs(frame.astype(int) - before).max() <= 1
    draw_texture(frame, face, solid((128, 128, 128), 255), blend="multiply")
    expected = before[inner].astype(int) * 128 / 255
    assert np.abs(frame[inner] - expected).max() <= 1.5


def test_paint_on_even_skin_is_the_paint_colour() -> None:
    frame = np.full((*FRAME_HW, 3), 150, np.uint8)
    face = flat_face()
    draw_texture(frame, face, solid((30, 60, 220), 255), blend="paint")
    inner = eroded(mesh_area(face), 8)
    assert np.abs(frame[inner].astype(int) - (30, 60, 220)).max() <= 3


def test_paint_keeps_the_skins_shading() -> None:
    # Skin lit from the left: the paint must be lighter on the left than on the right,
    # where a "normal" blend paints both halves the same.
    frame = np.empty((*FRAME_HW, 3), np.uint8)
    frame[...] = np.linspace(220, 80, FRAME_HW[1]).astype(np.uint8)[None, :, None]
    face = flat_face()
    inner = eroded(mesh_area(face), 8)
    left = inner & (np.arange(FRAME_HW[1]) < 160)[None, :]
    right = inner & (np.arange(FRAME_HW[1]) > 240)[None, :]
    painted = {}
    for blend in ("normal", "paint"):
        out = frame.copy()
        draw_texture(out, face, solid((40, 160, 40), 255), blend=blend)
        painted[blend] = out[..., 1].astype(float)
    assert painted["normal"][left].mean() == pytest.approx(painted["normal"][right].mean(), abs=1)
    assert painted["paint"][left].mean() > painted["paint"][right].mean() + 40


def test_texture_follows_the_uv_layout() -> None:
    # Left half of the texture red, right half blue: the person's right cheek (picture
    # left) turns red, the left cheek blue.
    tex = np.zeros((128, 128, 4), np.uint8)
    tex[:, :64] = (0, 0, 255, 255)
    tex[:, 64:] = (255, 0, 0, 255)
    frame = np.zeros((*FRAME_HW, 3), np.uint8)
    face = flat_face()
    draw_texture(frame, face, FaceTexture.from_bgra(tex))
    right_cheek, left_cheek = face[234, :2] + (15, 0), face[454, :2] - (15, 0)
    assert tuple(frame[int(right_cheek[1]), int(right_cheek[0])]) == (0, 0, 255)
    assert tuple(frame[int(left_cheek[1]), int(left_cheek[0])]) == (255, 0, 0)


@pytest.mark.parametrize("offset_xy", [(-150.0, -100.0), (300.0, 200.0), (-500.0, 0.0)])
def test_face_partly_or_wholly_outside_the_frame(offset_xy) -> None:
    frame = textured_frame()
    face = flat_face(offset_xy=offset_xy)
    draw_texture(frame, face, solid((0, 255, 0), 255), feather_px=0)
    area = mesh_area(face)
    if area.any():
        assert (frame[eroded(area, 2)] == (0, 255, 0)).all()
    else:
        np.testing.assert_array_equal(frame, textured_frame())


def test_levels_halve_down_to_small_sizes() -> None:
    tex = solid((1, 2, 3), 255, size=1024)
    sizes = [level.shape[0] for level in tex.levels]
    assert sizes == [1024, 512, 256, 128, 64, 32]


@pytest.mark.parametrize(
    ("bgra", "blend", "error"),
    [
        (np.zeros((8, 8, 3), np.uint8), "normal", ValueError),
        (np.zeros((8, 8, 4), np.float32), "normal", ValueError),
        (np.zeros((8, 8, 4), np.uint8), "screen", ValueError),
        (np.zeros((8, 8, 4), np.uint8), "paint", None),
    ],
)
def test_bad_input_is_refused(bgra, blend, error) -> None:
    frame = textured_frame()
    if error is None:
        draw_texture(frame, flat_face(), FaceTexture.from_bgra(bgra), blend=blend)
        return
    with pytest.raises(error):
        draw_texture(frame, flat_face(), FaceTexture.from_bgra(bgra), blend=blend)


@pytest.mark.parametrize("degrees", [0.0, 35.0, -35.0])
@pytest.mark.parametrize("blend", BLENDS)
def test_drawing_only_the_painted_triangles_changes_nothing(degrees, blend) -> None:
    # Paint on one cheek and a spot on the nose's side: only their triangles' box is
    # drawn, yet the picture is the one drawing every triangle gives, occlusion included.
    tex = np.zeros((256, 256, 4), np.uint8)
    cv2.circle(tex, (70, 160), 30, (40, 200, 250, 255), -1)
    cv2.circle(tex, (140, 120), 8, (250, 60, 60, 200), -1)
    partial = FaceTexture.from_bgra(tex)
    assert 0 < partial.painted.sum() < 0.3 * len(partial.painted)
    everything = FaceTexture.from_bgra(tex)
    object.__setattr__(everything, "painted", np.ones_like(partial.painted))
    face = turned_face(degrees)
    frames = [textured_frame(), textured_frame()]
    draw_texture(frames[0], face, partial, blend=blend)
    draw_texture(frames[1], face, everything, blend=blend)
    assert (frames[0] != textured_frame()).any()
    # OpenCV 5's vectorised arithmetic rounds a few pixels of a smaller box one level
    # differently (1 of 360,000 here); OpenCV 4 gives the same picture exactly.
    difference = np.abs(frames[0].astype(np.int16) - frames[1].astype(np.int16))
    assert difference.max() <= 1 and (difference > 0).sum() <= 4


def test_a_transparent_texture_paints_no_triangle() -> None:
    empty = FaceTexture.from_bgra(np.zeros((64, 64, 4), np.uint8))
    assert not empty.painted.any()
    frame = textured_frame()
    draw_texture(frame, flat_face(), empty)
    np.testing.assert_array_equal(frame, textured_frame())


def test_a_tiny_speck_still_marks_its_triangle() -> None:
    # One texel of paint in a big texture: the triangle under it is drawn.
    tex = np.zeros((1024, 1024, 4), np.uint8)
    tex[600, 300] = (0, 0, 255, 255)
    assert 1 <= FaceTexture.from_bgra(tex).painted.sum() <= 12


@pytest.mark.parametrize(
    ("degrees", "folded"), [(0.0, False), (5.0, False), (25.0, True), (-35.0, True)]
)
def test_a_turned_head_folds_the_mesh(degrees: float, folded: bool) -> None:
    xy = turned_face(degrees)[:468, :2]
    corners = xy[canonical_face().triangles]
    assert folds(corners) is folded
    assert folds(corners[:, :, ::-1]) is folded  # mirrored
