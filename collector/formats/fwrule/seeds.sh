#!/bin/sh
# Seed rules for fuzz-fwrule (written at run time into $1): shapes Windows
# stores, one per file.
set -e
mkdir -p "$1"
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s' "$line" > "$1/seed$i"
done <<'SEEDS'
v2.22|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|Profile=Public|LPort=3389|App=%SystemRoot%\system32\svchost.exe|Svc=termservice|Name=@FirewallAPI.dll,-28775|Desc=@FirewallAPI.dll,-28756|EmbedCtxt=@FirewallAPI.dll,-28752|
v2.20|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=5985|RA4=LocalSubnet|RA6=LocalSubnet|App=System|Name=@FirewallAPI.dll,-30253|Desc=@FirewallAPI.dll,-30256|EmbedCtxt=@FirewallAPI.dll,-30267|
v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=21115-21119|LPort2_10=IPTLSIn|RA4=10.0.0.0/255.0.0.0|RA6=fe80::/64|App=C:\Users\Public\a.exe|Name=x|Edge=TRUE|Defer=App|
v2.10|Action=Block|Active=FALSE|Dir=Out|Protocol=58|ICMP6=128:*|RA6=::1-::ff|Name=y|
80,443,5000-5010,RPC
LocalSubnet,10.1.0.0/16,1.2.3.4-1.2.3.9,*
SEEDS
