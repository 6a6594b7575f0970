"""facefilters: Snapchat-style face filters on MediaPipe's 478 face landmarks."""

__version__ = "0.1.0"
