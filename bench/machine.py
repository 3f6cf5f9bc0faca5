"""What the benchmarks ran on, printed with their results so that runs can be compared."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name, from /proc/cpuinfo where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe_machine() -> str:
    """`8 CPUs, <model>`: the logical CPUs the OS reports and the CPU model."""
    return f"{os.cpu_count()} CPUs, {cpu_model()}"
