"""Face swaps on real photos, judged by the real FaceMesh model and by appearance.

The astronaut's face goes on Grace Hopper and hers on the astronaut, each target as it is,
at half size, and turned 20 degrees either way. FaceMesh must then find one face, where
and as the target was (the swap keeps the target's shape, pose and expression), and that
face, laid out flat on the canonical face's UV layout, must look like the source, not the
target. Two faces in one picture trade places the same way.

Run with ``-s`` to see the margins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from facefilters.detect import Detector
from facefilters.render.meshmap import canonical_face, mesh_maps
from facefilters.render.swap import (
    INNER_LIPS,
    LEFT_EYE,
    OUTER_LIPS,
    RIGHT_EYE,
    SwapSource,
    swap_face,
    trade_faces,
)

from .conftest import read, redrawn, variant, yaw_rotation

pytestmark = pytest.mark.e2e

PHOTOS = ("grace_hopper", "astronaut")
VARIANTS = ("original", "half", "turned_left", "turned_right")
UV_SIZE = 96
"""Faces are compared at an eye distance of 29 pixels (0.3 of this), about the smallest
face swapped here (21), blurred a little more: what is compared is the face, not how
sharp each photo is."""

MAX_PLACE_ERROR = 0.06
"""Median distance between the target's landmarks and those found in the result, in
eye distances."""
MIN_LIKENESS_MARGIN = 0.25
"""How much better the result's face correlates with the source than with the target.
Two different faces correlate by some 0.4 (the same nose, the same shading); a swap
blended at 70 % scores a margin near zero."""
CLIP_LIKENESS_MARGIN = 0.2
"""The margin on the demo clip's tilting cards."""
MIN_LIKENESS = 0.7
"""How well the result's face must correlate with the source's."""
SEAMLESS_MARGIN = 0.1
"""The margin for Poisson blending, which by design takes the target's shading (and the
colours on the mask's border: glasses, hair) into the face."""


def eye_distance(xyz: np.ndarray) -> float:
    return float(np.hypot(*(xyz[473, :2] - xyz[468, :2])))


def one_face(detector: Detector, image: np.ndarray) -> np.ndarray:
    faces = detector.detect(image, 0.0)
    assert len(faces) == 1, f"expected one face, found {len(faces)}"
    return faces.landmarks[0]


@lru_cache(maxsize=1)
def compared_area() -> np.ndarray:
    """Where faces are compared in the UV layout: ndarray (S, S) of bool.

    The mesh, less its outer band (the feathered edge and the forehead, where the
    target's own skin and hair still show; the layout stretches the sides of the face,
    so the band is wide), less the eyes and the mouth (the target's, kept) with a margin:
    the nose, the cheeks, between and under the eyes.
    """
    model = canonical_face()
    s = UV_SIZE
    uv = model.uv * s
    mask = np.zeros((s, s), np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(uv).astype(np.int32)), 1)
    # The UV layout's eye distance is 0.3 of its width.
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8), iterations=round(0.15 * s))
    mask[: int(uv[:, 1].min() + 0.25 * s)] = 0
    for contour in (RIGHT_EYE, LEFT_EYE, OUTER_LIPS, INNER_LIPS):
        pts = np.round(uv[list(contour)]).astype(np.int32)
        cv2.fillPoly(mask, [pts], 0)
        cv2.polylines(mask, [pts], True, 0, round(0.04 * s))
    return mask.astype(bool)


def flat_gray(image: np.ndarray, xyz: np.ndarray) -> np.ndarray:
    """The face laid out on the canonical UV layout, grey: ndarray (S, S), float32."""
    model = canonical_face()
    dst = model.uv * UV_SIZE - 0.5
    map_x, map_y, _ = mesh_maps(dst, xyz[:468, :2], model.triangles, (0, 0, UV_SIZE, UV_SIZE))
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    flat = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return cv2.GaussianBlur(flat.astype(np.float32), (0, 0), 1.0)


def likeness(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two flat faces inside the compared area, -1..1."""
    mask = compared_area()
    x, y = a[mask] - a[mask].mean(), b[mask] - b[mask].mean()
    return float((x * y).sum() / np.sqrt((x * x).sum() * (y * y).sum()))


@dataclass(frozen=True)
class Swapped:
    """A source face swapped onto a target, as FaceMesh and the UV layout see it."""

    result: np.ndarray
    found: np.ndarray
    place: float
    to_source: float
    to_target: float


def swap_and_judge(
    source: tuple[np.ndarray, np.ndarray], target: np.ndarray, detector: Detector
) -> Swapped:
    """Swap the source's face onto the target's one face; where FaceMesh then finds it
    (median landmark error in eye distances) and how alike it looks to each face."""
    source_image, source_xyz = source
    target_xyz = one_face(detector, target)
    result = swap_face(target.copy(), target_xyz, SwapSource.from_image(source_image, source_xyz))
    found = one_face(detector, result)
    place = float(np.median(np.hypot(*(found[:, :2] - target_xyz[:, :2]).T)))
    flat = flat_gray(result, found)
    return Swapped(
        result,
        found,
        place / eye_distance(target_xyz),
        likeness(flat, flat_gray(source_image, source_xyz)),
        likeness(flat, flat_gray(target, target_xyz)),
    )


@pytest.fixture(scope="module")
def sources(
    photos: dict[str, Path], detector: Detector
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each photo and its face's landmarks."""
    out = {}
    for name in PHOTOS:
        image = read(photos[name])
        out[name] = (image, one_face(detector, image))
    return out


@pytest.mark.parametrize("variant_name", VARIANTS)
@pytest.mark.parametrize("source_name", PHOTOS)
def test_the_swapped_face_is_the_sources_in_the_targets_place(
    source_name: str, variant_name: str, sources, detector: Detector
) -> None:
    target_name = next(p for p in PHOTOS if p != source_name)
    target = variant(sources[target_name][0], variant_name)
    eye = eye_distance(one_face(detector, target))

    judged = swap_and_judge(sources[source_name], target, detector)

    place, to_source, to_target = judged.place, judged.to_source, judged.to_target
    print(
        f"\n{source_name} on {target_name} {variant_name}: eye {eye:.0f} px, landmarks "
        f"off by {place:.3f} eye distances (max {MAX_PLACE_ERROR}); likeness to source "
        f"{to_source:.3f}, to target {to_target:.3f}, margin {to_source - to_target:.3f} "
        f"(min {MIN_LIKENESS_MARGIN})"
    )
    assert place < MAX_PLACE_ERROR
    assert to_source > MIN_LIKENESS
    assert to_source > to_target + MIN_LIKENESS_MARGIN


@pytest.mark.parametrize(
    "options",
    [{"blend": "seamless"}, {"keep_mouth": False, "keep_eyes": False}, {"color_match": False}],
    ids=["seamless", "keep_nothing", "no_colour_match"],
)
@pytest.mark.parametrize("source_name", PHOTOS)
def test_every_option_still_swaps(source_name: str, options, sources, detector: Detector) -> None:
    target_name = next(p for p in PHOTOS if p != source_name)
    source_image, source_xyz = sources[source_name]
    target, target_xyz = sources[target_name]

    result = swap_face(
        target.copy(), target_xyz, SwapSource.from_image(source_image, source_xyz), **options
    )

    found = one_face(detector, result)
    place = float(np.median(np.hypot(*(found[:, :2] - target_xyz[:, :2]).T)))
    place /= eye_distance(target_xyz)
    flat = flat_gray(result, found)
    to_source = likeness(flat, flat_gray(source_image, source_xyz))
    to_target = likeness(flat, flat_gray(target, target_xyz))
    print(
        f"\n{source_name} on {target_name} {options}: landmarks off by {place:.3f}; "
        f"likeness to source {to_source:.3f}, to target {to_target:.3f}, margin "
        f"{to_source - to_target:.3f}"
    )
    assert place < MAX_PLACE_ERROR
    if options.get("blend") == "seamless":
        assert to_source > to_target + SEAMLESS_MARGIN
    else:
        assert to_source > MIN_LIKENESS
        assert to_source > to_target + MIN_LIKENESS_MARGIN


def face_square(image: np.ndarray, xyz: np.ndarray, size: int = 320) -> np.ndarray:
    """A square around the face, twice its landmark span wide, ``size`` pixels."""
    centre = (xyz[:, :2].min(axis=0) + xyz[:, :2].max(axis=0)) / 2
    span = float(np.ptp(xyz[:, :2], axis=0).max())
    x0, y0 = np.maximum(centre - span, 0).astype(int)
    x1, y1 = (centre + span).astype(int)
    return cv2.resize(image[y0:y1, x0:x1], (size, size), interpolation=cv2.INTER_AREA)


def test_two_faces_in_one_picture_trade_places(sources, detector: Detector) -> None:
    # FaceMesh's face detector wants faces large in the picture: two close-ups side by side.
    picture = np.hstack([face_square(*sources[name]) for name in PHOTOS])
    faces = detector.detect(picture, 0.0)
    assert len(faces) == 2
    xyz = faces.landmarks[np.argsort(faces.landmarks[:, 1, 0])]  # left to right

    result = trade_faces(picture.copy(), xyz)

    found = detector.detect(result, 0.0)
    assert len(found) == 2
    found_xyz = found.landmarks[np.argsort(found.landmarks[:, 1, 0])]
    for k in range(2):
        other = 1 - k
        eye = eye_distance(xyz[k])
        place = float(np.median(np.hypot(*(found_xyz[k, :, :2] - xyz[k, :, :2]).T))) / eye
        flat = flat_gray(result, found_xyz[k])
        to_other = likeness(flat, flat_gray(picture, xyz[other]))
        to_own = likeness(flat, flat_gray(picture, xyz[k]))
        print(
            f"\ntrade, face {k}: landmarks off by {place:.3f} eye distances; likeness to "
            f"the other face {to_other:.3f}, to its own {to_own:.3f}, margin "
            f"{to_other - to_own:.3f}"
        )
        assert place < MAX_PLACE_ERROR
        assert to_other > MIN_LIKENESS
        assert to_other > to_own + MIN_LIKENESS_MARGIN


# -- the built-in swap never puts a face on itself ------------------------------------


def built_in_swap(detector: Detector):
    from facefilters.catalog import Catalog

    swap = Catalog().load("swap")
    swap.prepare(lambda image: detector.detect(image, 0.0))
    return swap


def swap_with_filter(swap, detector: Detector, image: np.ndarray) -> np.ndarray:
    return swap.apply(image.copy(), detector.detect(image, 0.0), 0.0)


@pytest.mark.parametrize("variant_name", VARIANTS)
@pytest.mark.parametrize("target_name", PHOTOS)
def test_the_built_in_swap_puts_the_other_portrait_on_each_portrait(
    target_name: str, variant_name: str, sources, detector: Detector
) -> None:
    # Its portraits are the sample photos themselves: a face matching the chosen source
    # must get the other one, or the class would see no swap at all.
    other = next(p for p in PHOTOS if p != target_name)
    target = variant(sources[target_name][0], variant_name)
    target_xyz = one_face(detector, target)

    result = swap_with_filter(built_in_swap(detector), detector, target)

    found = one_face(detector, result)
    flat = flat_gray(result, found)
    to_other = likeness(flat, flat_gray(*sources[other]))
    to_own = likeness(flat, flat_gray(target, target_xyz))
    print(
        f"\nbuilt-in swap on {target_name} {variant_name}: likeness to {other} "
        f"{to_other:.3f}, to itself {to_own:.3f}"
    )
    assert to_other > to_own + MIN_LIKENESS_MARGIN


def test_the_built_in_swap_on_the_demo_clip_changes_every_face(
    tmp_path: Path, demo_clip: Path, sources, detector: Detector
) -> None:
    import av

    from .conftest import run

    out = tmp_path / "swapped.mp4"
    assert run("apply", demo_clip, "-o", out, "--filter", "swap").exit_code == 0

    def frames(path: Path) -> list[np.ndarray]:
        with av.open(str(path)) as container:
            return [
                f.to_ndarray(format="bgr24")
                for k, f in enumerate(container.decode(video=0))
                if k % 15 == 7
            ]

    portraits = {name: flat_gray(*sources[name]) for name in PHOTOS}
    checked = 0
    for before, after in zip(frames(demo_clip), frames(out)):
        was = detector.detect(before, 0.0)
        now = detector.detect(after, 0.0)
        h, w = before.shape[:2]
        for xyz in was.landmarks:
            if (
                xyz[:, 0].min() < 0
                or xyz[:, 1].min() < 0
                or xyz[:, 0].max() >= w
                or xyz[:, 1].max() >= h
            ):
                continue  # cut by the frame's edge: its flat layout is part border
            # Who the card shows, and what the same place shows after the swap.
            own = max(PHOTOS, key=lambda n: likeness(flat_gray(before, xyz), portraits[n]))
            other = next(p for p in PHOTOS if p != own)
            match = np.argmin([np.hypot(*(f[1, :2] - xyz[1, :2])) for f in now.landmarks])
            flat = flat_gray(after, now.landmarks[match])
            to_other, to_own = likeness(flat, portraits[other]), likeness(flat, portraits[own])
            print(f"\n{own} card: likeness to {other} {to_other:.3f}, to itself {to_own:.3f}")
            # The cards tilt away from the camera (squeezed to about 60 % of their width),
            # where a frontal source and the target look more alike: a smaller margin.
            assert to_other > to_own + CLIP_LIKENESS_MARGIN
            checked += 1
    assert checked >= 12


# -- heads that turn ------------------------------------------------------------------


def yawed(image: np.ndarray, xyz: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """The photo with its face turned about the vertical axis (see ``redrawn``)."""
    return redrawn(image, xyz, yaw_rotation(degrees))


@pytest.mark.parametrize("degrees", [-30, 30])
@pytest.mark.parametrize("source_name", PHOTOS)
def test_a_turned_head_gets_the_source_face_turned_the_same_way(
    source_name: str, degrees: float, sources, detector: Detector
) -> None:
    target_name = next(p for p in PHOTOS if p != source_name)
    target, _ = yawed(*sources[target_name], degrees)
    target_xyz = one_face(detector, target)

    judged = swap_and_judge(sources[source_name], target, detector)

    place, to_source, to_target, found = (
        judged.place,
        judged.to_source,
        judged.to_target,
        judged.found,
    )
    # FaceMesh's own depth tells which way the head turned: the same way after the swap.
    turn_before = float(np.polyfit(target_xyz[:468, 0], target_xyz[:468, 2], 1)[0])
    turn_after = float(np.polyfit(found[:468, 0], found[:468, 2], 1)[0])
    print(
        f"\n{source_name} on {target_name} turned {degrees:+}: landmarks off by "
        f"{place:.3f} eye distances; depth slope {turn_before:+.3f} -> {turn_after:+.3f}; "
        f"likeness to source {to_source:.3f}, to target {to_target:.3f}"
    )
    assert place < MAX_PLACE_ERROR
    assert np.sign(turn_after) == np.sign(turn_before) == np.sign(degrees)
    assert to_source > to_target + MIN_LIKENESS_MARGIN
