"""The benchmark's harness: a figure is the median of repeated runs after a warm-up, and a
comparison times both sides alternately and takes the median of the pairs' ratios."""

import resource
import statistics
import time
from pathlib import Path


def paired(first, second, repeat, warmup):
    """Time `first` and `second` alternately, so that whatever the machine is doing meanwhile
    weighs on both alike: (median seconds of each, median of the pairs' ratios)."""
    for _ in range(warmup):
        first()
        second()
    ones, twos = [], []
    for _ in range(repeat):
        for function, samples in ((first, ones), (second, twos)):
            started = time.perf_counter()
            function()
            samples.append(time.perf_counter() - started)
    ratio = statistics.median(one / two for one, two in zip(ones, twos, strict=True))
    return statistics.median(ones), statistics.median(twos), ratio


def median_seconds(function, repeat, warmup):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def peak_memory_kb():
    """This process's peak resident memory. On Linux, ru_maxrss carries over across fork and
    exec the resident size of the parent that started us (here, the benchmark, which may have
    just generated a national dataset), so the peak of our own address space (VmHWM) is read
    instead; elsewhere ru_maxrss is all there is."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
