"""What every effect kind shares: the context it draws from, its contract, and the filter.

An effect kind is a class with ``from_toml`` (build it from one ``[[layers]]`` table) and
``apply`` (draw on a frame). The kinds are registered in one dict,
:data:`facefilters.effects.KINDS`; the loader and the apps know nothing else about them.

A :class:`Filter` runs its layers in two phases: every warp first (they move pixels, so
they must see the face before anything is drawn on it), then everything drawn on top. A
sticker is therefore never bent by another face's warp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Protocol

import cv2
import numpy as np

from ..faces import Faces
from ..geometry import FaceGeometry, measure
from ..render.label import draw_deepfake_label
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


DEEPFAKE_LABEL = "DEEPFAKE"
"""The label a filter that swaps faces stamps on every picture, unless the app gives the
same word in the user's language (:meth:`Filter.labelled`)."""


class FaceFinder(Protocol):
    """Finds the faces in one still photo: how an effect that needs a face from a photo
    (a face swap's source) gets its landmarks without importing a detector."""

    def __call__(self, image: np.ndarray) -> Faces:
        """Faces in ``image`` (ndarray of shape (H, W, 3), uint8, BGR)."""


@dataclass(frozen=True)
class Filter:
    """A loaded filter: its id, display name, description and layers (back to front).

    Attributes:
        label: the word stamped on every picture of a filter that swaps faces
            (:attr:`deepfake`); which word, not whether, is the app's choice.
    """

    id: str
    name: str
    description: str
    layers: tuple[Layer, ...]
    label: str = DEEPFAKE_LABEL

    @property
    def deepfake(self) -> bool:
        """True when a layer puts someone else's face on a face: its pictures are
        labelled, and files written with it carry a note saying so."""
        return any(getattr(layer.effect, "deepfake", False) for layer in self.layers)

    def labelled(self, label: str) -> Filter:
        """The same filter, stamping ``label`` (e.g. "NEP" in Dutch); never none."""
        return replace(self, label=label.strip() or DEEPFAKE_LABEL)

    def prepare(
        self,
        find_faces: FaceFinder,
        face: np.ndarray | None = None,
        more: Sequence[tuple[str, np.ndarray]] = (),
    ) -> list[str]:
        """Let layers that need a face from a photo find it (a swap's source faces).

        Args:
            find_faces: a still-photo face finder (the apps build one on their detector).
            face: ndarray of shape (H, W, 3), uint8, BGR: a photo of the face to use
                first, before the filter's own (``--face PHOTO``), or None.
            more: (name, image) of further photos to cycle through (``--faces DIR``).

        Returns:
            The names of photos in ``more`` left out because they have no face, or several.

        Raises:
            FilterError: ``face`` or a filter's own photo has no face, or more than one.
        """
        skipped: list[str] = []
        for layer in self.layers:
            prepare = getattr(layer.effect, "prepare", None)
            if prepare is not None:
                skipped += prepare(find_faces, face, more)
        return skipped

    def next_face(self) -> bool:
        """Switch every swap layer to its next source face; False if there is none."""
        switched = False
        for layer in self.layers:
            step = getattr(layer.effect, "next_face", None)
            if step is not None:
                step()
                switched = True
        return switched

    def kinds(self) -> set[str]:
        """The effect kinds this filter uses."""
        return {layer.effect.kind for layer in self.layers}

    def without_triggered(self) -> Filter:
        """The filter without its triggered layers (the dog without its tongue)."""
        return replace(self, layers=tuple(layer for layer in self.layers if layer.when is None))

    def apply(self, frame: np.ndarray, faces: Faces, t: float) -> np.ndarray:
        """Draw the filter on every face, in place.

        Args:
            frame: ndarray of shape (H, W, 3), uint8, BGR.
            faces: the frame's faces (smoothed, with ids).
            t: time in seconds, for animated layers and triggers.

        Returns:
            The same ``frame``.
        """
        presence = faces.extras.get("presence")
        if presence is None or len(faces) == 0 or (presence >= 1).all():
            self._draw(frame, faces, t)
            return self._stamp(frame)
        # Faces just lost fade out (FaceTracker(fade_s=...)): each is drawn on a copy
        # and mixed in by how present it still is.
        fading = np.flatnonzero(presence < 1)
        self._draw(frame, faces[np.flatnonzero(presence >= 1)], t)
        for i in fading:
            drawn = frame.copy()
            self._draw(drawn, faces[np.array([i])], t)
            weight = float(np.clip(presence[i], 0.0, 1.0))
            cv2.addWeighted(drawn, weight, frame, 1.0 - weight, 0.0, dst=frame)
        return self._stamp(frame)

    def _draw(self, frame: np.ndarray, faces: Faces, t: float) -> None:
        """Every layer on every face, warps first, in place; no label."""
        if len(faces) == 0:
            return
        geometry = measure(faces)
        source = frame.copy() if any(x.effect.reads_source for x in self.layers) else None
        ones = np.ones(len(faces), np.float32)
        # Triggers keep time even while their layer is not drawn, so they are all read
        # every frame, before anything is drawn.
        weights = [
            layer.when.weights(geometry, faces.ids, t) if layer.when else ones
            for layer in self.layers
        ]
        for phase in (WARP, OVERLAY):
            for layer, w in zip(self.layers, weights):
                if layer.effect.phase == phase and w.any():
                    layer.effect.apply(frame, EffectContext(source, faces, geometry, t, w))

    def _stamp(self, frame: np.ndarray) -> np.ndarray:
        # Here, after every layer, rather than in the swap effect: no layer order, option
        # or trigger can leave a swapped picture unlabelled.
        if self.deepfake:
            draw_deepfake_label(frame, self.label)
        return frame
