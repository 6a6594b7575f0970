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
depth is in the picture and not seen here. The estimator's one change made while looking
at these pictures (the rotation from ``x, y`` alone, not FaceMesh's flattened depth; no
parameter) was chosen from three candidates on Grace Hopper at full size; the astronaut
and the other sizes judge it, though their figures were printed alongside. Both faces
are reported apart.

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
from turned_head import CONDITIONS, TURNS, HeadModel, angles, condition, turned_picture

from .conftest import read

pytestmark = [
    pytest.mark.e2e,
    # Tuned on FaceMesh's landmarks (the xfails below name them). On Tasks the bundle's
    # short-range detector misses the heads turned 45 degrees: the astronaut's at full
    # size at confidence 0.5, Grace Hopper's pasted small (25 px between the irises)
    # even at 0.3, where FaceMesh's full-range detector finds them.
    pytest.mark.skipif(
        current_backend() == "tasks",
        reason="pose readings tuned on FaceMesh; Tasks misses 45-degree "
        "turned heads (no full-range detector in its bundle)",
    ),
]

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
    picture was drawn with, size change); errors are (yaw, pitch, roll), read - applied."""
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
                assert len(faces) == 1, f"{name} {turn_id} {cond}: {len(faces)} faces"
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
    # where the head meets the picture's edge): what it changes, the turn changes.
    image, head = portraits[name][:2]
    off = np.abs(head.turn(np.eye(3)).astype(int) - image).max(axis=2) > 8
    assert off.mean() < 0.001


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
ASTRONAUT_NOD = pytest.mark.xfail(
    strict=True,
    reason="the astronaut's nods read too little: down 25 degrees by 8-12, down 15 by "
    "5.5-8.5, up by 4-7.5 (Grace Hopper's within 4.8). The fit on the landmarks "
    "the picture was drawn with is within 3.5, so it is FaceMesh's reading of her "
    "nodded head. On these same pictures the older fit through FaceMesh's depth "
    "reads her nods within 4.1 but her yaws up to 15.8 short (Hopper's 18.6)",
)
ASTRONAUT_YAW_PITCH = pytest.mark.xfail(
    strict=True,
    reason="the astronaut's yaw reads within 4.8 degrees, but turned 45 degrees to her "
    "right at full size her pitch reads 8.1 too low (6.4 at 30)",
)


@pytest.mark.parametrize(
    ("name", "group"),
    [
        *[(name, "roll") for name in PHOTOS],
        ("grace_hopper", "yaw"),
        pytest.param("astronaut", "yaw", marks=ASTRONAUT_YAW_PITCH),
        ("grace_hopper", "pitch15"),
        ("grace_hopper", "pitch25"),
        pytest.param("astronaut", "pitch15", marks=ASTRONAUT_NOD),
        pytest.param("astronaut", "pitch25", marks=ASTRONAUT_NOD),
    ],
)
def test_turned_heads_read_within_eight_degrees(name: str, group: str, readings) -> None:
    rows = [r for r in readings[name] if r[0] in GROUPS[group]]
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
    errors = [abs(r[2][0]) for r in readings[name] if r[0] in GROUPS["yaw"]]
    assert max(errors) < MAX_ERROR_DEG


@pytest.mark.parametrize("name", PHOTOS)
def test_size_holds_as_the_head_turns(name: str, readings) -> None:
    changes = np.array([r[4] for r in readings[name]])
    print(
        f"\n{name}: size_px change from the portrait's, {changes.min() * 100:+.1f} % .. "
        f"{changes.max() * 100:+.1f} % (median {np.median(changes) * 100:+.1f} %)"
    )
    assert np.abs(changes).max() < MAX_SIZE_CHANGE
