"""Ctrl+C or an error half-way through a video leaves nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from facefilters.apps.files import apply_file
from facefilters.catalog import Catalog

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
@pytest.mark.parametrize("existing", [False, True])
def test_interrupted_video_leaves_no_output(tmp_path: Path, demo_clip: Path, error: type,
                                            existing: bool) -> None:
    out = tmp_path / "out.mp4"
    if existing:
        out.write_bytes(b"an older result")

    def progress(done: int, total: int | None) -> None:
        if done == 20:
            raise error()

    with pytest.raises(error):
        apply_file(demo_clip, out, Catalog().load("dog"), force=True, progress=progress)
    assert [p.name for p in tmp_path.iterdir()] == (["out.mp4"] if existing else [])
    if existing:
        assert out.read_bytes() == b"an older result"
