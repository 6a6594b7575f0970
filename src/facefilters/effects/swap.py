"""``kind = "swap"``: someone else's face on every face — the deepfake, shown openly.

The source face comes from a photo: the filter's own (``faces = [...]`` in its folder,
cycled with :meth:`SwapEffect.next_face`) or the user's (``--face PHOTO``). Its
landmarks are found once, by the app's detector, in :meth:`SwapEffect.prepare`: effects
never import MediaPipe. ``mode = "trade"`` needs no photo: the faces in the frame trade
places (Snapchat's face swap).

Every filter with a swap layer is a deepfake (:attr:`Filter.deepfake`): its pictures are
labelled and the files written with it say so, whatever the options.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import FilterError, Number, Phrase
from ..render.swap import (
    BLENDS,
    MIN_EYE_PX,
    SAME_FACE,
    SkinColour,
    SourceFaceOutside,
    SourceFaceTooSmall,
    SwapSource,
    face_print,
    likeness,
    skin_colour,
    swap_face,
    trade_faces,
)
from ..validate import Validator
from .base import WARP, EffectContext, FaceFinder

MODES = ("swap", "trade")
MAX_FACES = 32
"""The most photos a swap filter cycles through (each is read and searched at start)."""
SKIN_TAU_S = 0.5
"""How slowly the colour match follows the skin under the face, in seconds."""
LOOKS = 30
"""How many times a face's likeness to the source faces is measured, from its first
frame on: enough to see it from its best side, without a cost on every frame after."""


@dataclass(eq=False)
class SwapEffect:
    """Puts a source face on each face (``swap``) or exchanges the frame's faces (``trade``).

    Attributes:
        pictures: (name, image) per source photo: ndarray of shape (H, W, 3), uint8, BGR.
        mode: ``"swap"`` or ``"trade"``.
        keep_mouth: keep the target's mouth interior (speech stays theirs).
        keep_eyes: keep the target's eyes (blinks and gaze stay theirs).
        blend: one of ``render.swap.BLENDS``.
        where: the ``filter.toml`` path, for errors about the photos.
    """

    kind: ClassVar[str] = "swap"
    keys: ClassVar[frozenset[str]] = frozenset(
        {"faces", "mode", "keep_mouth", "keep_eyes", "blend"}
    )
    phase: ClassVar[int] = WARP
    reads_source: ClassVar[bool] = True
    deepfake: ClassVar[bool] = True

    pictures: tuple[tuple[str, np.ndarray], ...] = ()
    mode: str = "swap"
    keep_mouth: bool = True
    keep_eyes: bool = True
    blend: str = "alpha"
    where: str = ""
    sources: list[SwapSource] = field(default_factory=list, repr=False)
    current: int = 0
    prints: list[np.ndarray | None] = field(default_factory=list, repr=False)
    _skins: dict[int, tuple[float, SkinColour]] = field(default_factory=dict, repr=False)
    _likeness: dict[int, tuple[int, np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_toml(cls, v: Validator, folder: Path, key: str, table: dict[str, Any]) -> SwapEffect:
        mode = v.choice(table, f"{key}.mode", MODES, default="swap")
        pictures: list[tuple[str, np.ndarray]] = []
        names = table.get("faces", [])
        if mode == "swap":
            names = v.items(names, f"{key}.faces", MAX_FACES, Phrase("error.filter.face_photos"))
            for k, name in enumerate(names):
                image = v.picture(folder, {f"faces[{k}]": name}, f"{key}.faces[{k}]")
                pictures.append((str(name), np.ascontiguousarray(image[..., :3])))
        elif "faces" in table:
            raise v.error(f"{key}.faces", Phrase("error.filter.not_with_trade"), names)
        return cls(
            pictures=tuple(pictures),
            mode=mode,
            keep_mouth=v.boolean(table, f"{key}.keep_mouth", default=True),
            keep_eyes=v.boolean(table, f"{key}.keep_eyes", default=True),
            blend=v.choice(table, f"{key}.blend", BLENDS, default="alpha"),
            where=str(v.path),
        )

    def prepare(
        self,
        find_faces: FaceFinder,
        face: np.ndarray | None = None,
        more: Sequence[tuple[str, np.ndarray]] = (),
    ) -> list[str]:
        """Find the landmarks of the source photos.

        Args:
            find_faces: a still-photo face finder.
            face: ndarray of shape (H, W, 3), uint8, BGR: the user's photo (``--face``),
                used first; or None.
            more: (name, image) of further photos to cycle through (``--faces DIR``).

        Returns:
            The names of the photos in ``more`` that were left out (no face, or several).

        Raises:
            FilterError: ``face`` or one of the filter's own photos has no face, or several.
        """
        if self.mode == "trade":
            return []
        own = [("--face", face)] if face is not None else []
        found = [self._source(name, image, find_faces) for name, image in [*own, *self.pictures]]
        skipped = []
        for name, image in more:
            try:
                found.append(self._source(name, image, find_faces))
            except FilterError:
                skipped.append(name)
        self.sources = [source for source, _ in found]
        self.prints = [print_ for _, print_ in found]
        self.current = 0
        self._likeness.clear()
        return skipped

    def _source(
        self, name: str, image: np.ndarray, find_faces: FaceFinder
    ) -> tuple[SwapSource, np.ndarray | None]:
        faces = find_faces(image)
        where = f"{self.where}: " if self.where and name != "--face" else ""
        if len(faces) == 0:
            raise FilterError.said("error.swap_no_face", where=where, name=name)
        if len(faces) > 1:
            raise FilterError.said("error.swap_faces", where=where, count=len(faces), name=name)
        try:
            source = SwapSource.from_image(image, faces.landmarks[0])
        except SourceFaceTooSmall as e:
            raise FilterError.said(
                "error.swap_too_small",
                where=where,
                name=name,
                eye_px=Number(e.eye_px, ".1f"),
                least=Number(MIN_EYE_PX),
            ) from None
        except SourceFaceOutside:
            raise FilterError.said("error.swap_outside", where=where, name=name) from None
        return source, face_print(image, faces.landmarks[0])

    def next_face(self) -> int:
        """Switch to the next source face; returns its index."""
        if self.sources:
            self.current = (self.current + 1) % len(self.sources)
        return self.current

    def apply(self, frame: np.ndarray, ctx: EffectContext) -> None:
        active = ctx.active()
        if self.mode == "trade":
            if len(active) >= 2:
                assert ctx.source is not None
                trade_faces(
                    frame,
                    ctx.faces.landmarks[active],
                    untouched=ctx.source,
                    keep_mouth=self.keep_mouth,
                    keep_eyes=self.keep_eyes,
                    blend=self.blend,
                )
            return
        if not self.sources:
            raise FilterError(
                f"{self.where}: the swap's source faces were not prepared (Filter.prepare)"
            )
        for i in active:
            xyz = ctx.faces.landmarks[i]
            face_id = int(ctx.faces.ids[i])
            source = self.sources[self._choose(face_id, ctx.source, xyz)]
            skin = self._steady_skin(face_id, ctx.source, xyz, ctx.t)
            swap_face(
                frame,
                xyz,
                source,
                keep_mouth=self.keep_mouth,
                keep_eyes=self.keep_eyes,
                blend=self.blend,
                target_skin=skin,
            )

    def _choose(self, face_id: int, untouched: np.ndarray | None, xyz: np.ndarray) -> int:
        """The source for this face: the current one, unless it is this very face.

        The built-in swap's portraits are also the project's sample photos (and the demo
        clip's faces): the astronaut's face put on the astronaut changes nothing, and the
        class would see no swap. So a face that looks like the chosen source (its print,
        :func:`~facefilters.render.swap.likeness`) gets the next source that does not.
        The highest likeness a face has shown over its first :data:`LOOKS` frames counts,
        since a face turned away looks less like its photo than it is.
        """
        n = len(self.sources)
        if n == 1 or untouched is None:
            return self.current
        # An untracked face (id -1) is measured afresh: it may be anyone.
        fresh = (0, np.zeros(n, np.float32))
        looks, best = self._likeness.get(face_id, fresh) if face_id >= 0 else fresh
        if looks < LOOKS:
            here = face_print(untouched, xyz)
            if here is not None:
                best = np.maximum(best, [likeness(here, p) for p in self.prints])
                if face_id >= 0:
                    if len(self._likeness) > 64:
                        self._likeness.clear()
                    self._likeness[face_id] = (looks + 1, best)
        for k in range(n):
            choice = (self.current + k) % n
            if best[choice] <= SAME_FACE:
                return choice
        return self.current

    def _steady_skin(
        self, face_id: int, untouched: np.ndarray | None, xyz: np.ndarray, t: float
    ) -> SkinColour | None:
        """The face's skin colour, smoothed over time.

        Measured afresh each frame, camera noise and the landmarks' jitter move the skin's
        statistics, and the colour match makes the whole pasted face flicker with them
        (tests/e2e/test_swap_stability.py); skin changes slowly, so it is followed with a
        time constant of ``SKIN_TAU_S``.
        """
        if untouched is None:
            return None
        measured = skin_colour(untouched, xyz)
        kept = self._skins.get(face_id)
        if measured is None or kept is None or t <= kept[0]:
            if measured is not None:
                self._skins[face_id] = (t, measured)
            return measured if measured is not None else (kept[1] if kept else None)
        k = 1.0 - math.exp(-(t - kept[0]) / SKIN_TAU_S)
        old = kept[1]
        steady = SkinColour(
            old.mean_lab + k * (measured.mean_lab - old.mean_lab),
            old.std_lab + k * (measured.std_lab - old.std_lab),
        )
        if len(self._skins) > 64:
            self._skins.clear()
        self._skins[face_id] = (t, steady)
        return steady
