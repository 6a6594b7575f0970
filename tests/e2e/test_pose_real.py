"""Head pose and size on real turned heads, read back through the real FaceMesh model.

The two public-domain portraits (Grace Hopper, the astronaut) hold no turned head, so the
heads are turned here: the whole head is lifted to 3-D (the face through its own mesh,
skull, hair and neck around it) and turned by a known yaw (+-15/30/45) or pitch
(+-15/25 degrees) (``tests/turned_head.py``), or the whole picture is rotated (roll
+-20). FaceMesh then finds the face afresh in each picture, as it is, at half size, with
camera-like noise and JPEG compression, and pasted small into a room (25 px between the
irises, found by the two-stage finder), and ``measure`` reads the pose from those
landmarks.

What is judged is the change of pose: the portrait's own pose (not known: both are
nearly frontal) composed with the turn that was applied, against what is read. Caveat:
the turned face's depth is FaceMesh's own on the frontal portrait, so an error in that
depth is in the picture and not seen here. Both faces are reported apart.

How the estimator came to be, so the figures can be weighed: no parameter was fitted to
these pictures, but two choices between parameter-free candidates were made looking at
them. First the rotation from ``x, y`` alone, not FaceMesh's flattened depth (chosen on
Grace Hopper at full size); it left the astronaut's nods reading 0.6 of the turn. Then
the nod from the fit through the depth, the rest from ``x, y`` (chosen from four
candidates on both faces, every condition, and the turns of
``test_other_turns_read_within_eight_degrees`` as well). There is no third public-domain
face to hold out; the Tasks backend's landmarks, a different network, were not looked at
when choosing (``tests/e2e/test_pose_tasks.py``).

Run with ``-s`` to see the spread.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from facefilters.detect import Detector, close_detector, current_backend, default_detector
from facefilters.faces import Faces
from facefilters.geometry import LEFT_IRIS, RIGHT_IRIS, fit_canonical, measure
from turned_head import (
    CONDITIONS,
    TURNS,
    HeadModel,
    angles,
    condition,
    pitch_rotation,
    turned_picture,
    yaw_rotation,
)

from .conftest import read

pytestmark = pytest.mark.e2e

TASKS = current_backend() == "tasks"
TASKS_MISSES = ("yaw-45", "yaw+45")
"""Turns whose heads the Tasks backend may not find: its bundle holds only a short-range
face detector, which misses heads turned 45 degrees (the astronaut's at full size, Grace
Hopper's pasted small), where FaceMesh's full-range one finds them. Finding is judged in
the finding tests; here the pose is read wherever the face is found."""

PHOTOS = ("grace_hopper", "astronaut")
MAX_ERROR_DEG = 8.0
"""Largest error of any angle on any picture (the issue's aim)."""
MAX_SIZE_CHANGE = 0.10
"""Largest change of ``size_px`` from the portrait's own, as a share of it. A whole head
turned (not only the face inside its mesh) moves it more: 8.3 % at worst (Grace Hopper
nodding down 25 degrees, at half size)."""


@pytest.fixture(scope="module")
def portraits(photos: dict[str, Path], detector: Detector):
    """Each portrait, its head lifted to 3-D, its own fitted rotation and size, and its
    iris distance."""
    out = {}
    for name in PHOTOS:
        image = read(photos[name])
        faces = detector.detect(image, 0.0)
        assert len(faces) == 1
        rotation, size = fit_canonical(faces.landmarks)
        irises = faces.landmarks[0, [RIGHT_IRIS, LEFT_IRIS], :2]
        out[name] = (
            image,
            HeadModel.lift(image, faces.landmarks[0]),
            rotation[0],
            float(size[0]),
            float(np.hypot(*(irises[1] - irises[0]))),
        )
    return out


@pytest.fixture(scope="module")
def finder() -> Iterator[Detector]:
    """The default two-stage detector, for far faces in a room."""
    d = default_detector(static_image_mode=True)
    yield d
    close_detector(d)


@pytest.fixture(scope="module")
def readings(portraits, detector: Detector, finder: Detector) -> dict[str, list[tuple]]:
    """Per portrait, one row per turned picture: (turn id, condition, error of the
    angles read from FaceMesh's landmarks, error of those read from the landmarks the
    picture was drawn with, size change); errors are (yaw, pitch, roll), read - applied.
    The error read and the size change are None where the face was not found."""
    out: dict[str, list[tuple]] = {}
    for k, name in enumerate(PHOTOS):
        image, head, own, own_size, eye_px = portraits[name]
        rows = []
        for j, (turn_id, axis, degrees) in enumerate(TURNS):
            picture, turn, eyes_xy = turned_picture(image, head, axis, degrees)
            expected = angles(turn @ own)
            drawn = (
                expected
                if axis == "roll"
                else angles(fit_canonical(head.turned_landmarks(turn)[None])[0][0])
            )
            for c, cond in enumerate(CONDITIONS):
                shown, scale = condition(
                    picture, cond, name, eyes_xy, eye_px, seed=100 * k + 10 * j + c
                )
                faces = (finder if cond == "pasted_small" else detector).detect(shown, 0.0)
                assert len(faces) <= 1, f"{name} {turn_id} {cond}: {len(faces)} faces"
                if not len(faces):
                    rows.append((turn_id, cond, None, drawn - expected, None))
                    continue
                g = measure(Faces(faces.landmarks))
                got = np.array([g.yaw_deg[0], g.pitch_deg[0], g.roll_deg[0]], np.float64)
                size_change = float(g.size_px[0]) / (own_size * scale) - 1.0
                rows.append((turn_id, cond, got - expected, drawn - expected, size_change))
        out[name] = rows
    return out


@pytest.mark.parametrize("name", PHOTOS)
def test_a_frontal_portrait_reads_as_nearly_frontal(name: str, portraits) -> None:
    # Both portraits face the camera, give or take a little: a sanity check of the signs.
    yaw, pitch, roll = angles(portraits[name][2])
    print(f"\n{name} as photographed: yaw {yaw:+.1f}, pitch {pitch:+.1f}, roll {roll:+.1f}")
    assert abs(yaw) < 15 and abs(pitch) < 20 and abs(roll) < 15


@pytest.mark.parametrize("name", PHOTOS)
def test_an_unturned_head_is_the_photo(name: str, portraits) -> None:
    # The turned-head renderer with no turn gives the photo back (but for a few pixels
    # where the head meets the picture's edge): what it changes, the turn changes. Those
    # pixels: 0.05 % or less with FaceMesh's landmarks, 0.11 % with Tasks' (the
    # astronaut, whose head reaches the top edge).
    image, head = portraits[name][:2]
    off = np.abs(head.turn(np.eye(3)).astype(int) - image).max(axis=2) > 8
    print(f"\n{name}: {off.mean() * 100:.3f} % of pixels changed")
    assert off.mean() < 0.002


@pytest.mark.parametrize("name", PHOTOS)
def test_every_turned_head_is_found(name: str, readings) -> None:
    missed = [f"{r[0]} {r[1]}" for r in readings[name] if r[2] is None]
    print(f"\n{name} ({current_backend()}): not found: {', '.join(missed) or 'none'}")
    allowed = TASKS_MISSES if TASKS else ()
    assert all(m.split()[0] in allowed for m in missed)


@pytest.mark.parametrize("name", PHOTOS)
def test_the_fit_turns_exactly_with_a_real_face(name: str, readings) -> None:
    # The landmarks each turned picture was drawn with: a real face's shape (not the
    # canonical one) turned exactly. The fit reads the turn from the points' x, y, which
    # a real face's own shape bends a little away from the canonical face's; within four
    # degrees up to 45.
    errors = np.array([r[3] for r in readings[name]])
    print(
        f"\n{name}, drawn landmarks: worst error yaw {np.abs(errors[:, 0]).max():.2f}, "
        f"pitch {np.abs(errors[:, 1]).max():.2f}, roll {np.abs(errors[:, 2]).max():.2f}"
    )
    assert np.abs(errors).max() < 4.0


GROUPS = {
    "roll": ("roll-20", "roll+20"),
    "pitch15": ("pitch-15", "pitch+15"),
    "pitch25": ("pitch-25", "pitch+25"),
    "yaw": ("yaw-45", "yaw-30", "yaw-15", "yaw+15", "yaw+30", "yaw+45"),
}


@pytest.mark.parametrize(
    ("name", "group"),
    [(name, group) for name in PHOTOS for group in GROUPS],
)
def test_turned_heads_read_within_eight_degrees(name: str, group: str, readings) -> None:
    rows = [r for r in readings[name] if r[0] in GROUPS[group] and r[2] is not None]
    print(f"\n{name}: error in degrees (read - applied), yaw / pitch / roll")
    for turn_id, cond, err, _, size_change in rows:
        print(
            f"  {turn_id:>8} {cond:<10} {err[0]:+6.1f} {err[1]:+6.1f} {err[2]:+6.1f}   "
            f"size {size_change * 100:+5.1f} %"
        )
    errors = np.array([r[2] for r in rows])
    for cond in CONDITIONS:
        e = np.abs(errors[[r[1] == cond for r in rows]])
        print(
            f"  {cond:<10} mean |error| yaw {e[:, 0].mean():.1f} pitch {e[:, 1].mean():.1f} "
            f"roll {e[:, 2].mean():.1f}; worst {e.max():.1f}"
        )
    assert np.abs(errors).max() < MAX_ERROR_DEG


@pytest.mark.parametrize("name", PHOTOS)
def test_yaw_itself_reads_within_eight_degrees(name: str, readings) -> None:
    # The yaw of the yawed heads alone; the groups above hold every angle to the aim.
    errors = [abs(r[2][0]) for r in readings[name] if r[0] in GROUPS["yaw"] and r[2] is not None]
    assert max(errors) < MAX_ERROR_DEG


@pytest.mark.parametrize("name", PHOTOS)
def test_size_holds_as_the_head_turns(name: str, readings) -> None:
    changes = np.array([r[4] for r in readings[name] if r[4] is not None])
    print(
        f"\n{name}: size_px change from the portrait's, {changes.min() * 100:+.1f} % .. "
        f"{changes.max() * 100:+.1f} % (median {np.median(changes) * 100:+.1f} %)"
    )
    assert np.abs(changes).max() < MAX_SIZE_CHANGE


OTHER_TURNS = {
    **{f"pitch{d:+d}": pitch_rotation(d) for d in (-30, -20, -10, 10, 20, 30)},
    **{
        f"yaw{y:+d}pitch{p:+d}": yaw_rotation(y) @ pitch_rotation(p)
        for y in (-30, 30)
        for p in (-20, 20)
    },
}
"""Nods between and beyond those above, and heads turned and nodded at once."""


@pytest.mark.parametrize("name", PHOTOS)
def test_other_turns_read_within_eight_degrees(
    name: str, portraits, detector: Detector, finder: Detector
) -> None:
    image, head, own, _, eye_px = portraits[name]
    errors, missed = [], []
    print(f"\n{name}: error in degrees (read - applied), yaw / pitch / roll, worst of")
    for j, (turn_id, turn) in enumerate(OTHER_TURNS.items()):
        picture = head.turn(turn)
        eyes_xy = head.turned_landmarks(turn)[[RIGHT_IRIS, LEFT_IRIS], :2].mean(axis=0)
        expected = angles(turn @ own)
        worst = np.zeros(3)
        for c, cond in enumerate(CONDITIONS):
            shown, _ = condition(picture, cond, name, eyes_xy, eye_px, seed=5000 + 10 * j + c)
            faces = (finder if cond == "pasted_small" else detector).detect(shown, 0.0)
            assert len(faces) <= 1, f"{name} {turn_id} {cond}: {len(faces)} faces"
            if not len(faces):
                missed.append(f"{turn_id} {cond}")
                continue
            g = measure(Faces(faces.landmarks))
            error = np.array([g.yaw_deg[0], g.pitch_deg[0], g.roll_deg[0]]) - expected
            worst = np.maximum(worst, np.abs(error))
            errors.append(error)
        print(f"  {turn_id:>16} {worst[0]:5.1f} {worst[1]:5.1f} {worst[2]:5.1f}")
    print(f"  not found: {', '.join(missed) or 'none'}")
    # Finding is judged elsewhere; a head nodded 30 degrees and pasted small (25 px between
    # the irises) is at its edge. Nine in ten found, as the finder's own aim.
    assert len(missed) <= len(errors) // 9
    assert np.abs(np.array(errors)).max() < MAX_ERROR_DEG
