/* gleaner project rules: discovery tools Muddled Libra uses (threat.md).
 * Written for gleaner from the tools' own public source and documentation;
 * not derived from any public rule set. */

rule GL_SharpHound
{
    meta:
        description = "SharpHound / BloodHound collector (binary or Invoke-BloodHound script)"
        attack = "T1087.002 T1069.002 T1482"
        reference = "https://github.com/SpecterOps/SharpHound"
        severity = "high"
        author = "gleaner project"
    strings:
        $lib = "SharpHoundCommonLib" ascii wide
        $name = "SharpHound" ascii wide
        $opt = "CollectionMethod" ascii wide
        $bh = "BloodHound" ascii wide
        $ps = "Invoke-BloodHound" ascii wide nocase
    condition:
        $lib or ($name and ($opt or $bh)) or ($ps and $opt)
}

rule GL_ADRecon
{
    meta:
        description = "ADRecon Active Directory reconnaissance script"
        attack = "T1087.002 T1482"
        reference = "https://github.com/adrecon/ADRecon"
        severity = "high"
        author = "gleaner project"
    strings:
        $f1 = "Get-ADRExcelComObj" ascii wide nocase
        $f2 = "Get-ADRGPO" ascii wide nocase
        $f3 = "Get-ADRDomainController" ascii wide nocase
        $f4 = "ADRecon-Report" ascii wide nocase
        $f5 = "Invoke-ADRecon" ascii wide nocase
    condition:
        2 of them
}

rule GL_AD_Explorer
{
    meta:
        description = "Sysinternals Active Directory Explorer (also renamed): browses and snapshots AD"
        attack = "T1087.002"
        reference = "https://learn.microsoft.com/sysinternals/downloads/adexplorer"
        severity = "medium"
        author = "gleaner project"
    strings:
        $desc = "Active Directory Explorer" ascii wide
        $name = "ADExplorer" ascii wide nocase
        $si = "Sysinternals" ascii wide
    condition:
        ($desc or $name) and $si
}

rule GL_Angry_IP_Scanner
{
    meta:
        description = "Angry IP Scanner network scanner"
        attack = "T1046"
        reference = "https://github.com/angryip/ipscan"
        severity = "medium"
        author = "gleaner project"
    strings:
        $pkg1 = "net.azib.ipscan" ascii wide
        $pkg2 = "net/azib/ipscan" ascii wide
        $name = "Angry IP Scanner" ascii wide nocase
    condition:
        any of ($pkg*) or #name > 1
}

rule GL_Snaffler
{
    meta:
        description = "Snaffler: hunts credentials and secrets in file shares"
        attack = "T1083 T1135 T1552.001"
        reference = "https://github.com/SnaffCon/Snaffler"
        severity = "high"
        author = "gleaner project"
    strings:
        $core = "SnaffCore" ascii wide
        $name = "Snaffler" ascii wide
        $org = "SnaffCon" ascii wide
        $rule = "ClassifierRule" ascii wide
    condition:
        $core or ($name and ($org or $rule))
}
