#!/bin/sh
# Seeds for fuzz-rmmcatalog (written at run time into $1): the built-in
# catalog (format byte 0) and, when ../shared is present, a few entries of
# LOLRMM's rmm_tools.json (format byte 1; never copied into the repository).
set -e
mkdir -p "$1"
{ printf '\000'; cat modules/rmm/data/catalog.txt; } > "$1/builtin"
{ printf '\000'; printf 'tool A\n exe a*.exe\n path %%APPDATA%%\\A\n log generic C:\\Program Files*\\A\\*.log\n domain *.a.example\n port 1,2\n'; } > "$1/small"
printf '\001[{"Name":"X","Details":{"PEMetadata":[{"Filename":"x.exe"}],"InstallationPaths":["*\\\\X\\\\*"]},"Artifacts":{"Registry":[{"Path":"HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services\\\\X"}],"Network":[{"Domains":["relay-[0-9]{2}.x.example"],"Ports":[443,"1-2"]}]}}]' > "$1/json"
LOL=../shared/data/lolrmm/rmm_tools.json
if [ -f "$LOL" ] && [ -x /usr/bin/python3 ]; then
    for i in 0 13 150; do
        /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d[int(sys.argv[2])]; e.pop("FileHashes",None); sys.stdout.write("\x01"+json.dumps([e]))' "$LOL" "$i" > "$1/lolrmm$i"
    done
fi
