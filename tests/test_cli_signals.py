"""Stop signals on the command line, in-process: SIGTERM and SIGHUP take Ctrl+C's path.

The end-to-end check, a real ``apply`` stopped by each signal, is in
``tests/e2e/test_interrupt.py``; these check the mechanism itself, fast.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
import typer

from facefilters.cli import Interrupted, _user_errors


def wait_for_signal() -> None:
    # The handler runs between bytecodes; a short sleep gives it that chance.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.01)
    pytest.fail("the signal never arrived")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_runs_the_clean_up_and_exits_128_plus_n(sig: int) -> None:
    cleaned: list[str] = []
    with pytest.raises(typer.Exit) as caught:
        with _user_errors():
            try:
                os.kill(os.getpid(), sig)
                wait_for_signal()
            except KeyboardInterrupt as exc:  # what Ctrl+C raises: the same clean-up runs
                assert isinstance(exc, Interrupted) and exc.signum == sig
                cleaned.append("clean-up ran")
                raise
    assert caught.value.exit_code == 128 + sig
    assert cleaned == ["clean-up ran"]


def test_ctrl_c_still_exits_130() -> None:
    with pytest.raises(typer.Exit) as caught:
        with _user_errors():
            raise KeyboardInterrupt
    assert caught.value.exit_code == 130


def test_a_second_signal_cannot_cut_the_clean_up_short() -> None:
    steps: list[str] = []
    with pytest.raises(typer.Exit) as caught:
        with _user_errors():
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                wait_for_signal()
            except KeyboardInterrupt:
                os.kill(os.getpid(), signal.SIGTERM)  # an impatient second `kill`
                time.sleep(0.1)
                steps.append("clean-up finished")
                raise
    assert caught.value.exit_code == 143
    assert steps == ["clean-up finished"]


def test_the_handlers_are_put_back_afterwards() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    with _user_errors():
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert {sig: signal.getsignal(sig) for sig in before} == before
