# standard (the default): everything a responder needs to reconstruct a
# Muddled Libra intrusion, raw, even where no parser reads it yet.
description Standard triage (default): every event log, hives, Amcache, Prefetch, tasks, PowerShell history, RMM logs, Recycle Bin metadata
include quick
set files.max_file_size 4GiB
# YARA over where the actor drops tools (users' downloads, desktops and temp,
# ProgramData, PerfLogs, Windows\Temp); only matching files are acquired
module yara
# remote-management tools: registry, service installs, a walk of the folders
# they live in, and their logs
module rmm
# archives found by content where the actor stages data, archiver history
# and command lines
module staging
# every event log, including the RMM vendors' own channels (Splashtop ...)
target evtx            C:\Windows\System32\winevt\Logs\*.evtx
target hive-usrclass   C:\Users\*\AppData\Local\Microsoft\Windows\UsrClass.dat
target hive-usrclass   C:\Users\*\AppData\Local\Microsoft\Windows\UsrClass.dat.LOG?
target hive-service    C:\Windows\ServiceProfiles\*\NTUSER.DAT
target hive-service    C:\Windows\ServiceProfiles\*\NTUSER.DAT.LOG?
target hive-service    C:\Windows\System32\config\systemprofile\NTUSER.DAT
target hive-service    C:\Windows\System32\config\systemprofile\NTUSER.DAT.LOG?
target amcache         C:\Windows\AppCompat\Programs\Amcache.hve
target amcache         C:\Windows\AppCompat\Programs\Amcache.hve.LOG?
target prefetch        C:\Windows\Prefetch\*.pf
target tasks           C:\Windows\System32\Tasks\**\*
target tasks-legacy    C:\Windows\Tasks\*.job
target pshistory       C:\Users\*\AppData\Roaming\Microsoft\Windows\PowerShell\PSReadLine\*.txt
target recyclebin      C:\$Recycle.Bin\*\$I*
# RMM tools' own logs and configuration (artifacts.md section 1.2)
target rmm-anydesk     C:\ProgramData\AnyDesk\*.trace max_size=512MiB
target rmm-anydesk     C:\ProgramData\AnyDesk\*.txt max_size=512MiB
target rmm-anydesk     C:\ProgramData\AnyDesk\*.conf
target rmm-anydesk     C:\Users\*\AppData\Roaming\AnyDesk\*.trace max_size=512MiB
target rmm-anydesk     C:\Users\*\AppData\Roaming\AnyDesk\*.txt max_size=512MiB
target rmm-anydesk     C:\Users\*\AppData\Roaming\AnyDesk\*.conf
target rmm-teamviewer  "C:\Program Files*\TeamViewer\*.txt" max_size=512MiB
target rmm-teamviewer  "C:\Program Files*\TeamViewer\*.log" max_size=512MiB
target rmm-teamviewer  C:\Users\*\AppData\Roaming\TeamViewer\*.log max_size=512MiB
target rmm-teamviewer  C:\Users\*\AppData\Roaming\TeamViewer\MRU\RemoteSupport\*.tvc
target rmm-splashtop   "C:\Program Files*\Splashtop\Splashtop Remote\Server\log\*" max_size=512MiB
target rmm-splashtop   C:\ProgramData\Splashtop\Temp\log\* max_size=512MiB
target rmm-zoho        C:\Users\*\AppData\Local\ZohoMeeting\log\* max_size=512MiB
target rmm-zoho        C:\Users\*\AppData\Local\ZohoMeeting\*.conf
target rmm-zoho        C:\ProgramData\ZohoMeeting\log\* max_size=512MiB
target rmm-zoho        "C:\Program Files*\ZohoMeeting\UnAttended\ZohoMeeting\logs\*" max_size=512MiB
target rmm-itarian     "C:\Program Files*\ITarian\Endpoint Manager\rmmlogs\*" max_size=512MiB
target rmm-itarian     "C:\Program Files*\Comodo\Endpoint Manager\rmmlogs\*" max_size=512MiB
target rmm-fleetdeck   C:\Windows\Temp\FleetDeck\* max_size=512MiB
target rmm-rustdesk    C:\Users\*\AppData\Roaming\RustDesk\log\**\* max_size=512MiB
target rmm-rustdesk    C:\Users\*\AppData\Roaming\RustDesk\config\*.toml
target rmm-rustdesk    C:\Windows\ServiceProfiles\LocalService\AppData\Roaming\RustDesk\log\**\* max_size=512MiB
target rmm-rustdesk    C:\Windows\ServiceProfiles\LocalService\AppData\Roaming\RustDesk\config\*.toml
target rmm-manageengine "C:\Program Files*\DesktopCentral_Agent\logs\*" max_size=512MiB
