"""Expression scores: blendshapes on Tasks, geometry on FaceMesh, and triggers on them."""

from __future__ import annotations

import numpy as np
import pytest

from facefilters.effects import Trigger
from facefilters.expressions import (
    BLENDSHAPE_NAMES,
    EXPRESSION_NAMES,
    FROM_BLENDSHAPES,
    FROM_GEOMETRY,
    expressions,
)
from facefilters.geometry import MEASURE_NAMES, measure

from builders import make_faces


def shapes(**scores: float) -> np.ndarray:
    """One face's 52 blendshape scores, zero but for those named."""
    row = np.zeros((1, len(BLENDSHAPE_NAMES)), np.float32)
    for name, score in scores.items():
        row[0, BLENDSHAPE_NAMES.index(name)] = score
    return row


def neutral_measures(n: int = 1) -> dict[str, np.ndarray]:
    return {m: np.full(n, neutral, np.float32) for m, neutral, _ in FROM_GEOMETRY.values()}


def test_every_expression_is_a_measure_a_filter_can_name() -> None:
    assert set(EXPRESSION_NAMES) <= set(MEASURE_NAMES)
    assert set(FROM_BLENDSHAPES) == set(FROM_GEOMETRY) == set(EXPRESSION_NAMES)
    used = {b for names in FROM_BLENDSHAPES.values() for b in names}
    assert used <= set(BLENDSHAPE_NAMES)
    # Read high on a neutral face (0.27-0.65, 0.13-0.17): never used.
    assert not used & {"eyeSquintLeft", "eyeSquintRight", "mouthPressLeft", "mouthPressRight"}


@pytest.mark.parametrize(
    ("scores", "name", "expected"),
    [
        ({"mouthSmileLeft": 0.6, "mouthSmileRight": 0.8}, "smile", 0.7),
        ({"jawOpen": 0.5}, "jaw_open", 0.5),
        ({"browInnerUp": 0.3, "browOuterUpLeft": 0.6, "browOuterUpRight": 0.6}, "brows_up", 0.5),
        ({"eyeBlinkLeft": 0.9}, "blink_left", 0.9),
        ({"eyeBlinkLeft": 0.9}, "blink_right", 0.0),  # the person's own left only
        ({"eyeSquintLeft": 0.9, "mouthPressLeft": 0.9}, "smile", 0.0),
    ],
)
def test_blendshapes_give_the_scores(scores: dict, name: str, expected: float) -> None:
    got = expressions(neutral_measures(), shapes(**scores))
    assert got[name][0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("name", EXPRESSION_NAMES)
def test_geometry_gives_the_same_scale(name: str) -> None:
    measure_name, neutral, full = FROM_GEOMETRY[name]
    values = {m: np.full(4, n, np.float32) for m, n, _ in FROM_GEOMETRY.values()}
    values[measure_name] = np.array(
        [neutral, (neutral + full) / 2, full, full + 2 * (full - neutral)], np.float32
    )
    np.testing.assert_allclose(expressions(values)[name], [0, 0.5, 1, 1], atol=1e-5)


def test_faces_with_blendshapes_use_them_and_others_use_geometry() -> None:
    face = make_faces(mouth_open=0.5)
    assert measure(face).measures["jaw_open"][0] == pytest.approx(0.8, abs=0.01)
    with_shapes = make_faces(mouth_open=0.5)
    with_shapes = type(with_shapes)(
        with_shapes.landmarks, extras={"blendshapes": shapes(jawOpen=0.1)}
    )
    assert measure(with_shapes).measures["jaw_open"][0] == pytest.approx(0.1)


def test_a_smile_trigger_switches_with_hysteresis() -> None:
    trigger = Trigger.above("smile", 0.5, off=0.3, fade_s=0.0)
    ids = np.array([7])
    seen = []
    for t, smile in enumerate([0.1, 0.6, 0.4, 0.35, 0.2, 0.45, 0.55]):
        faces = type(make_faces())(
            make_faces().landmarks,
            ids=ids,
            extras={"blendshapes": shapes(mouthSmileLeft=smile, mouthSmileRight=smile)},
        )
        seen.append(float(trigger.weights(measure(faces), ids, t * 0.1)[0]))
    assert seen == [0, 1, 1, 1, 0, 0, 1]
