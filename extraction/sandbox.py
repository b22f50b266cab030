"""Run external tools (pdfalto) with a wall-clock timeout and an address-space limit.

A hostile PDF can make a parser loop or allocate gigabytes; the limits are applied in the
child with `resource` so the worker process itself is never at risk. Arguments are passed as
a list, never through a shell, so no file name can inject a command.
"""

from __future__ import annotations

import resource
import subprocess
from collections.abc import Sequence

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


def run_limited(
    cmd: Sequence[str],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    what: str = "the converter",
) -> subprocess.CompletedProcess[bytes]:
    """Run `cmd` to completion or raise ExtractionTimeoutError once a limit is hit."""
    try:
        proc = subprocess.run(
            list(cmd),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            preexec_fn=_limits(memory_mb, int(timeout_s) + 1),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionTimeoutError(
            f"{what} took longer than {timeout_s:.0f} s and was stopped; "
            "the file is probably damaged or far larger than a poster"
        ) from exc
    # SIGKILL (CPU limit) or SIGSEGV/ENOMEM from the address-space cap.
    if proc.returncode < 0:
        raise ExtractionTimeoutError(
            f"{what} was stopped by its resource limits ({memory_mb} MB memory, {timeout_s:.0f} s); "
            "the file is probably damaged or far larger than a poster"
        )
    return proc
