"""The mesh view and the tears, drawn on synthetic faces."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.faces import Faces
from facefilters.geometry import measure
from facefilters.render import tears as tears_module
from facefilters.render.mesh import draw_mesh
from facefilters.render.sprite import Sprite
from facefilters.render.tears import TearStyle, draw_tears

from builders import POSES, make_faces, tear_time

H, W = 480, 640
GREY = 128


def blank() -> np.ndarray:
    return np.full((H, W, 3), GREY, np.uint8)


def changed(frame: np.ndarray) -> np.ndarray:
    """ndarray of shape (H, W), bool: pixels that differ from the blank frame."""
    return np.any(frame != GREY, axis=2)


def outside_box(xyxy: np.ndarray, margin: float) -> np.ndarray:
    """ndarray of shape (H, W), bool: pixels farther than ``margin`` from the box."""
    yy, xx = np.mgrid[0:H, 0:W] + 0.5
    x0, y0, x1, y1 = xyxy
    return (xx < x0 - margin) | (xx > x1 + margin) | (yy < y0 - margin) | (yy > y1 + margin)


# Faces cut by each edge and corner of the frame (eyes centre on or beyond the edge).
HALF_OUTSIDE = {
    "left": (0.0, 240.0),
    "right": (W - 1.0, 240.0),
    "top": (320.0, 0.0),
    "bottom": (320.0, H - 1.0),
    "top-left": (-20.0, -20.0),
    "bottom-right": (W + 10.0, H + 10.0),
}


# --- draw_mesh -------------------------------------------------------------------------


@pytest.mark.parametrize("pose", POSES)
def test_mesh_lines_stay_on_the_face(pose):
    faces = make_faces(**pose)
    frame = blank()
    draw_mesh(frame, faces, measure(faces), 0, box=False, anchors=False)
    drawn = changed(frame)
    assert np.count_nonzero(drawn) > 2000
    # Only the tessellation: nothing beyond the face box plus line width and padding.
    assert not np.any(drawn & outside_box(faces.xyxy[0], margin=6))


@pytest.mark.parametrize("pose", POSES)
def test_mesh_with_box_and_labels_stays_near_the_face(pose):
    faces = make_faces(ids=[7], **pose)
    geo = measure(faces)
    frame = blank()
    draw_mesh(frame, faces, geo, 0)
    drawn = changed(frame)
    # Labels sit beside their points; allow them 1.5 eye distances plus a word.
    margin = 1.5 * float(geo.eye_distance[0]) + 30
    assert not np.any(drawn & outside_box(faces.xyxy[0], margin))
    # The labels and box really were drawn: they reach beyond the plain mesh.
    assert np.any(drawn & outside_box(faces.xyxy[0], margin=8))


def test_mesh_parts_can_be_switched_off(face):
    geo = measure(face)
    frames = {}
    for parts in [
        (True, False, False),
        (False, True, False),
        (False, False, True),
        (False, False, False),
    ]:
        frame = blank()
        draw_mesh(frame, face, geo, 0, tessellation=parts[0], box=parts[1], anchors=parts[2])
        frames[parts] = frame
    assert not np.any(changed(frames[(False, False, False)]))
    for parts in list(frames)[:3]:
        assert np.any(changed(frames[parts])), parts
    a, b, c = (changed(frames[p]) for p in list(frames)[:3])
    assert not np.array_equal(a, b) and not np.array_equal(b, c)


def test_mesh_draws_only_the_face_it_is_asked_for():
    faces = make_faces(2, center_xy=np.array([[160.0, 240.0], [480.0, 240.0]]), eye_distance=50.0)
    frame = blank()
    draw_mesh(frame, faces, measure(faces), 1, box=False, anchors=False)
    drawn = changed(frame)
    assert not np.any(drawn[:, : W // 2])
    assert np.any(drawn[:, W // 2 :])


@pytest.mark.parametrize("where", list(HALF_OUTSIDE))
@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_mesh_of_face_half_outside_does_not_crash(where, mirrored):
    faces = make_faces(center_xy=HALF_OUTSIDE[where], eye_distance=80.0, mirrored=mirrored)
    frame = blank()
    draw_mesh(frame, faces, measure(faces), 0)
    assert frame.shape == (H, W, 3) and frame.dtype == np.uint8
    assert np.any(changed(frame))


def test_mesh_draws_in_place_on_the_given_frame(face):
    frame = blank()
    view = frame[:, :]
    draw_mesh(view, face, measure(face), 0)
    assert np.any(changed(frame))


# --- draw_tears ------------------------------------------------------------------------


def render_tears(
    faces: Faces, t: float, style: TearStyle | None = None, face_id: int = 0, i: int = 0
) -> np.ndarray:
    frame = blank()
    draw_tears(frame, measure(faces), i, face_id, t, style or TearStyle())
    return frame


@pytest.mark.parametrize("pose", POSES)
@pytest.mark.parametrize("t", [0.0, 0.37, 1.0, 2.9])
def test_tears_stay_on_the_face(pose, t):
    faces = make_faces(**pose)
    frame = render_tears(faces, t)
    drawn = changed(frame)
    assert np.any(drawn)
    margin = 0.5 * float(measure(faces).eye_distance[0])
    assert not np.any(drawn & outside_box(faces.xyxy[0], margin))


def test_same_time_draws_the_same_picture(face):
    np.testing.assert_array_equal(render_tears(face, 1.234), render_tears(face, 1.234))


@pytest.mark.parametrize(("t0", "t1"), [(1.0, 1.1), (0.0, 0.5), (2.0, 2.0 + 1 / 30)])
def test_different_times_draw_different_pictures(face, t0, t1):
    assert not np.array_equal(render_tears(face, t0), render_tears(face, t1))


def test_face_id_varies_the_drops(face):
    assert not np.array_equal(
        render_tears(face, 1.0, face_id=0), render_tears(face, 1.0, face_id=1)
    )


def test_tears_are_stateless(face):
    fresh = render_tears(face, 1.0)
    for t in (0.0, 3.7, 0.99, 12.5, 1.0001):
        render_tears(face, t)
    render_tears(make_faces(roll_deg=40.0, eye_distance=90.0), 1.0, face_id=5)
    np.testing.assert_array_equal(render_tears(face, 1.0), fresh)


def test_tears_do_not_depend_on_frame_rate(face):
    # Render a second of video at 30 and at 60 fps; the frames they share match.
    at_30 = {k / 30: render_tears(face, k / 30) for k in range(0, 31, 5)}
    at_60 = {k / 60: render_tears(face, k / 60) for k in range(0, 61, 10)}
    assert set(at_30) == set(at_60)
    for t, frame in at_30.items():
        np.testing.assert_array_equal(frame, at_60[t], err_msg=f"t={t}")


def _face_frame_offsets(points_xy: np.ndarray, faces: Faces, eye: str) -> np.ndarray:
    geo = measure(faces)
    d = (points_xy - geo.anchors[eye][0]) / geo.eye_distance[0]
    return np.stack([d @ geo.axis_x[0], d @ geo.axis_y[0]], axis=1)


@pytest.mark.parametrize("pose", POSES)
def test_welling_tears_start_just_below_the_eyes(pose):
    style = TearStyle()
    face_id, t = tear_time(style, lambda life: np.all(life < tears_module.WELL_FRACTION * 0.9))
    faces = make_faces(**pose)
    drawn = changed(render_tears(faces, t, style, face_id))
    points = np.argwhere(drawn)[:, ::-1] + 0.5
    near = []
    for eye in ("right_eye", "left_eye"):
        dx, dy = _face_frame_offsets(points, faces, eye).T
        near.append((np.abs(dx) <= 0.5) & (dy >= -0.1) & (dy <= 0.5))
        assert np.count_nonzero(near[-1]) > 20, f"nothing welling at {eye}"
    assert np.all(near[0] | near[1])


def test_running_tears_reach_down_the_cheeks(face):
    # The contrast to the welling test: late in a drop's life it is well below the eye.
    style = TearStyle()
    face_id, t = tear_time(style, lambda life: np.any((life > 0.7) & (life < 0.85)))
    points = np.argwhere(changed(render_tears(face, t, style, face_id)))[:, ::-1] + 0.5
    dy = np.minimum(
        _face_frame_offsets(points, face, "right_eye")[:, 1],
        _face_frame_offsets(points, face, "left_eye")[:, 1],
    )
    assert dy.max() > 0.7


@pytest.mark.parametrize("where", list(HALF_OUTSIDE))
@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_tears_of_face_half_outside_do_not_crash(where, mirrored):
    faces = make_faces(center_xy=HALF_OUTSIDE[where], eye_distance=80.0, mirrored=mirrored)
    for t in (0.1, 0.6, 1.3):
        frame = render_tears(faces, t)
        assert frame.shape == (H, W, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize(
    "center_xy", [(-300.0, 240.0), (W + 300.0, 240.0), (320.0, -300.0), (320.0, H + 300.0)]
)
def test_tears_of_face_wholly_outside_change_nothing(center_xy):
    faces = make_faces(center_xy=center_xy)
    for t in (0.1, 0.6, 1.3):
        assert not np.any(changed(render_tears(faces, t)))


def test_tears_with_a_custom_drop_sprite(face):
    drop = np.zeros((30, 20, 4), np.uint8)
    drop[...] = (0, 0, 255, 255)  # pure red: stands out from the default drop
    style = TearStyle(drop=Sprite.from_bgra(drop))
    frame = render_tears(face, 0.5, style)
    red = (frame[..., 2] == 255) & (frame[..., 0] == 0) & (frame[..., 1] == 0)
    assert np.count_nonzero(red) > 10


@pytest.mark.parametrize("pose", POSES)
def test_the_face_tag_and_the_anchor_names_do_not_cover_each_other(
    pose, monkeypatch: pytest.MonkeyPatch
):
    # The live window mirrors the picture: the forehead's name then goes to the left, where
    # "face 7" sat, and hid it ("voorhoofd" over "gezicht 0", seen in the Dutch window).
    from facefilters.render import mesh

    faces = make_faces(ids=[7], **pose)
    tags: list[tuple[str, tuple[int, int, int, int]]] = []
    draw_tag = mesh._tag

    def recording(frame, text, *args, **kwargs):
        box = draw_tag(frame, text, *args, **kwargs)
        tags.append((text, box))
        return box

    monkeypatch.setattr(mesh, "_tag", recording)
    draw_mesh(blank(), faces, measure(faces), 0, words={"face": "gezicht", "forehead": "voorhoofd"})
    (face_box,) = [box for text, box in tags if text == "gezicht 7"]
    for text, box in tags:
        if text != "gezicht 7":
            overlap_x = min(face_box[2], box[2]) - max(face_box[0], box[0])
            overlap_y = min(face_box[3], box[3]) - max(face_box[1], box[1])
            assert overlap_x <= 0 or overlap_y <= 0, (text, box, face_box)
