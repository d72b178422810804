import DoctorCore
import Foundation

/// The MAC address of every guest network interface this host defines: `<mac address=...>` in libvirt
/// domain XML (qemu, libxl, lxc drivers; a sos report's `virsh -r dumpxml` outputs) and `mac=` in the `vif` list of Xen guest files under /etc/xen.
public struct GuestMACs: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var guest: String
        /// Lower-case `aa:bb:cc:dd:ee:ff`.
        public var mac: String
        public var file: String
    }

    public var entries: [Entry]
    /// Interfaces without a fixed MAC: libvirt or xm generate one when the guest starts.
    public var generated: Int
    public var unreadable: [String: String]

    static let libvirtDirectories = ["/etc/libvirt/qemu", "/etc/libvirt/libxl", "/etc/libvirt/lxc"]
    /// Files under /etc/xen that are not guest definitions.
    static let xenNonGuests: Set<String> = ["xend-config.sxp", "xl.conf", "xend-config-xenapi.sxp", "xend-pci-permissive.sxp",
                                            "xend-pci-quirks.sxp", "xm-config.xml", "cpupool", "README", "README.incompatibilities",
                                            "oxenstored.conf", "xenapiusers", "qemu-ifup"]
    static let maximumFiles = 4096
    static let sosVirshDirectory = "/sos_commands/virsh"
    static let sosDumpPrefixes = ["virsh_-r_dumpxml_", "virsh_dumpxml_"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<GuestMACs> {
        var result = GuestMACs(entries: [], generated: 0, unreadable: [:])
        var sources: [String] = []
        for directory in libvirtDirectories {
            guard let names = try? root.list(directory) else { continue }
            sources.append(directory)
            for name in names.sorted().prefix(maximumFiles) where name.hasSuffix(".xml") {
                let path = "\(directory)/\(name)"
                do {
                    let (guest, macs, generated) = try parseDomain(try root.readText(path, limit: 4 << 20), file: path)
                    result.entries += macs.map { Entry(guest: guest, mac: $0, file: path) }
                    result.generated += generated
                } catch {
                    result.unreadable[path] = error.description
                }
            }
        }
        // A sos report keeps `virsh -r dumpxml <guest>` for each guest libvirt knew.
        if let names = try? root.list(sosVirshDirectory) {
            let dumps = names.sorted().prefix(maximumFiles).filter { name in sosDumpPrefixes.contains { name.hasPrefix($0) } }
            if !dumps.isEmpty { sources.append(sosVirshDirectory) }
            for name in dumps {
                let path = "\(sosVirshDirectory)/\(name)"
                do {
                    let (guest, macs, generated) = try parseDomain(try root.readText(path, limit: 4 << 20), file: path)
                    result.entries += macs.map { Entry(guest: guest, mac: $0, file: path) }
                    result.generated += generated
                } catch {
                    result.unreadable[path] = error.description
                }
            }
        }
        if let names = try? root.list("/etc/xen") {
            sources.append("/etc/xen")
            for name in names.sorted().prefix(maximumFiles) where !xenNonGuests.contains(name) && !name.hasPrefix(".") && !name.hasSuffix(".sxp") {
                let path = "/etc/xen/\(name)"
                guard let info = try? root.fileInfo(path), info.kind == .regular || info.kind == .symlink,
                      let text = try? root.readText(path, limit: 1 << 20),
                      let parsed = parseXenConfig(text) else { continue }
                result.entries += parsed.macs.map { Entry(guest: parsed.name ?? name, mac: $0, file: path) }
                result.generated += parsed.generated
            }
        }
        guard !sources.isEmpty else { throw .absent("/etc/libvirt/qemu") }
        return Sourced(result, sources: sources)
    }

    /// A domain's name, the fixed MACs of its interfaces, and how many interfaces have none.
    static func parseDomain(_ text: String, file: String) throws(FactError) -> (String, [String], Int) {
        let root = try XMLElement.parse(text, source: file)
        guard root.name == "domain" else { throw .unparsable(source: file, detail: "root element is <\(root.name)>, not <domain>") }
        guard let name = root.child("name")?.text, !name.isEmpty else { throw .unparsable(source: file, detail: "domain without a <name>") }
        var macs: [String] = []
        var generated = 0
        for interface in root.child("devices")?.children("interface") ?? [] {
            if let text = interface.child("mac")?.attributes["address"], let mac = MACAddress.normalized(text) {
                macs.append(mac)
            } else {
                generated += 1
            }
        }
        return (name, macs, generated)
    }

    /// An xm/xl guest file: `name = "..."` and `vif = [ 'mac=00:16:3e:..., bridge=xenbr0', ... ]`. Nil when
    /// the file has no `vif` setting (not a guest, or a guest without network).
    static func parseXenConfig(_ text: String) -> (name: String?, macs: [String], generated: Int)? {
        guard !text.utf8.contains(0) else { return nil }
        var name: String?
        var vif: String?
        var pending: String?
        for rawLine in text.split(whereSeparator: \.isNewline).prefix(10_000) {
            let line = TextChecks.trimmed(rawLine)
            if line.hasPrefix("#") { continue }
            if var open = pending {
                open += " " + line
                if line.contains("]") { vif = open; pending = nil } else { pending = open }
                continue
            }
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: "=") else { continue }
            if key == "name" { name = TextChecks.unquoted(value) }
            if key == "vif" {
                if value.hasPrefix("[") && !value.contains("]") { pending = value } else { vif = value }
            }
        }
        guard let list = vif else { return nil }
        var macs: [String] = []
        var generated = 0
        // Each quoted string in the list is one interface: comma-separated key=value pairs.
        let items = list.split(maxSplits: Int.max, omittingEmptySubsequences: false, whereSeparator: { $0 == "'" || $0 == "\"" }).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        for item in items.prefix(1024) {
            let pairs = item.split(separator: ",").compactMap { TextChecks.splitKeyValue($0, separator: "=") }
            if let text = pairs.first(where: { $0.0 == "mac" })?.1, let mac = MACAddress.normalized(text) {
                macs.append(mac)
            } else {
                generated += 1
            }
        }
        return (name, macs, generated)
    }
}

extension Facts {
    public static let guestMACs = FactKey<GuestMACs>("guest.macs", "MAC addresses of guest interfaces in libvirt domain XML and Xen vif lines") { store throws(FactError) in
        try GuestMACs.read(store.root)
    }
}
