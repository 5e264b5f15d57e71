"""What every benchmark script reports alongside its figures: the machine, and p50/p95 of timings."""

import os
import platform
import sqlite3
import statistics
from datetime import date
from pathlib import Path


def percentiles(timings: list[float]) -> dict:
    """p50 and p95 in milliseconds, and how many timings they summarise."""
    if not timings:
        return {"p50": None, "p95": None, "n": 0}
    if len(timings) == 1:
        return {"p50": timings[0] * 1000, "p95": timings[0] * 1000, "n": 1}
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "n": len(timings)}


def machine() -> dict:
    """The date, CPU, cores, memory and versions the figures were taken with."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    return {
        "date": date.today().isoformat(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
