"""Peak resident set of this process, as bench/common.ts `peakRssKiB` measures it.

/proc/self/status VmHWM is the high-water mark of this process's own address space: exec starts a
new one. getrusage's ru_maxrss is not: Linux carries it across fork and exec, so a peer spawned by a
benchmark process that had grown to 700 MB reports at least 700 MB whatever it used itself. ru_maxrss
is the fallback where /proc is absent. No torch import: the numpy peer uses it too.
"""
import resource


def peak_rss_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_mb():
    """In MB (MiB), rounded, the figure of every peakRssMB field."""
    return round(peak_rss_kib() / 1024)
