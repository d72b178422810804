import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// issue 12 (remote): the parsers behind libvirt's listener settings, the socket table, firewall
/// configuration, /etc/passwd, no_verify URIs and xend's VNC settings, on real-looking text and on junk.
@Suite struct RemoteAccessParserTests {
    static let junk = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m{{{{ }}}} ;;; (((( ))))\n\n\t\t\n" + String(repeating: "}", count: 5000)

    @Test func libvirtdConfKeepsOnlyListenerSettings() {
        let text = """
            # listen_tcp = 1
            listen_tls = 1
            listen_tcp=0   # plain TCP stays off
            auth_tcp = "none"
            ca_file = "/etc/pki/CA/cacert.pem"
            tls_allowed_dn_list = ["C=GB,O=Example,CN=*"]
            sasl_password = "secret"
            """
        let settings = LibvirtDaemonSettings.parse(text)
        #expect(settings["listen_tls"] == "1")
        #expect(settings["listen_tcp"] == "0")
        #expect(settings["auth_tcp"] == "none")
        #expect(settings["ca_file"] == "/etc/pki/CA/cacert.pem")
        #expect(settings["tls_allowed_dn_list"] == "[\"C=GB,O=Example,CN=*\"]")
        #expect(settings["sasl_password"] == nil)
        #expect(LibvirtDaemonSettings.parse(Self.junk).isEmpty)
        #expect(LibvirtDaemonSettings.hasListenArgument("# LIBVIRTD_ARGS=\"--listen\"\nLIBVIRTD_ARGS=\"--timeout 120 --listen\"\n"))
        #expect(!LibvirtDaemonSettings.hasListenArgument("LIBVIRTD_ARGS=\"--timeout 120\"\n"))
        #expect(!LibvirtDaemonSettings.hasListenArgument(Self.junk))
    }

    @Test func procNetTCPListeners() throws {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:4082 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21894 1 0000000000000000 100 0 0 10 0
               1: 0100007F:407D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21895 1 0000000000000000 100 0 0 10 0
               2: 0A00000A:0016 0B00000A:D431 01 00000000:00000000 02:0009F1C2 00000000     0        0 31337 4 0000000000000000 20 4 29 10 -1
            """
        let listeners = try TCPListeners.parse(text, source: "/proc/net/tcp")
        #expect(listeners == [.init(address: "0.0.0.0", port: 16514), .init(address: "127.0.0.1", port: 16509)])
        let six = try TCPListeners.parse("  sl  local_address remote_address st\n   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 0\n   1: 00000000000000000000000000000000:4082 00000000000000000000000000000000:0000 0A 0\n", source: "/proc/net/tcp6")
        #expect(six.map(\.address) == ["::1", "::"])
        #expect(six[0].isLoopback)
        #expect(throws: FactError.self) { try TCPListeners.parse(Self.junk, source: "/proc/net/tcp") }
        #expect(throws: FactError.self) { try TCPListeners.parse("just some words\nand more\n", source: "/proc/net/tcp") }
        // Out-of-range ports and odd addresses are skipped, not trapped on.
        #expect(try TCPListeners.parse("  sl local_address\n 0: ZZZZZZZZ:FFFFFFFFFFFFFFFFFFFF 0 0A\n 1: 0000:0016 0 0A\n", source: "x").isEmpty)
    }

    @Test func iptablesSave() {
        let text = """
            *nat
            :PREROUTING ACCEPT [0:0]
            -A POSTROUTING -s 192.168.122.0/24 -j MASQUERADE
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p tcp --dport 22 -j ACCEPT
            -A INPUT -j REJECT --reject-with icmp-host-prohibited
            COMMIT
            """
        let rules = FirewallConfiguration.parseIptablesSave(text, file: "/etc/sysconfig/iptables", kind: .iptables)
        #expect(rules.inputPolicy == "ACCEPT")
        #expect(rules.inputRules == 3)
        #expect(rules.inputDropRules == 1)
        #expect(rules.filtersInput)
        let open = FirewallConfiguration.parseIptablesSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n", file: "x", kind: .iptables)
        #expect(!open.filtersInput)
        #expect(!FirewallConfiguration.parseIptablesSave(Self.junk, file: "x", kind: .iptables).filtersInput)
    }

    @Test func nftables() {
        let text = """
            #!/usr/sbin/nft -f
            flush ruleset
            table inet filter {
              chain input {
                type filter hook input priority 0; policy drop;
                ct state established,related accept
                tcp dport { 22, 16514 } accept  # ssh and libvirt { tls }
              }
              chain forward { type filter hook forward priority 0; policy accept; }
              chain output {
                type filter hook output priority 0; policy accept;
              }
            }
            """
        let rules = FirewallConfiguration.parseNftables(text, file: "/etc/nftables.conf")
        #expect(rules.inputPolicy == "drop")
        #expect(rules.inputRules == 2)
        #expect(rules.filtersInput)
        let accepting = FirewallConfiguration.parseNftables("table ip t { chain c { type filter hook input priority 0; policy accept; tcp dport 23 reject } }", file: "x")
        #expect(accepting.inputPolicy == "accept")
        #expect(accepting.inputDropRules == 1)
        let garbage = FirewallConfiguration.parseNftables(Self.junk, file: "x")
        #expect(garbage.inputPolicy == nil && garbage.inputRules == 0)
        #expect(FirewallConfiguration.zoneTarget("<zone target=\"ACCEPT\"><short>Trusted</short></zone>") == "ACCEPT")
        #expect(FirewallConfiguration.zoneTarget(Self.junk) == "default")
    }

    @Test func passwd() throws {
        let accounts = try UserAccounts.parsePasswd("root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/zsh\nbroken:line\n+::::::\nhuge:x:99999999999999999999:1::/:/bin/sh\n")
        #expect(accounts.map(\.name) == ["root", "bin", "alice"])
        #expect(accounts[2].canLogIn && !accounts[1].canLogIn)
        #expect(throws: FactError.self) { try UserAccounts.parsePasswd(Self.junk) }
        #expect(UserAccounts.uidMin("UID_MIN 500\n") == 500)
        #expect(UserAccounts.uidMin(Self.junk) == nil)
    }

    @Test func noVerifyURIs() {
        let found = NoVerifyURIs.scan("""
            # uri_default = "qemu+tls://old/system?no_verify=1"
            uri_aliases = ["a=qemu+tls://a.example.org/system?no_verify=1", "b=qemu+tls://b/system?no_verify=0"]
            virsh -c 'qemu+tls://c.example.org/system?pkipath=/p&no_verify=2' list
            """, file: "/etc/libvirt/libvirt.conf")
        #expect(found.map(\.line) == [2, 3])
        #expect(found[0].uri == "a=qemu+tls://a.example.org/system?no_verify=1")
        #expect(found[1].uri == "qemu+tls://c.example.org/system?pkipath=/p&no_verify=2")
        #expect(NoVerifyURIs.scan(Self.junk + "no_verify=99999999999999999999999", file: "x").count <= 1)
    }

    @Test func xendVNC() {
        let settings = XendVNCSettings.parse("#(vnc-tls 1)\n(vnc-tls 1)\n(vnc-x509-cert-dir /etc/xen/vnc)\n(vncpasswd 'hunter2')\n(vnc-listen '0.0.0.0') # all\n")
        #expect(settings["vnc-tls"] == "1")
        #expect(settings["vnc-x509-cert-dir"] == "/etc/xen/vnc")
        #expect(settings["vncpasswd"] == "(set)")
        #expect(settings["vnc-listen"] == "0.0.0.0")
        #expect(XendVNCSettings.parse(Self.junk).isEmpty)
    }
}

/// The facts read from the remote- fixture roots: what a bundle replays from facts.json must hold what the
/// checks judge (the key's mode, masked units), since the bundle itself withholds keys.
@Suite struct RemoteAccessFactTests {
    @Test func serverKeyModeTravelsInTheFact() throws {
        let root = try HostRoot(directory: Paths.fixtureRoot("remote-tls-open-key"))
        let settings = try LibvirtDaemonSettings.read(root).value
        #expect(settings.serverKey?.path == "/etc/pki/libvirt/private/serverkey.pem")
        #expect(settings.serverKey?.modeOctal == "0644")
        #expect(settings.listenArgumentIn == "/etc/sysconfig/libvirtd")
        let decoded = try JSONDecoder().decode(LibvirtDaemonSettings.self, from: JSONEncoder().encode(settings))
        #expect(decoded == settings)
    }

    @Test func enabledAndMaskedUnits() throws {
        let root = try HostRoot(directory: Paths.fixtureRoot("remote-hardened"))
        let services = try EnabledServices.read(root).value
        #expect(services.enabledAt("libvirtd-tls.socket") == "/etc/systemd/system/sockets.target.wants/libvirtd-tls.socket")
        #expect(services.enabledAt("firewalld") != nil)
        #expect(services.masked == ["libvirtd-tcp.socket"])
        #expect(services.enabledAt("libvirtd-tcp.socket") == nil)
    }

    @Test func firewallOfTheFixtureRoots() throws {
        let hardened = try FirewallConfiguration.read(try HostRoot(directory: Paths.fixtureRoot("remote-hardened"))).value
        #expect(hardened.firewalld?.zoneFile == "/etc/firewalld/zones/public.xml")
        #expect(hardened.firewalld?.zoneTarget == "default")
        let loopback = try FirewallConfiguration.read(try HostRoot(directory: Paths.fixtureRoot("remote-tcp-loopback"))).value
        #expect(loopback.rulesets.map(\.file) == ["/etc/nftables/main.nft"])
        #expect(loopback.rulesets.first?.inputPolicy == "drop")
    }
}
