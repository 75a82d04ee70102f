#!/usr/bin/python3
"""Check gleaner's layering: who may include whom (docs/hacking.md).

    core  <-  formats/<fmt>  <-  source  <-  view  <-  engine  <-  detect  <-  modules/<m>  <-  cli

A file may include headers of its own folder and of the layers listed for
it below; nothing else. Also:
  - a format's private headers (*_int.h) stay inside that format;
  - a module never includes another module's headers, and never parses
    binary structures itself (little-endian loads, libarchive reads) or
    opens hives and event logs behind the kit's back.
Usage: layering.py [ROOT]   (exit 1 and one line per violation)
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))

# layer -> layers it may include (its own layer always allowed)
ALLOWED = {
    "core": set(),
    "format": {"core"},
    "source": {"core"},
    "view": {"core", "format", "source"},
    "engine": {"core", "format", "source", "view"},
    "detect": {"core", "format", "source", "view", "engine"},
    "registry": {"core", "source", "engine", "registry"},
    "module": {"core", "format", "source", "view", "engine", "detect"},
    "cli": {"core", "format", "source", "view", "engine", "detect", "registry"},
}
# What a module must leave to formats/ and to the kit.
MODULE_FORBIDDEN = [
    (re.compile(r"\bgl_le(16|32|64)\s*\("), "parses binary structures (gl_le*): move the decoding to collector/formats/"),
    (re.compile(r"\barchive_read_\w+\s*\("), "reads archives with libarchive itself: use collector/formats/"),
    (re.compile(r"\bevtx_open\s*\("), "opens event logs itself: use the kit's event helper (events.h)"),
    (re.compile(r"\bregf_open\w*\s*\("), "opens hives itself: use the run's registry view (gl_run_regview)"),
]
MODULE_FORBIDDEN_SYSTEM = {"archive.h", "archive_entry.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def layer_of(rel):
    parts = rel.split("/")
    if parts[0] == "collector":
        if len(parts) < 3:
            return None, None
        if parts[1] == "formats":
            return ("format", parts[2]) if len(parts) > 3 else (None, None)
        return (parts[1], parts[1]) if parts[1] in ALLOWED else (None, None)
    if parts[0] == "modules":
        if len(parts) == 2:
            return "registry", "registry"
        return "module", parts[1]
    return None, None


def sources():
    for top in ("collector", "modules"):
        for dirpath, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, f), ROOT)


def main():
    files = sorted(sources())
    headers = {}
    problems = []
    for rel in files:
        if rel.endswith(".h"):
            name = os.path.basename(rel)
            if name in headers:
                problems.append("%s: header name also used by %s (headers are included by bare name)" % (rel, headers[name]))
            headers.setdefault(name, rel)
    for rel in files:
        layer, unit = layer_of(rel)
        if layer is None:
            problems.append("%s: not inside a known layer folder" % rel)
            continue
        is_fuzz = os.path.basename(rel).startswith("fuzz_")
        with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for lineno, line in enumerate(text.split("\n"), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.groups()
            if kind == "<":
                if layer == "module" and name in MODULE_FORBIDDEN_SYSTEM:
                    problems.append("%s:%d: includes <%s>: archives are read in collector/formats/" % (rel, lineno, name))
                continue
            target = headers.get(os.path.basename(name))
            if target is None:
                continue  # generated or system-like header (e.g. build/gen)
            tlayer, tunit = layer_of(target)
            where = "%s:%d: includes %s (%s)" % (rel, lineno, name, target)
            if tlayer == layer and tunit == unit:
                continue
            if target.endswith("_int.h"):
                problems.append(where + ": private header of another unit")
            elif tlayer == "module":
                problems.append(where + ": a module's headers are its own")
            elif tlayer not in ALLOWED[layer] and not (layer == tlayer == "format" and is_fuzz):
                problems.append(where + ": layer %s may not include layer %s" % (layer, tlayer))
            elif layer == tlayer == "format":
                problems.append(where + ": formats are independent of each other")
        if layer == "module":
            code = re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
            for pattern, why in MODULE_FORBIDDEN:
                for m in pattern.finditer(code):
                    lineno = code.count("\n", 0, m.start()) + 1
                    problems.append("%s:%d: %s" % (rel, lineno, why))
    for p in problems:
        print("layering: " + p)
    if problems:
        return 1
    print("layering: %d files follow the include rules" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
