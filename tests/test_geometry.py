"""geometry.measure: anchors, face frame, pose, size and expression measures."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters import geometry as g
from facefilters.faces import Faces
from facefilters.geometry import ANCHOR_NAMES, MEASURE_NAMES, measure

from builders import ANCHOR_TEMPLATE, MOUTH_Y, make_faces, place, rotation, turned_face

# Where each anchor sits in the builder's template, in eye distances (face frame).
EXPECTED_ANCHORS = {
    # The builder draws each eyelid round its iris, so socket and iris centres agree.
    "right_eye": ANCHOR_TEMPLATE[g.RIGHT_IRIS],
    "left_eye": ANCHOR_TEMPLATE[g.LEFT_IRIS],
    "right_iris": ANCHOR_TEMPLATE[g.RIGHT_IRIS],
    "left_iris": ANCHOR_TEMPLATE[g.LEFT_IRIS],
    "eyes_center": (0.0, 0.0),
    "nose_tip": ANCHOR_TEMPLATE[g.NOSE_TIP],
    "forehead": ANCHOR_TEMPLATE[g.FOREHEAD],
    "chin": ANCHOR_TEMPLATE[g.CHIN],
    "mouth_center": (0.0, MOUTH_Y),
    "upper_lip": (0.0, MOUTH_Y - 0.2),
    "lower_lip": (0.0, MOUTH_Y + 0.2),
}

POSES = [
    pytest.param({}, id="upright"),
    pytest.param({"roll_deg": 25.0}, id="roll+25"),
    pytest.param({"roll_deg": -70.0, "eye_distance": 33.0}, id="roll-70-small"),
    pytest.param({"mirrored": True}, id="mirrored"),
    pytest.param({"mirrored": True, "roll_deg": -35.0, "eye_distance": 140.0}, id="mirrored-roll"),
]


def test_expected_anchors_cover_every_anchor_name():
    assert set(EXPECTED_ANCHORS) == set(ANCHOR_NAMES)


@pytest.mark.parametrize("pose", POSES)
def test_anchors_land_where_the_builder_put_them(pose):
    kwargs = {"center_xy": (300.0, 200.0), **pose}
    geo = measure(make_faces(mouth_open=0.4, **kwargs))
    for name, template_xy in EXPECTED_ANCHORS.items():
        assert geo.anchors[name].shape == (1, 2)
        assert geo.anchors[name].dtype == np.float32
        np.testing.assert_allclose(
            geo.anchors[name][0], place(template_xy, **kwargs), atol=1e-3, err_msg=name
        )


def test_upright_face_in_plain_pixels(face):
    # An unmirrored picture shows the person's left eye on the right-hand side.
    geo = measure(face)
    np.testing.assert_allclose(geo.anchors["left_eye"][0], [350.0, 240.0], atol=1e-4)
    np.testing.assert_allclose(geo.anchors["right_eye"][0], [290.0, 240.0], atol=1e-4)
    np.testing.assert_allclose(geo.anchors["chin"][0], [320.0, 333.0], atol=1e-4)
    np.testing.assert_allclose(geo.axis_x[0], [1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(geo.axis_y[0], [0.0, 1.0], atol=1e-6)
    assert geo.roll_deg[0] == pytest.approx(0.0, abs=1e-4)
    assert geo.yaw_deg[0] == pytest.approx(0.0, abs=1e-4)


def test_one_row_per_face_in_order():
    faces = make_faces(3, eye_distance=[30.0, 60.0, 90.0], roll_deg=[-10.0, 0.0, 20.0])
    geo = measure(faces)
    assert len(geo) == 3
    np.testing.assert_allclose(geo.eye_distance, [30.0, 60.0, 90.0], rtol=1e-5)
    np.testing.assert_allclose(geo.roll_deg, [-10.0, 0.0, 20.0], atol=1e-3)
    for name in MEASURE_NAMES:
        assert geo.measures[name].shape == (3,)


@pytest.mark.parametrize("eye_distance", [8.0, 60.0, 237.5])
@pytest.mark.parametrize("roll_deg", [0.0, 33.0])
def test_eye_distance(eye_distance, roll_deg):
    geo = measure(make_faces(eye_distance=eye_distance, roll_deg=roll_deg))
    assert geo.eye_distance.dtype == np.float32
    assert geo.eye_distance[0] == pytest.approx(eye_distance, rel=1e-5)


def test_eye_distance_of_degenerate_face_is_floored():
    faces = make_faces()
    landmarks = np.zeros_like(faces.landmarks)
    geo = measure(type(faces)(landmarks))
    assert geo.eye_distance[0] > 0
    assert np.all(np.isfinite(geo.axis_x))


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize("roll_deg", np.arange(-40.0, 41.0, 10.0))
def test_roll_positive_is_clockwise_on_screen(roll_deg, mirrored):
    geo = measure(make_faces(roll_deg=roll_deg, mirrored=mirrored))
    assert geo.roll_deg[0] == pytest.approx(roll_deg, abs=1e-3)


def test_roll_sign_in_pixels():
    # Clockwise on screen with y down: the chin swings to the left of the nose.
    geo = measure(make_faces(roll_deg=30.0))
    assert geo.anchors["chin"][0, 0] < geo.anchors["eyes_center"][0, 0]
    assert geo.roll_deg[0] > 0


@pytest.mark.parametrize("roll_deg", [-40.0, 0.0, 25.0])
def test_mirroring_the_picture_negates_roll(roll_deg):
    faces = make_faces(center_xy=(200.0, 240.0), roll_deg=roll_deg)
    flipped = faces.mirror(640)
    # The builder's mirrored face is the same picture, built directly.
    expected = make_faces(center_xy=(639 - 200.0, 240.0), roll_deg=-roll_deg, mirrored=True)
    np.testing.assert_allclose(flipped.landmarks, expected.landmarks, atol=1e-3)
    assert measure(flipped).roll_deg[0] == pytest.approx(-roll_deg, abs=1e-3)


@pytest.mark.parametrize("pose", POSES)
def test_face_axes_are_orthonormal(pose):
    geo = measure(make_faces(**pose))
    ax, ay = geo.axis_x[0].astype(np.float64), geo.axis_y[0].astype(np.float64)
    assert np.linalg.norm(ax) == pytest.approx(1.0, abs=1e-6)
    assert np.linalg.norm(ay) == pytest.approx(1.0, abs=1e-6)
    assert float(ax @ ay) == pytest.approx(0.0, abs=1e-6)
    # A reflection exactly when the picture is mirrored.
    det = np.linalg.det(np.column_stack([ax, ay]))
    assert det == pytest.approx(-1.0 if pose.get("mirrored") else 1.0, abs=1e-6)


@pytest.mark.parametrize("pose", POSES)
def test_axes_point_to_left_eye_and_chin(pose):
    geo = measure(make_faces(**pose))
    center = geo.anchors["eyes_center"][0]
    to_left_eye = geo.anchors["left_eye"][0] - center
    to_chin = geo.anchors["chin"][0] - center
    cos_x = to_left_eye @ geo.axis_x[0] / np.linalg.norm(to_left_eye)
    cos_y = to_chin @ geo.axis_y[0] / np.linalg.norm(to_chin)
    assert cos_x == pytest.approx(1.0, abs=1e-5)
    assert cos_y == pytest.approx(1.0, abs=1e-5)


def test_mirrored_upright_face():
    geo = measure(make_faces(mirrored=True))
    # The person's left eye is on the image's left, yet down the face is still down.
    np.testing.assert_allclose(geo.axis_x[0], [-1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(geo.axis_y[0], [0.0, 1.0], atol=1e-6)
    assert geo.roll_deg[0] == pytest.approx(0.0, abs=1e-4)
    assert geo.yaw_deg[0] == pytest.approx(0.0, abs=1e-4)


def test_mouth_open_grows_with_the_lip_gap():
    gaps = [0.0, 0.05, 0.2, 0.4, 0.6]
    geo = measure(make_faces(len(gaps), mouth_open=gaps, eye_distance=50.0))
    values = geo.measures["mouth_open"]
    assert np.all(np.diff(values) > 0)
    np.testing.assert_allclose(values, gaps, atol=1e-4)


@pytest.mark.parametrize("mouth_open", [0.0, 0.3])
@pytest.mark.parametrize("roll_deg", [0.0, -30.0])
def test_measures_do_not_depend_on_face_scale(mouth_open, roll_deg):
    sizes = [20.0, 60.0, 200.0]
    geo = measure(make_faces(3, eye_distance=sizes, mouth_open=mouth_open, roll_deg=roll_deg))
    for name in MEASURE_NAMES:
        np.testing.assert_allclose(
            geo.measures[name], geo.measures[name][1], rtol=1e-4, atol=1e-6, err_msg=name
        )
    assert geo.measures["mouth_open"][1] == pytest.approx(mouth_open, abs=1e-4)


def test_eye_and_brow_measures_of_the_template(face):
    # Template: lids 0.12 apart on a 0.5-wide eye; brows 0.35 above the irises.
    geo = measure(face)
    assert geo.measures["left_eye_open"][0] == pytest.approx(0.24, abs=1e-4)
    assert geo.measures["right_eye_open"][0] == pytest.approx(0.24, abs=1e-4)
    assert geo.measures["brow_raise"][0] == pytest.approx(0.35, abs=1e-4)


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize("roll_deg", [-40.0, 0.0, 15.0, 90.0])
@pytest.mark.parametrize(
    ("anchor", "offset_xy"),
    [("eyes_center", (0.0, -1.0)), ("nose_tip", (0.5, 0.25)), ("chin", (-1.2, 0.0))],
)
def test_face_to_image_offsets_follow_roll(anchor, offset_xy, roll_deg, mirrored):
    pose = {
        "center_xy": (310.0, 250.0),
        "eye_distance": 48.0,
        "roll_deg": roll_deg,
        "mirrored": mirrored,
    }
    geo = measure(make_faces(**pose))
    got = geo.face_to_image(0, anchor, offset_xy)
    assert got.shape == (2,)
    assert got.dtype == np.float32
    expected = place(np.add(EXPECTED_ANCHORS[anchor], offset_xy), **pose)
    np.testing.assert_allclose(got, expected, atol=1e-3)


def test_up_the_face_points_right_when_rolled_90_degrees_clockwise():
    geo = measure(make_faces(center_xy=(100.0, 100.0), eye_distance=40.0, roll_deg=90.0))
    np.testing.assert_allclose(
        geo.face_to_image(0, "eyes_center", (0.0, -1.0)), [140, 100], atol=1e-3
    )


def test_rotation_helper_is_clockwise_on_screen():
    # Guards the builder itself: +x turned 90 degrees clockwise points down (y down).
    np.testing.assert_allclose(rotation(90.0) @ (1.0, 0.0), (0.0, 1.0), atol=1e-12)


# -- pose and size from the canonical face ---------------------------------------------

TURNS = [(yaw, pitch) for yaw in (-60.0, -35.0, 0.0, 20.0, 45.0) for pitch in (-25.0, 0.0, 15.0)]


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
@pytest.mark.parametrize("roll_deg", [-30.0, 0.0, 50.0])
@pytest.mark.parametrize(("yaw_deg", "pitch_deg"), TURNS)
def test_pose_is_read_back_from_a_turned_head(yaw_deg, pitch_deg, roll_deg, mirrored):
    geo = measure(
        make_faces(
            yaw_deg=yaw_deg,
            pitch_deg=pitch_deg,
            roll_deg=roll_deg,
            mirrored=mirrored,
            eye_distance=70.0,
        )
    )
    # A mirror shows the same turn of the head; only the tilt on screen flips with it,
    # and the builder's roll is the one on screen.
    assert geo.yaw_deg[0] == pytest.approx(yaw_deg, abs=1e-3)
    assert geo.pitch_deg[0] == pytest.approx(pitch_deg, abs=1e-3)
    assert geo.roll_deg[0] == pytest.approx(roll_deg, abs=1e-3)
    assert geo.size_px[0] == pytest.approx(70.0, rel=1e-5)


def test_pose_signs_in_pixels():
    # Turned towards their own left, the nose points to the picture's right (unmirrored);
    # looking up, the nose rises above where it was.
    ahead = measure(make_faces())
    left = measure(make_faces(yaw_deg=30.0))
    up = measure(make_faces(pitch_deg=20.0))
    assert left.yaw_deg[0] > 0
    assert left.anchors["nose_tip"][0, 0] > ahead.anchors["nose_tip"][0, 0]
    assert up.pitch_deg[0] > 0
    assert up.anchors["nose_tip"][0, 1] < ahead.anchors["nose_tip"][0, 1]


@pytest.mark.parametrize("degrees", [0.0, 15.0, 30.0, 45.0, 60.0])
def test_size_holds_while_the_eye_distance_shrinks_on_the_canonical_face(degrees):
    frontal = measure(Faces(turned_face(0.0)[None]))
    geo = measure(Faces(turned_face(degrees)[None]))
    assert geo.size_px[0] == pytest.approx(frontal.size_px[0], rel=0.01)
    # The eye sockets as seen draw together as cos(turn).
    assert geo.eye_distance[0] == pytest.approx(
        frontal.eye_distance[0] * np.cos(np.radians(degrees)), rel=0.02
    )
    assert geo.yaw_deg[0] == pytest.approx(degrees, abs=0.01)


@pytest.mark.parametrize("yaw_deg", [0.0, 20.0, 40.0, 60.0])
def test_size_holds_on_a_turned_noisy_face_with_its_mouth_open(yaw_deg):
    rng = np.random.default_rng(int(yaw_deg))
    faces = make_faces(yaw_deg=yaw_deg, mouth_open=0.5, eye_distance=80.0)
    # FaceMesh-like jitter: a fiftieth of the eye distance on every landmark.
    noisy = faces.with_landmarks(faces.landmarks + rng.normal(0, 1.6, faces.landmarks.shape))
    geo = measure(noisy)
    assert geo.size_px[0] == pytest.approx(80.0, rel=0.03)
    assert geo.yaw_deg[0] == pytest.approx(yaw_deg, abs=2.0)
    assert measure(faces).eye_distance[0] < 80.0 * np.cos(np.radians(yaw_deg)) + 0.5


def test_eyes_looking_sideways_move_the_irises_only():
    faces = make_faces(eye_distance=60.0)
    looking = faces.landmarks.copy()
    looking[:, 468:478, 0] += 9.0  # both irises a sixth of an eye distance to the right
    still, moved = measure(faces), measure(faces.with_landmarks(looking))
    for name in ("left_eye", "right_eye", "eyes_center"):
        np.testing.assert_allclose(moved.anchors[name], still.anchors[name], atol=1e-4)
    for name in ("left_iris", "right_iris"):
        np.testing.assert_allclose(moved.anchors[name], still.anchors[name] + (9.0, 0.0), atol=1e-4)
    assert moved.size_px[0] == pytest.approx(still.size_px[0], rel=1e-6)
    assert moved.measures["brow_raise"][0] == pytest.approx(still.measures["brow_raise"][0])


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_the_far_eye_fades_as_the_head_turns_it_away(mirrored):
    shown = []
    for yaw in (0.0, 30.0, 50.0, 65.0, 80.0):
        geo = measure(make_faces(yaw_deg=yaw, mirrored=mirrored))
        # Turning towards their own left takes the left eye away; the right stays.
        assert geo.visibility(0, "right_eye") == 1.0
        shown.append(geo.visibility(0, "left_eye"))
    assert shown[:2] == [1.0, 1.0]
    assert shown[-1] == 0.0
    assert all(a >= b for a, b in zip(shown, shown[1:]))
    assert 0.0 < shown[3] < 1.0


def test_things_beside_the_face_hide_before_the_eyes():
    # A dog's ear sits out beside the forehead; the eye is nearer the middle.
    geo = measure(make_faces(yaw_deg=50.0))
    assert geo.visibility(0, "forehead", (1.0, -0.6)) == 0.0
    assert geo.visibility(0, "forehead", (-1.0, -0.6)) == 1.0
    assert geo.visibility(0, "left_eye") == 1.0


def test_offsets_turn_with_the_head():
    frontal = measure(make_faces())
    turned = measure(make_faces(yaw_deg=60.0))
    d_frontal = (
        frontal.face_to_image(0, "eyes_center", (1.0, 0.0)) - frontal.anchors["eyes_center"][0]
    )
    d_turned = turned.face_to_image(0, "eyes_center", (1.0, 0.0)) - turned.anchors["eyes_center"][0]
    np.testing.assert_allclose(d_turned, d_frontal * 0.5, atol=1e-3)
    up = turned.face_to_image(0, "eyes_center", (0.0, -1.0)) - turned.anchors["eyes_center"][0]
    np.testing.assert_allclose(up, (0.0, -60.0), atol=1e-3)


def test_polar_factor_matches_the_svd():
    rng = np.random.default_rng(3)
    m = rng.normal(size=(200, 3, 3))
    m[np.linalg.det(m) < 0, 0] *= -1
    got = g._polar(m)
    u, _, vt = np.linalg.svd(m)
    np.testing.assert_allclose(got, u @ vt, atol=1e-9)


def test_flat_landmarks_still_give_the_tilt():
    faces = make_faces(roll_deg=20.0)
    flat = faces.landmarks.copy()
    flat[..., 2] = 0.0
    geo = measure(faces.with_landmarks(flat))
    assert geo.roll_deg[0] == pytest.approx(20.0, abs=1e-3)
    assert np.isfinite(geo.size_px).all() and geo.size_px[0] > 0


@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_a_point_on_the_head_is_where_the_face_puts_it_from_the_front(mirrored):
    geo = measure(make_faces(mirrored=mirrored))
    for offset in ((1.0, -0.6), (-0.62, -0.42), (0.0, 0.5)):
        np.testing.assert_allclose(
            geo.head_to_image(0, "forehead", offset),
            geo.face_to_image(0, "forehead", offset),
            atol=0.02 * geo.size_px[0],
        )


@pytest.mark.parametrize(("yaw", "pitch"), [(30, 0), (45, 0), (-30, 0), (0, -20), (30, -20)])
def test_a_point_where_the_forehead_curves_back_follows_the_turn(yaw, pitch):
    # The canonical face's own 3-D points at the forehead's outer edges (where the head
    # curves back), turned with the head: placed on the head they land within 0.12 of
    # the face's size of where the turn takes them, less than half the error of a point
    # kept in the face's frontal plane.
    front = measure(make_faces())
    size = float(front.size_px[0])
    turned_faces = make_faces(yaw_deg=yaw, pitch_deg=pitch)
    turned = measure(turned_faces)
    for k in (54, 284):
        offset = tuple((make_faces().landmarks[0, k, :2] - front.anchors["forehead"][0]) / size)
        truth = turned_faces.landmarks[0, k, :2]
        on_head = np.hypot(*(turned.head_to_image(0, "forehead", offset) - truth)) / size
        in_plane = np.hypot(*(turned.face_to_image(0, "forehead", offset) - truth)) / size
        assert on_head < 0.12
        assert on_head < 0.5 * in_plane


def test_a_far_ear_stays_on_the_head_and_the_crown_shows_when_nodding_down():
    turned = measure(make_faces(yaw_deg=30.0))
    middle = turned.anchors["forehead"][0]
    # Turned towards their own left: the left ear goes round the back, nearer the middle.
    on_head = turned.head_to_image(0, "forehead", (1.0, -0.6))
    in_plane = turned.face_to_image(0, "forehead", (1.0, -0.6))
    assert abs(on_head[0] - middle[0]) < abs(in_plane[0] - middle[0]) - 0.1 * turned.size_px[0]
    nodded = measure(make_faces(pitch_deg=-20.0))
    assert (
        nodded.head_to_image(0, "forehead", (1.0, -0.6))[1]
        < nodded.face_to_image(0, "forehead", (1.0, -0.6))[1] - 0.1 * nodded.size_px[0]
    )
