"""Run external tools (pdfalto, LibreOffice) with a wall-clock timeout and an address-space limit.

A hostile file can make a parser loop or allocate gigabytes; the limits are applied in the
child with `resource` so the worker process itself is never at risk. Arguments are passed as
a list, never through a shell, so no file name can inject a command. The child leads a process
group of its own, and the whole group is killed at the end: LibreOffice's launcher starts the
real office process as its child, which would otherwise outlive a timeout.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
from collections.abc import Mapping, Sequence

from extraction.errors import ExtractionTimeoutError

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 2048


def _limits(memory_mb: int, cpu_s: int):
    def apply() -> None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def child_env(**overrides: str) -> dict[str, str]:
    """The environment a child tool inherits, with `overrides` on top (LibreOffice needs a HOME
    of its own). Inheritance, not configuration: nothing here looks a variable up. Apart from
    the CLI module, this is the one place under `extraction/` that touches the environment
    (tests/extraction/test_options.py holds the package to that)."""
    return {**os.environ, **overrides}


def run_limited(
    cmd: Sequence[str],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    what: str = "the converter",
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `cmd` to completion or raise ExtractionTimeoutError once a limit is hit."""
    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limits(memory_mb, int(timeout_s) + 1),
        start_new_session=True,
        env=dict(env) if env is not None else None,
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc.pid)
        proc.communicate()
        raise ExtractionTimeoutError(
            f"{what} took longer than {timeout_s:.0f} s and was stopped; "
            "the file is probably damaged or far larger than a poster"
        ) from exc
    finally:
        _kill_group(proc.pid)  # anything the tool left running in its group
    # SIGKILL (CPU limit) or SIGSEGV/ENOMEM from the address-space cap.
    if proc.returncode < 0:
        raise ExtractionTimeoutError(
            f"{what} was stopped by its resource limits ({memory_mb} MB memory, {timeout_s:.0f} s); "
            "the file is probably damaged or far larger than a poster"
        )
    return subprocess.CompletedProcess(list(cmd), proc.returncode, out, err)
