/* gleaner project rules: proxies, transfer agents and portable remote
 * access tools Muddled Libra uses (threat.md). Written for gleaner from the
 * tools' own public source and documentation; not derived from any public
 * rule set. */

rule GL_Rsocx
{
    meta:
        description = "rsocx reverse SOCKS5 proxy (Rust)"
        attack = "T1090 T1572"
        reference = "https://github.com/b23r0/rsocx"
        severity = "high"
        author = "gleaner project"
    strings:
        $name = "rsocx" ascii wide
        $socks = "socks5" ascii wide nocase
    condition:
        $name and $socks
}

rule GL_Reverse_Socks_Tunnels
{
    meta:
        description = "Reverse SOCKS / tunnelling tools built in Go (revsocks, chisel, ligolo-ng, frp)"
        attack = "T1090 T1572"
        reference = "https://github.com/kost/revsocks"
        severity = "high"
        author = "gleaner project"
    strings:
        $g1 = "github.com/kost/revsocks" ascii
        $g2 = "github.com/jpillora/chisel" ascii
        $g3 = "github.com/nicocha30/ligolo-ng" ascii
        $g4 = "github.com/fatedier/frp" ascii
    condition:
        any of them
}

rule GL_Cyberduck
{
    meta:
        description = "Cyberduck / duck CLI file transfer client (used as exfiltration agent)"
        attack = "T1567.002 T1048"
        reference = "https://cyberduck.io/"
        severity = "medium"
        author = "gleaner project"
    strings:
        $pkg = "ch.cyberduck" ascii wide
        $name = "Cyberduck" ascii wide
        $vendor = "iterate GmbH" ascii wide
    condition:
        $pkg or ($name and $vendor)
}

rule GL_Rclone
{
    meta:
        description = "rclone cloud sync tool (exfiltration to cloud storage)"
        attack = "T1567.002 T1048"
        reference = "https://github.com/rclone/rclone"
        severity = "medium"
        author = "gleaner project"
    strings:
        $mod = "github.com/rclone/rclone" ascii
        $site = "rclone.org" ascii wide
        $conf = "rclone.conf" ascii wide
    condition:
        $mod or ($site and $conf)
}

rule GL_AnyDesk_Binary
{
    meta:
        description = "AnyDesk remote access binary (portable or installed, also renamed)"
        attack = "T1219"
        reference = "https://anydesk.com/"
        severity = "medium"
        author = "gleaner project"
    strings:
        $v1 = "AnyDesk Software GmbH" ascii wide
        $v2 = "philandro Software GmbH" ascii wide
        $site = "anydesk.com" ascii wide nocase
        $name = "AnyDesk" wide
    condition:
        $v1 or $v2 or ($site and $name)
}

rule GL_RustDesk_Binary
{
    meta:
        description = "RustDesk remote access binary (portable or installed, also renamed)"
        attack = "T1219"
        reference = "https://github.com/rustdesk/rustdesk"
        severity = "medium"
        author = "gleaner project"
    strings:
        $crate = "hbb_common" ascii
        $name = "rustdesk.com" ascii wide nocase
        $relay = "rs-ny.rustdesk.com" ascii wide
    condition:
        ($crate and $name) or $relay
}

rule GL_Bedevil_Rootkit
{
    meta:
        description = "bedevil (bdvl) LD_PRELOAD rootkit for Linux / vCenter appliances"
        attack = "T1014 T1574.006"
        reference = "https://github.com/Error996/bdvl"
        severity = "critical"
        author = "gleaner project"
    strings:
        $preload = "/etc/ld.so.preload" ascii
        $ports = "hide_ports" ascii
        $name = "bdvl" ascii
    condition:
        ($name and ($preload or $ports)) or ($preload and $ports)
}
