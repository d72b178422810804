import DoctorCore
import Foundation

/// libvirt definitions read from its configuration directory, for when the daemon is not asked (a root,
/// a bundle) or not running. A file that does not parse is listed with the reason, never fatal.
public struct NetworkInventory: Codable, Sendable, Equatable {
    public var networks: [LibvirtNetwork]
    public var unreadable: [String: String]
    /// /run/libvirt/network exists: the daemon has run since boot, so "no status file" means inactive.
    public var statusKnown: Bool

    public func network(named name: String) -> LibvirtNetwork? { networks.first { $0.name == name } }
}

public struct DomainInventory: Codable, Sendable, Equatable {
    public var domains: [LibvirtDomain]
    public var unreadable: [String: String]
    /// Domains with a link in <driver>/autostart: they start when libvirt does.
    public var autostart: [String] = []
}

enum LibvirtFiles {
    static let networkDirectory = "/etc/libvirt/qemu/networks"
    static let statusDirectories = ["/run/libvirt/network", "/var/run/libvirt/network"]

    static func networks(_ root: HostRoot) throws(FactError) -> Sourced<NetworkInventory> {
        let names = try root.list(networkDirectory)
        var inventory = NetworkInventory(networks: [], unreadable: [:], statusKnown: false)
        var sources = [networkDirectory]
        let autostart = Set((try? root.list(networkDirectory + "/autostart")) ?? [])
        let statusDirectory = statusDirectories.first { root.exists($0) }
        inventory.statusKnown = statusDirectory != nil
        for name in names where name.hasSuffix(".xml") {
            let path = "\(networkDirectory)/\(name)"
            do {
                var network = try LibvirtNetwork.parse(try root.readText(path, limit: 1 << 20), file: path)
                network.autostart = autostart.contains(name)
                if let statusDirectory {
                    network.active = root.exists("\(statusDirectory)/\(network.name).xml")
                }
                inventory.networks.append(network)
                sources.append(path)
            } catch {
                inventory.unreadable[path] = error.description
            }
        }
        return Sourced(inventory, sources: sources)
    }

    static func domains(_ root: HostRoot) throws(FactError) -> Sourced<DomainInventory> {
        var inventory = DomainInventory(domains: [], unreadable: [:])
        var sources: [String] = []
        var anyDirectory = false
        for directory in ["/etc/libvirt/qemu", "/etc/libvirt/libxl", "/etc/libvirt/lxc"] {
            guard let names = try? root.list(directory) else { continue }
            anyDirectory = true
            sources.append(directory)
            let autostart = Set((try? root.list(directory + "/autostart")) ?? [])
            for name in names where name.hasSuffix(".xml") {
                let path = "\(directory)/\(name)"
                do {
                    let domain = try LibvirtDomain.parse(try root.readText(path, limit: 4 << 20), file: path)
                    if autostart.contains(name) { inventory.autostart.append(domain.name) }
                    inventory.domains.append(domain)
                } catch {
                    inventory.unreadable[path] = error.description
                }
            }
        }
        guard anyDirectory else { throw .absent("/etc/libvirt/qemu") }
        return Sourced(inventory, sources: sources)
    }
}
