#!/usr/bin/python3
"""Compare what a registry reader sees in a hive with its .hivedesc.

    check_hive.py --reader R [--gleaner BIN] [--edits EDITS.hivedel] DESC HIVE
    check_hive.py --reader reference [--gleaner BIN] - HIVE

Readers: hivexml (hivex), pyregf and regfexport (libregf), gleaner
(`gleaner reg dump`, live tree), gleaner-deleted (`reg dump --deleted
only`: the deleted material of the description and of the edits), and
reference (real evidence, no description: gleaner against hivex and
libregf). Every difference is printed; the last line is "keys=N values=M"
counted from what the reader returned. Exit status 0 only when the reader
agrees on every key and value.

Each reader is compared on what it can show: hivexml gives seconds and
decoded strings, regfexport sizes and hex/text renderings, pyregf and
gleaner the exact bytes and 100 ns times. Documented quirks of the
references are modelled exactly rather than skipped (see _libregf_data).
"""
import argparse
import base64
import json
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
sys.path.insert(0, FIXTURES)
sys.path.insert(0, os.path.join(FIXTURES, "hives"))
import mkhive  # noqa: E402  (shared description parser)


class Expected:
    """The description as (path -> key) with values in description order."""

    def __init__(self, hive):
        self.hive = hive
        self.keys = {}
        self.deleted_keys = []      # Key objects removed with their subtree
        self.deleted_values = []    # (path, Value) removed from live keys
        self.stale_values = []      # (path, Value) kept, but rewritten by hivex
        if hive.damaged:
            self._walk_links(hive.root, "", [])
        else:
            for k in hive.root.walk():
                self.keys[k.path()] = k

    def _walk_links(self, key, path, ancestors):
        """What a reader that follows damaged subkey lists should see: a key
        reached through a second parent appears under both; a key that is
        its own ancestor (a cycle) and raw bad offsets are not entered."""
        self.keys[path] = key
        kids = sorted(key.children.values(), key=lambda k: mkhive._upcase_units(k.name))
        for k in kids + [l for l in key.bad_links if isinstance(l, mkhive.Key)]:
            if any(k is a for a in ancestors + [key]):
                continue
            self._walk_links(k, (path + "\\" if path else "") + k.name, ancestors + [key])

    def apply_edits(self, path):
        """What mkdeleted.py did: drop the removed keys and values from the
        live tree and remember them as the deleted material to expect."""
        import mkdeleted
        for word, kpath, names in mkdeleted.parse(path):
            key = self.hive.lookup(kpath, False)
            if word == "delete_key":
                for k in key.walk():
                    self.deleted_keys.append(k)
                    del self.keys[k.path()]
                del key.parent.children[key.name.upper()]
            else:
                p = key.path()
                self.deleted_values += [(p, v) for v in key.values if v.name in names]
                # hivex writes every remaining value anew and frees the old
                # cells, so their old copies are deleted material too
                self.stale_values += [(p, v) for v in key.values if v.name not in names]
                key.values = [v for v in key.values if v.name not in names]


class Report:
    def __init__(self):
        self.diffs = []

    def diff(self, where, what, want, got):
        self.diffs.append("%s: %s: want %.150r, got %.150r" % (where or "(root)", what, want, got))

    def eq(self, where, what, want, got):
        if want != got:
            self.diff(where, what, want, got)


def _text_to_nul(data):
    """UTF-16LE up to the first NUL, as readers render REG_SZ."""
    units = len(data) // 2
    s = data[:units * 2].decode("utf-16-le", "surrogatepass")
    return s.split("\0", 1)[0]


def _libregf_data(data):
    """libregf 20201007 returns inline data (1..3 bytes kept in the vk's
    offset field) from the end of that field instead of its start; real
    hives have such values (1-byte DEVPROP booleans in SYSTEM), and hivex
    and Windows take the leading bytes. Model the quirk so the rest of the
    comparison stays exact."""
    if 0 < len(data) < 4:
        return data.ljust(4, b"\0")[4 - len(data):]
    return data


def compare_keys(exp, got, rep, per_value):
    """got: path -> (key_attrs dict, [value dicts]) from a reader."""
    for path in exp.keys:
        if path not in got:
            rep.diff(path, "key", "present", "missing")
    for path in got:
        if path not in exp.keys:
            rep.diff(path, "key", "absent", "present")
    for path, k in exp.keys.items():
        if path not in got:
            continue
        attrs, values = got[path]
        per_value("key", path, k, attrs, rep)
        names = [v["name"] for v in values]
        want_names = [v.name for v in k.values]
        if sorted(names) != sorted(want_names):
            rep.diff(path, "value names", sorted(want_names), sorted(names))
        by_name = {v["name"]: v for v in values}
        for v in k.values:
            if v.name in by_name:
                per_value("value", path, v, by_name[v.name], rep)


# ------------------------------------------------------------------ hivexml

HIVEX_TYPES = {"none": {0}, "string": {1}, "expand": {2}, "binary": {3}, "int32": {4, 5},
               "link": {6}, "string-list": {7}, "resource-list": {8},
               "resource-description": {9}, "resource-requirements": {10}, "int64": {11}}


def read_hivexml(hive_path, exp):
    xml = subprocess.run(["hivexml", hive_path], check=True, capture_output=True).stdout
    root = ET.fromstring(xml).find("node")
    got = {}

    def walk(node, path):
        mtime = node.findtext("mtime")
        values = []
        for v in node.findall("value"):
            d = {"name": "" if v.get("default") == "1" else v.get("key", ""),
                 "type": v.get("type"), "encoding": v.get("encoding"),
                 "value": v.get("value", ""),
                 "strings": [s.text or "" for s in v.findall("string")]}
            values.append(d)
        got[path] = ({"mtime": mtime}, values)
        for c in node.findall("node"):
            walk(c, (path + "\\" if path else "") + c.get("name"))

    walk(root, "")
    return got


def check_hivexml(what, path, want, got, rep):
    if what == "key":
        rep.eq(path, "mtime", mkhive.filetime_iso(want.last_write)[:19] + "Z", got["mtime"])
        return
    where = "%s value %r" % (path, want.name)
    htype = got["type"]
    if want.type not in HIVEX_TYPES.get(htype, set()) and not (
            htype == "unknown" and want.type > 11):
        rep.diff(where, "type", want.type, htype)
        return
    data = want.data
    if got["encoding"] == "base64":
        rep.eq(where, "data", data, base64.b64decode(got["value"]))
    elif htype in ("string", "expand", "link"):
        rep.eq(where, "text", _text_to_nul(data), got["value"])
    elif htype == "int32":
        # hivex renders a DWORD that is not 4 bytes long as -1
        want_i = -1 if len(data) != 4 else struct.unpack(">i" if want.type == 5 else "<i", data)[0]
        rep.eq(where, "int32", str(want_i), got["value"])
    elif htype == "int64":
        want_i = -1 if len(data) != 8 else struct.unpack("<q", data)[0]
        rep.eq(where, "int64", str(want_i), got["value"])
    elif htype == "string-list":
        parts = data[:len(data) // 2 * 2].decode("utf-16-le", "surrogatepass").split("\0")
        rep.eq(where, "strings", parts[:-1], got["strings"])
    else:
        rep.diff(where, "rendering", "known", htype)


# ------------------------------------------------------------------- pyregf

def read_pyregf(hive_path, exp):
    import pyregf
    f = pyregf.file()
    f.open(hive_path)
    got = {}

    def walk(key, path):
        values = []
        for v in key.values:
            values.append({"name": v.name or "", "type": v.type, "data": v.data or b""})
        got[path] = ({"last_write": key.get_last_written_time_as_integer(),
                      "class": key.class_name}, values)
        for s in key.sub_keys:
            walk(s, (path + "\\" if path else "") + s.name)

    walk(f.root_key, "")
    f.close()
    return got


def check_pyregf(what, path, want, got, rep):
    if what == "key":
        rep.eq(path, "last_write", want.last_write, got["last_write"])
        rep.eq(path, "class", want.class_name, got["class"])
        return
    where = "%s value %r" % (path, want.name)
    rep.eq(where, "type", want.type, got["type"])
    rep.eq(where, "data", _libregf_data(want.data), got["data"])


# --------------------------------------------------------------- regfexport

LIBREGF_TYPE = {0: "REG_NONE", 1: "REG_SZ", 2: "REG_EXPAND_SZ", 3: "REG_BINARY",
                4: "REG_DWORD_LITTLE_ENDIAN", 5: "REG_DWORD_BIG_ENDIAN", 6: "REG_LINK",
                7: "REG_MULTI_SZ", 8: "REG_RESOURCE_LIST", 9: "REG_FULL_RESOURCE_DESCRIPTOR",
                10: "REG_RESOURCE_REQUIREMENTS_LIST", 11: "REG_QWORD_LITTLE_ENDIAN"}


def read_regfexport(hive_path, exp):
    out = subprocess.run(["regfexport", hive_path], check=True, capture_output=True).stdout
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    got, cur, val = {}, None, None
    root_prefix = exp.hive.root_name
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("Key path: "):
            p = ln[len("Key path: "):]
            p = "" if p == root_prefix else p[len(root_prefix) + 1:] if p.startswith(root_prefix + "\\") else "?" + p
            cur = ({"class": None}, [])
            got[p] = cur
            val = None
        elif ln.startswith("Class name: ") and cur is not None:
            cur[0]["class"] = ln[len("Class name: "):]
        elif ln.startswith("Value: ") and cur is not None:
            name = ln[len("Value: "):].split(" ", 1)[1]
            val = {"name": "" if name == "(default)" else name, "type": None, "size": None,
                   "text": None, "hex": None}
            cur[1].append(val)
        elif ln.startswith("Type: ") and val is not None:
            m = re.search(r"\((REG_[A-Z_]+)\)$", ln) or re.search(r"unknown: (0x[0-9a-f]+)$", ln)
            val["type"] = m.group(1) if m else ln
        elif ln.startswith("Data size: ") and val is not None:
            val["size"] = int(ln[len("Data size: "):])
        elif ln == "Data:" and val is not None:
            raw = bytearray()
            while i + 1 < len(lines) and re.match(r"^[0-9a-f]{8}: ", lines[i + 1]):
                i += 1
                raw += bytes.fromhex(lines[i][10:10 + 49].replace("  ", " "))
            val["hex"] = bytes(raw)
        elif ln.startswith("Data: ") and val is not None:
            val["text"] = ln[len("Data: "):]
        i += 1
    return got


def check_regfexport(what, path, want, got, rep):
    if what == "key":
        rep.eq(path, "class", want.class_name, got["class"])
        return
    where = "%s value %r" % (path, want.name)
    rep.eq(where, "type", LIBREGF_TYPE.get(want.type, "0x%08x" % want.type), got["type"])
    rep.eq(where, "size", len(want.data), got["size"])
    data = _libregf_data(want.data)
    if got["hex"] is not None:
        rep.eq(where, "data", data, got["hex"])
    elif got["text"] is not None:
        if want.type in (4, 5, 11):
            fmt = {4: "<I", 5: ">I", 11: "<Q"}[want.type]
            rep.eq(where, "number", str(struct.unpack(fmt, data)[0]), got["text"])
        else:
            rep.eq(where, "text", _text_to_nul(data), got["text"])
    elif len(want.data):
        rep.diff(where, "data", "shown", "not shown")


# ------------------------------------------------------------------ gleaner

def below(prefix, path):
    """path is prefix or lies under it (case-insensitive, as KEYPATH is)."""
    prefix, path = prefix.strip("\\").upper(), path.upper()
    return not prefix or path == prefix or path.startswith(prefix + "\\")


LOGS = ["--logs", "none"]   # main() puts --log1/--log2 here to replay them


def run_gleaner(hive_path, binary, extra, want_rc=0, keypath=""):
    """`gleaner reg dump --raw [KEYPATH]` as path -> (key record, values). A
    damaged hive must end in exit 1 (output produced, errors reported), any
    other in 0."""
    out = subprocess.run([binary, "reg", "dump", "--raw", *LOGS, *extra, hive_path] +
                         ([keypath] if keypath else []), capture_output=True)
    if out.returncode != want_rc:
        raise RuntimeError("gleaner exited %d, expected %d: %s" % (
            out.returncode, want_rc, out.stderr.decode(errors="replace")))
    got = {}
    for ln in out.stdout.decode("utf-8").splitlines():
        rec = json.loads(ln)
        if rec["path"] in got:
            raise RuntimeError("gleaner printed %r twice" % rec["path"])
        got[rec["path"]] = (rec, rec["values"])
    return got


def check_gleaner(what, path, want, got, rep, owner=None):
    if what == "key":
        rep.eq(path, "last_write", mkhive.filetime_iso(want.last_write), got["last_write"])
        rep.eq(path, "deleted", False, got["deleted"])
        rep.eq(path, "class", want.class_name, got.get("class"))
        if owner is not None:
            rep.eq(path, "owner", owner, got.get("owner"))
        return
    where = "%s value %r" % (path, want.name)
    rep.eq(where, "type", mkhive.TYPE_NAMES.get(want.type, "REG_UNKNOWN_0x%X" % want.type), got["type"])
    rep.eq(where, "deleted", False, got["deleted"])
    if want.bad_data_offset is not None:
        # data unreadable: listed, without data
        rep.eq(where, "data", None, got["data"])
        rep.eq(where, "raw", None, got.get("raw"))
        return
    rep.eq(where, "data", expected_gleaner_data(want.type, want.data), got["data"])
    rep.eq(where, "raw", want.data.hex(), got.get("raw"))


def expected_gleaner_data(vtype, data):
    """How `gleaner reg dump` renders value data: text up to the first NUL,
    REG_MULTI_SZ as an array (the empty string ending the list dropped),
    DWORD/QWORD of exactly 4/8 bytes as numbers, anything else as hex."""
    if vtype in (1, 2, 6):
        return _text_to_nul(data)
    if vtype == 7:
        parts = data[:len(data) // 2 * 2].decode("utf-16-le", "surrogatepass").split("\0")
        while parts and parts[-1] == "":
            parts.pop()
        return parts
    if vtype in (4, 5) and len(data) == 4:
        return struct.unpack(">I" if vtype == 5 else "<I", data)[0]
    if vtype == 11 and len(data) == 8:
        return struct.unpack("<Q", data)[0]
    return data.hex()


ORPHANS = "(deleted)\\(values without a key)"


def deleted_path(k):
    """A deleted key's path, or "<orphan>\\..." from the top of its chain
    of deleted keys when that one's parent cell now holds another key
    (reused_parent): gleaner must not give the reusing key's path."""
    names, top = [], k
    while True:
        names.append(top.name)
        if top.reused_parent is not None:
            return "<orphan>\\" + "\\".join(reversed(names))
        if not top.parent.deleted:
            return k.path()
        top = top.parent


def expected_deleted(exp):
    """path -> (key, deleted flag, [deleted values]) and the orphan values
    that `reg dump --deleted only` should print.

    Deleted material written by mkhive (deleted_key / deleted_value) is
    laid out as Windows leaves it: a freed key keeps its parent link and
    value list, so its values come back under it; a value deleted from a
    live key is still referenced from the slack of the key's value list, so
    the live key is printed with just that value.

    mkdeleted.py (hivex) is different: hivex clears a key's value count and
    list before freeing it, and rewrites all values of a key whose list it
    shrinks, so every removed value, and the old copy of every kept value
    of such a key, is a deleted value with no key to hang on: all of them
    are expected, each exactly once, in the orphan record."""
    recs, orphans = {}, []
    for k in exp.hive.deleted_keys:
        recs[deleted_path(k)] = (k, True, list(k.values) + list(k.deleted_values))
    for path, k in exp.keys.items():
        if k.deleted_values:
            recs[path] = (k, False, list(k.deleted_values))
    for k in exp.deleted_keys:
        recs[k.path()] = (k, True, [])
        orphans += k.values
    orphans += [v for _, v in exp.deleted_values + exp.stale_values]
    return recs, orphans


def check_gleaner_deleted(exp, hive_path, binary, rep, keypath=""):
    """Compare `reg dump --deleted only [KEYPATH]` with expected_deleted();
    below a KEYPATH only the records under it, and no orphans (they have no
    path to be under)."""
    got = run_gleaner(hive_path, binary, ["--deleted", "only"], keypath=keypath)
    recs, orphans = expected_deleted(exp)
    recs = {p: r for p, r in recs.items() if below(keypath, p)}
    if keypath.strip("\\"):
        orphans = []
    for path, (rec, values) in got.items():
        if path == ORPHANS:
            continue
        if path not in recs:
            rep.diff(path, "record", "absent", "present")
            continue
        k, deleted, want_values = recs[path]
        rep.eq(path, "deleted", deleted, rec["deleted"])
        rep.eq(path, "last_write", mkhive.filetime_iso(k.last_write), rec["last_write"])
        rep.eq(path, "class", k.class_name, rec.get("class"))
        rep.eq(path, "value names", [v.name for v in want_values], [v["name"] for v in values])
        by_name = {v["name"]: v for v in values}
        for v in want_values:
            g = by_name.get(v.name)
            if g is None:
                continue
            where = "%s value %r" % (path, v.name)
            rep.eq(where, "deleted", True, g["deleted"])
            rep.eq(where, "type", mkhive.TYPE_NAMES.get(v.type, "REG_UNKNOWN_0x%X" % v.type), g["type"])
            rep.eq(where, "data", expected_gleaner_data(v.type, v.data), g["data"])
            rep.eq(where, "raw", v.data.hex(), g.get("raw"))
    for path in recs:
        if path not in got:
            rep.diff(path, "deleted record", "present", "missing")
    if orphans or ORPHANS in got:
        want = sorted((v.name, mkhive.TYPE_NAMES.get(v.type, v.type), v.data.hex()) for v in orphans)
        rec, values = got.get(ORPHANS, ({}, []))
        rep.eq(ORPHANS, "deleted", True, rec.get("deleted"))
        rep.eq(ORPHANS, "values", want, sorted((v["name"], v["type"], v["raw"]) for v in values))
        for v in values:
            rep.eq(ORPHANS + " value %r" % v["name"], "deleted", True, v["deleted"])
    return got


def check_reference(hive_path, binary, rep):
    """A hive without a description (real evidence): gleaner's live dump
    against hivex for names, types and the exact stored bytes, and against
    libregf for last-written times and class names. libregf is not used
    for data: it trims or pads string data to one terminator."""
    import hivex
    import pyregf
    got = run_gleaner(hive_path, binary, ["--deleted", "exclude"])
    h = hivex.Hivex(hive_path)
    ref = {}

    def walk_hivex(node, path):
        vals = []
        for v in h.node_values(node):
            t, data = h.value_value(v)
            vals.append((h.value_key(v), t, data))
        ref[path] = [vals, None, None]
        for c in h.node_children(node):
            walk_hivex(c, (path + "\\" if path else "") + h.node_name(c))

    walk_hivex(h.root(), "")
    f = pyregf.file()
    f.open(hive_path)

    def walk_regf(key, path):
        if path in ref:
            ref[path][1] = key.get_last_written_time_as_integer()
            ref[path][2] = key.class_name
        else:
            rep.diff(path, "key", "in hivex too", "only in libregf")
        for sub in key.sub_keys:
            walk_regf(sub, (path + "\\" if path else "") + sub.name)

    walk_regf(f.root_key, "")
    f.close()
    for path in ref:
        if path not in got:
            rep.diff(path, "key", "present", "missing")
    for path, (rec, values) in got.items():
        if path not in ref:
            rep.diff(path, "key", "absent", "present")
            continue
        vals, lw, cls = ref[path]
        if lw is not None:
            rep.eq(path, "last_write", mkhive.filetime_iso(lw), rec["last_write"])
        rep.eq(path, "class", cls, rec.get("class"))
        rep.eq(path, "value names", sorted(n for n, _, _ in vals), sorted(v["name"] for v in values))
        by_name = {v["name"]: v for v in values}
        for name, t, data in vals:
            g = by_name.get(name)
            if g is None:
                continue
            where = "%s value %r" % (path, name)
            rep.eq(where, "type", mkhive.TYPE_NAMES.get(t, "REG_UNKNOWN_0x%X" % t), g["type"])
            rep.eq(where, "raw", data.hex(), g.get("raw"))
            rep.eq(where, "data", expected_gleaner_data(t, data), g["data"])
    return got


READERS = {
    "hivexml": (read_hivexml, check_hivexml),
    "pyregf": (read_pyregf, check_pyregf),
    "regfexport": (read_regfexport, check_regfexport),
    "gleaner": (None, check_gleaner),
    "gleaner-deleted": (None, None),
    "reference": (None, None),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reader", required=True, choices=sorted(READERS))
    ap.add_argument("--gleaner", default="./gleaner")
    ap.add_argument("--edits", help="a .hivedel applied to the hive by mkdeleted.py")
    ap.add_argument("--keypath", default="", help="gleaner readers: dump only this subtree")
    ap.add_argument("--log1", help="gleaner readers: replay this transaction log")
    ap.add_argument("--log2", help="gleaner readers: replay this transaction log")
    ap.add_argument("desc")
    ap.add_argument("hive")
    a = ap.parse_args()
    if a.log1 or a.log2:
        LOGS[:] = (["--log1", a.log1] if a.log1 else []) + (["--log2", a.log2] if a.log2 else [])
    rep = Report()
    if a.reader == "reference":
        # real evidence: desc names no description, only the hive
        got = check_reference(a.hive, a.gleaner, rep)
        return finish(rep, got)
    exp = Expected(mkhive.load(a.desc))
    if a.edits:
        exp.apply_edits(a.edits)
    reader, check = READERS[a.reader]
    if a.reader == "gleaner-deleted":
        got = check_gleaner_deleted(exp, a.hive, a.gleaner, rep, a.keypath)
    elif a.reader == "gleaner":
        got = run_gleaner(a.hive, a.gleaner, ["--deleted", "exclude"], 1 if exp.hive.damaged else 0,
                          a.keypath)
        exp.keys = {p: k for p, k in exp.keys.items() if below(a.keypath, p)}
        owner = exp.hive.owner
        compare_keys(exp, got, rep, lambda *args: check_gleaner(*args, owner=owner))
    else:
        got = reader(a.hive, exp)
        compare_keys(exp, got, rep, check)
    return finish(rep, got)


def finish(rep, got):
    for d in rep.diffs[:200]:
        print(d)
    if len(rep.diffs) > 200:
        print("... %d more differences" % (len(rep.diffs) - 200))
    print("keys=%d values=%d" % (len(got), sum(len(v) for _, v in got.values())))
    return 1 if rep.diffs else 0


if __name__ == "__main__":
    sys.exit(main())
