#!/usr/bin/python3
"""Write fuzz seeds for fuzz_sam: every F, V and C value of the given SAM
hives (read with python3-hivex, independent of gleaner's parser), one file
each, plus the UserAccountControl texts the Security log writes.
usage: sam_seeds.py OUTDIR HIVE..."""
import os
import sys

import hivex


def walk(h, node, path, out, n):
    for v in h.node_values(node):
        name = h.value_key(v)
        if name in ("F", "V", "C"):
            data = h.value_value(v)[1]
            with open(os.path.join(out, "%03d-%s" % (n[0], name)), "wb") as f:
                f.write(data)
            n[0] += 1
    for c in h.node_children(node):
        walk(h, c, path + "\\" + h.node_name(c), out, n)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = [0]
    for hive in sys.argv[2:]:
        h = hivex.Hivex(hive)
        walk(h, h.root(), "", out, n)
    for i, text in enumerate(("\r\n\t\t%%2080\r\n\t\t%%2082\r\n\t\t%%2084", "%%2048", "0x15", "-", "000001F4")):
        with open(os.path.join(out, "text-%d" % i), "w") as f:
            f.write(text)


main()
