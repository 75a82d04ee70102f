#!/usr/bin/python3
"""Independent reference for gleaner's EVTX parser, built on python-evtx
(Debian python3-evtx 0.6.1; run with /usr/bin/python3).

  evtx_reference.py dump FILE          normalised listing of every record,
                                       one JSON object per line
  evtx_reference.py compare REF OURS   compare a listing with the output of
                                       `gleaner evtx dump --no-recover FILE`;
                                       prints every difference, exit 1 if any

python-evtx parses the file (chunks in file order, records up to each
chunk's free-space offset, templates and substitutions). Only the text form
of a few value types is replaced so both sides print values the way Windows
does; docs/evtx.md lists each of these normalisations and why:
  binary      upper-case hex (python-evtx: base64)
  bool        true/false (python-evtx: True/False)
  GUID        upper case (python-evtx: lower case)
  FILETIME    ISO 8601 UTC with 7 fraction digits from the raw 64-bit value
              (python-evtx: float microseconds, space separator)
  SYSTEMTIME  ISO 8601 UTC with milliseconds (python-evtx passes the
              milliseconds as microseconds)
  hex32/64    0x%x (python-evtx: zero-padded to the full width)
  ANSI        Latin-1 (python-evtx: ASCII, raising on bytes >= 0x80)
  real32/64   shortest round-trip %g form (python-evtx: Python repr)
  string[]    items joined by newlines (python-evtx: <string>..</string>)
"""
import base64
import json
import re
import struct
import sys
import xml.etree.ElementTree as ET

import Evtx.Evtx as evtx
import Evtx.Nodes as nodes
import Evtx.Views as views

FILETIME_EPOCH = 116444736000000000


def iso_filetime(ft):
    sec, frac = divmod(ft, 10**7)
    days, rem = divmod(sec - FILETIME_EPOCH // 10**7, 86400)
    import datetime
    d = datetime.date(1970, 1, 1) + datetime.timedelta(days=days)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ" % (
        d.year, d.month, d.day, rem // 3600, rem // 60 % 60, rem % 60, frac)


def shortest(d, single):
    for prec in range(1, 18):
        s = "%.*g" % (prec, d)
        back = float(s)
        if single:
            if struct.pack("<f", back) == struct.pack("<f", d):
                return s
        elif back == d:
            return s
    return s


def wstring_array(self):
    raw = bytes(self.binary())
    units = [raw[i:i + 2] for i in range(0, len(raw) - len(raw) % 2, 2)]
    items, cur = [], b""
    for u in units:
        if u == b"\x00\x00":
            items.append(cur.decode("utf-16-le", "surrogatepass"))
            cur = b""
        else:
            cur += u
    if cur:
        items.append(cur.decode("utf-16-le", "surrogatepass"))
    return "\n".join(items)


def patch():
    nodes.BinaryTypeNode.string = lambda self: bytes(self.binary()).hex().upper()
    nodes.BooleanTypeNode.string = lambda self: "true" if self.int32() != 0 else "false"
    nodes.GuidTypeNode.string = lambda self: "{" + self.guid().upper() + "}"
    nodes.FiletimeTypeNode.string = lambda self: iso_filetime(self.unpack_qword(0))
    nodes.SystemtimeTypeNode.string = lambda self: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % tuple(
        struct.unpack_from("<8H", self._buf, self._offset)[i] for i in (0, 1, 3, 4, 5, 6, 7))
    nodes.Hex32TypeNode.string = lambda self: "0x%x" % struct.unpack("<I", bytes(self.hex()))[0]
    nodes.Hex64TypeNode.string = lambda self: "0x%x" % struct.unpack("<Q", bytes(self.hex()))[0]
    nodes.StringTypeNode.string = lambda self: bytes(
        self._buf[self._offset + (0 if self._length is not None else 2):
                  self._offset + self.tag_length()]).decode("latin-1").rstrip("\x00")
    nodes.FloatTypeNode.string = lambda self: shortest(self.float(), True)
    nodes.DoubleTypeNode.string = lambda self: shortest(self.double(), False)
    nodes.WstringArrayTypeNode.string = wstring_array


def local(tag):
    return tag.rsplit("}", 1)[-1]


def flatten_user(elem, prefix, out):
    """UserData as (path, value) pairs; attributes as path/@name."""
    for k, v in elem.attrib.items():
        out.append([prefix + "/@" + local(k), v])
    kids = list(elem)
    if not kids:
        out.append([prefix, elem.text or ""])
        return
    if elem.text and elem.text.strip():
        out.append([prefix + "/#text", elem.text])
    for k in kids:
        flatten_user(k, prefix + "/" + local(k.tag), out)


def parse_xml(x):
    try:
        return ET.fromstring(x)
    except ET.ParseError:
        return ET.fromstring(re.sub("[\x00]", "", x))


def system_extra(system, child):
    """Version, Level, Task, Opcode, Keywords, ProcessID, ThreadID, UserID
    as text ("" when absent)."""
    out = {}
    for name in ("Version", "Level", "Task", "Opcode", "Keywords"):
        e = child(system, name)
        out[name] = (e.text or "") if e is not None else ""
    ex = child(system, "Execution")
    sec = child(system, "Security")
    out["ProcessID"] = ex.get("ProcessID", "") if ex is not None else ""
    out["ThreadID"] = ex.get("ThreadID", "") if ex is not None else ""
    out["UserID"] = sec.get("UserID", "") if sec is not None else ""
    return out


def normalise(root, rec_num):
    def child(e, name):
        if e is None:
            return None
        for k in e:
            if local(k.tag) == name:
                return k
        return None
    system = child(root, "System")
    prov = child(system, "Provider")
    tc = child(system, "TimeCreated")
    out = {
        "EventRecordID": int((child(system, "EventRecordID").text or "0")) if child(system, "EventRecordID") is not None else rec_num,
        "EventID": (child(system, "EventID").text or "") if child(system, "EventID") is not None else "",
        "TimeCreated": tc.get("SystemTime", "") if tc is not None else "",
        "Provider": prov.get("Name", "") if prov is not None else "",
        "Channel": (child(system, "Channel").text or "") if child(system, "Channel") is not None else "",
        "Computer": (child(system, "Computer").text or "") if child(system, "Computer") is not None else "",
        "System": system_extra(system, child),
        "EventData": None,
        "UserData": None,
    }
    ed = child(root, "EventData")
    if ed is not None:
        pairs = []
        for i, k in enumerate(ed):
            # a Name attribute names the value (also on ComplexData);
            # unnamed <Data> is keyed by position, anything else by tag
            name = k.get("Name") if k.get("Name") is not None else (
                str(i) if local(k.tag) == "Data" else local(k.tag))
            pairs.append([name, "".join(k.itertext())])
        out["EventData"] = pairs
    ud = child(root, "UserData")
    if ud is not None:
        flat = []
        for k in ud:
            flatten_user(k, local(k.tag), flat)
        out["UserData"] = flat
    return out


def dump(path):
    patch()
    with evtx.Evtx(path) as log:
        for rec in log.records():
            try:
                x = views.evtx_record_xml_view(rec)
                line = normalise(parse_xml(x), rec.record_num())
            except Exception as e:  # python-evtx cannot render it: say so
                line = {"EventRecordID": rec.record_num(), "error": "%s: %s" % (type(e).__name__, e)}
            print(json.dumps(line, ensure_ascii=False))


RESTRICTED = re.compile("[\x01-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F]")


def text_norm(s):
    """What the XML round trip does to text in python-evtx's output."""
    s = RESTRICTED.sub("", s)
    return s.replace("\r\n", "\n").replace("\r", "\n")


def attr_norm(s):
    return re.sub("[\t\n]", " ", text_norm(s))


def flatten_ours(elem, prefix, out):
    """Our UserData element object, flattened like flatten_user()."""
    kids = [(k, v) for k, v in elem.items() if not k.startswith("@") and k != "#text"]
    for k, v in elem.items():
        if k.startswith("@") and k != "@xmlns" and not k.startswith("@xmlns:"):
            out.append([prefix + "/" + k, attr_norm(v)])
    if not kids:
        out.append([prefix, text_norm(elem.get("#text", ""))])
        return
    if elem.get("#text", "").strip():
        out.append([prefix + "/#text", text_norm(elem["#text"])])
    for k, v in kids:
        if isinstance(v, dict):
            flatten_ours(v, prefix + "/" + k, out)
        else:
            out.append([prefix + "/" + k, text_norm(v)])


def ours_norm(o):
    prov = o.get("Provider") or {}
    ed = o.get("EventData")
    ud = o.get("UserData")
    flat = None
    if ud is not None:
        flat = []
        for k, v in ud.items():
            if isinstance(v, dict):
                flatten_ours(v, k, flat)
            else:
                flat.append([k, text_norm(v)])
    def txt(v):
        return "" if v is None else str(v)
    system = {k: txt(o.get(k)) for k in ("Version", "Level", "Task", "Opcode", "Keywords",
                                         "ProcessID", "ThreadID", "UserID")}
    return {
        "System": system,
        "EventRecordID": o.get("EventRecordID"),
        "EventID": "" if o.get("EventID") is None else str(o["EventID"]),
        "TimeCreated": o.get("TimeCreated") or "",
        "Provider": prov.get("Name", ""),
        "Channel": o.get("Channel") or "",
        "Computer": o.get("Computer") or "",
        "EventData": None if ed is None else [[k, text_norm(v)] for k, v in ed.items()],
        "UserData": flat,
    }


def ref_norm(r):
    r = dict(r)
    if r.get("EventData") is not None:
        r["EventData"] = [[k, text_norm(v)] for k, v in r["EventData"]]
    if r.get("UserData") is not None:
        r["UserData"] = [[k, attr_norm(v) if "/@" in k else text_norm(v)] for k, v in r["UserData"]]
    return r


def compare(ref_path, ours_path):
    ref = [json.loads(l) for l in open(ref_path, encoding="utf-8") if l.strip()]
    ours = [json.loads(l) for l in open(ours_path, encoding="utf-8") if l.strip()]
    diffs = 0
    if len(ref) != len(ours):
        print("record count: python-evtx %d, gleaner %d" % (len(ref), len(ours)))
        diffs += 1
    unrenderable = 0
    for i, (r, o) in enumerate(zip(ref, ours)):
        if "error" in r:  # nothing to compare but the count
            unrenderable += 1
            continue
        r = ref_norm(r)
        xml = o.get("Xml")
        o = ours_norm(o)
        if xml is not None:  # gleaner's XML, read back like python-evtx's
            try:
                x = ref_norm(normalise(parse_xml(RESTRICTED.sub("", xml)), r["EventRecordID"]))
            except ET.ParseError as e:
                print("#%d record %s: gleaner's Xml does not parse: %s" % (i, r["EventRecordID"], e))
                diffs += 1
                continue
            for key in ("EventRecordID", "EventID", "TimeCreated", "Provider", "Channel", "Computer", "System",
                        "EventData", "UserData"):
                if r[key] != x[key]:
                    print("#%d record %s: Xml %s: python-evtx %r, gleaner %r" % (i, r["EventRecordID"], key,
                                                                                r[key], x[key]))
                    diffs += 1
        for key in ("EventRecordID", "EventID", "TimeCreated", "Provider", "Channel", "Computer", "System",
                    "EventData", "UserData"):
            if r[key] != o[key]:
                print("#%d record %s: %s: python-evtx %r, gleaner %r" % (i, r["EventRecordID"], key, r[key], o[key]))
                diffs += 1
        if diffs > 50:
            print("... stopping after 50 differences")
            break
    print("compared %d records (%d python-evtx could not render), %d differences" % (len(ref), unrenderable, diffs))
    return 1 if diffs else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "dump":
        dump(sys.argv[2])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        return compare(sys.argv[2], sys.argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
