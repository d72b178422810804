import DoctorCore
import Testing
@testable import HostFacts

/// The parsers behind the migration checks (issue 14): mounts, link speeds, SSH keys, /etc/hosts, the
/// firewall's accepted ports, guest CPU definitions and version order; each on real text and on junk.
struct MigrationFactsTests {
    // Real text: /proc/self/mounts of a Debian 12 container on this kind of machine, and an NFS client.
    static let mounts = """
        overlay / overlay rw,relatime,lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF,upperdir=/u,workdir=/w 0 0
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
        tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755,inode64 0 0
        /dev/vda1 /etc/hosts ext4 rw,relatime,discard,errors=remount-ro 0 0
        nfs01.example.test:/export/images /var/lib/libvirt/images nfs4 rw,relatime,vers=4.2,rsize=1048576,wsize=1048576,hard,proto=tcp 0 0
        /dev/mapper/vg-srv /srv/with\\040space xfs rw,relatime 0 0
        """

    @Test func mountTableFindsTheMountHoldingAPath() {
        let table = MountTable(file: "/proc/self/mounts", entries: MountEntry.parse(Self.mounts))
        #expect(table.holding("/var/lib/libvirt/images/web01.qcow2")?.type == "nfs4")
        #expect(table.holding("/var/lib/libvirt/imagesX/a")?.mountPoint == "/")
        #expect(table.holding("/srv/with space/db.qcow2")?.device == "/dev/mapper/vg-srv")
        #expect(MountTable.sharedTypes.contains("nfs4") && !MountTable.sharedTypes.contains("xfs"))
    }

    @Test func mountsSurviveJunk() {
        #expect(MountEntry.parse("\u{0}\u{1}garbage\n/ / /\nnone relative ext4 rw 0 0\n").isEmpty)
        #expect(MountEntry.parse(String(repeating: "x ", count: 100_000)).isEmpty)
    }

    @Test func linkSpeeds() {
        #expect(LinkSpeeds.parseSpeed("10000\n") == 10000)
        #expect(LinkSpeeds.parseSpeed("-1\n") == nil, "a link that is down")
        #expect(LinkSpeeds.parseSpeed("99999999999999999999999") == nil)
        #expect(LinkSpeeds.parseSpeed("fast") == nil)
        #expect(LinkSpeeds.parseEthtoolSpeed("Settings for eno1:\n\tSupported ports: [ TP ]\n\tSpeed: 1000Mb/s\n\tDuplex: Full\n") == 1000)
        #expect(LinkSpeeds.parseEthtoolSpeed("Settings for eno2:\n\tSpeed: Unknown!\n") == nil)
        #expect(LinkSpeeds.parseEthtoolSpeed("\u{FFFD}\u{0}") == nil)
        let speeds = LinkSpeeds(megabitsPerSecond: ["eno1": 1000, "ens1f0": 25000, "ens1f1": 25000])
        #expect(speeds.fastest?.name == "ens1f0" && speeds.fastest?.megabits == 25000, "ties go to the first name")
    }

    @Test func publicKeysWithOptionsAndJunk() {
        let text = """
            # root's keys
            from="192.0.2.0/24",command="/bin/echo hi there" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyBlobForTests0000 root@kvm-a
            ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0000000000000000 admin@laptop
            ecdsa-sha2-nistp256 short
            not a key line at all
            \u{0}\u{1}\u{2}
            """
        let keys = MigrationSSHKeys.parsePublicKeys(text, file: "authorized_keys")
        #expect(keys.map(\.type) == ["ssh-ed25519", "ssh-rsa"])
        #expect(keys.first?.blob == "AAAAC3NzaC1lZDI1NTE5AAAAIKeyBlobForTests0000")
        #expect(MigrationSSHKeys.parsePublicKeys(String(repeating: "ssh-rsa ", count: 50_000), file: "x").isEmpty)
    }

    @Test func knownHostsNamesHashedAndPorts() {
        let text = """
            kvm-b.example.test,192.0.2.12 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKey
            [kvm-c.example.test]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKey
            |1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-rsa AAAAB3Nza
            @cert-authority *.example.test ssh-rsa AAAAB3Nza
            !bad.example.test,KVM-D ssh-rsa AAAAB3Nza
            # comment
            """
        let (hosts, hashed) = MigrationSSHKeys.parseKnownHosts(text)
        #expect(hosts.contains("kvm-b.example.test") && hosts.contains("192.0.2.12") && hosts.contains("kvm-c.example.test"))
        #expect(hosts.contains("kvm-d") && !hosts.contains("!bad.example.test"))
        #expect(hashed == 1)
        #expect(MigrationSSHKeys.parseKnownHosts("\u{0}[[[]]]:: ,,,").hosts.count <= 3)
    }

    @Test func acceptedPortsFromIptablesNftablesFirewalldAndUfw() {
        let iptables = FirewallConfiguration.parseIptablesSave("""
            *filter
            :INPUT DROP [0:0]
            -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
            -A INPUT -p tcp -m multiport --dports 16514,49152:49215 -j ACCEPT
            -A INPUT -p udp -m udp --dport 53 -j ACCEPT
            -A INPUT -p tcp ! --dport 80 -j ACCEPT
            COMMIT
            """, file: "/etc/sysconfig/iptables", kind: .iptables)
        #expect(iptables.acceptedTCPPorts == [.init(22, 22), .init(16514, 16514), .init(49152, 49215)])
        let nft = FirewallConfiguration.parseNftables("""
            table inet filter {
              chain input {
                type filter hook input priority 0; policy drop;
                tcp dport { 22, 49152-49215 } accept
                tcp dport 16514 accept
              }
            }
            """, file: "/etc/nftables.conf")
        #expect(nft.acceptedTCPPorts == [.init(22, 22), .init(49152, 49215), .init(16514, 16514)])
        let (services, ports) = FirewallConfiguration.zoneOpenings("<zone><service name=\"ssh\"/><port protocol=\"tcp\" port=\"49152-49215\"/><port protocol=\"udp\" port=\"53\"/></zone>")
        #expect(services == ["ssh"] && ports == [.init(49152, 49215)])
        var configuration = FirewallConfiguration(firewalld: nil, rulesets: [iptables], ufw: nil)
        #expect(configuration.accepts(tcpPort: 49200) && !configuration.accepts(tcpPort: 16509))
        configuration.ufw = .init(enabled: true, defaultInputPolicy: "DROP", acceptedTCPPorts: [.init(22, 22)])
        #expect(!configuration.accepts(tcpPort: 49200), "every filtering layer must accept the port")
        #expect(FirewallConfiguration(firewalld: nil, rulesets: [], ufw: nil).filtersInput == false)
    }

    @Test func portRangesRefuseJunk() {
        #expect(FirewallConfiguration.PortRange.parse("49152:49215") == .init(49152, 49215))
        #expect(FirewallConfiguration.PortRange.parse("49215-49152") == nil, "an empty range")
        #expect(FirewallConfiguration.PortRange.parse("99999999999999999999") == nil)
        #expect(FirewallConfiguration.PortRange.parse("70000") == nil)
        #expect(FirewallConfiguration.PortRange.parse("1:2:3") == nil)
        #expect(FirewallConfiguration.PortRange.parse("") == nil)
        #expect(FirewallConfiguration.nftablesPorts(["{", "ssh,", "x", "-5", "}"]) == [.init(22, 22)])
    }

    @Test func guestCPUDefinitions() throws {
        let domain = try LibvirtDomain.parse("""
            <domain type='kvm'><name>g</name><memory unit='KiB'>1048576</memory>
              <cpu mode='custom' match='exact'><model fallback='forbid'> Skylake-Server-IBRS </model>
                <feature policy='require' name='pcid'/><feature policy='disable' name='hle'/><feature name='ssbd'/><feature policy='optional' name='x2apic'/>
              </cpu></domain>
            """, file: "g.xml")
        #expect(domain.cpu == .init(mode: "custom", model: "Skylake-Server-IBRS", requiredFeatures: ["pcid", "ssbd"], disabledFeatures: ["hle"]))
        let bare = try LibvirtDomain.parse("<domain type='kvm'><name>h</name><memory>1</memory><cpu/></domain>", file: "h.xml")
        #expect(bare.cpu == .init(mode: "custom", model: nil, requiredFeatures: [], disabledFeatures: []))
        #expect(try LibvirtDomain.parse("<domain type='kvm'><name>i</name><memory>1</memory></domain>", file: "i.xml").cpu == nil)
    }

    @Test func versionOrder() {
        #expect(VersionOrder.compare("1:7.2+dfsg-7+deb12u5", "1:5.2+dfsg-11+deb11u3") > 0)
        #expect(VersionOrder.compare("9.0.0", "9.0.0") == 0)
        #expect(VersionOrder.compare("8.0.0-22.el9", "10.0.0-1.el9") < 0)
        #expect(VersionOrder.compare("1.0~rc1", "1.0") < 0, "a tilde sorts before the release")
        #expect(VersionOrder.compare("99999999999999999999999999.1", "1.1") > 0, "huge numbers compare without overflow")
        for (left, right) in [("\u{0}garbage", ""), ("1.0-", "1.0"), ("::", "1"), ("~~", "~")] {
            #expect(VersionOrder.compare(left, right) == -VersionOrder.compare(right, left), "junk still orders consistently: \(left) vs \(right)")
        }
        #expect(VersionOrder.compare(String(repeating: "1.", count: 100_000), String(repeating: "1.", count: 100_000)) == 0)
    }
}
