"""What this installation runs on: the backend, the versions, the model, one cv2.

``facefilters doctor`` prints it; ``facefilters --version`` prints its first line. Only
package metadata is read, and the model file is hashed: MediaPipe is not imported.
"""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import dataclass

from . import __version__
from .detect.base import installed_backends, mediapipe_version, resolve_backend
from .errors import FaceFiltersError

CV2_DISTRIBUTIONS = (
    "opencv-contrib-python",
    "opencv-python",
    "opencv-python-headless",
    "opencv-contrib-python-headless",
)
"""Packages that each install a ``cv2``; two of them overwrite each other's files."""


@dataclass(frozen=True)
class Check:
    """One line of the report: what, what was found, and whether it is fine."""

    name: str
    value: str
    ok: bool = True


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def summary(backend: str | None = None) -> str:
    """One line: facefilters, the backend that ``backend`` (None: auto) means here, and
    the versions under it."""
    try:
        chosen = resolve_backend(backend or "auto")
    except FaceFiltersError:
        chosen = "none"
    cv = next((v for d in CV2_DISTRIBUTIONS if (v := _version(d))), None)
    return (
        f"facefilters {__version__} (backend {chosen}: mediapipe "
        f"{mediapipe_version() or 'missing'}; Python {platform.python_version()}, "
        f"numpy {_version('numpy')}, opencv {cv or 'missing'})"
    )


def checks(backend: str | None = None) -> list[Check]:
    """Everything ``doctor`` reports, each with whether it is fine."""
    from .detect.tasks import MODEL_PATH, load_model

    out = [
        Check("facefilters", __version__),
        Check("python", f"{platform.python_version()} ({platform.platform()})"),
    ]
    installed = installed_backends()
    out.append(
        Check("mediapipe", mediapipe_version() or "missing", mediapipe_version() is not None)
    )
    out.append(Check("backends installed", ", ".join(installed) or "none", bool(installed)))
    try:
        out.append(Check("backend in use", resolve_backend(backend or "auto")))
    except FaceFiltersError as e:
        out.append(Check("backend in use", str(e), False))
    if "tasks" in installed:
        try:
            load_model()
            out.append(Check("tasks model", f"{MODEL_PATH} (SHA-256 checked)"))
        except FaceFiltersError as e:
            out.append(Check("tasks model", str(e), False))
    out.append(Check("numpy", _version("numpy") or "missing", _version("numpy") is not None))
    cv2s = [f"{d} {v}" for d in CV2_DISTRIBUTIONS if (v := _version(d))]
    out.append(Check("opencv", ", ".join(cv2s) or "missing", len(cv2s) == 1))
    if len(cv2s) > 1:
        out.append(
            Check(
                "fix",
                f"pip uninstall -y {' '.join(d.split()[0] for d in cv2s)} "
                "&& pip install opencv-contrib-python",
                False,
            )
        )
    return out
