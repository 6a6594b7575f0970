"""Triggers: an effect that shows while a measure of the face is past a threshold.

A trigger has two thresholds, one to switch on and one to switch off (hysteresis), so a
mouth held right at the threshold does not make the tongue flicker. Once switched, the
effect fades in or out over ``fade_s`` seconds. The state is kept per face id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..geometry import FaceGeometry

FORGET_S = 2.0
"""A face not seen for this long starts afresh."""


@dataclass
class _State:
    on: bool
    level: float
    t: float


@dataclass(eq=False)
class Trigger:
    """Switches a layer on while ``measure`` is above (or below) a threshold.

    Args:
        measure: one of ``geometry.MEASURE_NAMES``.
        on: the value at which the layer switches on.
        off: the value at which it switches off again; between the two nothing changes.
        below: True to switch on when the measure falls below ``on`` (a blink).
        fade_s: seconds to fade fully in or out once switched.
    """

    measure: str
    on: float
    off: float
    below: bool = False
    fade_s: float = 0.12
    _states: dict[int, _State] = field(default_factory=dict, repr=False)

    @classmethod
    def above(cls, measure: str, threshold: float, **kwargs: Any) -> Trigger:
        """On above ``threshold``; off again a fifth of it lower, unless ``off`` is given."""
        return cls(measure, threshold, kwargs.pop("off", threshold * 0.8), False, **kwargs)

    @property
    def threshold(self) -> float:
        """The switch-on value."""
        return self.on

    def weights(self, geometry: FaceGeometry, ids: np.ndarray, t: float) -> np.ndarray:
        """How far each face's layer is faded in at time ``t``.

        Args:
            geometry: the faces' measures.
            ids: ndarray of shape (n,), int64: the faces' tracking ids.
            t: time in seconds.

        Returns:
            ndarray of shape (n,), float32 in [0, 1].
        """
        values = geometry.measures[self.measure]
        out = np.zeros(len(values), np.float32)
        for i, (value, face_id) in enumerate(zip(values.tolist(), ids.tolist())):
            state = self._states.get(face_id)
            if state is None or not 0 <= t - state.t <= FORGET_S:
                # A face seen for the first time (a photo, too) shows its state at once.
                on = value < self.on if self.below else value > self.on
                state = self._states[face_id] = _State(on, float(on), t)
            elif state.on:
                state.on = not (value > self.off if self.below else value < self.off)
            else:
                state.on = value < self.on if self.below else value > self.on
            step = (t - state.t) / self.fade_s if self.fade_s > 0 else 1.0
            target = 1.0 if state.on else 0.0
            state.level += float(np.clip(target - state.level, -step, step))
            state.t = t
            out[i] = state.level
        # Forget faces gone for good, so a long live session does not grow the table.
        if len(self._states) > 4 * max(len(values), 4):
            self._states = {k: s for k, s in self._states.items() if t - s.t <= FORGET_S}
        return out
