"""Effects: what a filter draws. Each kind is one module, registered in :data:`KINDS`.

Adding a kind is one new module with a class that has ``kind``, ``keys``, ``phase``,
``reads_source``, ``from_toml`` and ``apply`` (see :class:`.base.Effect`), plus its line
in :data:`KINDS`. Nothing else in the package names the kinds.
"""

from .anonymize import AnonymizeEffect
from .base import OVERLAY, WARP, Effect, EffectContext, Filter, Layer
from .googly import GooglyEffect
from .mesh import MeshEffect
from .sprite import SpriteEffect
from .swap import SwapEffect
from .tears import TearsEffect
from .texture import TextureEffect
from .trigger import Trigger
from .warp import WarpEffect

KINDS: dict[str, type[Effect]] = {
    cls.kind: cls
    for cls in (
        SpriteEffect,
        TearsEffect,
        MeshEffect,
        WarpEffect,
        AnonymizeEffect,
        TextureEffect,
        GooglyEffect,
        SwapEffect,
    )
}
"""``kind`` in ``filter.toml`` -> the effect class that reads and draws it."""

__all__ = [
    "KINDS",
    "AnonymizeEffect",
    "GooglyEffect",
    "TextureEffect",
    "WarpEffect",
    "OVERLAY",
    "WARP",
    "Effect",
    "EffectContext",
    "Filter",
    "Layer",
    "MeshEffect",
    "SpriteEffect",
    "SwapEffect",
    "TearsEffect",
    "Trigger",
]
