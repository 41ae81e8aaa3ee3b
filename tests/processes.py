"""Child processes for the tests that kill an app for real (no mock of a crash)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


@contextmanager
def child_process(args: Sequence[str], **options) -> Iterator[subprocess.Popen]:
    """Start ``args`` with piped output; after the block it is never left running and its
    pipes are closed, whatever the test asserted."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               **options)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL, as a power cut or the task manager would: no clean-up code runs."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
