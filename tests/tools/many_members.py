#!/usr/bin/python3
"""Write a gleaner bundle of N tiny artifact members (and, with --bomb SIZE,
one member of SIZE zero bytes instead), with its manifest.json last and its
sha256 sidecar, for the memory and unpacking-cap tests.

    many_members.py OUT.tar.zst N [--bomb BYTES]

The tar stream (pax, as gleaner writes) goes through the zstd program, so
nothing of it is held in memory: a 2 GiB bomb compresses to about 70 KB.
"""
import hashlib
import io
import json
import subprocess
import sys
import tarfile


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    bomb = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--bomb" else 0
    with open(out, "wb") as f:
        z = subprocess.Popen(["zstd", "-q", "-3", "-c"], stdin=subprocess.PIPE, stdout=f)
        tar = tarfile.open(fileobj=z.stdin, mode="w|", format=tarfile.PAX_FORMAT)
        members = []

        def add(name, data=None, size=0, sha=None):
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            info.mode = 0o444
            info.size = len(data) if data is not None else size
            tar.addfile(info, io.BytesIO(data) if data is not None else io.BufferedReader(Zeros(size), 1 << 20))
            members.append({"path": name, "size": info.size,
                            "sha256": sha or hashlib.sha256(data).hexdigest()})

        if bomb:
            h = hashlib.sha256()
            chunk = bytes(1 << 20)
            left = bomb
            while left:
                k = min(left, len(chunk))
                h.update(chunk[:k])
                left -= k
            add("artifacts/C/bomb.bin", size=bomb, sha=h.hexdigest())
        for i in range(n):
            add("artifacts/C/d%03d/f%06d.txt" % (i % 1000, i), b"member %d\n" % i)
        add("run.json", b'{"format":"gleaner-run/1","status":"complete"}\n')
        lines = [json.dumps(m, separators=(",", ":")) for m in members]
        manifest = ('{"format":"gleaner-manifest/1","algorithm":"sha256","members":[\n'
                    + ",\n".join(lines) + "\n]}\n").encode()
        info = tarfile.TarInfo("manifest.json")
        info.mtime = 1700000000
        info.mode = 0o444
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        tar.close()
        z.stdin.close()
        if z.wait() != 0:
            sys.exit("zstd failed")
    with open(out, "rb") as f:
        h = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    with open(out + ".sha256", "w") as f:
        f.write("%s  %s\n" % (h.hexdigest(), out.rsplit("/", 1)[-1]))


main()
