# quick: minutes on a busy server. The registry hives (with transaction
# logs, without which a dirty hive loses its latest writes) and the event
# logs gleaner's detections read.
description Fast triage: system and user registry hives with their logs, and the key event logs
module files
# detection modules: cheap, they read what quick acquires anyway
module logs
module tasks
module services
# Defender exclusions, protections switched off, tampering and detections;
# firewall profiles, rules opening remote access, rules deleted or reset
module defender
module firewall
# reactivated accounts, privileged group changes, RDP logons (Security log, SAM)
module accounts
# indicators: reads the other modules' records only, so it costs next to nothing
module ioc
# attack chains: reads the timeline and findings of the others, runs last
module chain
set files.max_file_size 2GiB
target hive-system     C:\Windows\System32\config\SYSTEM
target hive-system     C:\Windows\System32\config\SYSTEM.LOG?
target hive-software   C:\Windows\System32\config\SOFTWARE
target hive-software   C:\Windows\System32\config\SOFTWARE.LOG?
target hive-sam        C:\Windows\System32\config\SAM
target hive-sam        C:\Windows\System32\config\SAM.LOG?
target hive-security   C:\Windows\System32\config\SECURITY
target hive-security   C:\Windows\System32\config\SECURITY.LOG?
target hive-default    C:\Windows\System32\config\DEFAULT
target hive-default    C:\Windows\System32\config\DEFAULT.LOG?
target hive-ntuser     C:\Users\*\NTUSER.DAT
target hive-ntuser     C:\Users\*\NTUSER.DAT.LOG?
target evtx-security   C:\Windows\System32\winevt\Logs\Security.evtx
target evtx-system     C:\Windows\System32\winevt\Logs\System.evtx
target evtx-defender   "C:\Windows\System32\winevt\Logs\Microsoft-Windows-Windows Defender%4Operational.evtx"
target evtx-firewall   "C:\Windows\System32\winevt\Logs\Microsoft-Windows-Windows Firewall With Advanced Security%4Firewall.evtx"
target evtx-tasks      C:\Windows\System32\winevt\Logs\Microsoft-Windows-TaskScheduler%4Operational.evtx
target evtx-rdp        C:\Windows\System32\winevt\Logs\Microsoft-Windows-TerminalServices-*.evtx
