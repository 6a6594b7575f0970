"""The live window: camera in, filtered picture out, filters played with from the keyboard."""

from .app import LiveApp
from .recorder import Recorder, default_output_dir
from .run import live_unavailable_reason, run_live

__all__ = ["LiveApp", "Recorder", "default_output_dir", "live_unavailable_reason", "run_live"]
