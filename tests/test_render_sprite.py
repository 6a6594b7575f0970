"""Sprites: premultiplied alpha, similarity placement and clipped compositing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facefilters.render.sprite import Sprite, draw_sprite, similarity_matrix

IDENTITY_AXES = (np.array([1.0, 0.0]), np.array([0.0, 1.0]))


def axes(roll_deg: float, mirrored: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Face-frame unit vectors turned clockwise on screen, optionally reflected."""
    a = np.radians(roll_deg)
    ax = np.array([np.cos(a), np.sin(a)])
    ay = np.array([-np.sin(a), np.cos(a)])
    return (-ax if mirrored else ax), ay


def placed_at(
    xy, scale: float = 1.0, roll_deg: float = 0.0, pin=(0.0, 0.0), mirrored: bool = False
) -> np.ndarray:
    return similarity_matrix(pin, np.asarray(xy, np.float64), scale, *axes(roll_deg, mirrored))


def solid(w: int, h: int, bgr: tuple[int, int, int], alpha: int = 255) -> np.ndarray:
    img = np.empty((h, w, 4), np.uint8)
    img[...] = (*bgr, alpha)
    return img


def white_disc(size: int, transparent_rgb: int) -> np.ndarray:
    """A white disc with an anti-aliased edge, in straight alpha.

    Args:
        size: width and height in pixels.
        transparent_rgb: the colour stored where alpha is 0 (255 white, or 0 black as
            most image editors save it).
    """
    alpha = np.zeros((size, size), np.uint8)
    c = (size / 2 - 0.5) * 16
    cv2.circle(alpha, (round(c), round(c)), round((size / 2 - 2.3) * 16), 255, -1, cv2.LINE_AA, 4)
    img = np.empty((size, size, 4), np.uint8)
    img[..., :3] = np.where(alpha[..., None] > 0, 255, transparent_rgb)
    img[..., 3] = alpha
    return img


def busy_sprite(w: int = 40, h: int = 30) -> Sprite:
    """Colour gradients with an alpha ramp and a hole: any misplaced pixel shows."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.empty((h, w, 4), np.uint8)
    img[..., 0] = (xx * 255 // (w - 1)).astype(np.uint8)
    img[..., 1] = (yy * 255 // (h - 1)).astype(np.uint8)
    img[..., 2] = 200
    img[..., 3] = np.clip(80 + xx * 5, 0, 255).astype(np.uint8)
    img[h // 3 : h // 2, w // 3 : w // 2, 3] = 0
    return Sprite.from_bgra(img)


def pattern_frame(w: int = 120, h: int = 100) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    frame = np.empty((h, w, 3), np.uint8)
    frame[..., 0] = (xx * 2) % 256
    frame[..., 1] = (yy * 2) % 256
    frame[..., 2] = 60
    return frame


# --- Sprite.from_bgra ------------------------------------------------------------------


def test_from_bgra_premultiplies():
    bgra = np.array([[[200, 100, 50, 128], [255, 255, 255, 0], [10, 20, 30, 255]]], np.uint8)
    pm = Sprite.from_bgra(bgra).premultiplied
    assert pm.dtype == np.float32
    assert pm.shape == (1, 3, 4)
    a = 128 / 255
    np.testing.assert_allclose(pm[0, 0], [200 / 255 * a, 100 / 255 * a, 50 / 255 * a, a], rtol=1e-6)
    np.testing.assert_array_equal(pm[0, 1], [0, 0, 0, 0])
    np.testing.assert_allclose(pm[0, 2], [10 / 255, 20 / 255, 30 / 255, 1.0], rtol=1e-6)


def test_from_bgra_does_not_modify_its_input():
    bgra = solid(4, 3, (10, 20, 30), 100)
    before = bgra.copy()
    Sprite.from_bgra(bgra)
    np.testing.assert_array_equal(bgra, before)


def test_size_wh():
    assert Sprite.from_bgra(solid(7, 3, (0, 0, 0))).size_wh == (7, 3)


@pytest.mark.parametrize(
    ("image", "expected_error"),
    [
        (np.zeros((4, 4, 3), np.uint8), "got uint8 (4, 4, 3)"),
        (np.zeros((4, 4), np.uint8), "got uint8 (4, 4)"),
        (np.zeros((4, 4, 4), np.float32), "got float32 (4, 4, 4)"),
        (np.zeros((4, 4, 4), np.uint16), "got uint16 (4, 4, 4)"),
    ],
)
def test_from_bgra_rejects_other_images(image, expected_error):
    with pytest.raises(ValueError, match="expected BGRA uint8 of shape") as excinfo:
        Sprite.from_bgra(image)
    assert expected_error in str(excinfo.value)


# --- similarity_matrix -----------------------------------------------------------------


def apply(matrix: np.ndarray, points) -> np.ndarray:
    pts = np.asarray(points, np.float64)
    return pts @ matrix[:, :2].T + matrix[:, 2]


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize("roll_deg", [0.0, 30.0, -75.0, 180.0])
@pytest.mark.parametrize("scale", [0.25, 1.0, 3.5])
def test_similarity_maps_pin_to_target_and_turns_with_the_axes(scale, roll_deg, mirrored):
    ax, ay = axes(roll_deg, mirrored)
    pin, target = (12.0, 30.0), np.array([210.5, -40.0])
    m = similarity_matrix(pin, target, scale, ax, ay)
    assert m.shape == (2, 3)
    assert m.dtype == np.float64
    np.testing.assert_allclose(apply(m, [pin])[0], target, atol=1e-9)
    # One sprite pixel along +x / +y lands `scale` pixels along axis_x / axis_y.
    np.testing.assert_allclose(apply(m, [(pin[0] + 1, pin[1])])[0], target + scale * ax, atol=1e-9)
    np.testing.assert_allclose(apply(m, [(pin[0], pin[1] + 1)])[0], target + scale * ay, atol=1e-9)
    # Distances scale uniformly: a similarity, no shear.
    linear = m[:, :2]
    np.testing.assert_allclose(linear.T @ linear, scale**2 * np.eye(2), atol=1e-9)
    det = np.linalg.det(linear)
    assert det == pytest.approx((-1 if mirrored else 1) * scale**2)


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_similarity_round_trips_through_its_inverse(mirrored):
    m = similarity_matrix((5.0, 7.0), np.array([100.0, 80.0]), 1.7, *axes(23.0, mirrored))
    inverse = cv2.invertAffineTransform(m)
    pts = np.array([[0.0, 0.0], [64.0, 0.0], [64.0, 48.0], [-3.5, 11.25]])
    np.testing.assert_allclose(apply(inverse, apply(m, pts)), pts, atol=1e-9)
    # Pairwise distances grow by exactly the scale.
    d_in = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    mapped = apply(m, pts)
    d_out = np.linalg.norm(mapped[:, None] - mapped[None], axis=-1)
    np.testing.assert_allclose(d_out, 1.7 * d_in, atol=1e-9)


# --- draw_sprite: exact compositing ----------------------------------------------------


def test_opaque_square_is_composited_exactly(frame):
    sprite = Sprite.from_bgra(solid(20, 20, (10, 200, 30)))
    before = frame.copy()
    out = draw_sprite(frame, sprite, placed_at((10, 10)))
    assert out is frame
    assert frame.dtype == np.uint8
    assert frame.shape == before.shape
    np.testing.assert_array_equal(frame[10:30, 10:30], np.broadcast_to((10, 200, 30), (20, 20, 3)))
    outside = np.ones(frame.shape[:2], bool)
    outside[10:30, 10:30] = False
    np.testing.assert_array_equal(frame[outside], before[outside])


def test_pin_lands_on_target(frame):
    # A 9x9 sprite with one opaque pixel at (6, 2), pinned by that pixel's centre.
    img = solid(9, 9, (255, 255, 255), 0)
    img[2, 6] = (0, 0, 255, 255)
    draw_sprite(frame, Sprite.from_bgra(img), placed_at((100.5, 50.5), pin=(6.5, 2.5)))
    np.testing.assert_array_equal(frame[50, 100], (0, 0, 255))
    assert np.count_nonzero(np.any(frame != 128, axis=2)) == 1


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize(
    ("scale", "roll_deg", "atol"),
    [
        (1.0, 0.0, 0.1),
        (3.0, 0.0, 0.1),
        (2.0, 30.0, 0.1),
        (1.0, -45.0, 0.1),
        (3.5, 110.0, 0.1),
        # Bilinear minification samples rather than averages, so edges snap to pixels.
        (0.5, 0.0, 0.3),
    ],
)
def test_placed_square_is_centred_on_target_and_scaled(scale, roll_deg, atol, mirrored):
    # Continuous coordinates: pixel (i, j) covers [i, i+1] x [j, j+1], its centre is
    # (i + 0.5, j + 0.5). The coverage-weighted centroid of the drawn square must be
    # the target its centre was pinned to, whatever the scale and rotation.
    img = solid(24, 24, (255, 255, 255), 0)
    img[2:22, 2:22, 3] = 255  # a transparent margin, as real assets have
    frame = np.zeros((200, 200, 3), np.uint8)
    target = (100.0, 90.25)
    m = placed_at(target, scale, roll_deg, (12.0, 12.0), mirrored)
    draw_sprite(frame, Sprite.from_bgra(img), m)
    cover = frame[..., 0].astype(np.float64) / 255
    yy, xx = np.mgrid[0:200, 0:200] + 0.5
    centroid = np.array([(cover * xx).sum(), (cover * yy).sum()]) / cover.sum()
    np.testing.assert_allclose(centroid, target, atol=atol)
    assert cover.sum() == pytest.approx((20 * scale) ** 2, rel=0.03)


def test_transparent_sprite_leaves_frame_untouched(frame):
    before = frame.copy()
    draw_sprite(
        frame,
        Sprite.from_bgra(solid(30, 30, (255, 255, 255), 0)),
        placed_at((50, 60), scale=2.3, roll_deg=17),
    )
    np.testing.assert_array_equal(frame, before)


@pytest.mark.parametrize(
    ("sprite_alpha", "opacity"),
    [(128, 1.0), (255, 0.5)],
    ids=["alpha-50%", "opacity-50%"],
)
def test_half_alpha_blends_to_the_midpoint(sprite_alpha, opacity):
    frame = np.empty((40, 40, 3), np.uint8)
    frame[...] = (40, 100, 250)
    sprite = Sprite.from_bgra(solid(20, 20, (240, 20, 90), sprite_alpha))
    draw_sprite(frame, sprite, placed_at((10, 10)), opacity=opacity)
    midpoint = (np.array([40, 100, 250]) + np.array([240, 20, 90])) / 2
    assert np.abs(frame[10:30, 10:30].astype(float) - midpoint).max() <= 1.0
    np.testing.assert_array_equal(frame[0, 0], (40, 100, 250))


@pytest.mark.parametrize("opacity", [0.0, -0.5])
def test_opacity_zero_is_a_no_op(frame, opacity):
    before = frame.copy()
    out = draw_sprite(
        frame, Sprite.from_bgra(solid(20, 20, (0, 0, 0))), placed_at((10, 10)), opacity=opacity
    )
    assert out is frame
    np.testing.assert_array_equal(frame, before)


# --- draw_sprite: no dark fringes ------------------------------------------------------


@pytest.mark.parametrize("transparent_rgb", [255, 0], ids=["white-rgb", "black-rgb"])
@pytest.mark.parametrize(
    ("scale", "roll_deg", "center"),
    [
        (1.0, 0.0, (100.0, 100.0)),
        (0.37, 0.0, (100.3, 99.6)),
        (2.3, 17.0, (101.25, 98.5)),
        (5.0, 45.0, (100.5, 100.5)),
        (0.8, 123.0, (99.9, 100.2)),
        (1.6, -61.0, (10.0, 190.0)),  # clipped by the frame too
    ],
)
def test_white_disc_over_white_has_no_dark_fringe(transparent_rgb, scale, roll_deg, center):
    sprite = Sprite.from_bgra(white_disc(48, transparent_rgb))
    m = placed_at(center, scale=scale, roll_deg=roll_deg, pin=(24.0, 24.0))
    frame = np.full((200, 200, 3), 255, np.uint8)
    draw_sprite(frame, sprite, m)
    assert frame.min() >= 254
    # The same placement over black shows the disc really was drawn here, edge and all.
    dark = np.zeros_like(frame)
    draw_sprite(dark, sprite, m)
    assert np.count_nonzero(dark[..., 0] == 255) > 20
    assert np.count_nonzero((dark[..., 0] > 0) & (dark[..., 0] < 255)) > 4


# --- draw_sprite: clipping -------------------------------------------------------------

W, H = 120, 100
PAD = 400

# (where the sprite's centre goes, scale, region of the frame that must stay untouched)
CLIP_CASES = {
    "left": ((0.0, 50.0), 1.0, (slice(None), slice(W // 2, None))),
    "right": ((W - 1.0, 50.0), 1.0, (slice(None), slice(None, W // 2))),
    "top": ((60.0, 0.0), 1.0, (slice(H // 2, None), slice(None))),
    "bottom": ((60.0, H - 1.0), 1.0, (slice(None, H // 2), slice(None))),
    "top-left": ((0.0, 0.0), 1.0, (slice(H // 2, None), slice(W // 2, None))),
    "top-right": ((W - 1.0, 0.0), 1.0, (slice(H // 2, None), slice(None, W // 2))),
    "bottom-left": ((0.0, H - 1.0), 1.0, (slice(None, H // 2), slice(W // 2, None))),
    "bottom-right": ((W - 1.0, H - 1.0), 1.0, (slice(None, H // 2), slice(None, W // 2))),
    "negative-xy": ((-12.0, -9.0), 1.0, (slice(H // 3, None), slice(W // 3, None))),
    "larger-than-frame": ((60.0, 50.0), 9.0, None),
    "larger-offset": ((-30.0, 140.0), 12.0, None),
}


def reference_render(sprite: Sprite, matrix: np.ndarray, opacity: float = 1.0) -> np.ndarray:
    """Draw on a canvas big enough to hold the whole sprite, then cut out the frame."""
    canvas = np.zeros((H + 2 * PAD, W + 2 * PAD, 3), np.uint8)
    canvas[PAD : PAD + H, PAD : PAD + W] = pattern_frame(W, H)
    shifted = matrix.copy()
    shifted[:, 2] += PAD
    draw_sprite(canvas, sprite, shifted, opacity)
    return canvas[PAD : PAD + H, PAD : PAD + W]


@pytest.mark.parametrize("roll_deg", [0.0, 20.0])
@pytest.mark.parametrize("case", list(CLIP_CASES))
def test_clipped_sprite_matches_the_unclipped_reference(case, roll_deg):
    center, scale, untouched = CLIP_CASES[case]
    sprite = busy_sprite()
    m = placed_at(center, scale=scale, roll_deg=roll_deg, pin=(20.0, 15.0))
    frame = pattern_frame(W, H)
    before = frame.copy()
    out = draw_sprite(frame, sprite, m, opacity=0.9)
    assert out is frame
    assert frame.shape == (H, W, 3) and frame.dtype == np.uint8
    expected = reference_render(sprite, m, opacity=0.9)
    diff = np.abs(frame.astype(int) - expected.astype(int)).max(axis=2)
    # warpAffine samples at 1/32 source pixel; with the origin elsewhere a few samples
    # on the hole's hard alpha edge round the other way, worth a few levels when
    # magnified. A misplaced sprite would differ by tens of levels along every edge.
    assert diff.max() <= 4
    assert np.count_nonzero(diff > 1) <= 0.005 * diff.size
    assert np.any(frame != before), "the in-frame part of the sprite was not drawn"
    if untouched is not None:
        # No wrap-around: negative or too-large indices must not draw on the far side.
        np.testing.assert_array_equal(frame[untouched], before[untouched])


@pytest.mark.parametrize(
    "center",
    [
        (-200.0, 50.0),
        (400.0, 50.0),
        (60.0, -200.0),
        (60.0, 400.0),
        (-300.0, -300.0),
        (W + 25.0, H + 20.0),
        (-25.0, -20.0),
    ],
)
def test_sprite_wholly_outside_changes_nothing(center):
    frame = pattern_frame(W, H)
    before = frame.copy()
    m = placed_at(center, scale=1.0, roll_deg=10.0, pin=(20.0, 15.0))
    assert draw_sprite(frame, busy_sprite(), m) is frame
    np.testing.assert_array_equal(frame, before)


def test_draws_into_a_view_in_place():
    # Renderers pass slices of a bigger frame; the parent must see the change.
    big = np.zeros((60, 80, 3), np.uint8)
    view = big[10:50, 20:70]
    draw_sprite(view, Sprite.from_bgra(solid(10, 10, (1, 2, 3))), placed_at((0, 0)))
    np.testing.assert_array_equal(big[10:20, 20:30], np.broadcast_to((1, 2, 3), (10, 10, 3)))
    assert np.count_nonzero(big) == 3 * 100
