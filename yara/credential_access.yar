/* gleaner project rules: credential-access tools Muddled Libra uses
 * (threat.md). Written for gleaner from the tools' own public source and
 * documentation, keyed on strings the tools themselves carry, so renamed,
 * truncated, carved or dumped copies and script ports match; no condition
 * requires a valid PE. Not derived from any public rule set. */

rule GL_Mimikatz
{
    meta:
        description = "Mimikatz credential dumper (binary, memory dump, carved copy or its commands in a script)"
        attack = "T1003.001 T1003.006 T1558"
        reference = "https://github.com/gentilkiwi/mimikatz"
        severity = "critical"
        author = "gleaner project"
    strings:
        $cmd1 = "sekurlsa::logonpasswords" ascii wide nocase
        $cmd2 = "lsadump::dcsync" ascii wide nocase
        $cmd3 = "lsadump::sam" ascii wide nocase
        $cmd4 = "kerberos::golden" ascii wide nocase
        $cmd5 = "sekurlsa::pth" ascii wide nocase
        $cmd6 = "kerberos::ptt" ascii wide nocase
        $id1 = "gentilkiwi" ascii wide nocase
        $id2 = "mimikatz" ascii wide nocase
        $id3 = "Benjamin DELPY" ascii wide nocase
        $banner = "A La Vie, A L'Amour" ascii wide
    condition:
        2 of ($cmd*) or (1 of ($id*) and 1 of ($cmd*)) or $banner or ($id1 and $id2)
}

rule GL_Invoke_Mimikatz
{
    meta:
        description = "Invoke-Mimikatz PowerShell port (reflectively loads Mimikatz)"
        attack = "T1003.001 T1059.001 T1620"
        reference = "https://github.com/PowerShellMafia/PowerSploit"
        severity = "critical"
        author = "gleaner project"
    strings:
        $fn = "Invoke-Mimikatz" ascii wide nocase
        $refl = "Invoke-ReflectivePEInjection" ascii wide nocase
        $pe64 = "PEBytes64" ascii wide
        $pe32 = "PEBytes32" ascii wide
        $dump = "DumpCreds" ascii wide nocase
    condition:
        $fn and 1 of ($refl, $pe64, $pe32, $dump)
}

rule GL_ProcDump
{
    meta:
        description = "Sysinternals ProcDump (also renamed): used to dump LSASS memory"
        attack = "T1003.001"
        reference = "https://learn.microsoft.com/sysinternals/downloads/procdump"
        severity = "medium"
        author = "gleaner project"
    strings:
        $desc = "Sysinternals process dump utility" ascii wide nocase
        $name = "ProcDump" wide
        $si = "Sysinternals" wide
    condition:
        $desc or ($name and $si)
}

rule GL_ProcDump_Lsass_Command
{
    meta:
        description = "Command line dumping LSASS with ProcDump (script, history or log)"
        attack = "T1003.001"
        reference = "https://learn.microsoft.com/sysinternals/downloads/procdump"
        severity = "high"
        author = "gleaner project"
    strings:
        $cmd = /procdump(64a?)?(\.exe)?"?\s+(-accepteula\s+)?(-[a-z0-9]+\s+)*-ma\s+lsass/ ascii wide nocase
    condition:
        $cmd
}

rule GL_Impacket
{
    meta:
        description = "Impacket tools (secretsdump, psexec, wmiexec, smbexec): scripts or PyInstaller builds"
        attack = "T1003.002 T1003.003 T1021.002 T1047 T1569.002"
        reference = "https://github.com/fortra/impacket"
        severity = "high"
        author = "gleaner project"
    strings:
        $pkg1 = "impacket.smbconnection" ascii
        $pkg2 = "impacket.dcerpc.v5" ascii
        $pkg3 = "impacket.examples" ascii
        $pkg4 = "impacket.krb5" ascii
        $sd1 = "Dumping local SAM hashes" ascii wide
        $sd2 = "Using the DRSUAPI method to get NTDS.DIT secrets" ascii wide
        $sd3 = "Dumping cached domain logon information" ascii wide
        $psexec = "RemComSvc" ascii wide
        $wmi = "cmd.exe /Q /c " ascii wide
        $out = "__output" ascii wide
    condition:
        2 of ($pkg*) or 1 of ($sd*) or ($psexec and 1 of ($pkg*)) or ($wmi and $out)
}

rule GL_LAPS_Toolkit
{
    meta:
        description = "LAPSToolkit PowerShell: reads LAPS passwords and finds who may read them"
        attack = "T1552 T1087.002"
        reference = "https://github.com/leoloobeek/LAPSToolkit"
        severity = "high"
        author = "gleaner project"
    strings:
        $f1 = "Get-LAPSComputers" ascii wide nocase
        $f2 = "Find-LAPSDelegatedGroups" ascii wide nocase
        $f3 = "Find-AdmPwdExtendedRights" ascii wide nocase
        $name = "LAPSToolkit" ascii wide nocase
    condition:
        2 of them
}

rule GL_Magnet_RAM_Capture
{
    meta:
        description = "MAGNET RAM Capture memory imager (the actor used it to pull credentials from memory)"
        attack = "T1003"
        reference = "https://www.magnetforensics.com/resources/magnet-ram-capture/"
        severity = "medium"
        author = "gleaner project"
    strings:
        $name1 = "MAGNET RAM Capture" ascii wide nocase
        $name2 = "MagnetRAMCapture" ascii wide nocase
        $vendor = "Magnet Forensics" ascii wide
    condition:
        ($name1 or $name2) and $vendor
}

rule GL_Volatility
{
    meta:
        description = "Volatility memory forensics framework (2 or 3), script or frozen build"
        attack = "T1003"
        reference = "https://github.com/volatilityfoundation/volatility3"
        severity = "medium"
        author = "gleaner project"
    strings:
        $v3 = "volatility3.framework" ascii wide
        $v2 = "volatility.plugins" ascii wide
        $org = "Volatility Foundation" ascii wide
    condition:
        any of them
}
