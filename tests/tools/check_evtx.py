#!/usr/bin/python3
"""Check a generated event log against its description with independent
readers.

    check_evtx.py DESC.evtxdesc FILE.evtx [--gleaner BIN] [--only READER]

Readers: python-evtx (Evtx module), evtxexport -f xml (libevtx) and, with
--gleaner, `BIN evtx dump FILE` (JSON Lines). Every event of the
description must come back from every reader, in order, with every System
field and every EventData/UserData name and value exactly as that reader
renders the described value (the renderings differ: python-evtx prints
booleans as True/False, binary as base64, FILETIMEs through a float; libevtx
prints negative int8..int64 in sign-magnitude and expands arrays into
repeated <Data> elements; see render()). Events that only a recovering reader can
see (in a damaged or truncated chunk, past the header's chunk count, or in
chunk slack) may be missing; if present they must still match, and gleaner
must flag them recovered. Slack records must also come back from
`evtxexport -m recovered`. Nothing else may come back. Exits 0 when all agree, 1 with one
line per difference otherwise, 2 on usage errors.
"""
import base64
import datetime
import json
import os
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import mkevtx  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

SIGNED_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64}
# python-evtx 0.6.1 has readers for these array types only
PYEVTX_ARRAYS = {"string"}
# libevtx 20181227 rejects these array types and stops exporting the file
EVTXEXPORT_NO_ARRAYS = {"bool", "sid", "binary"}


def pyevtx_filetime(ft):
    """python-evtx's own conversion (float seconds, microsecond datetime)."""
    try:
        dt = datetime.datetime.utcfromtimestamp(float(ft) * 1e-7 - 11644473600)
    except (ValueError, OverflowError):
        dt = datetime.datetime.min
    return dt.isoformat(" ")


def render(reader, kind, py):
    """Set of texts `reader` may print for one scalar value."""
    v = mkevtx.Value(kind, py)
    if kind in SIGNED_BITS and reader == "evtxexport" and py < 0:
        # libfwevt prints the sign and the remaining bits (sign-magnitude);
        # the minimum value comes out right
        bits = SIGNED_BITS[kind]
        mag = py & ((1 << (bits - 1)) - 1)
        return {str(py), "-%d" % mag}
    if kind in ("hex32", "hex64"):
        return {("0x%08x" if kind == "hex32" else "0x%016x") % py}
    if reader == "python-evtx":
        if kind == "bool":
            return {"True" if py else "False"}
        if kind == "binary":
            return {base64.b64encode(py).decode("ascii")}
        if kind == "guid":
            return {mkevtx.guid_canon(py).lower()}
        if kind == "filetime":
            return {pyevtx_filetime(py)}
        if kind == "systemtime":
            # python-evtx puts the milliseconds into the microsecond field
            secs, frac = divmod(py - mkevtx.EPOCH_DELTA, 10000000)
            dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
            return {dt.replace(microsecond=frac // 10000).isoformat(" ")}
    if reader == "evtxexport":
        if kind == "filetime":
            return {mkevtx.filetime_iso(py, 9)}
    return {v.text()}


def expect_data(reader, name, v):
    """((element, Name attribute), {texts}) pairs that a reader shows for
    one EventData value; None for a value that python-evtx cannot read."""
    name = (str(name), None) if isinstance(name, mkevtx.Child) else ("Data", name)
    if v.array:
        if reader == "python-evtx":
            if v.kind not in PYEVTX_ARRAYS:
                return None
            text = "".join("<string>%s</string>\n" % s for s in v.py)
            return [(name, {text})]
        if reader == "evtxexport":
            return [(name, render(reader, v.kind, x)) for x in v.py]
        return [(name, {json.dumps([mkevtx.Value(v.kind, x).text() for x in v.py])})]
    if v.kind == "null":
        # an optional substitution without value: libevtx drops the element
        return [] if reader == "evtxexport" else [(name, {""})]
    return [(name, render(reader, v.kind, v.py))]


def unsupported(reader, ev):
    if ev.template and reader != "gleaner":
        return True  # libevtx 20181227 skips a record whose template is gone
    kinds = [v for _, v in ev.data] + list(leaf_values(ev.userdata or []))
    for v in kinds:
        if v.array and reader == "python-evtx" and v.kind not in PYEVTX_ARRAYS:
            return True
        if v.array and reader == "evtxexport" and v.kind in EVTXEXPORT_NO_ARRAYS:
            return True
    return False


def leaf_values(nodes):
    for n in nodes:
        if n.value is not None:
            yield n.value
        yield from leaf_values(n.children)


# ------------------------------------------------------------ readers

def strip_ns(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def ns_of(tag):
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def xml_event(text):
    """Parsed <Event> XML -> normalised dict of texts."""
    root = ET.fromstring(text)
    sysel = root.find("{%s}System" % mkevtx.EVENT_NS)
    if sysel is None:
        raise ValueError("no System element")

    def child(name):
        return sysel.find("{%s}%s" % (mkevtx.EVENT_NS, name))

    def txt(name):
        e = child(name)
        return None if e is None else (e.text or "")

    def attr(name, a):
        e = child(name)
        return None if e is None else e.get(a)
    out = {"ns": ns_of(root.tag)}
    prov = child("Provider")
    out["Provider"] = {} if prov is None else dict(prov.attrib)
    for f in ("EventID", "Version", "Level", "Task", "Opcode", "Keywords",
              "EventRecordID", "Channel", "Computer"):
        out[f] = txt(f)
    out["Qualifiers"] = attr("EventID", "Qualifiers")
    out["TimeCreated"] = attr("TimeCreated", "SystemTime")
    out["ActivityID"] = attr("Correlation", "ActivityID")
    out["RelatedActivityID"] = attr("Correlation", "RelatedActivityID")
    out["ProcessID"] = attr("Execution", "ProcessID")
    out["ThreadID"] = attr("Execution", "ThreadID")
    out["UserID"] = attr("Security", "UserID")
    ed = root.find("{%s}EventData" % mkevtx.EVENT_NS)
    out["EventData"] = None if ed is None else [((strip_ns(d.tag), d.get("Name")), d.text or "") for d in ed]
    ud = root.find("{%s}UserData" % mkevtx.EVENT_NS)

    def tree(e):
        return {"tag": strip_ns(e.tag), "ns": ns_of(e.tag), "attrs": dict(e.attrib),
                "text": e.text or "" if len(e) == 0 else None,
                "children": [tree(c) for c in e]}
    out["UserData"] = None if ud is None else [tree(c) for c in ud]
    return out


def check_tables(path, desc, events, diffs):
    """python-evtx loads a chunk's templates and names from its tables
    alone (before any record is parsed): they must list every template
    and name the writer defined in that chunk."""
    import Evtx.Evtx as evtx
    damaged = {e.chunk for e in events if e.damaged}
    with evtx.Evtx(path) as f:
        for k, ch in enumerate(f.get_file_header().chunks()):
            if k >= len(desc.chunk_tables) or k in damaged:
                continue
            want = desc.chunk_tables[k]
            have = (len(ch.templates()), len(ch.strings()))
            if have != want:
                diffs.append("python-evtx: chunk %d: tables list %d templates, %d names; expected %d, %d"
                             % ((k,) + have + want))


def read_pyevtx(path):
    import Evtx.Evtx as evtx
    events = []
    with evtx.Evtx(path) as f:
        try:
            for rec in f.records():
                try:
                    events.append((rec.record_num(), xml_event(rec.xml()), None))
                except Exception as e:  # python-evtx raises anything on types it lacks
                    events.append((rec.record_num(), None, "%s: %s" % (type(e).__name__, e)))
        except Exception:  # and stops reading at a broken record
            pass
    return events


def read_evtxexport(path, mode="items"):
    res = subprocess.run(["evtxexport", "-f", "xml", "-m", mode, path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    text = res.stdout.decode("utf-8", "replace")
    events = []
    pos = 0
    while True:
        start = text.find("<Event ", pos)
        if start < 0:
            break
        end = text.find("</Event>", start)
        if end < 0:
            break
        ev = xml_event(text[start:end + 8])
        events.append((int(ev["EventRecordID"]), ev, None))
        pos = end + 8
    return events, res.returncode, res.stderr.decode("utf-8", "replace")


# ------------------------------------------------------------ compare

def check_xml_event(reader, ev, got, diffs, where):
    s = ev.sys
    p = s["Provider"]
    pyx = reader == "python-evtx"

    def same(field, want, have):
        if isinstance(want, set):
            if have not in want:
                diffs.append("%s: %s: %r, expected %s" % (where, field, have, " or ".join(sorted(map(repr, want)))))
        elif want != have:
            diffs.append("%s: %s: %r, expected %r" % (where, field, have, want))

    def opt(field, kind):
        """Optional System value: absent -> python-evtx prints "", libevtx omits."""
        if field in s:
            return render(reader, kind, s[field])
        return "" if pyx else None
    same("namespace", mkevtx.EVENT_NS, got["ns"])
    want_p = {"Name": p["Name"]}
    if "Guid" in p:
        want_p["Guid"] = mkevtx.guid_canon(p["Guid"])
    if "EventSourceName" in p:
        want_p["EventSourceName"] = p["EventSourceName"]
    same("Provider", want_p, got["Provider"])
    same("EventID", str(s["EventID"]), got["EventID"])
    same("Qualifiers", opt("Qualifiers", "uint16"), got["Qualifiers"])
    for f, kind in (("Version", "uint8"), ("Level", "uint8"), ("Task", "uint16"),
                    ("Opcode", "uint8"), ("Keywords", "hex64")):
        same(f, opt(f, kind), got[f])
    same("TimeCreated", render(reader, "filetime", s["TimeCreated"]), got["TimeCreated"])
    same("EventRecordID", str(s["EventRecordID"]), got["EventRecordID"])
    same("ActivityID", opt("ActivityID", "guid"), got["ActivityID"])
    same("RelatedActivityID", opt("RelatedActivityID", "guid"), got["RelatedActivityID"])
    same("ProcessID", opt("ProcessID", "uint32"), got["ProcessID"])
    same("ThreadID", opt("ThreadID", "uint32"), got["ThreadID"])
    same("Channel", s["Channel"], got["Channel"])
    same("Computer", s["Computer"], got["Computer"])
    same("UserID", opt("UserID", "sid"), got["UserID"])
    if ev.data:
        want = []
        for name, v in ev.data:
            want += expect_data(reader, name, v)
        have = got["EventData"] or []
        if len(want) != len(have):
            diffs.append("%s: EventData: %d items, expected %d" % (where, len(have), len(want)))
        for (wn, wv), (hn, hv) in zip(want, have):
            same("EventData %s/%s name" % wn, wn, hn)
            same("EventData %s/%s" % wn, wv, hv)
    elif got["EventData"] is not None:
        diffs.append("%s: unexpected EventData" % where)
    if ev.userdata is not None:
        if got["UserData"] is None:
            diffs.append("%s: UserData missing" % where)
        else:
            check_tree(reader, ev.userdata, got["UserData"], mkevtx.EVENT_NS, same, diffs, "UserData")
    elif got["UserData"] is not None:
        diffs.append("%s: unexpected UserData" % where)


def check_tree(reader, nodes, have, ns, same, diffs, where):
    want = [n for n in nodes if not (n.value is not None and n.value.kind == "null" and reader == "evtxexport")]
    if len(want) != len(have):
        diffs.append("%s: %d elements, expected %d" % (where, len(have), len(want)))
        return
    for n, h in zip(want, have):
        path = "%s/%s" % (where, n.name)
        attrs = dict(n.attrs)
        nns = attrs.pop("xmlns", ns)
        same(path + " name", n.name, h["tag"])
        same(path + " namespace", nns, h["ns"])
        same(path + " attributes", attrs, h["attrs"])
        if n.value is not None:
            same(path, render(reader, n.value.kind, n.value.py) if n.value.kind != "null" else "", h["text"])
        else:
            check_tree(reader, n.children, h["children"], nns, same, diffs, path)


def align(reader, events, got, diffs, check, required=lambda ev: not ev.damaged):
    """Walk the expected events and the reader's in order."""
    j = 0
    seen = 0
    for ev in events:
        rid = ev.sys["EventRecordID"]
        where = "%s: record %d" % (reader, rid)
        if j < len(got) and got[j][0] == rid:
            _, parsed, err = got[j]
            j += 1
            seen += 1
            if err is not None:
                if not unsupported(reader, ev):
                    diffs.append("%s: cannot render: %s" % (where, err))
                continue
            check(ev, parsed, where)
        elif required(ev) and not unsupported(reader, ev):
            diffs.append("%s: missing" % where)
    for rid, _, _ in got[j:]:
        diffs.append("%s: unexpected record %s" % (reader, rid))
    return seen


def gleaner_dump(binary, path):
    """Event lines (pairs kept in order, duplicates kept) and other lines."""
    res = subprocess.run([binary, "evtx", "dump", path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    events, other = [], []
    for line in res.stdout.decode("utf-8").splitlines():
        obj = json.loads(line, object_pairs_hook=list)
        keys = [k for k, _ in obj]
        if "EventRecordID" in keys and "Provider" in keys:
            events.append(obj)
        else:
            other.append(obj)
    return events, other, res.returncode, res.stderr.decode("utf-8", "replace")


def gleaner_value(v):
    """gleaner's text for a value: docs/evtx.md (arrays: items joined by
    newlines; null: empty)."""
    if v.array:
        return "\n".join(mkevtx.Value(v.kind, x).text() for x in v.py)
    return v.text()


def gleaner_tree(nodes):
    """UserData members as gleaner prints them: a leaf without attributes
    is "name": "text"; otherwise an object of "@attr" members, children and
    "#text" when the element has text."""
    out = []
    for n in nodes:
        if n.value is not None and not n.attrs:
            out.append([n.name, gleaner_value(n.value)])
            continue
        members = [["@" + k, v] for k, v in n.attrs]
        if n.value is not None:
            text = gleaner_value(n.value)
            if text:
                members.append(["#text", text])
        else:
            members += gleaner_tree(n.children)
        out.append([n.name, members])
    return out


def check_gleaner_event(ev, got, diffs, where):
    s = ev.sys
    p = s["Provider"]
    obj = dict(got)

    def same(field, want, have):
        if want != have:
            diffs.append("%s: %s: %r, expected %r" % (where, field, have, want))
    if ev.slack:
        same("recovered_from", "slack", obj.get("recovered_from"))
    if ev.template == "none":
        # only the record header survives: number and written time
        same("partial", True, obj.get("partial"))
        same("written", mkevtx.filetime_iso(s["TimeCreated"]), obj.get("written"))
        same("EventRecordID", s["EventRecordID"], obj.get("EventRecordID"))
        same("recovered", True, obj.get("recovered"))
        for f in ("EventID", "TimeCreated", "Channel", "EventData", "UserData"):
            same(f, None, obj.get(f))
        return
    same("partial", None, obj.get("partial"))
    want_p = [["Name", p["Name"]]]
    if "Guid" in p:
        want_p.append(["Guid", mkevtx.guid_canon(p["Guid"])])
    if "EventSourceName" in p:
        want_p.append(["EventSourceName", p["EventSourceName"]])
    same("Provider", want_p, [list(kv) for kv in obj.get("Provider") or []])
    same("EventID", s["EventID"], obj.get("EventID"))
    same("Qualifiers", s.get("Qualifiers"), obj.get("Qualifiers"))
    for f in ("Version", "Level", "Task", "Opcode", "ProcessID", "ThreadID"):
        same(f, s.get(f), obj.get(f))
    same("Keywords", None if "Keywords" not in s else "0x%x" % s["Keywords"], obj.get("Keywords"))
    same("TimeCreated", mkevtx.filetime_iso(s["TimeCreated"]), obj.get("TimeCreated"))
    same("EventRecordID", s["EventRecordID"], obj.get("EventRecordID"))
    same("Channel", s["Channel"], obj.get("Channel"))
    same("Computer", s["Computer"], obj.get("Computer"))
    same("UserID", s.get("UserID"), obj.get("UserID"))
    same("recovered", ev.damaged, obj.get("recovered"))
    want_ed = None
    if ev.data:
        want_ed = [[name if name is not None else str(i), gleaner_value(v)]
                   for i, (name, v) in enumerate(ev.data)]
    have_ed = obj.get("EventData")
    same("EventData", want_ed, None if have_ed is None else [list(kv) for kv in have_ed])
    want_ud = None if ev.userdata is None else gleaner_tree(ev.userdata)
    same("UserData", want_ud, listify(obj.get("UserData")))


def listify(x):
    """Pairs from json.loads(object_pairs_hook=list) as nested lists."""
    if isinstance(x, (list, tuple)):
        return [listify(i) for i in x]
    return x


def main(argv):
    args = argv[1:]
    gleaner = None
    only = None
    while len(args) > 2:
        if args[0] == "--gleaner":
            gleaner, args = args[1], args[2:]
        elif args[0] == "--only":
            only, args = args[1], args[2:]
        else:
            break
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    desc_path, path = args
    try:
        desc = mkevtx.load(desc_path)
        data, events = mkevtx.build(desc)
    except mkevtx.DescError as e:
        sys.stderr.write("check_evtx: %s\n" % e)
        return 2
    diffs = []
    with open(path, "rb") as f:
        if f.read() != data:
            diffs.append("%s: not the log that %s describes (regenerate it)" % (path, desc_path))
    counts = {}
    if only in (None, "python-evtx"):
        check_tables(path, desc, events, diffs)
        got = read_pyevtx(path)
        counts["python-evtx"] = align("python-evtx", events, got, diffs,
                                      lambda ev, g, w: check_xml_event("python-evtx", ev, g, diffs, w))
    if only in (None, "evtxexport"):
        got, rc, err = read_evtxexport(path)
        if "Unable to export file" in err and not any(e.damaged for e in events):
            diffs.append("evtxexport: %s" % err.strip().splitlines()[0])
        counts["evtxexport"] = align("evtxexport", events, got, diffs,
                                     lambda ev, g, w: check_xml_event("evtxexport", ev, g, diffs, w))
        # libevtx's own carving must find every record left in chunk slack,
        # and it carves chunks without their "ElfChnk" signature too
        magic = {int(d["chunk"]) for d in desc.damage if d["what"] == "magic"}
        slack = [e for e in events if e.slack or (magic and e.chunk in magic)]
        if slack:
            got, rc, err = read_evtxexport(path, "recovered")
            counts["evtxexport recovered"] = align(
                "evtxexport -m recovered", slack, got, diffs,
                lambda ev, g, w: check_xml_event("evtxexport", ev, g, diffs, w),
                required=lambda ev: True)
    if gleaner and only in (None, "gleaner"):
        gev, _, rc, err = gleaner_dump(gleaner, path)
        got = [(dict(e).get("EventRecordID"), e, None) for e in gev]
        # live records in file order; recovered ones wherever the scan found
        # them (in place or after the live ones), so matched by record id
        check = lambda ev, g, w: check_gleaner_event(ev, g, diffs, w)
        live = [g for g in got if dict(g[1]).get("recovered") is not True]
        carved = sorted((g for g in got if dict(g[1]).get("recovered") is True),
                        key=lambda g: (g[0] is None, g[0] or 0))
        counts["gleaner"] = align("gleaner", [e for e in events if not e.damaged], live, diffs, check)
        counts["gleaner"] += align("gleaner", sorted((e for e in events if e.damaged),
                                                     key=lambda ev: ev.sys["EventRecordID"]),
                                   carved, diffs, check)
        counts["gleaner recovered"] = sum(1 for e in gev if dict(e).get("recovered") is True)
    for d in diffs:
        print(d)
    print("%s: %d described, %d recoverable only; read back: %s" % (
        os.path.basename(path), len(events), sum(e.damaged for e in events),
        ", ".join("%s %d" % kv for kv in counts.items())))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
