"""facefilters: Snapchat-style face filters on MediaPipe's 478 face landmarks."""

# First, so the native libraries' log levels are in the environment before they load.
from . import quiet  # noqa: F401

__version__ = "0.1.0"
