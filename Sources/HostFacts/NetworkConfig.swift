import DoctorCore
import Foundation

/// Every network interface the kernel shows under /sys/class/net, with what the bridge checks need:
/// its MAC address, whether it is a real device (`device` link), wireless, a bridge and the bridge's ports.
public struct InterfaceInventory: Codable, Sendable, Equatable {
    public struct Interface: Codable, Sendable, Equatable {
        public var name: String
        /// Lower-case `aa:bb:cc:dd:ee:ff`, nil when the file is missing or not a MAC address.
        public var address: String?
        /// /sys/class/net/<name>/device exists: a NIC on a bus, not a tap, bridge, bond or veth.
        public var physical: Bool
        /// /sys/class/net/<name>/wireless or phy80211 exists.
        public var wireless: Bool
        public var isBridge: Bool
        /// Ports of a bridge (brif/).
        public var ports: [String]
        public var mtu: Int?
    }

    public var interfaces: [Interface]

    public func named(_ name: String) -> Interface? { interfaces.first { $0.name == name } }
    public var bridges: [Interface] { interfaces.filter(\.isBridge) }

    /// At most this many interfaces are looked at (a host with more is not a host these checks describe).
    static let maximumInterfaces = 4096

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<InterfaceInventory> {
        let base = "/sys/class/net"
        let names = try root.list(base).filter { !$0.hasPrefix(".") }.sorted().prefix(maximumInterfaces)
        var interfaces: [Interface] = []
        for name in names {
            let directory = "\(base)/\(name)"
            let address = (try? root.readText(directory + "/address", limit: 256)).flatMap { MACAddress.normalized($0) }
            let mtu = (try? root.readText(directory + "/mtu", limit: 64)).flatMap { CheckedNumbers.integer(TextChecks.trimmed($0), in: 0...(1 << 20)) }
            let isBridge = root.exists(directory + "/bridge")
            let ports = isBridge ? ((try? root.list(directory + "/brif")) ?? []).filter { !$0.hasPrefix(".") }.sorted() : []
            interfaces.append(Interface(
                name: name, address: address, physical: root.exists(directory + "/device"),
                wireless: root.exists(directory + "/wireless") || root.exists(directory + "/phy80211"),
                isBridge: isBridge, ports: ports, mtu: mtu))
        }
        return Sourced(InterfaceInventory(interfaces: interfaces), sources: [base])
    }
}

/// MAC address text as the checks compare it.
public enum MACAddress {
    /// `52:54:00:AA:bb:cc` (or with dashes) as `52:54:00:aa:bb:cc`; nil for anything else.
    public static func normalized<S: StringProtocol>(_ text: S) -> String? {
        let trimmed = TextChecks.trimmed(TextChecks.unquoted(TextChecks.trimmed(text)))
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false).count == 6
            ? trimmed.split(separator: ":", omittingEmptySubsequences: false)
            : trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return parts.map { $0.lowercased() }.joined(separator: ":")
    }
}

/// Bridge and port definitions a host keeps on disk: Red Hat ifcfg files, NetworkManager keyfiles and
/// Debian ifupdown stanzas. Files that cannot be read are listed, never fatal.
public struct NetworkConfigFiles: Codable, Sendable, Equatable {
    /// One `/etc/sysconfig/network-scripts/ifcfg-<name>` file.
    public struct Ifcfg: Codable, Sendable, Equatable {
        public var file: String
        /// The part of the file name after `ifcfg-`.
        public var name: String
        /// Keys exactly as written (case kept), values with one layer of quotes removed.
        public var values: [String: String]

        public var device: String? { values["DEVICE"] }
        /// The interface this file configures: DEVICE=, or else the file name.
        public var interfaceName: String { device ?? name }
        public var type: String? { values["TYPE"] }
        /// TYPE=Bridge in any spelling of case.
        public var looksLikeBridge: Bool { type?.lowercased() == "bridge" }
        public var bridge: String? { values["BRIDGE"].flatMap { $0.isEmpty ? nil : $0 } }
        public var hwaddr: String? { values["HWADDR"] }
        /// NM_CONTROLLED=no (or false, 0): NetworkManager leaves the interface alone.
        public var notManagedByNetworkManager: Bool {
            guard let value = values["NM_CONTROLLED"]?.lowercased() else { return false }
            return ["no", "n", "false", "0"].contains(value)
        }
    }

    /// One NetworkManager keyfile (`/etc/NetworkManager/system-connections/*.nmconnection`).
    public struct NMConnection: Codable, Sendable, Equatable {
        public var file: String
        public var id: String?
        /// bridge, ethernet (802-3-ethernet), wifi (802-11-wireless), bond, vlan ...
        public var type: String?
        public var interfaceName: String?
        /// The bridge or bond this connection is a port of (`master=`/`controller=`).
        public var controller: String?
        public var portType: String?
    }

    /// A bridge from Debian's /etc/network/interfaces (`iface br0 ... bridge_ports eth0`).
    public struct IfupdownBridge: Codable, Sendable, Equatable {
        public var file: String
        public var name: String
        public var ports: [String]
    }

    public var ifcfg: [Ifcfg]
    public var nmConnections: [NMConnection]
    public var ifupdownBridges: [IfupdownBridge]
    public var unreadable: [String: String]

    /// Names of bridges some file defines (any of the three styles, TYPE in any case).
    public var definedBridges: Set<String> {
        var names = Set(ifcfg.filter(\.looksLikeBridge).map(\.interfaceName))
        names.formUnion(nmConnections.filter { $0.type == "bridge" }.compactMap { $0.interfaceName ?? $0.id })
        names.formUnion(ifupdownBridges.map(\.name))
        return names
    }

    /// Bridge name -> the ports the files give it.
    public var configuredPorts: [String: [String]] {
        var ports: [String: [String]] = [:]
        for file in ifcfg {
            if let bridge = file.bridge { ports[bridge, default: []].append(file.interfaceName) }
        }
        let bridgeIDs = Dictionary(nmConnections.filter { $0.type == "bridge" }.compactMap { connection in
            connection.id.map { ($0, connection.interfaceName ?? $0) }
        }, uniquingKeysWith: { first, _ in first })
        for connection in nmConnections where connection.portType == "bridge" {
            guard let controller = connection.controller, let port = connection.interfaceName else { continue }
            ports[bridgeIDs[controller] ?? controller, default: []].append(port)
        }
        for bridge in ifupdownBridges { ports[bridge.name, default: []] += bridge.ports }
        return ports
    }

    static let ifcfgDirectory = "/etc/sysconfig/network-scripts"
    static let keyfileDirectory = "/etc/NetworkManager/system-connections"
    static let maximumFiles = 2048

    /// initscripts skips backups and templates; so do we.
    static func isIgnoredIfcfg(_ name: String) -> Bool {
        let ignored = [".bak", ".orig", ".rpmnew", ".rpmorig", ".rpmsave", "~", ".old", ".swp"]
        return ignored.contains { name.hasSuffix($0) } || name.contains("-range") || name.contains("-clone") || name == "ifcfg-lo"
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<NetworkConfigFiles> {
        var config = NetworkConfigFiles(ifcfg: [], nmConnections: [], ifupdownBridges: [], unreadable: [:])
        var sources: [String] = []
        var anything = false
        if let names = try? root.list(ifcfgDirectory) {
            anything = true
            sources.append(ifcfgDirectory)
            for name in names.sorted().prefix(maximumFiles) where name.hasPrefix("ifcfg-") && !isIgnoredIfcfg(name) {
                let path = "\(ifcfgDirectory)/\(name)"
                do {
                    let text = try root.readText(path, limit: 1 << 20)
                    config.ifcfg.append(Ifcfg(file: path, name: String(name.dropFirst("ifcfg-".count)), values: parseShellAssignments(text)))
                } catch {
                    config.unreadable[path] = error.description
                }
            }
        }
        if let names = try? root.list(keyfileDirectory) {
            anything = true
            sources.append(keyfileDirectory)
            for name in names.sorted().prefix(maximumFiles) where !name.hasPrefix(".") {
                let path = "\(keyfileDirectory)/\(name)"
                do {
                    config.nmConnections.append(parseKeyfile(try root.readText(path, limit: 1 << 20), file: path))
                } catch {
                    config.unreadable[path] = error.description
                }
            }
        }
        var ifupdownFiles: [String] = []
        if root.exists("/etc/network/interfaces") { ifupdownFiles.append("/etc/network/interfaces") }
        if let names = try? root.list("/etc/network/interfaces.d") {
            ifupdownFiles += names.sorted().prefix(maximumFiles).filter { !$0.hasPrefix(".") }.map { "/etc/network/interfaces.d/\($0)" }
        }
        for path in ifupdownFiles {
            anything = true
            do {
                config.ifupdownBridges += parseIfupdownBridges(try root.readText(path, limit: 1 << 20), file: path)
                sources.append(path)
            } catch {
                config.unreadable[path] = error.description
            }
        }
        guard anything else { throw .absent(ifcfgDirectory) }
        return Sourced(config, sources: sources)
    }

    /// `KEY=value` lines of a shell-style file; comments, blank lines and anything else are skipped.
    static func parseShellAssignments(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline).prefix(10_000) {
            let line = TextChecks.trimmed(rawLine)
            guard !line.hasPrefix("#"), let (key, rawValue) = TextChecks.splitKeyValue(line, separator: "=") else { continue }
            let keyText = key.hasPrefix("export ") ? TextChecks.trimmed(key.dropFirst(7)) : key
            guard !keyText.isEmpty, keyText.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            var value = rawValue
            // An unquoted trailing comment ends the value.
            if !(value.hasPrefix("\"") || value.hasPrefix("'")), let hash = value.range(of: " #") {
                value = TextChecks.trimmed(value[..<hash.lowerBound])
            }
            values[keyText] = TextChecks.unquoted(value)
        }
        return values
    }

    /// The [connection] section of a NetworkManager keyfile.
    static func parseKeyfile(_ text: String, file: String) -> NMConnection {
        var connection = NMConnection(file: file, id: nil, type: nil, interfaceName: nil, controller: nil, portType: nil)
        var section = ""
        for rawLine in text.split(whereSeparator: \.isNewline).prefix(10_000) {
            let line = TextChecks.trimmed(rawLine)
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard section == "connection", !line.hasPrefix("#"), let (key, value) = TextChecks.splitKeyValue(line, separator: "=") else { continue }
            switch key {
            case "id": connection.id = value
            case "type":
                let aliases = ["802-3-ethernet": "ethernet", "802-11-wireless": "wifi"]
                connection.type = aliases[value] ?? value
            case "interface-name": connection.interfaceName = value
            case "master", "controller": connection.controller = value
            case "slave-type", "port-type": connection.portType = value
            default: continue
            }
        }
        return connection
    }

    /// `iface <name> ...` stanzas with a `bridge_ports` (or `bridge-ports`) line.
    static func parseIfupdownBridges(_ text: String, file: String) -> [IfupdownBridge] {
        var bridges: [IfupdownBridge] = []
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline).prefix(20_000) {
            let words = rawLine.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            switch first {
            case "iface":
                current = words.count > 1 ? words[1] : nil
            case "auto", "allow-hotplug", "mapping", "source", "source-directory", "rename":
                current = nil
            case "bridge_ports", "bridge-ports":
                guard let name = current else { continue }
                let ports = words.dropFirst().filter { $0 != "none" && !$0.hasPrefix("#") }
                if let index = bridges.firstIndex(where: { $0.name == name && $0.file == file }) {
                    bridges[index].ports += ports
                } else {
                    bridges.append(IfupdownBridge(file: file, name: name, ports: Array(ports)))
                }
            default:
                continue
            }
        }
        return bridges
    }
}

extension Facts {
    public static let netInterfaces = FactKey<InterfaceInventory>("net.interfaces", "Network interfaces under /sys/class/net: MAC address, physical or wireless, bridge ports, MTU") { store throws(FactError) in
        try InterfaceInventory.read(store.root)
    }

    public static let netConfigFiles = FactKey<NetworkConfigFiles>("net.config-files", "Bridge and port definitions: ifcfg files, NetworkManager keyfiles, /etc/network/interfaces") { store throws(FactError) in
        try NetworkConfigFiles.read(store.root)
    }
}

/// The `(network-script ...)` setting of xend (/etc/xen/xend-config.sxp): the script xend runs at start to
/// build its own bridge (network-bridge), route, NAT, or nothing (/bin/true).
public struct XendNetworkScript: Codable, Sendable, Equatable {
    public var file: String
    /// The script and its arguments as written (`network-bridge netdev=eth1`); nil when no uncommented line sets it.
    public var script: String?
    public var line: Int?

    /// xend builds its own bridge: the script is network-bridge (with or without a path or arguments).
    public var buildsBridge: Bool {
        guard let first = script?.split(whereSeparator: \.isWhitespace).first else { return false }
        return first.split(separator: "/").last == "network-bridge"
    }

    static let file = "/etc/xen/xend-config.sxp"

    static func parse(_ text: String, file: String) -> XendNetworkScript {
        var result = XendNetworkScript(file: file, script: nil, line: nil)
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(20_000).enumerated() {
            let line = TextChecks.trimmed(rawLine)
            guard line.hasPrefix("(network-script") else { continue }
            var value = TextChecks.trimmed(line.dropFirst("(network-script".count))
            guard value.hasSuffix(")") else { continue }
            value = TextChecks.trimmed(value.dropLast())
            result.script = TextChecks.unquoted(value)
            result.line = index + 1
        }
        return result
    }
}

extension Facts {
    public static let xendNetworkScript = FactKey<XendNetworkScript>("xen.network-script", "xend's (network-script ...) setting in /etc/xen/xend-config.sxp") { store throws(FactError) in
        let text = try store.root.readText(XendNetworkScript.file, limit: 1 << 20)
        return Sourced(XendNetworkScript.parse(text, file: XendNetworkScript.file), sources: [XendNetworkScript.file])
    }
}
