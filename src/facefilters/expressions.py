"""Expressions a filter can trigger on: smile, jaw open, brows up, blink left and right.

Each is a score from 0 (a neutral face) to 1 (the expression in full), on either backend:

- **Tasks**: MediaPipe's blendshape scores (``faces.extras["blendshapes"]``), only the
  ones that read low on a neutral face (:data:`FROM_BLENDSHAPES`).
- **FaceMesh**: the geometric measures, mapped onto the same scale
  (:data:`FROM_GEOMETRY`), so a filter's thresholds mean about the same on both.

What was measured (``face_landmarker.task`` on the two public-domain portraits, their
expressions made in code: mouth corners warped up, brows warped up, the jaw pulled
down, eyes painted shut; see docs/FILTERS.md):

========================  ===========  ================  =============================
blendshape                neutral      expression         used
========================  ===========  ================  =============================
mouthSmileLeft/Right      0.01         0.69 (warped)      smile (the astronaut's own
                                                          smile reads 0.90)
jawOpen                   0.00-0.01    0.09-0.16 (warp)   jaw_open; reads a warped jaw
                                                          low, a real one higher
browInnerUp               0.02-0.04    0.03-0.59          brows_up (mean of the three)
browOuterUpLeft/Right     0.07-0.12    0.15-0.62          brows_up; Hopper's glasses
                                                          hide most of hers
eyeBlinkLeft/Right        0.03-0.06    0.19-0.46 (paint)  blink_left, blink_right
eyeSquintLeft/Right       0.27-0.65    --                 no: high on a neutral face
mouthPressLeft/Right      0.13-0.17    --                 no: high on a neutral face
eyeLook*                  up to 0.16   --                 no: where the eyes look
========================  ===========  ================  =============================

Left and right are the person's own, as everywhere in facefilters.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

EXPRESSION_NAMES = ("smile", "jaw_open", "brows_up", "blink_left", "blink_right")
"""Expression scores, 0 (neutral) to 1, a filter's ``when.measure`` can name."""

BLENDSHAPE_NAMES = (
    "_neutral",
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawOpen",
    "jawRight",
    "mouthClose",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthFunnel",
    "mouthLeft",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthPucker",
    "mouthRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "noseSneerLeft",
    "noseSneerRight",
)
"""MediaPipe's 52 blendshapes, in the order the Tasks model gives them."""

FROM_BLENDSHAPES: Mapping[str, tuple[str, ...]] = {
    "smile": ("mouthSmileLeft", "mouthSmileRight"),
    "jaw_open": ("jawOpen",),
    "brows_up": ("browInnerUp", "browOuterUpLeft", "browOuterUpRight"),
    "blink_left": ("eyeBlinkLeft",),
    "blink_right": ("eyeBlinkRight",),
}
"""Each expression on the Tasks backend: the mean of these blendshapes."""

FROM_GEOMETRY: Mapping[str, tuple[str, float, float]] = {
    "smile": ("mouth_corners", 0.01, 0.11),
    "jaw_open": ("mouth_open", 0.10, 0.60),
    "brows_up": ("brow_raise", 0.39, 0.54),
    "blink_left": ("left_eye_open", 0.27, 0.07),
    "blink_right": ("right_eye_open", 0.27, 0.07),
}
"""Each expression on the FaceMesh backend: ``(measure, neutral, full)``, the score
rising linearly from 0 at ``neutral`` to 1 at ``full``. Set from FaceMesh on the same
pictures as the table above: mouth corners 0.00 neutral, 0.09 warped into a smile
(0.17 for the astronaut's own); mouth open 0.17 for her smile with teeth, 0.36-0.47
with the jaw pulled down; brows 0.375 neutral, 0.46-0.49 raised; eyes 0.29-0.38 open,
0.04-0.15 painted shut."""

_INDEX = {name: k for k, name in enumerate(BLENDSHAPE_NAMES)}


def expressions(
    measures: Mapping[str, np.ndarray], blendshapes: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Every face's expression scores.

    Args:
        measures: the geometric measures, name -> ndarray of shape (n,) (see
            :func:`facefilters.geometry.measure`).
        blendshapes: ndarray of shape (n, 52), float32, from the Tasks backend; None (or
            too few columns) for a backend without them.

    Returns:
        name -> ndarray of shape (n,), float32 in [0, 1], for each of
        :data:`EXPRESSION_NAMES`.
    """
    out = {}
    use_shapes = (
        blendshapes is not None
        and np.ndim(blendshapes) == 2
        and (np.shape(blendshapes)[1] >= len(BLENDSHAPE_NAMES))
    )
    for name in EXPRESSION_NAMES:
        if use_shapes:
            columns = [_INDEX[b] for b in FROM_BLENDSHAPES[name]]
            score = np.asarray(blendshapes, np.float32)[:, columns].mean(axis=1)
        else:
            measure, neutral, full = FROM_GEOMETRY[name]
            score = (np.asarray(measures[measure], np.float32) - neutral) / (full - neutral)
        out[name] = np.clip(score, 0.0, 1.0).astype(np.float32)
    return out
