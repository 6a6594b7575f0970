"""Read and write videos frame by frame with PyAV (FFmpeg in-process).

`VideoReader` yields BGR frames with their index and time. `VideoWriter` encodes BGR
frames to H.264 at exactly the rate it is given, one output frame per input frame, and
can copy the audio of another file alongside without re-encoding it::

    with VideoReader(src) as reader, VideoWriter(dst, reader.info.size_wh,
                                                 reader.info.fps, audio_from=src) as writer:
        for frame in reader:
            writer.write(frame.image)
"""

from .reader import VideoFrame, VideoInfo, VideoReader
from .writer import VIDEO_SUFFIXES, VideoWriter

__all__ = ["VIDEO_SUFFIXES", "VideoFrame", "VideoInfo", "VideoReader", "VideoWriter"]
