"""Measuring a command for the benchmarks: wall time and peak memory of a process and its children.

Two memory figures, because neither alone says everything:

- `max_rss_mib`: `ru_maxrss` from `os.wait4` on the command. On Linux this is the larger of the
  command's own peak RSS and the peak RSS of the largest descendant it waited for (the kernel
  keeps the maximum over reaped children, not their sum). It is exact, but it is the peak of one
  process at a time.
- `tree_peak_mib`: the largest sum of RSS over the command and all its living descendants at the
  same moment, sampled from /proc every `interval` seconds. It catches a parent and a child that
  hold memory at the same time (e.g. `boligmonitor run` waiting for dbt), but can miss a peak
  shorter than the interval. The samples are kept, so a caller can take the peak of a time span.

Also the CPU time (user + system, from the same wait4), which a busy shared machine disturbs far
less than the wall time.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / (1 << 20)


@dataclass
class Measured:
    wall: float  # seconds
    max_rss_mib: float  # os.wait4 ru_maxrss: the largest single process of the tree
    tree_peak_mib: float  # sampled: the largest sum over the tree at one moment
    started: float  # time.time() at start, to line the samples up with other clocks
    cpu: float = 0.0  # user + system seconds of the command and the descendants it waited for
    samples: list[tuple[float, float]] = field(default_factory=list)  # (time.time(), MiB)
    stdout: str = ""

    def peak_between(self, start: float, end: float) -> float | None:
        """The largest sampled tree RSS between two time.time() moments (None: no sample)."""
        inside = [mib for t, mib in self.samples if start <= t <= end]
        return max(inside) if inside else None


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: the fields follow the last ')'
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_mib(pid: int) -> float:
    """RSS of a process and all its descendants now, in MiB (0 when it is gone)."""
    tree = _children()
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(tree.get(p, []))
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE_MIB
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(
    args: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: Path | None = None,
    interval: float = 0.25,
) -> Measured:
    """Run a command to its end. Its stdout is returned, or written to `stdout` when given.
    Raises SystemExit when the command fails."""
    started = time.time()
    start = time.perf_counter()
    out_file = stdout.open("w", encoding="utf-8") if stdout else None
    proc = subprocess.Popen(
        args, stdout=out_file or subprocess.PIPE, env=env, cwd=cwd, text=True, bufsize=1
    )
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.time(), tree_rss_mib(proc.pid)))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    text = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if out_file:
        out_file.close()
    if proc.returncode != 0:
        where = f" (output in {stdout})" if stdout else ""
        raise SystemExit(f"{' '.join(args)} failed with exit code {proc.returncode}{where}")
    return Measured(
        wall=wall,
        max_rss_mib=usage.ru_maxrss / 1024,
        tree_peak_mib=max((mib for _, mib in samples), default=0.0),
        started=started,
        cpu=usage.ru_utime + usage.ru_stime,
        samples=samples,
        stdout=text,
    )
