"""Face swap on synthetic meshes: where pixels change, what is kept, colour, trading."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from facefilters.render.meshmap import canonical_face
from facefilters.render.swap import (
    BLENDS,
    INNER_LIPS,
    LEFT_EYE,
    MIN_EYE_PX,
    PRINT_SIZE_WH,
    RIGHT_EYE,
    SwapSource,
    face_print,
    likeness,
    same_face,
    skin_colour,
    swap_face,
    trade_faces,
)

from builders import turned_face

FRAME_HW = (300, 400)
SOURCE_BGR = (40, 90, 200)


def flat_face(
    size: float = 200.0, offset_xy=(100.0, 50.0), mirrored: bool = False, mouth_px: float = 0.0
) -> np.ndarray:
    """A frontal face whose mesh is the UV layout itself: (478, 3) float32 pixels.

    ``z`` is the canonical depth, negated so the nose is nearest, as FaceMesh reports it;
    the iris points sit at the eye centres (eye distance 0.3 ``size``). ``mirrored``
    flips it about its vertical middle, as a selfie view shows it; ``mouth_px`` opens the
    mouth by moving the lower lip and everything below it down.
    """
    model = canonical_face()
    uv = model.uv.copy()
    if mirrored:
        uv[:, 0] = 1.0 - uv[:, 0]
    xyz = np.zeros((478, 3), np.float32)
    xyz[:468, :2] = uv * size + np.float32(offset_xy)
    lip_line = model.uv[13, 1] + 0.25 * (model.uv[14, 1] - model.uv[13, 1])
    xyz[:468, 1] += np.where(model.uv[:, 1] > lip_line, mouth_px, 0.0)
    xyz[:468, 2] = -model.canonical_xyz[:, 2] * size / 15
    xyz[468:473, :2] = xyz[[33, 133], :2].mean(axis=0)
    xyz[473:478, :2] = xyz[[263, 362], :2].mean(axis=0)
    return xyz


def polygon(xyz: np.ndarray, indices, shape_hw=FRAME_HW) -> np.ndarray:
    """Pixels inside a landmark polygon: ndarray (H, W) of bool."""
    mask = np.zeros(shape_hw, np.uint8)
    cv2.fillPoly(mask, [np.round(xyz[list(indices), :2]).astype(np.int32)], 1)
    return mask.astype(bool)


def hull(xyz: np.ndarray, shape_hw=FRAME_HW) -> np.ndarray:
    """Pixels inside the convex hull of the mesh: ndarray (H, W) of bool."""
    mask = np.zeros(shape_hw, np.uint8)
    pts = cv2.convexHull(np.round(xyz[:468, :2]).astype(np.int32))
    cv2.fillConvexPoly(mask, pts, 1)
    return mask.astype(bool)


def eroded(mask: np.ndarray, px: int) -> np.ndarray:
    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), kernel).astype(bool)


def grown(mask: np.ndarray, px: int) -> np.ndarray:
    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)


def textured_frame(seed: int = 0, shape_hw=FRAME_HW) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(40, 216, (*shape_hw, 3), dtype=np.uint8)


def skin_frame(bgr, seed: int = 1, noise: int = 12, shape_hw=FRAME_HW) -> np.ndarray:
    """A picture of one colour with some grain, so its spread is not zero."""
    rng = np.random.default_rng(seed)
    grain = rng.integers(-noise, noise + 1, (*shape_hw, 3))
    return np.clip(np.int32(bgr) + grain, 0, 255).astype(np.uint8)


def flat_source(bgr=SOURCE_BGR, **face) -> SwapSource:
    image = np.empty((*FRAME_HW, 3), np.uint8)
    image[...] = bgr
    return SwapSource.from_image(image, flat_face(**face))


def features(xyz: np.ndarray, px: int = 4, shape_hw=FRAME_HW) -> np.ndarray:
    """The eyes and the mouth opening, grown: where kept target pixels may show."""
    return grown(
        polygon(xyz, RIGHT_EYE, shape_hw)
        | polygon(xyz, LEFT_EYE, shape_hw)
        | polygon(xyz, INNER_LIPS, shape_hw),
        px,
    )


def core(xyz: np.ndarray, shape_hw=FRAME_HW) -> np.ndarray:
    """Where the new face shows fully: the hull past the feather (a third of an eye distance
    in, more below the forehead's top), off the kept eyes and mouth."""
    eye = float(np.hypot(*(xyz[473, :2] - xyz[468, :2])))
    inside = eroded(hull(xyz, shape_hw), int(np.ceil(0.35 * eye)))
    below = (np.arange(shape_hw[0]) - xyz[:468, 1].min())[:, None] > 0.6 * eye
    return inside & below & ~features(xyz, 4, shape_hw)


def lab_mean(frame: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_BGR2LAB)[mask].mean(axis=0)


@pytest.mark.parametrize("blend", BLENDS)
@pytest.mark.parametrize("mirrored", [False, True])
def test_only_pixels_inside_the_target_hull_change(blend: str, mirrored: bool) -> None:
    frame = textured_frame()
    before = frame.copy()
    target = flat_face(size=160, offset_xy=(130, 60), mirrored=mirrored)
    swap_face(frame, target, flat_source(), blend=blend)
    outside = ~grown(hull(target), 1)
    np.testing.assert_array_equal(frame[outside], before[outside])
    assert (frame != before).any(axis=2).sum() > 0.5 * hull(target).sum()


def test_the_inside_becomes_the_source_face() -> None:
    frame = textured_frame()
    target = flat_face(size=160, offset_xy=(130, 60))
    swap_face(frame, target, flat_source(), color_match=False)
    inner = core(target)
    assert inner.sum() > 5000
    assert np.abs(frame[inner].astype(int) - SOURCE_BGR).max() <= 2


@pytest.mark.parametrize("degrees", [0.0, 25.0, -25.0, 40.0])
def test_a_turned_face_is_covered_without_holes(degrees: float) -> None:
    # Where the mesh folds, triangles thinner than a pixel must not let the target (or
    # anything outside the source face) show through.
    image = np.zeros((*FRAME_HW, 3), np.uint8)
    image[hull(flat_face())] = SOURCE_BGR
    frame = textured_frame()
    target = turned_face(degrees)
    swap_face(frame, target, SwapSource.from_image(image, flat_face()), color_match=False)
    inner = core(target)
    assert inner.sum() > 4000
    assert np.abs(frame[inner].astype(int) - SOURCE_BGR).max() <= 2


def test_a_sliver_triangle_leaves_no_hole() -> None:
    # One triangle (landmarks 117, 111, 116, on the right cheek) squashed to 0.3 pixels
    # and brought nearest, as at a fold: its line of pixels must still show the face.
    target = flat_face()
    a, b = target[117, :2], target[111, :2]
    across = np.float32((b - a)[::-1] * (-1, 1)) / np.hypot(*(b - a))
    side = np.sign(np.dot(target[116, :2] - (a + b) / 2, across))
    target[116, :2] = (a + b) / 2 + side * 0.3 * across
    target[116, 2] = -100.0
    image = np.zeros((*FRAME_HW, 3), np.uint8)
    image[hull(flat_face())] = SOURCE_BGR
    frame = textured_frame()
    swap_face(frame, target, SwapSource.from_image(image, flat_face()), color_match=False)
    inner = core(target)
    assert np.abs(frame[inner].astype(int) - SOURCE_BGR).max() <= 2


def test_the_source_keeps_its_sides_on_a_mirrored_target() -> None:
    # The source's picture-left half (the person's right side) is red, the other blue.
    # On a mirrored target the person's right side is on the picture's right: red there.
    image = np.empty((*FRAME_HW, 3), np.uint8)
    image[:, :200] = (0, 0, 255)
    image[:, 200:] = (255, 0, 0)
    source = SwapSource.from_image(image, flat_face())
    for mirrored, right_side_x in ((False, 150), (True, 250)):
        frame = textured_frame()
        swap_face(frame, flat_face(mirrored=mirrored), source, color_match=False)
        other_x = 400 - right_side_x
        assert tuple(frame[150, right_side_x]) == (0, 0, 255)
        assert tuple(frame[150, other_x]) == (255, 0, 0)


@pytest.mark.parametrize(
    ("keep", "contours"), [("keep_mouth", (INNER_LIPS,)), ("keep_eyes", (RIGHT_EYE, LEFT_EYE))]
)
def test_kept_features_stay_the_targets(keep: str, contours) -> None:
    target = flat_face(mouth_px=16)
    opening = np.zeros(FRAME_HW, bool)
    for contour in contours:
        opening |= polygon(target, contour)
    # Inside the opening, past its soft edge (0.035 eye distances of 60 pixels).
    core = eroded(opening, 3)
    assert core.sum() > 40
    results = {}
    for on in (True, False):
        frame = textured_frame()
        swap_face(frame, target, flat_source(), color_match=False, **{keep: on})
        results[on] = frame
    np.testing.assert_array_equal(results[True][core], textured_frame()[core])
    assert np.abs(results[False][core].astype(int) - SOURCE_BGR).max() <= 2


def test_colour_matching_moves_the_face_to_the_targets_skin() -> None:
    source_image = skin_frame((150, 170, 230), seed=1)
    source = SwapSource.from_image(source_image, flat_face())
    target = flat_face(size=160, offset_xy=(130, 60))
    inner = core(target)
    skin = lab_mean(skin_frame((60, 100, 140), seed=2), inner)
    distance = {}
    for match in (False, True):
        frame = skin_frame((60, 100, 140), seed=2)
        swap_face(frame, target, source, color_match=match)
        distance[match] = float(np.linalg.norm(lab_mean(frame, inner) - skin))
    assert distance[False] > 40
    assert distance[True] < 3


def test_skin_colour_leaves_out_eyes_and_mouth() -> None:
    # Black eyes and lips on even skin: the skin statistics do not see them.
    image = skin_frame((120, 140, 190), noise=0)
    face = flat_face()
    for contour in (RIGHT_EYE, LEFT_EYE, INNER_LIPS):
        image[grown(polygon(face, contour), 2)] = 0
    skin = skin_colour(image, face)
    assert skin is not None
    expected = cv2.cvtColor(np.uint8([[[120, 140, 190]]]), cv2.COLOR_BGR2LAB)[0, 0]
    np.testing.assert_allclose(skin.mean_lab, expected, atol=1.0)
    assert skin.std_lab.max() < 1.0


@pytest.mark.parametrize("offset_xy", [(-150.0, -100.0), (300.0, 200.0), (-100.0, 40.0)])
@pytest.mark.parametrize("blend", BLENDS)
def test_a_face_partly_outside_the_frame_is_swapped_where_it_is(offset_xy, blend) -> None:
    frame = textured_frame()
    target = flat_face(offset_xy=offset_xy)
    swap_face(frame, target, flat_source(), blend=blend, color_match=False)
    outside = ~grown(hull(target), 1)
    np.testing.assert_array_equal(frame[outside], textured_frame()[outside])
    if blend == "alpha":
        # No fade at the frame's edge: the hull goes on beyond it.
        inner = core(target)
        edge = np.zeros(FRAME_HW, bool)
        edge[[0, -1], :] = edge[:, [0, -1]] = True
        assert (inner & edge).any()
        assert np.abs(frame[inner & edge].astype(int) - SOURCE_BGR).max() <= 2


@pytest.mark.parametrize(
    "target",
    [
        flat_face(offset_xy=(-600.0, 0.0)),  # wholly outside
        flat_face(size=MIN_EYE_PX / 0.3 * 0.9),  # eye distance just under the minimum
        np.full((478, 3), np.nan, np.float32),
        np.zeros((478, 3), np.float32),  # every point in one place
    ],
    ids=["outside", "tiny", "nan", "collapsed"],
)
@pytest.mark.parametrize("blend", BLENDS)
def test_nothing_to_swap_changes_nothing(target, blend) -> None:
    frame = textured_frame()
    swap_face(frame, target, flat_source(), blend=blend)
    np.testing.assert_array_equal(frame, textured_frame())


def test_a_source_cut_by_its_pictures_edge_fades_out_there() -> None:
    # The source's left third is outside its picture: the target keeps its own pixels
    # where that part would go, and takes the source's elsewhere.
    image = np.empty((*FRAME_HW, 3), np.uint8)
    image[...] = SOURCE_BGR
    source = SwapSource.from_image(image, flat_face(offset_xy=(-70.0, 50.0)))
    assert source.crop[:, 0, 3].max() == 0
    frame = textured_frame()
    target = flat_face()
    swap_face(frame, target, source, color_match=False)
    inner = core(target)
    cut = inner & (np.arange(400) < 150)[None, :]
    kept = inner & (np.arange(400) > 210)[None, :]
    np.testing.assert_array_equal(frame[cut], textured_frame()[cut])
    assert np.abs(frame[kept].astype(int) - SOURCE_BGR).max() <= 2


def test_a_large_source_on_a_small_face_draws_from_a_smaller_level() -> None:
    # A fine checkerboard source is drawn from its halved copies on a small face, so
    # it averages to grey instead of aliasing into stripes.
    shape = (900, 900)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    image = np.where(((xx + yy) % 2 == 0)[..., None], 255, 0).astype(np.uint8)
    image = np.ascontiguousarray(np.broadcast_to(image, (*shape, 3)))
    source = SwapSource.from_image(image, flat_face(size=800, offset_xy=(50, 50)))
    assert len(source.levels) >= 4
    frame = textured_frame()
    target = flat_face(size=100, offset_xy=(150, 100))
    swap_face(frame, target, source, color_match=False)
    inner = core(target)
    assert np.abs(frame[inner].astype(int) - 128).max() <= 20


def two_face_frame(colours) -> tuple[np.ndarray, np.ndarray]:
    """Faces side by side, each on its own flat colour: (H, W, 3) and (n, 478, 3)."""
    n = len(colours)
    frame = textured_frame(shape_hw=(220, 200 * n))
    faces = np.stack([flat_face(size=150, offset_xy=(200 * k + 25, 30)) for k in range(n)])
    for k, bgr in enumerate(colours):
        frame[:, 200 * k + 10 : 200 * k + 190][
            hull(faces[k], (220, 200 * n))[:, 200 * k + 10 : 200 * k + 190]
        ] = bgr
    return frame, faces


@pytest.mark.parametrize("n", [2, 3])
def test_trading_is_cyclic(n: int) -> None:
    colours = [(0, 0, 255), (0, 255, 0), (255, 0, 0)][:n]
    frame, faces = two_face_frame(colours)
    before = frame.copy()
    trade_faces(frame, faces, color_match=False)
    shape = frame.shape[:2]
    for k in range(n):
        inner = core(faces[k], shape)
        assert np.abs(frame[inner].astype(int) - colours[(k + 1) % n]).max() <= 2, k
    outside = ~np.logical_or.reduce([grown(hull(f, shape), 1) for f in faces])
    np.testing.assert_array_equal(frame[outside], before[outside])


def test_trading_takes_the_faces_from_the_untouched_frame() -> None:
    untouched, faces = two_face_frame([(0, 0, 255), (0, 255, 0)])
    frame = np.full_like(untouched, 128)  # what earlier effects drew
    trade_faces(frame, faces, untouched=untouched, color_match=False)
    shape = frame.shape[:2]
    inner = core(faces[0], shape)
    assert np.abs(frame[inner].astype(int) - (0, 255, 0)).max() <= 2


@pytest.mark.parametrize(
    "faces",
    [
        np.zeros((0, 478, 3), np.float32),
        flat_face(size=150, offset_xy=(25, 30))[None],
        np.stack([flat_face(size=150, offset_xy=(25, 30)), flat_face(size=10)]),  # one tiny
    ],
    ids=["none", "one", "one_and_a_tiny_one"],
)
def test_trading_needs_two_faces(faces) -> None:
    frame, _ = two_face_frame([(0, 0, 255), (0, 255, 0)])
    before = frame.copy()
    trade_faces(frame, faces)
    np.testing.assert_array_equal(frame, before)


def test_the_source_is_a_copy_and_small() -> None:
    image = textured_frame()
    face = flat_face(size=100, offset_xy=(50, 60))
    source = SwapSource.from_image(image, face)
    crop_before = source.crop.copy()
    image[...] = 0
    np.testing.assert_array_equal(source.crop, crop_before)
    h, w = source.crop.shape[:2]
    assert w < 0.5 * FRAME_HW[1] and h < 0.5 * FRAME_HW[0]
    # Landmarks follow the crop: the nose tip's pixel is the same in both.
    nose_crop = np.round(source.xyz[1, :2]).astype(int)
    nose_image = np.round(face[1, :2]).astype(int)
    np.testing.assert_array_equal(
        crop_before[nose_crop[1], nose_crop[0], :3], textured_frame()[nose_image[1], nose_image[0]]
    )


@pytest.mark.parametrize(
    ("image", "landmarks"),
    [
        (np.zeros((300, 400), np.uint8), flat_face()),  # not BGR
        (np.zeros((300, 400, 3), np.float32), flat_face()),  # not uint8
        (np.zeros((300, 400, 3), np.uint8), flat_face()[:468]),  # no irises
        (np.zeros((300, 400, 3), np.uint8), flat_face(size=20)),  # too small
        (np.zeros((300, 400, 3), np.uint8), flat_face(offset_xy=(900.0, 0.0))),  # outside
        (np.zeros((300, 400, 3), np.uint8), np.full((478, 3), np.nan, np.float32)),
    ],
    ids=["gray", "float", "468", "tiny", "outside", "nan"],
)
def test_a_bad_source_is_refused(image, landmarks) -> None:
    with pytest.raises(ValueError):
        SwapSource.from_image(image, landmarks)


def test_an_unknown_blend_is_refused() -> None:
    with pytest.raises(ValueError, match="blend"):
        swap_face(textured_frame(), flat_face(), flat_source(), blend="poisson")
    with pytest.raises(ValueError, match="blend"):
        trade_faces(textured_frame(), np.stack([flat_face()] * 2), blend="poisson")


@pytest.mark.parametrize(
    "face",
    [np.full((478, 3), np.nan, np.float32), flat_face(offset_xy=(900.0, 0.0))],
    ids=["nan", "outside"],
)
def test_skin_colour_of_no_face_is_none(face) -> None:
    assert skin_colour(textured_frame(), face) is None


# -- face prints: is this the source's own face? -----------------------------------------


def blobby_frame(seed: int, shape_hw=FRAME_HW) -> np.ndarray:
    """Smooth random shading, like a face's at print size: ndarray (H, W, 3), uint8."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (shape_hw[0] // 12, shape_hw[1] // 12, 3), dtype=np.uint8)
    return cv2.resize(small, shape_hw[::-1], interpolation=cv2.INTER_CUBIC)


def test_a_face_print_is_the_same_at_another_size_and_turn() -> None:
    frame, xyz = blobby_frame(0), flat_face()
    here = face_print(frame, xyz)
    assert here is not None and here.shape == PRINT_SIZE_WH[::-1] and here.dtype == np.float32
    assert abs(float(here.mean())) < 1e-4 and abs(float(here.std()) - 1) < 1e-3
    # The same picture at half size, turned by 30 degrees about the picture's centre.
    h, w = FRAME_HW
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 30, 0.5)
    turned = cv2.warpAffine(frame, turn, (w, h), flags=cv2.INTER_AREA)
    turned_xyz = xyz.copy()
    turned_xyz[:, :2] = xyz[:, :2] @ turn[:, :2].T + turn[:, 2]
    assert likeness(here, face_print(turned, turned_xyz)) > 0.9
    assert same_face(here, face_print(turned, turned_xyz))


def test_a_mirror_image_is_the_same_face_and_another_picture_is_not() -> None:
    frame, xyz = blobby_frame(0), flat_face()
    w = FRAME_HW[1]
    mirrored_xyz = xyz.copy()
    mirrored_xyz[:, 0] = w - 1 - xyz[:, 0]
    # The person's right iris is then on the picture's left: swap the iris points.
    mirrored_xyz[468:473], mirrored_xyz[473:478] = (
        mirrored_xyz[473:478].copy(),
        mirrored_xyz[468:473].copy(),
    )
    here = face_print(frame, xyz)
    assert likeness(here, face_print(frame[:, ::-1].copy(), mirrored_xyz)) > 0.9
    other = face_print(blobby_frame(1), xyz)
    assert not same_face(here, other)
    assert likeness(here, other) < 0.5


def test_no_print_of_a_face_too_small_or_flat() -> None:
    assert face_print(blobby_frame(0), flat_face(size=MIN_EYE_PX)) is None
    assert face_print(np.full((*FRAME_HW, 3), 128, np.uint8), flat_face()) is None
    assert likeness(None, face_print(blobby_frame(0), flat_face())) == 0.0
    assert not same_face(None, None)
