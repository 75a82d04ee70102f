#!/usr/bin/python3
"""Run named commands side by side, in rounds, and report medians.

Every round runs each case's commands once (split like a shell would,
run without one), in an order rotated by one
from round to round (so no tool always runs first, after a cold cache or
on a quiet machine), with stdout to /dev/null. For each run: wall time
(perf_counter) and the child's CPU time and peak RSS (wait4 rusage; the
RSS is never below this script's own, see run()). The
median of the rounds is reported per command.

Input (stdin), one line per command, tab-separated:
    CASE  NAME  SHELL-COMMAND
A command written `taskset -c CPUS CMD...` runs CMD on those CPUs without
running taskset: this script pins itself to them while it starts CMD,
which inherits that, and then returns to the CPUs it had. taskset, linked
dynamically, takes 2-3 ms to start on this machine: charged to every
pinned run, it made a 4 ms run of the faster tool look like 7 ms.
Output (stdout), one line per command, tab-separated:
    CASE  NAME  WALL_MEDIAN_S  CPU_MEDIAN_S  MAX_RSS_KB  EXIT
usage: sidebyside.py ROUNDS < commands.tsv > medians.tsv
"""
import os
import shlex
import statistics
import sys
import time


def cpu_list(text):
    """The CPUs of a taskset -c list such as 0, 1-3 or 0,2."""
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


def run(cmd):
    argv = shlex.split(cmd)  # no shell: its start-up would count for every tool
    pin = None
    if len(argv) > 3 and argv[0] == "taskset" and argv[1] == "-c":
        pin = cpu_list(argv[2])
        argv = argv[3:]
    null = os.open(os.devnull, os.O_WRONLY)
    # posix_spawn, not fork: a forked Python child runs interpreter code
    # until its exec, about 0.9 ms of CPU that wait4 charges to the tool.
    # (ru_maxrss still starts at this process's own peak: exec keeps the
    # high-water mark of the memory it replaces.)
    mine = os.sched_getaffinity(0)
    start = time.perf_counter()
    try:
        if pin:
            os.sched_setaffinity(0, pin)
        pid = os.posix_spawnp(argv[0], argv, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
    except OSError:
        os.close(null)
        return 0.0, 0.0, 0, 127  # not found or not executable, as a shell says
    finally:
        if pin:
            os.sched_setaffinity(0, mine)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(null)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    rounds = int(argv[1])
    cases = {}
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        case, name, cmd = line.split("\t", 2)
        cases.setdefault(case, []).append((name, cmd))
    for case, cmds in cases.items():
        res = {name: [] for name, _ in cmds}
        for r in range(rounds):
            k = r % len(cmds)
            for name, cmd in cmds[k:] + cmds[:k]:
                res[name].append(run(cmd))
        for name, _ in cmds:
            runs = res[name]
            print("%s\t%s\t%.6f\t%.6f\t%d\t%d" % (
                case, name, statistics.median(x[0] for x in runs), statistics.median(x[1] for x in runs),
                max(x[2] for x in runs), max(x[3] for x in runs)), flush=True)
        sys.stderr.write(".")
        sys.stderr.flush()
    sys.stderr.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
