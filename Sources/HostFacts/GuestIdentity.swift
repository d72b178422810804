import DoctorCore

/// The identity a Linux system keeps in its network configuration, to compare with what it really is: a
/// guest copied from another keeps the template's HOSTNAME and HWADDR. Read from
/// /etc/sysconfig/network, /etc/sysconfig/network-scripts/ifcfg-*, NetworkManager keyfiles, and the MAC
/// addresses of the interfaces in /sys/class/net.
public struct GuestIdentity: Codable, Sendable, Equatable {
    /// One configured interface: an ifcfg file or a NetworkManager keyfile.
    public struct ConfiguredInterface: Codable, Sendable, Equatable {
        public var file: String
        /// DEVICE= (ifcfg) or interface-name= (keyfile); nil when the file binds by MAC only.
        public var device: String?
        /// HWADDR= / mac-address=, lower case.
        public var hwaddr: String?
        public var ipaddr: String?
    }

    /// HOSTNAME= in /etc/sysconfig/network (RHEL 5/6 style), if set.
    public var configuredHostname: String?
    public var configuredHostnameFile: String?
    public var interfaces: [ConfiguredInterface]
    /// Interface name -> MAC address, for hardware interfaces (not lo, bridges, tun, veth).
    public var macs: [String: String]
    /// Whether /sys/class/net could be read: without it a HWADDR cannot be compared.
    public var macsKnown: Bool

    static let maximumFiles = 512

    /// `KEY=value` lines of an initscripts file (quotes removed, comments skipped).
    static func shellAssignments(_ text: String, source: String) throws(FactError) -> [String: String] {
        try TextChecks.requireText(text, source: source)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n").prefix(10_000) {
            let trimmed = TextChecks.trimmed(line)
            guard !trimmed.hasPrefix("#"), let (key, value) = TextChecks.splitKeyValue(trimmed, separator: "="),
                  !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { continue }
            values[key] = TextChecks.unquoted(value)
        }
        return values
    }

    /// An ifcfg file as a configured interface.
    public static func parseIfcfg(_ text: String, file: String) throws(FactError) -> ConfiguredInterface {
        let values = try shellAssignments(text, source: file)
        return ConfiguredInterface(file: file, device: values["DEVICE"].flatMap { $0.isEmpty ? nil : $0 },
                                   hwaddr: values["HWADDR"].flatMap { normalizedMAC($0) }, ipaddr: values["IPADDR"])
    }

    /// A NetworkManager keyfile (`[connection] interface-name=`, `[ethernet] mac-address=`, `[ipv4] address1=`).
    public static func parseKeyfile(_ text: String, file: String) throws(FactError) -> ConfiguredInterface {
        try TextChecks.requireText(text, source: file)
        var section = ""
        var interface = ConfiguredInterface(file: file, device: nil, hwaddr: nil, ipaddr: nil)
        for line in text.split(separator: "\n").prefix(10_000) {
            let trimmed = TextChecks.trimmed(line)
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") { section = String(trimmed.dropFirst().dropLast()); continue }
            guard !trimmed.hasPrefix("#"), let (key, value) = TextChecks.splitKeyValue(trimmed, separator: "=") else { continue }
            switch (section, key) {
            case ("connection", "interface-name"): interface.device = value.isEmpty ? nil : value
            case ("ethernet", "mac-address"), ("802-3-ethernet", "mac-address"): interface.hwaddr = normalizedMAC(value)
            case ("ipv4", "address1"): interface.ipaddr = value.split(separator: "/").first.map(String.init)
            default: break
            }
        }
        return interface
    }

    /// `52:54:00:AA:BB:CC` -> `52:54:00:aa:bb:cc`; nil when it is not six hexadecimal pairs.
    public static func normalizedMAC(_ text: String) -> String? {
        let parts = TextChecks.trimmed(text).lowercased().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return parts.joined(separator: ":")
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<GuestIdentity> {
        var identity = GuestIdentity(configuredHostname: nil, configuredHostnameFile: nil, interfaces: [], macs: [:], macsKnown: false)
        var sources: [String] = []
        if let text = try? root.readTextIfPresent("/etc/sysconfig/network", limit: 1 << 16),
           let values = try? shellAssignments(text, source: "/etc/sysconfig/network") {
            sources.append("/etc/sysconfig/network")
            if let name = values["HOSTNAME"], !name.isEmpty {
                identity.configuredHostname = name
                identity.configuredHostnameFile = "/etc/sysconfig/network"
            }
        }
        let scripts = "/etc/sysconfig/network-scripts"
        if let names = try? root.list(scripts) {
            for name in names.sorted().prefix(maximumFiles) where name.hasPrefix("ifcfg-") && name != "ifcfg-lo"
                && !name.hasSuffix(".bak") && !name.hasSuffix("~") && !name.hasSuffix(".orig") {
                let path = "\(scripts)/\(name)"
                guard let text = try? root.readText(path, limit: 1 << 16), let parsed = try? parseIfcfg(text, file: path) else { continue }
                var interface = parsed
                if interface.device == nil && interface.hwaddr == nil { interface.device = String(name.dropFirst("ifcfg-".count)) }
                identity.interfaces.append(interface)
                sources.append(path)
            }
        }
        let keyfiles = "/etc/NetworkManager/system-connections"
        if let names = try? root.list(keyfiles) {
            for name in names.sorted().prefix(maximumFiles) where name.hasSuffix(".nmconnection") {
                let path = "\(keyfiles)/\(name)"
                guard let text = try? root.readText(path, limit: 1 << 16), let interface = try? parseKeyfile(text, file: path),
                      interface.device != nil || interface.hwaddr != nil else { continue }
                identity.interfaces.append(interface)
                sources.append(path)
            }
        }
        if let names = try? root.list("/sys/class/net") {
            identity.macsKnown = true
            sources.append("/sys/class/net")
            for name in names.sorted() where name != "lo" && !root.exists("/sys/class/net/\(name)/bridge") {
                if let target = root.readLink("/sys/class/net/\(name)"), target.contains("/devices/virtual/") { continue }
                if let text = try? root.readText("/sys/class/net/\(name)/address", limit: 256), let mac = normalizedMAC(text) {
                    identity.macs[name] = mac
                }
            }
        }
        guard identity.configuredHostname != nil || !identity.interfaces.isEmpty else {
            throw .absent("network identity configuration (/etc/sysconfig/network, ifcfg files, NetworkManager keyfiles)")
        }
        return Sourced(identity, sources: sources)
    }
}

extension Facts {
    public static let guestIdentity = FactKey<GuestIdentity>("guest.identity", "HOSTNAME and HWADDR kept in network configuration, and the real interface MAC addresses") { store throws(FactError) in
        try GuestIdentity.read(store.root)
    }
}
