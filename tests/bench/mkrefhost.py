#!/usr/bin/python3
"""Reference host for the end-to-end benchmark (make bench-e2e).

A Windows drive tree with a workstation's proportions, deterministic from a
seed, written once and cached outside the work tree:

- the sample host's planted evidence (build/fixtures/sample-host: its hives,
  logs, tasks, RMM traces and archives), copied first, so every module has
  something to find;
- user profiles, Program Files, ProgramData and Windows folders holding
  about 200 000 files (scale 1.0, about 4.5 GB) of 1-20 KiB, mostly, with
  a tail up to 2 MiB, of seeded pseudo-random bytes (incompressible, as executables and
  media mostly are) and a share of text;
- five 200 MiB files (video, a VM disk, a backup) as sparse files: the
  standard profile must walk past them, and sparse keeps the cache small;
- about 1 GiB of event logs (scale 1.0): the corpus's large logs
  (../shared/corpus/perf) repeated as archived logs
  (Archive-<channel>-<date>.evtx, as Windows names them);
- full-size hives: the corpus's SYSTEM, NTUSER and Amcache as every other
  user's NTUSER.DAT, in RegBack and in Windows.old (the planted SYSTEM and
  SOFTWARE stay the sample host's, which hold its evidence);
- a few hundred scheduled tasks (UTF-16 task XML, benign actions) and
  several zip archives in users' documents.

usage: mkrefhost.py OUTDIR SAMPLE_HOST CORPUS [--seed N] [--scale X] [--evtx-gib X]
"""
import argparse
import os
import random
import shutil
import sys
import zipfile

VENDORS = ["Adobe", "Google", "Microsoft Office", "Mozilla Firefox", "Notepad++", "7-Zip", "VideoLAN", "Zoom",
           "Slack", "Citrix", "Cisco", "Intel", "NVIDIA", "Realtek", "Dell", "HP", "Lenovo", "Oracle", "Java",
           "Python311", "Git", "PuTTY", "WinSCP", "KeePass", "Autodesk", "SAP", "Tableau", "Docker", "VMware",
           "Veeam", "Splunk", "CrowdStrike", "Sophos", "Symantec", "Trend Micro", "McAfee", "Dropbox", "Box",
           "OneDrive", "Teams", "Webex", "GoTo", "Wireshark", "Sysinternals", "PowerToys", "Visual Studio",
           "SQL Server", "IIS Express", "WinRAR", "Greenshot"]
EXTS_BIN = [".dll", ".exe", ".sys", ".dat", ".bin", ".pak", ".mui", ".cab"]
EXTS_TEXT = [".txt", ".log", ".xml", ".json", ".ini", ".cfg", ".csv", ".md"]
WORDS = ("quarterly report invoice payroll server backup network policy update install config service "
         "customer order shipment budget forecast meeting notes project plan draft final review").split()


def size_of(rng):
    """Mostly 1-20 KiB, a tail up to 2 MiB (the shape of a real drive's small files)."""
    r = rng.random()
    if r < 0.9:
        return rng.randint(1024, 20 * 1024)
    if r < 0.995:
        return rng.randint(20 * 1024, 128 * 1024)
    return rng.randint(128 * 1024, 2 * 1024 * 1024)


def text_bytes(rng, n):
    out = []
    total = 0
    while total < n:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))) + "\r\n"
        out.append(line)
        total += len(line)
    return "".join(out).encode()[:n]


def write_file(path, rng, text=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    n = size_of(rng)
    with open(path, "wb") as f:
        f.write(text_bytes(rng, n) if text else rng.randbytes(n))
    return n


class Counter:
    def __init__(self):
        self.files = 0
        self.bytes = 0


def fill(root, rel_dirs, count, rng, c, text_share=0.2):
    """count files spread over the directories rel_dirs (created as needed)."""
    for i in range(count):
        d = rel_dirs[i % len(rel_dirs)]
        text = rng.random() < text_share
        ext = rng.choice(EXTS_TEXT if text else EXTS_BIN)
        name = "%s_%05d%s" % (rng.choice(WORDS), i, ext)
        c.bytes += write_file(os.path.join(root, d, name), rng, text)
        c.files += 1


def tree(root, n, rng, c):
    users = ["user%02d" % i for i in range(20)]
    # profiles: documents, downloads, app data caches (a quarter of the files)
    user_dirs = []
    for u in users:
        for sub in ["Documents", "Documents/Projects", "Downloads", "Desktop", "Pictures",
                    "AppData/Local/Temp", "AppData/Local/Microsoft/Edge/User Data/Default/Cache",
                    "AppData/Roaming/Microsoft/Windows/Recent", "AppData/Local/Packages/app/LocalState"]:
            user_dirs.append("Users/%s/%s" % (u, sub))
    fill(root, user_dirs, n // 4, rng, c, text_share=0.35)
    # Program Files: vendor folders several levels deep (a quarter)
    pf = []
    for v in VENDORS:
        for base in ["Program Files", "Program Files (x86)"]:
            for sub in ["", "bin", "lib", "resources/locales", "plugins/%s" % rng.choice(WORDS)]:
                pf.append("%s/%s/%s" % (base, v, sub))
    fill(root, pf, n // 4, rng, c, text_share=0.1)
    # Windows: System32, WinSxS component store, INF, logs (two fifths)
    win = ["Windows/System32", "Windows/System32/drivers", "Windows/SysWOW64", "Windows/INF", "Windows/Logs/CBS",
           "Windows/servicing/Packages"]
    win += ["Windows/WinSxS/amd64_component-%03d_31bf3856ad364e35_10.0.19041.%d_none" % (i, 1000 + i)
            for i in range(400)]
    fill(root, win, n * 2 // 5, rng, c, text_share=0.15)
    # ProgramData and the rest
    pd = ["ProgramData/Microsoft/Windows Defender/Scans/History", "ProgramData/Package Cache/%s" % rng.choice(WORDS),
          "ProgramData/Microsoft/Windows/WER/ReportArchive", "PerfLogs/Admin"]
    fill(root, pd, n - c.files, rng, c, text_share=0.4)
    return users


def sparse_files(root, c):
    for rel in ["Users/user00/Videos/all-hands-2026.mp4", "Users/user01/Videos/training.mkv",
                "Users/user02/VirtualBox VMs/lab/lab.vdi", "ProgramData/Backup/nightly.bak",
                "Users/user03/Downloads/ubuntu-24.04.iso"]:
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.truncate(200 * 1024 * 1024)
        c.files += 1


def event_logs(root, corpus, gib, c):
    logs = os.path.join(root, "Windows/System32/winevt/Logs")
    os.makedirs(logs, exist_ok=True)
    perf = os.path.join(corpus, "perf")
    src = sorted(os.path.join(perf, f) for f in os.listdir(perf) if f.endswith(".evtx")) if os.path.isdir(perf) else []
    if not src:
        print("mkrefhost: no corpus logs in %s: the reference host has only the sample host's logs" % perf)
        return
    want = int(gib * (1 << 30))
    done, day = 0, 0
    while done < want:
        for s in src:
            channel = os.path.basename(s).split("__", 1)[1][:-5]
            name = "Archive-%s-2026-%02d-%02d-03-00-00-000.evtx" % (channel, 1 + day // 28, 1 + day % 28)
            shutil.copyfile(s, os.path.join(logs, name))
            done += os.path.getsize(s)
            c.files += 1
            c.bytes += os.path.getsize(s)
        day += 1


def hives(root, corpus, users, c):
    h = os.path.join(corpus, "dev/hives")
    ntuser = os.path.join(h, "ntuser/plaso__NTUSER-WIN7.DAT")
    system = os.path.join(h, "system/regipy__SYSTEM_2")
    amcache = os.path.join(h, "amcache/DAM-RathbunVM-Win10__Amcache.hve")
    pairs = [(ntuser, "Users/%s/NTUSER.DAT" % u) for u in users]
    for base in ["Windows/System32/config/RegBack", "Windows.old/Windows/System32/config"]:
        pairs += [(system, base + "/SYSTEM"), (ntuser, base + "/DEFAULT")]
    pairs.append((amcache, "Windows.old/Windows/AppCompat/Programs/Amcache.hve"))
    for src, rel in pairs:
        if not os.path.isfile(src):
            continue
        dst = os.path.join(root, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        c.files += 1
        c.bytes += os.path.getsize(src)


TASK = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Date>2025-0{m}-1{d}T0{h}:15:00</Date>
    <Author>{vendor}</Author>
    <URI>\\{vendor}\\{name}</URI>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>2025-0{m}-1{d}T0{h}:15:00</StartBoundary>
      <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>
    </CalendarTrigger>
  </Triggers>
  <Principals><Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>LeastPrivilege</RunLevel></Principal></Principals>
  <Settings><Enabled>true</Enabled><Hidden>false</Hidden></Settings>
  <Actions Context="Author">
    <Exec><Command>"C:\\Program Files\\{vendor}\\bin\\{name}.exe"</Command><Arguments>/update /quiet</Arguments></Exec>
  </Actions>
</Task>
"""


def tasks(root, rng, c, n=300):
    for i in range(n):
        vendor = rng.choice(VENDORS).replace(" ", "")
        name = "%sUpdate%03d" % (rng.choice(WORDS).capitalize(), i)
        d = os.path.join(root, "Windows/System32/Tasks", vendor)
        os.makedirs(d, exist_ok=True)
        xml = TASK.format(m=1 + i % 9, d=i % 10, h=i % 10, vendor=vendor, name=name)
        with open(os.path.join(d, name), "wb") as f:
            f.write(b"\xff\xfe" + xml.replace("\n", "\r\n").encode("utf-16-le"))
        c.files += 1


def archives(root, users, rng, c):
    for i, u in enumerate(users[:8]):
        p = os.path.join(root, "Users/%s/Documents/archive_%d.zip" % (u, i))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for k in range(20):
                z.writestr("docs/%s_%d.txt" % (rng.choice(WORDS), k), text_bytes(rng, 4096))
        c.files += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("sample_host")
    ap.add_argument("corpus")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = about 200 000 small files")
    ap.add_argument("--evtx-gib", type=float, default=1.0)
    a = ap.parse_args()
    tmp = a.out + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(a.sample_host, tmp, symlinks=True)
    planted = set()
    for dirpath, dirnames, filenames in os.walk(tmp):
        planted.update(os.path.relpath(os.path.join(dirpath, f), tmp) for f in filenames + dirnames)
    rng = random.Random(a.seed)
    c = Counter()
    users = tree(tmp, int(200000 * a.scale), rng, c)
    sparse_files(tmp, c)
    event_logs(tmp, a.corpus, a.evtx_gib, c)
    hives(tmp, a.corpus, users, c)
    tasks(tmp, rng, c)
    archives(tmp, users, rng, c)
    # deterministic times for what was generated (the planted evidence
    # keeps its own), so the tree does not depend on when it was made
    for dirpath, dirnames, filenames in os.walk(tmp):
        for f in filenames + dirnames:
            p = os.path.join(dirpath, f)
            if os.path.relpath(p, tmp) not in planted and not os.path.islink(p):
                os.utime(p, (1762000000, 1762000000))
    shutil.rmtree(a.out, ignore_errors=True)
    os.rename(tmp, a.out)
    print("mkrefhost: %s: %d files written (%.2f GB, plus 1 GB sparse), seed %d, scale %.2f"
          % (a.out, c.files, c.bytes / 1e9, a.seed, a.scale))


if __name__ == "__main__":
    sys.exit(main())
