# full: standard plus what is slow or large - older Windows installations,
# setup logs, and the WinRAR/PeaZip/7-Zip settings used when staging data.
description Full collection: standard plus Windows.old logs and hives, setup and WER logs, archiver settings
include standard
set files.max_file_size 8GiB
# YARA over the whole drive
set yara.paths C:\**\*
# archives anywhere on the drive
set staging.paths C:\**\*
target old-evtx        C:\Windows.old\Windows\System32\winevt\Logs\*.evtx
target old-hives       C:\Windows.old\Windows\System32\config\*
target setupapi        C:\Windows\INF\setupapi*.log
target wer             C:\ProgramData\Microsoft\Windows\WER\**\*.wer
target peazip          C:\Users\*\AppData\Roaming\PeaZip\*
target winrar          C:\Users\*\AppData\Roaming\WinRAR\*
target srum            C:\Windows\System32\sru\SRUDB.dat
