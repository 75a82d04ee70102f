#!/bin/sh
# Seeds for fuzz-rmmlog (written at run time into $1). The first byte is the
# layout (rmmlog_kind order: 0 anydesk-trace, 1 anydesk-connections,
# 2 anydesk-file-transfers, 3 anydesk-conf, 4 teamviewer-incoming,
# 5 teamviewer-outgoing, 6 teamviewer-log, 7 generic, 8 rustdesk-log,
# 9 rustdesk-conf, 10 rustdesk-peer). The real AnyDesk
# files come from ../shared when present (never copied into the repository).
set -e
mkdir -p "$1"
AD=../shared/corpus/dev/artifacts/rmm/anydesk
if [ -d "$AD" ]; then
    { printf '\000'; cat "$AD/DAM-AnyDesk__ad.trace"; } > "$1/ad_trace"
    { printf '\000'; cat "$AD/DAM-AnyDesk__ad_svc.trace"; } > "$1/ad_svc_trace"
    { printf '\001'; cat "$AD/DAM-AnyDesk__connection_trace.txt"; } > "$1/connection_trace"
    { printf '\003'; cat "$AD/DAM-AnyDesk__service.conf"; } > "$1/service_conf"
fi
printf '\001Incoming 2022-08-23, 10:23 Passwd 547911884 547911884\nOutgoing 2022-09-28, 12:39 REJECTED alias 442226597\n' > "$1/conn"
printf "\\002File Manager\\t2024-11-08, 16:30\\tstart \\tupload  \\t'x.zip' (~0 B out of 1 MiB)\\n" > "$1/ft"
printf '\003ad.anynet.pwd_hash=ab\nad.security.interactive_access=2\n' > "$1/conf"
printf '\0041025538549\tmechant_host\t22-08-2022 14:50:52\t22-08-2022 14:51:09\tlab\tRemoteControl\t{5a0ba592-76be-48de-8015-2365251d6520}\n' > "$1/tv_in"
printf '\0062024/06/28 20:23:37.280  3160  3604 S0   CPersistentParticipantManager::AddParticipant: [1651063400,876631011] type=6 name=Joe\n2024/06/28 20:23:32.000  3160  3604 S0   UDPv4: punch received a=198.51.100.23:5938: (*)\n' > "$1/tv_log"
printf '\0072024-03-01 10:22:33,123 from [2001:db8::7]:443 id 123456789 file "C:\\Temp\\loot.zip"\n' > "$1/generic"
printf '\010[2026-11-12 23:57:36.418204 +02:00] INFO [src\\rendezvous_mediator.rs:148] start rendezvous mediator of 45.32.221.250:21116\n[2026-11-12 21:57:36.418204 +00:00] DEBUG [src\\server\\connection.rs:1042] #1 Connection opened from 164.92.234.104:49822.\n[2026-11-12 22:46:02.003998 +00:00] INFO [src\\server\\connection.rs:2480] #1 Connection closed: Peer close\n' > "$1/rustdesk_log"
printf "\011id = '502918374'\npassword = '00Zm9v'\n[options]\ndirect-server = 'Y'\nverification-method = 'use-permanent-password'\nrelay-server = \"h.example\"\n" > "$1/rustdesk_conf"
printf "\007Transferred files with action 'Transfer':\r\nsvchost64.exe\r\n\r\nVersion: 23.9.8.8811\r\n" > "$1/sc_transfer"
printf '\007Cloud Account Administrator Connected\n\nVersion: 23.9.8.8811\n' > "$1/sc_connected"
{ printf '\012'; cat <<'PEER'
[info]
username = 'Administrator'
hostname = 'FS02'
platform = 'Windows'
[transfer]
write_jobs = ['{"id":7,"remote":"D:\\x","to":"C:\\y","is_remote":true}']
PEER
} > "$1/rustdesk_peer"
