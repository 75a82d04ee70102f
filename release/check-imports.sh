#!/bin/sh
# check-imports.sh EXE: fails unless every DLL the PE imports is one that
# every Windows 10+ installation has in System32. The release .exe must
# run from a USB stick or a share with nothing beside it: no
# libwinpthread, libgcc, MSVC runtime or library DLL.
set -eu
[ $# -eq 1 ] || { echo "usage: check-imports.sh EXE" >&2; exit 2; }
OBJDUMP=${OBJDUMP:-x86_64-w64-mingw32-objdump}
SYSTEM="advapi32.dll bcrypt.dll crypt32.dll gdi32.dll kernel32.dll msvcrt.dll ntdll.dll ole32.dll
oleaut32.dll secur32.dll shell32.dll user32.dll version.dll wevtapi.dll ws2_32.dll"
dlls=$("$OBJDUMP" -p "$1" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | tr -d '\r' | sort -u)
[ -n "$dlls" ] || { echo "check-imports: $1: no import table (not a PE?)" >&2; exit 1; }
bad=""
for d in $dlls; do
    case " $(echo $SYSTEM) " in
    *" $d "*) ;;
    *) bad="$bad $d" ;;
    esac
done
if [ -n "$bad" ]; then
    echo "check-imports: $1 imports DLLs that are not part of Windows:$bad" >&2
    exit 1
fi
echo "check-imports: $1 imports only system DLLs:" $dlls >&2
