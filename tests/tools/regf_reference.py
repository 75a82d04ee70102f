#!/usr/bin/python3
"""Reference listing of a registry hive for the regf conformance tests.

Walks the hive with libregf (Debian python3-libregf, an independent
implementation) and prints one line per key and per value:
    K\t<path>\t<last written, ISO 8601 UTC with 7 digits>\t<class name>
    V\t<path>\t<value name>\t<type number>\t<data as lowercase hex>
Paths are relative to the root key, '\\'-separated ("" for the root).
Control characters, backslashes in value names and unpaired surrogates are
escaped the way tests/unit/test_regf_conformance.c escapes gleaner's output:
\\xNN for bytes below 0x20 and 0x7f, \\uXXXX for lone surrogates.
By default values on which libregf deviates from the stored bytes in one of
the documented ways (see known_libregf_deviation and docs/regf.md) are taken
from python3-hivex instead; --libregf / --hivex give one reader alone.
"""
import sys
import time


def esc(s):
    out = []
    for ch in s:
        o = ord(ch)
        if o < 0x20 or o == 0x7F:
            out.append("\\x%02X" % o)
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\u%04X" % o)
        else:
            out.append(ch)
    return "".join(out)


def iso(filetime):
    """FILETIME as gleaner prints it: 2021-11-18T13:59:04.8889527Z ("-" for 0)."""
    if not filetime:
        return "-"
    secs, frac = divmod(filetime, 10**7)
    t = time.gmtime(secs - 11644473600)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%07dZ" % frac


def walk_libregf(path, emit):
    import pyregf
    f = pyregf.file()
    f.open(path)
    root = f.get_root_key()
    stack = [(root, "")]
    while stack:
        key, kpath = stack.pop()
        emit("K\t%s\t%s\t%s" % (esc(kpath), iso(key.get_last_written_time_as_integer()), esc(key.class_name or "")))
        for i in range(key.number_of_values):
            v = key.get_value(i)
            data = v.data or b""
            emit("V\t%s\t%s\t%d\t%s" % (esc(kpath), esc(v.name or ""), v.type, data.hex()))
        for i in range(key.number_of_sub_keys):
            sub = key.get_sub_key(i)
            name = esc(sub.name)
            stack.append((sub, name if not kpath else kpath + "\\" + name))
    f.close()


def walk_hivex(path, emit):
    import hivex
    h = hivex.Hivex(path)
    stack = [(h.root(), "")]
    while stack:
        node, kpath = stack.pop()
        # hivex has no class-name call; merged() keeps libregf's key lines.
        emit("K\t%s\t%s\t?" % (esc(kpath), iso(h.node_timestamp(node))))
        for v in h.node_values(node):
            name = h.value_key(v)
            typ, data = h.value_value(v)
            emit("V\t%s\t%s\t%d\t%s" % (esc(kpath), esc(name), typ, data.hex()))
        for c in h.node_children(node):
            name = esc(h.node_name(c))
            stack.append((c, name if not kpath else kpath + "\\" + name))


def known_libregf_deviation(lib, hx):
    """Classify a value on which libregf and hivex disagree. Returns the case
    name when it is one of the documented libregf deviations (docs/regf.md),
    in which case hivex holds the stored bytes, else None."""
    ltype, ldata = lib
    htype, hdata = hx
    if ltype != htype:
        return None
    # libregf 20201007 returns zeros for 1..3 data bytes kept in the vk's
    # data-offset field; Windows and hivex return the stored bytes.
    if 1 <= len(hdata) <= 3 and ldata == bytes(len(hdata)):
        return "inline"
    if ltype in (1, 2):
        # libregf hands out string data up to and including the first
        # UTF-16 NUL (appending one when missing), not the stored bytes.
        i = 0
        while i + 1 < len(hdata) and (hdata[i] or hdata[i + 1]):
            i += 2
        want = hdata[: i + 2] if i + 1 < len(hdata) else hdata + b"\0\0"
        if ldata == want:
            return "string"
    return None


def records(walk, path):
    out = []
    walk(path, out.append)
    return out


def merged(path):
    """libregf's listing with its documented deviations replaced by hivex's
    bytes; counts of each case are printed on stderr."""
    lib = records(walk_libregf, path)
    try:
        hx = records(walk_hivex, path)
    except Exception as e:  # hivex refuses some damaged hives
        sys.stderr.write("hivex: %s; libregf only\n" % e)
        return lib
    if len(lib) != len(hx):
        sys.stderr.write("libregf and hivex disagree on the tree (%d vs %d lines)\n" % (len(lib), len(hx)))
        return lib
    counts = {"inline": 0, "string": 0, "unexplained": 0}
    out = []
    for a, b in zip(lib, hx):
        if a == b:
            out.append(a)
            continue
        pa, pb = a.split("\t"), b.split("\t")
        if pa[0] == "K" and pa[:3] == pb[:3]:
            out.append(a)  # same path and time; only libregf reads the class
            continue
        if pa[0] != "V" or pa[:3] != pb[:3]:
            sys.stderr.write("libregf and hivex disagree on the tree at %r / %r\n" % (a[:120], b[:120]))
            return lib
        case = known_libregf_deviation((int(pa[3]), bytes.fromhex(pa[4])), (int(pb[3]), bytes.fromhex(pb[4])))
        if case:
            counts[case] += 1
            out.append(b)
        else:
            counts["unexplained"] += 1
            out.append(a)
    sys.stderr.write("libregf deviations replaced by hivex: inline=%d string=%d unexplained=%d\n"
                     % (counts["inline"], counts["string"], counts["unexplained"]))
    return out


def main():
    args = sys.argv[1:]
    mode = "merged"
    for m in ("--hivex", "--libregf"):
        if m in args:
            mode = m[2:]
            args.remove(m)
    if len(args) != 1:
        sys.stderr.write("usage: regf_reference.py [--hivex|--libregf] HIVE\n")
        return 2
    if mode == "hivex":
        lines = records(walk_hivex, args[0])
    elif mode == "libregf":
        lines = records(walk_libregf, args[0])
    else:
        lines = merged(args[0])
    lines.sort()
    out = sys.stdout.buffer
    for line in lines:
        out.write(line.encode("utf-8", "surrogatepass") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
