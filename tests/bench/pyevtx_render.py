#!/usr/bin/python3
"""Render records of an event log to XML with python-evtx, for bench_evtx.sh.

    pyevtx_render.py FILE [MAX_RECORDS]

Prints the number of records rendered (records python-evtx cannot render
count too: the work was done). MAX_RECORDS limits the run to the first N
records, for measuring a subset of a large file.
"""
import sys

import Evtx.Evtx as evtx


def main(argv):
    limit = int(argv[2]) if len(argv) > 2 else None
    n = 0
    size = 0
    with evtx.Evtx(argv[1]) as f:
        try:
            for rec in f.records():
                if limit is not None and n >= limit:
                    break
                n += 1
                try:
                    size += len(rec.xml())
                except Exception:  # python-evtx fails on some real records; keep going
                    pass
        except Exception as e:  # or stops reading a damaged file altogether
            sys.stderr.write("%s: stopped after %d records: %s\n" % (argv[1], n, e))
    print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
