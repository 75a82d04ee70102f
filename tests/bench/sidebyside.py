#!/usr/bin/python3
"""Run named commands side by side, in rounds, and report medians.

Every round runs each case's commands once (split like a shell would,
run without one), in an order rotated by one
from round to round (so no tool always runs first, after a cold cache or
on a quiet machine), with stdout to /dev/null. For each run: wall time
(perf_counter) and the child's CPU time and peak RSS (wait4 rusage). The
median of the rounds is reported per command.

Input (stdin), one line per command, tab-separated:
    CASE  NAME  SHELL-COMMAND
Output (stdout), one line per command, tab-separated:
    CASE  NAME  WALL_MEDIAN_S  CPU_MEDIAN_S  MAX_RSS_KB  EXIT
usage: sidebyside.py ROUNDS < commands.tsv > medians.tsv
"""
import os
import shlex
import statistics
import sys
import time


def run(cmd):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        argv = shlex.split(cmd)  # no shell: its start-up would count for every tool
        os.execvp(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - start
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
