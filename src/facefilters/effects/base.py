"""What every effect kind shares: the context it draws from, its contract, and the filter.

An effect kind is a class with ``from_toml`` (build it from one ``[[layers]]`` table) and
``apply`` (draw on a frame). The kinds are registered in one dict,
:data:`facefilters.effects.KINDS`; the loader and the apps know nothing else about them.

A :class:`Filter` runs its layers in two phases: every warp first (they move pixels, so
they must see the face before anything is drawn on it), then everything drawn on top. A
sticker is therefore never bent by another face's warp.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from ..faces import Faces
from ..geometry import FaceGeometry, measure
from ..validate import Validator
from .trigger import Trigger

WARP = 0
"""Phase of effects that move pixels (warps): run first, on the face as it is."""
OVERLAY = 1
"""Phase of effects drawn on top (stickers, tears, paint, mesh)."""


@dataclass(frozen=True)
class EffectContext:
    """Everything an effect sees for one frame.

    Attributes:
        source: ndarray of shape (H, W, 3), uint8, BGR: the frame before any effect of
            this filter drew on it. Only filled (else None) when a layer's effect sets
            ``reads_source``, since copying a frame costs time.
        faces: every face in the frame, smoothed and with stable ids.
        geometry: ``measure(faces)``: anchors, pose and expression, one row per face.
        t: time in seconds, for animation and physics.
        weights: ndarray of shape (n,), float32 in [0, 1]: how strongly to apply the
            effect to each face; a trigger fades it in and out. 0 means skip the face.
    """

    source: np.ndarray | None
    faces: Faces
    geometry: FaceGeometry
    t: float
    weights: np.ndarray

    def active(self) -> list[int]:
        """Indices of the faces to draw on (weight above zero)."""
        return [i for i in range(len(self.faces)) if self.weights[i] > 0]


class Effect(Protocol):
    """One kind of effect, as loaded from a ``[[layers]]`` table.

    Attributes:
        kind: the ``kind`` value in ``filter.toml``.
        keys: the table keys the kind reads (besides ``kind`` and ``when``).
        phase: ``WARP`` or ``OVERLAY``.
        reads_source: True if ``apply`` needs ``ctx.source``, the untouched frame.
    """

    kind: ClassVar[str]
    keys: ClassVar[frozenset[str]]
    phase: ClassVar[int]
    reads_source: ClassVar[bool]

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]) -> Effect:
        """Build the effect from its table; errors name ``v.path`` and ``key``."""

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        """Draw on ``frame`` (ndarray of shape (H, W, 3), uint8, BGR), in place."""


@dataclass(frozen=True)
class Layer:
    """An effect, and the trigger that switches it on and off (None: always on)."""

    effect: Effect
    when: Trigger | None = None


@dataclass(frozen=True)
class Filter:
    """A loaded filter: its id, display name, description and layers (back to front)."""

    id: str
    name: str
    description: str
    layers: tuple[Layer, ...]

    def kinds(self) -> set[str]:
        """The effect kinds this filter uses."""
        return {layer.effect.kind for layer in self.layers}

    def without_triggered(self) -> Filter:
        """The filter without its triggered layers (the dog without its tongue)."""
        return Filter(self.id, self.name, self.description,
                      tuple(layer for layer in self.layers if layer.when is None))

    def apply(self, frame: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        """Draw the filter on every face, in place.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR.
            faces: the frame's faces (smoothed, with ids).
            t: time in seconds, for animated layers and triggers.

        Returns:
            The same ``frame``.
        """
        if len(faces) == 0:
            return frame
        geometry = measure(faces)
        source = frame.copy() if any(x.effect.reads_source for x in self.layers) else None
        ones = np.ones(len(faces), np.float32)
        # Triggers keep time even while their layer is not drawn, so they are all read
        # every frame, before anything is drawn.
        weights = [layer.when.weights(geometry, faces.ids, t) if layer.when else ones
                   for layer in self.layers]
        for phase in (WARP, OVERLAY):
            for layer, w in zip(self.layers, weights):
                if layer.effect.phase == phase and w.any():
                    layer.effect.apply(frame, EffectContext(source, faces, geometry, t, w))
        return frame
