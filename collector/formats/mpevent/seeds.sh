#!/bin/sh
# Seeds for fuzz-mpevent (written at run time into $1): "Old Value", NUL,
# "New Value" in the layouts Defender writes, and one rendered message.
set -e
mkdir -p "$1"
printf '%s\0%s' '' 'HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\Paths\C:\Temp = 0x0' > "$1/added"
printf '%s\0%s' 'HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\Processes\rclone.exe = 0x0' '' > "$1/removed"
printf '%s\0%s' 'Default\Features\TamperProtection = 0x0' 'HKLM\SOFTWARE\Microsoft\Windows Defender\Features\TamperProtection = 0x5' > "$1/default"
printf '%s\0%s' 'N/A\ProductType = ' 'HKLM\SOFTWARE\Microsoft\Windows Defender\ProductType = 0x2' > "$1/na"
printf '%s\0%s\n%s\n' 'Default\SpyNet\SpyNetReportingLocation = ' 'HKLM\SOFTWARE\Microsoft\Windows Defender\SpyNet\SpyNetReportingLocation = ' 'SOAP:https://x/y' > "$1/multi"
printf '%s\0%s' '' 'HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules\9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2 = 0x0' > "$1/asr"
printf 'Configuration has changed.\r\n \tOld value: \r\n \tNew value: HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Extensions\\.mimi = 0x0\r\n' > "$1/message"
