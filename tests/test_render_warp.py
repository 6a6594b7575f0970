"""Face warps: control points of the presets, the smooth field, and the remap."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from facefilters.faces import Faces
from facefilters.geometry import measure
from facefilters.render.warp import (
    MAX_STRENGTH,
    PRESETS,
    apply_warp,
    preset_controls,
    warp_maps,
    warp_roi,
)

from builders import MOUTH_Y, make_faces, place, template

FRAME_WH = (640, 480)
EYE = 60.0

# Where the landmarks the presets move sit on a real face, in the builders' template
# units (eye distances in the face frame). The builders scatter every landmark that
# geometry does not read on a spiral, which no face looks like; warps of such a face
# fold, and the warp then (rightly) holds itself back.
_RIGHT_BROW = {  # upper edge, then lower edge; the left brow mirrors it
    70: (-0.9, -0.22),
    63: (-0.75, -0.3),
    66: (-0.36, -0.34),
    107: (-0.22, -0.3),
    46: (-0.86, -0.15),
    53: (-0.72, -0.22),
    52: (-0.56, -0.26),
    65: (-0.38, -0.26),
    55: (-0.21, -0.2),
}
_LEFT_OF = {
    70: 300,
    63: 293,
    66: 296,
    107: 336,
    46: 276,
    53: 283,
    52: 282,
    65: 295,
    55: 285,
    160: 387,
    158: 385,
    144: 373,
    153: 380,
    98: 327,
    64: 294,
    50: 280,
    205: 425,
    187: 411,
    147: 376,
    123: 352,
    213: 433,
    192: 416,
    167: 393,
    32: 262,
}
_RIGHT_SIDE = {
    **_RIGHT_BROW,
    160: (-0.62, -0.05),
    158: (-0.38, -0.05),
    144: (-0.62, 0.05),
    153: (-0.38, 0.05),
    98: (-0.14, 0.62),
    64: (-0.17, 0.58),
    50: (-0.7, 0.45),
    205: (-0.55, 0.6),
    187: (-0.75, 0.62),
    147: (-0.86, 0.58),
    123: (-0.86, 0.4),
    213: (-0.82, 0.75),
    192: (-0.76, 0.87),
    167: (-0.1, 0.78),
    32: (-0.35, 1.3),
}
_MIDLINE = {
    168: 0.0,
    6: 0.12,
    197: 0.25,
    195: 0.36,
    5: 0.45,
    4: 0.5,
    2: 0.66,
    164: 0.75,
    199: 1.35,
    175: 1.47,
    151: -0.6,
}
_OVAL = [
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
]
# Lip runs from the person's right mouth corner to the left one.
_LIPS = {
    "outer_upper": [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291],
    "inner_upper": [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308],
    "outer_lower": [146, 91, 181, 84, 17, 314, 405, 321, 375],
    "inner_lower": [95, 88, 178, 87, 14, 317, 402, 318, 324],
}


def face_template(mouth_open: float = 0.0) -> np.ndarray:
    """The builders' template with oval, brows, lids, nose, cheeks and lips in place.

    Returns:
        ndarray of shape (478, 2), float64, in eye distances.
    """
    pts = template(mouth_open)[:, :2].copy()
    # The oval clockwise on screen from the top of the forehead (10) to the chin (152).
    angles = np.arange(len(_OVAL)) * (2 * np.pi / len(_OVAL))
    pts[_OVAL] = np.stack([np.sin(angles), 0.3 - 1.25 * np.cos(angles)], axis=1)
    for index, (u, v) in _RIGHT_SIDE.items():
        pts[index] = (u, v)
        pts[_LEFT_OF[index]] = (-u, v)
    for index, v in _MIDLINE.items():
        pts[index] = (0.0, v)
    gap = mouth_open / 2
    for name, run in _LIPS.items():
        reach = {"outer_upper": 0.38, "inner_upper": 0.34, "outer_lower": 0.32, "inner_lower": 0.3}[
            name
        ]
        bulge = {
            "outer_upper": -0.08 - gap,
            "inner_upper": -gap,
            "outer_lower": 0.1 + gap,
            "inner_lower": gap,
        }[name]
        u = np.linspace(-reach, reach, len(run))
        pts[run] = np.stack([u, MOUTH_Y + bulge * (1 - (u / 0.38) ** 2)], axis=1)
    return pts


def face_like(
    *,
    roll_deg: float = 0.0,
    mirrored: bool = False,
    eye_distance: float = EYE,
    center_xy: tuple[float, float] = (320.0, 230.0),
    mouth_open: float = 0.0,
) -> Faces:
    """One synthetic face whose warped features sit where a real face has them.

    ``mirrored`` flips the picture with :meth:`Faces.mirror`, as the selfie view does.
    """
    faces = make_faces(
        center_xy=center_xy, eye_distance=eye_distance, roll_deg=roll_deg, mouth_open=mouth_open
    )
    landmarks = faces.landmarks.copy()
    landmarks[0, :, :2] = place(
        face_template(mouth_open), center_xy=center_xy, eye_distance=eye_distance, roll_deg=roll_deg
    )
    faces = faces.with_landmarks(landmarks)
    return faces.mirror(FRAME_WH[0]) if mirrored else faces


def noise_frame(seed: int = 0) -> np.ndarray:
    """Smooth random colour blobs: every pixel differs from its neighbours a little, so
    any displacement of a pixel or more shows up, yet bilinear sampling stays exact
    where nothing moves."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (FRAME_WH[1] // 8, FRAME_WH[0] // 8, 3), dtype=np.uint8)
    return cv2.resize(small, FRAME_WH, interpolation=cv2.INTER_CUBIC)


def maps_of(preset: str, faces: Faces, strength: float = 1.0):
    """The sampling maps of a preset on the first face, and the region they cover."""
    xy = faces.xy[0]
    roi = warp_roi(xy, FRAME_WH)
    from_xy, to_xy = preset_controls(preset, xy, strength)
    return warp_maps(from_xy, to_xy, roi, FRAME_WH), roi


def lowest_jacobian(map_x: np.ndarray, map_y: np.ndarray) -> float:
    """Smallest determinant of the per-pixel Jacobian of a sampling map (forward
    differences): at or below zero the warp folds the picture over itself."""
    xx, yx = np.diff(map_x, axis=1)[:-1], np.diff(map_y, axis=1)[:-1]
    xy, yy = np.diff(map_x, axis=0)[:, :-1], np.diff(map_y, axis=0)[:, :-1]
    return float((xx * yy - xy * yx).min())


def warped(preset: str, faces: Faces, frame: np.ndarray, strength: float = 1.0) -> np.ndarray:
    out = frame.copy()
    xy = faces.xy[0]
    from_xy, to_xy = preset_controls(preset, xy, strength)
    apply_warp(frame, out, from_xy, to_xy, warp_roi(xy, FRAME_WH))
    return out


@pytest.mark.parametrize("preset", PRESETS)
def test_zero_strength_changes_nothing(preset: str) -> None:
    faces = face_like(roll_deg=10)
    from_xy, to_xy = preset_controls(preset, faces.xy[0], 0.0)
    np.testing.assert_array_equal(from_xy, to_xy)
    frame = noise_frame()
    np.testing.assert_array_equal(warped(preset, faces, frame, 0.0), frame)


@pytest.mark.parametrize("preset", PRESETS)
def test_writes_inside_the_region_only(preset: str) -> None:
    faces = face_like()
    xy = faces.xy[0]
    x0, y0, x1, y1 = roi = warp_roi(xy, FRAME_WH)
    frame = noise_frame()
    from_xy, to_xy = preset_controls(preset, xy, 1.0)
    # Two canvases that differ everywhere: what the warp writes ends up equal in both.
    black, white = np.zeros_like(frame), np.full_like(frame, 255)
    for canvas in (black, white):
        apply_warp(frame, canvas, from_xy, to_xy, roi)

    inside = np.zeros(frame.shape[:2], bool)
    inside[y0:y1, x0:x1] = True
    assert not black[~inside].any() and (white[~inside] == 255).all()
    np.testing.assert_array_equal(black[inside], white[inside])
    moved = np.abs(black[inside].astype(int) - frame[inside]).max(axis=1) > 8
    assert moved.mean() > 0.02, "the warp should visibly change the face"


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("strength", [1.0, MAX_STRENGTH])
def test_field_is_zero_at_the_region_border(preset: str, strength: float) -> None:
    (map_x, map_y), (x0, y0, x1, y1) = maps_of(preset, face_like(), strength)
    shift_x = map_x - np.arange(x0, x1)[None, :]
    shift_y = map_y - np.arange(y0, y1)[:, None]
    for shift in (shift_x, shift_y):
        border = np.concatenate([shift[0], shift[-1], shift[:, 0], shift[:, -1]])
        assert np.abs(border).max() == 0.0
    assert np.hypot(shift_x, shift_y).max() > 2.0


@pytest.mark.parametrize("preset", PRESETS)
def test_no_seam_at_the_region_border(preset: str) -> None:
    faces = face_like(roll_deg=-20)
    frame = noise_frame(1)
    out = warped(preset, faces, frame, MAX_STRENGTH)
    x0, y0, x1, y1 = warp_roi(faces.xy[0], FRAME_WH)
    # The outermost ring of the region is sampled exactly where it is.
    for a, b in (
        (out[y0, x0:x1], frame[y0, x0:x1]),
        (out[y1 - 1, x0:x1], frame[y1 - 1, x0:x1]),
        (out[y0:y1, x0], frame[y0:y1, x0]),
        (out[y0:y1, x1 - 1], frame[y0:y1, x1 - 1]),
    ):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("roll_deg", [0.0, 30.0])
@pytest.mark.parametrize("mirrored", [False, True])
def test_big_eyes_magnifies_each_eye_and_nothing_else(roll_deg: float, mirrored: bool) -> None:
    faces = face_like(roll_deg=roll_deg, mirrored=mirrored)
    (map_x, map_y), (x0, y0, _, _) = maps_of("big_eyes", faces)
    xy = faces.xy[0]

    def sampled(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pixels nearest these points, and where each samples the frame."""
        cols, rows = np.round(points - (x0, y0)).astype(int).T
        pixels = np.stack([cols + x0, rows + y0], axis=1)
        return pixels, np.stack([map_x[rows, cols], map_y[rows, cols]], axis=1)

    angles = np.arange(8) * np.pi / 4
    ring = 0.25 * EYE * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for iris in (468, 473):
        # A pixel near the eye shows what was closer to the iris: content moved outward.
        pixels, source = sampled(xy[iris] + ring)
        ratio = np.hypot(*(source - xy[iris]).T) / np.hypot(*(pixels - xy[iris]).T)
        assert ratio.max() < 0.9, ratio
    for landmark in (1, 13, 152, 58, 288, 10):  # nose tip, lips, chin, jaw, forehead
        pixels, source = sampled(xy[landmark][None])
        assert np.hypot(*(source - pixels).T).max() < 0.5, landmark


@pytest.mark.parametrize(
    ("roll_deg", "mirrored"),
    [(0.0, False), (30.0, False), (-30.0, False), (0.0, True), (30.0, True)],
)
def test_crying_pulls_the_mouth_corners_down_the_face(roll_deg: float, mirrored: bool) -> None:
    faces = face_like(roll_deg=roll_deg, mirrored=mirrored)
    geometry = measure(faces)
    axis_x, axis_y = geometry.axis_x[0], geometry.axis_y[0]
    frame = np.full((FRAME_WH[1], FRAME_WH[0], 3), 128, np.uint8)
    colours = {61: (0, 0, 255), 291: (0, 255, 0)}
    for landmark, colour in colours.items():
        centre = tuple(int(v) for v in np.round(faces.xy[0, landmark]))
        cv2.circle(frame, centre, 2, colour, -1)

    out = warped("crying", faces, frame)
    for landmark, colour in colours.items():
        before = dot_centre(frame, colour)
        after = dot_centre(out, colour)
        step = (after - before) / EYE
        assert step @ axis_y > 0.08, (landmark, step @ axis_y)
        assert abs(step @ axis_x) < 0.06, (landmark, step @ axis_x)


def dot_centre(frame: np.ndarray, bgr: tuple[int, int, int]) -> np.ndarray:
    """Centroid ``xy`` of the pixels close to one pure colour."""
    distance = np.abs(frame.astype(int) - np.array(bgr)).sum(axis=2)
    rows, cols = np.nonzero(distance < 200)
    assert len(rows), f"no {bgr} pixels"
    weight = 1.0 - distance[rows, cols] / 200
    return np.array([np.average(cols, weights=weight), np.average(rows, weights=weight)])


def test_crying_raises_the_inner_brows() -> None:
    faces = face_like(roll_deg=15)
    xy = faces.xy[0]
    axis_y = measure(faces).axis_y[0]
    from_xy, to_xy = preset_controls("crying", xy, 1.0)
    for landmark in (107, 336):
        row = np.flatnonzero(np.all(from_xy == xy[landmark], axis=1))[0]
        assert (to_xy[row] - from_xy[row]) @ axis_y / EYE < -0.08


@pytest.mark.parametrize(("preset", "sign"), [("slim", -1.0), ("chubby", 1.0)])
@pytest.mark.parametrize("mirrored", [False, True])
def test_slim_and_chubby_move_the_cheeks_across_the_face(
    preset: str, sign: float, mirrored: bool
) -> None:
    faces = face_like(roll_deg=-25, mirrored=mirrored)
    xy = faces.xy[0]
    geometry = measure(faces)
    from_xy, to_xy = preset_controls(preset, xy, 1.0)
    centre = geometry.anchors["eyes_center"][0]
    for landmark in (132, 361, 58, 288):  # jaw and cheeks on both sides
        row = np.flatnonzero(np.all(from_xy == xy[landmark], axis=1))[0]
        outward = np.sign((xy[landmark] - centre) @ geometry.axis_x[0]) * geometry.axis_x[0]
        assert sign * (to_xy[row] - from_xy[row]) @ outward / EYE > 0.08


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("strength", [1.0, MAX_STRENGTH])
@pytest.mark.parametrize(
    ("roll_deg", "mirrored", "mouth_open"),
    [(0.0, False, 0.0), (30.0, True, 0.0), (-15.0, False, 0.3)],
)
def test_never_folds(
    preset: str, strength: float, roll_deg: float, mirrored: bool, mouth_open: float
) -> None:
    faces = face_like(roll_deg=roll_deg, mirrored=mirrored, mouth_open=mouth_open)
    (map_x, map_y), _ = maps_of(preset, faces, strength)
    assert lowest_jacobian(map_x, map_y) > 0.05


@pytest.mark.parametrize("preset", PRESETS)
def test_a_scrambled_mesh_gets_a_weaker_warp_not_a_fold(preset: str) -> None:
    # The builders' spiral puts lips, brows and jaw points anywhere in the face, so the
    # presets' displacements cross each other; the fold guard must scale them back.
    faces = make_faces(eye_distance=EYE, roll_deg=30)
    (map_x, map_y), _ = maps_of(preset, faces, MAX_STRENGTH)
    assert lowest_jacobian(map_x, map_y) > 0.0


def test_crossing_controls_do_not_fold() -> None:
    # Two neighbours trading places, the sharpest fold there is.
    from_xy = np.array([[300, 240], [340, 240]], np.float32)
    to_xy = from_xy[::-1].copy()
    roi = (200, 140, 440, 340)
    map_x, map_y = warp_maps(from_xy, to_xy, roi, FRAME_WH)
    assert lowest_jacobian(map_x, map_y) > 0.0


@pytest.mark.parametrize("preset", PRESETS)
def test_same_shape_on_near_and_far_faces(preset: str) -> None:
    near = face_like(eye_distance=90.0)
    far = face_like(eye_distance=30.0)
    steps = []
    for faces in (near, far):
        from_xy, to_xy = preset_controls(preset, faces.xy[0], 1.0)
        steps.append((to_xy - from_xy) / measure(faces).eye_distance[0])
    np.testing.assert_allclose(steps[0], steps[1], atol=1e-4)


@pytest.mark.parametrize("preset", PRESETS)
def test_stronger_moves_further(preset: str) -> None:
    xy = face_like().xy[0]
    sizes = []
    for strength in (0.5, 1.0, MAX_STRENGTH):
        from_xy, to_xy = preset_controls(preset, xy, strength)
        sizes.append(float(np.hypot(*(to_xy - from_xy).T).max()))
    assert sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize("preset", ["", "BIG_EYES", "sad", "big eyes"])
def test_unknown_preset_is_refused(preset: str) -> None:
    with pytest.raises(ValueError, match="unknown warp preset"):
        preset_controls(preset, face_like().xy[0], 1.0)


@pytest.mark.parametrize(
    ("center_xy", "expected"),
    [
        # Centred: the landmarks' box plus 0.6 eye distances (36 px) each side.
        ((320.0, 230.0), "inside"),
        ((20.0, 230.0), "clipped_left"),
        ((620.0, 470.0), "clipped_right_bottom"),
        ((-400.0, 230.0), "empty"),
    ],
)
def test_warp_region(center_xy: tuple[float, float], expected: str) -> None:
    xy = face_like(center_xy=center_xy).xy[0]
    x0, y0, x1, y1 = warp_roi(xy, FRAME_WH)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    if expected == "empty":
        assert x1 <= x0
        return
    assert 0 <= x0 < x1 <= FRAME_WH[0] and 0 <= y0 < y1 <= FRAME_WH[1]
    if expected == "inside":
        np.testing.assert_allclose((x0, y0), lo - 36, atol=1.0)
        np.testing.assert_allclose((x1, y1), hi + 36 + 1, atol=1.0)
    elif expected == "clipped_left":
        assert x0 == 0 and x1 < FRAME_WH[0]
    else:
        assert (x1, y1) == FRAME_WH


@pytest.mark.parametrize("center_xy", [(20.0, 230.0), (620.0, 470.0), (-400.0, 230.0)])
def test_faces_at_the_frame_edge(center_xy: tuple[float, float]) -> None:
    faces = face_like(center_xy=center_xy)
    frame = noise_frame(2)
    xy = faces.xy[0]
    x0, y0, x1, y1 = roi = warp_roi(xy, FRAME_WH)
    from_xy, to_xy = preset_controls("chubby", xy, MAX_STRENGTH)
    out = frame.copy()
    apply_warp(frame, out, from_xy, to_xy, roi)
    outside = np.ones(frame.shape[:2], bool)
    outside[y0:y1, x0:x1] = False
    np.testing.assert_array_equal(out[outside], frame[outside])
    if x1 > x0:
        map_x, map_y = warp_maps(from_xy, to_xy, roi, FRAME_WH)
        assert lowest_jacobian(map_x, map_y) > 0.0


def test_warps_in_place() -> None:
    faces = face_like()
    frame = noise_frame(3)
    expected = warped("big_eyes", faces, frame)
    xy = faces.xy[0]
    from_xy, to_xy = preset_controls("big_eyes", xy, 1.0)
    apply_warp(frame, frame, from_xy, to_xy, warp_roi(xy, FRAME_WH))
    np.testing.assert_array_equal(frame, expected)


def test_importing_the_warp_does_not_load_mediapipe() -> None:
    code = "import sys, facefilters.render.warp; sys.exit('mediapipe' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
