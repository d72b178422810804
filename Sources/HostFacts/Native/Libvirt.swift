import CLibvirtShim
import DoctorCore
import Foundation

/// A libvirt error, naming the C function that failed.
public struct LibvirtError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// One read-only libvirt connection. It owns the C handle and closes it when released.
final class LibvirtConnection {
    private let handle: UnsafeMutableRawPointer

    init(uri: String?) throws(LibvirtError) {
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = vd_libvirt_open(uri, &error, error.count) else {
            throw LibvirtError(message: cText(error))
        }
        self.handle = handle
    }

    deinit { vd_libvirt_close(handle) }

    static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { vd_free(pointer) }
        return String(cString: pointer)
    }

    func text(_ call: (UnsafeMutableRawPointer, UnsafeMutablePointer<CChar>, Int) -> UnsafeMutablePointer<CChar>?) throws(LibvirtError) -> String {
        var error = [CChar](repeating: 0, count: 512)
        let result = error.withUnsafeMutableBufferPointer { buffer in call(handle, buffer.baseAddress!, buffer.count) }
        guard let text = LibvirtConnection.take(result) else { throw LibvirtError(message: cText(error)) }
        return text
    }

    var uri: String? { LibvirtConnection.take(vd_libvirt_connection_uri(handle)) }

    func capabilities() throws(LibvirtError) -> String { try text { vd_libvirt_capabilities($0, $1, $2) } }

    func versions() -> (type: String, hypervisor: UInt, library: UInt) {
        var type = [CChar](repeating: 0, count: 64)
        var hypervisor: UInt = 0, library: UInt = 0
        _ = vd_libvirt_versions(handle, &type, type.count, &hypervisor, &library)
        return (cText(type), hypervisor, library)
    }

    func nodeInfo() throws(LibvirtError) -> vd_node_info {
        var info = vd_node_info()
        var error = [CChar](repeating: 0, count: 512)
        guard vd_libvirt_node_info(handle, &info, &error, error.count) == 0 else { throw LibvirtError(message: cText(error)) }
        return info
    }

    /// Lists objects and hands each raw handle to `body`, freeing it afterwards whatever happens.
    func each<T>(_ list: (UnsafeMutableRawPointer, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutableRawPointer?>?>, UnsafeMutablePointer<CChar>, Int) -> Int32,
                 free release: (UnsafeMutableRawPointer) -> Void,
                 _ body: (UnsafeMutableRawPointer) -> T) throws(LibvirtError) -> [T] {
        var items: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        var error = [CChar](repeating: 0, count: 512)
        let count = error.withUnsafeMutableBufferPointer { buffer in list(handle, &items, buffer.baseAddress!, buffer.count) }
        guard count >= 0 else { throw LibvirtError(message: cText(error)) }
        defer { vd_libvirt_free_list(items) }
        var results: [T] = []
        for index in 0..<Int(count) {
            guard let item = items?[index] else { continue }
            results.append(body(item))
            release(item)
        }
        return results
    }

    static func xml(_ call: (UnsafeMutablePointer<CChar>, Int) -> UnsafeMutablePointer<CChar>?) -> Result<String, LibvirtError> {
        var error = [CChar](repeating: 0, count: 512)
        let result = error.withUnsafeMutableBufferPointer { buffer in call(buffer.baseAddress!, buffer.count) }
        guard let text = take(result) else { return .failure(LibvirtError(message: cText(error))) }
        return .success(text)
    }
}

/// What a running libvirt says about the host, its guests, networks and storage, read once, read only.
public struct LibvirtSnapshot: Codable, Sendable, Equatable {
    public struct NodeInfo: Codable, Sendable, Equatable {
        public var model: String
        public var memoryKiB: Int
        public var cpus: Int
        public var mhz: Int
        public var numaNodes: Int
        public var sockets: Int
        public var cores: Int
        public var threads: Int
    }

    public struct Graphics: Codable, Sendable, Equatable {
        public var type: String
        public var listen: String?
        public var port: String?
        public var passwordSet: Bool
        /// From the domain XML where libvirt states it (SPICE `defaultMode`/channels); VNC TLS is qemu.conf's.
        public var tls: String?
    }

    public struct Domain: Codable, Sendable, Equatable {
        public var name: String
        /// running, blocked, paused, shutdown, shutoff, crashed, pmsuspended, nostate
        public var state: String
        public var stateReason: Int
        public var autostart: Bool?
        public var vcpus: Int
        public var memoryKiB: Int
        public var type: String
        public var disks: [LibvirtDomain.Disk]
        public var interfaces: [LibvirtDomain.Interface]
        public var graphics: [Graphics]
        /// The guest CPU definition (optional so snapshots recorded before it existed still decode).
        public var cpu: LibvirtDomain.CPU? = nil
    }

    public struct Network: Codable, Sendable, Equatable {
        public var name: String
        public var active: Bool
        public var autostart: Bool?
        public var forwardMode: String?
        public var bridge: String?
    }

    public struct Pool: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var active: Bool
        public var path: String?
        public var capacityBytes: Int?
        public var availableBytes: Int?
    }

    public var uri: String
    public var driver: String
    public var hypervisorVersion: String
    public var libvirtVersion: String
    public var node: NodeInfo
    public var hostCPUModel: String?
    public var hostCPUVendor: String?
    /// The host CPU's features as libvirt names them in its capabilities (optional for older recordings).
    public var hostCPUFeatures: [String]? = nil
    /// Guest architecture -> domain types it can run ("x86_64": ["qemu", "kvm"]).
    public var guestArchitectures: [String: [String]]
    /// Confidential-guest features the host offers (sev, sev-es, s390-pv, tdx ...).
    public var secureGuestFeatures: [String]
    public var domains: [Domain]
    public var networks: [Network]
    public var pools: [Pool]
    /// Objects whose details could not be read, with the reason.
    public var problems: [String]
    /// The machine types the capabilities list for each guest architecture, with libvirt's deprecated
    /// flag (libvirt 7.x and later with QEMU 5.x and later). nil where the capabilities were not read.
    public var machineTypes: [MachineType]? = nil

    public struct MachineType: Codable, Sendable, Equatable {
        public var arch: String
        /// pc-i440fx-9.0, or an alias such as pc with `canonical` naming the type it stands for.
        public var name: String
        public var canonical: String?
        public var deprecated: Bool
    }

    static let stateNames = ["nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended"]

    static func version(_ number: UInt) -> String { "\(number / 1_000_000).\(number / 1000 % 1000).\(number % 1000)" }

    /// Connects, reads everything, disconnects. Throws when libvirt cannot be loaded or connected.
    static func read(uri: String?) throws(LibvirtError) -> LibvirtSnapshot {
        var loadError = [CChar](repeating: 0, count: 512)
        guard vd_libvirt_load(&loadError, loadError.count) == 1 else { throw LibvirtError(message: cText(loadError)) }
        let connection = try LibvirtConnection(uri: uri)
        let versions = connection.versions()
        let info = try connection.nodeInfo()
        let model = withUnsafeBytes(of: info.model) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var snapshot = LibvirtSnapshot(
            uri: connection.uri ?? uri ?? "", driver: versions.type, hypervisorVersion: version(versions.hypervisor),
            libvirtVersion: version(versions.library),
            node: NodeInfo(model: model, memoryKiB: Int(clamping: min(UInt64(info.memory_kib), UInt64(LibvirtUnits.maximumKiB))), cpus: Int(info.cpus), mhz: Int(info.mhz), numaNodes: Int(info.nodes),
                           sockets: Int(info.sockets), cores: Int(info.cores), threads: Int(info.threads)),
            hostCPUModel: nil, hostCPUVendor: nil, guestArchitectures: [:], secureGuestFeatures: [], domains: [], networks: [], pools: [], problems: [])
        switch Result(catching: { () throws(LibvirtError) -> String in try connection.capabilities() }) {
        case .success(let xml): snapshot.readCapabilities(xml)
        case .failure(let error): snapshot.problems.append(error.message)
        }
        var problems: [String] = []
        snapshot.domains = try connection.each({ vd_libvirt_list_domains($0, $1, $2, $3) }, free: vd_libvirt_domain_free) { handle in
            var state: Int32 = 0, reason: Int32 = 0
            _ = vd_libvirt_domain_state(handle, &state, &reason)
            let autostart = vd_libvirt_domain_autostart(handle)
            switch LibvirtConnection.xml({ vd_libvirt_domain_xml(handle, $0, $1) }) {
            case .success(let xml):
                return domain(xml: xml, state: Int(state), reason: Int(reason), autostart: autostart < 0 ? nil : autostart == 1, problems: &problems)
            case .failure(let error):
                problems.append(error.message)
                return nil
            }
        }.compactMap { $0 }
        snapshot.networks = try connection.each({ vd_libvirt_list_networks($0, $1, $2, $3) }, free: vd_libvirt_network_free) { handle in
            let active = vd_libvirt_network_active(handle) == 1
            let autostart = vd_libvirt_network_autostart(handle)
            guard case .success(let xml) = LibvirtConnection.xml({ vd_libvirt_network_xml(handle, $0, $1) }),
                  let parsed = try? LibvirtNetwork.parse(xml, file: "virNetworkGetXMLDesc") else { return nil }
            return Network(name: parsed.name, active: active, autostart: autostart < 0 ? nil : autostart == 1,
                           forwardMode: parsed.forwardMode, bridge: parsed.bridge)
        }.compactMap { $0 }
        snapshot.pools = (try? connection.each({ vd_libvirt_list_pools($0, $1, $2, $3) }, free: vd_libvirt_pool_free) { handle in
            let active = vd_libvirt_pool_active(handle) == 1
            guard case .success(let xml) = LibvirtConnection.xml({ vd_libvirt_pool_xml(handle, $0, $1) }),
                  let root = try? XMLElement.parse(xml, source: "virStoragePoolGetXMLDesc") else { return nil }
            return Pool(name: root.child("name")?.text ?? "", type: root.attributes["type"] ?? "", active: active,
                        path: root.child("target")?.child("path")?.text,
                        capacityBytes: root.child("capacity").flatMap { poolBytes($0) },
                        availableBytes: root.child("available").flatMap { poolBytes($0) })
        }.compactMap { $0 }) ?? []
        snapshot.problems += problems
        return snapshot
    }

    /// A pool's `<capacity unit='bytes'>` in bytes; nil when it does not parse or does not fit.
    static func poolBytes(_ element: XMLElement) -> Int? {
        guard let value = UInt64(TextChecks.trimmed(element.text)),
              let scale = LibvirtUnits.bytesPerUnit(element.attributes["unit"] ?? "bytes") else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : Int(exactly: bytes)
    }

    mutating func readCapabilities(_ xml: String) {
        guard let root = try? XMLElement.parse(xml, source: "virConnectGetCapabilities") else {
            problems.append("virConnectGetCapabilities returned XML that does not parse")
            return
        }
        let cpu = root.child("host")?.child("cpu")
        hostCPUModel = cpu?.child("model")?.text
        hostCPUVendor = cpu?.child("vendor")?.text
        hostCPUFeatures = cpu?.children("feature").prefix(1024).compactMap { $0.attributes["name"] }
        for guest in root.children("guest") {
            guard let arch = guest.child("arch") else { continue }
            let name = arch.attributes["name"] ?? "?"
            let types = arch.children("domain").compactMap { $0.attributes["type"] }
            guestArchitectures[name, default: []] += types.filter { !(guestArchitectures[name] ?? []).contains($0) }
        }
        // Secure guest support shows up as host features (sev, s390-pv) in newer libvirt versions.
        let features = root.child("host")?.child("features")?.children.map(\.name) ?? []
        secureGuestFeatures = features.filter { ["sev", "sev-es", "sev-snp", "s390-pv", "tdx", "sec"].contains($0) }
        // issue 13: ready-b — machine types per architecture (dom.machine-type), outside and inside <domain>.
        var machines: [MachineType] = []
        for guest in root.children("guest") {
            guard let arch = guest.child("arch") else { continue }
            let name = arch.attributes["name"] ?? "?"
            for element in arch.children("machine") + arch.children("domain").flatMap({ $0.children("machine") }) where machines.count < 4096 {
                let machine = TextChecks.trimmed(element.text)
                guard !machine.isEmpty, machine.utf8.count <= 128,
                      !machines.contains(where: { $0.arch == name && $0.name == machine }) else { continue }
                machines.append(MachineType(arch: name, name: machine, canonical: element.attributes["canonical"],
                                            deprecated: element.attributes["deprecated"] == "yes"))
            }
        }
        machineTypes = machines
    }

    static func domain(xml: String, state: Int, reason: Int, autostart: Bool?, problems: inout [String]) -> Domain? {
        let root: XMLElement
        let parsed: LibvirtDomain
        do throws(FactError) {
            root = try XMLElement.parse(xml, source: "virDomainGetXMLDesc")
            parsed = try LibvirtDomain.parse(xml, file: "virDomainGetXMLDesc")
        } catch {
            problems.append("a domain's XML is unusable: \(error)")
            return nil
        }
        let graphics = (root.child("devices")?.children("graphics") ?? []).map { element in
            Graphics(type: element.attributes["type"] ?? "?",
                     listen: element.attributes["listen"] ?? element.child("listen")?.attributes["address"],
                     port: element.attributes["port"], passwordSet: element.attributes["passwd"] != nil,
                     tls: element.attributes["defaultMode"])
        }
        return Domain(name: parsed.name, state: stateNames.indices.contains(state) ? stateNames[state] : "unknown", stateReason: reason,
                      autostart: autostart, vcpus: parsed.vcpus, memoryKiB: parsed.memoryKiB, type: parsed.type,
                      disks: parsed.disks, interfaces: parsed.interfaces, graphics: graphics, cpu: parsed.cpu)
    }
}

extension Facts {
    /// Live libvirt: on the running machine (qemu:///system unless --connect), or wherever --connect points
    /// (libvirt's test driver in tests). Not available in a directory root without --connect.
    public static let libvirt = FactKey<LibvirtSnapshot>("libvirt.live", "Hypervisor, node, capabilities, domains, networks and pools as libvirt reports them") { store throws(FactError) in
        // A sos report kept what `virsh -r` answered when it was made: libvirt's own view, as of then.
        if !store.root.isLive, store.libvirtURI == nil, store.root.evidence.kind == .sosReport,
           let recorded = try SosVirsh.snapshot(store.root) {
            return recorded
        }
        guard store.root.isLive || store.libvirtURI != nil else {
            throw store.root.liveOnly("a libvirt connection (pass --connect to ask a libvirt about this root)")
        }
        let uri = store.libvirtURI
        // For the default local URI, no socket means no daemon: say so without loading libvirt (and the
        // dozens of libraries it pulls in) at all. VIRT_DOCTOR_LIBVIRT_LIBRARY always goes through dlopen.
        let sockets: [String] = ["/run/libvirt/libvirt-sock-ro", "/run/libvirt/virtqemud-sock-ro", "/run/libvirt/libvirt-sock",
                                 "/run/libvirt/virtqemud-sock", "/var/run/libvirt/libvirt-sock-ro"]
        let libraries: [String] = ["/usr/lib64/libvirt.so.0", "/usr/lib/x86_64-linux-gnu/libvirt.so.0", "/usr/lib/aarch64-linux-gnu/libvirt.so.0",
                                   "/usr/lib/powerpc64le-linux-gnu/libvirt.so.0", "/usr/lib/s390x-linux-gnu/libvirt.so.0", "/usr/lib/libvirt.so.0"]
        if uri == nil, store.root.isLive, ProcessInfo.processInfo.environment["VIRT_DOCTOR_LIBVIRT_LIBRARY"] == nil,
           !sockets.contains(where: { access($0, F_OK) == 0 }) {
            guard libraries.contains(where: { access($0, F_OK) == 0 }) else { throw .absent("libvirt.so.0 (not installed)") }
            throw .io(source: "libvirt default URI",
                      detail: "no libvirt socket under /run/libvirt: the daemon (libvirtd or virtqemud) is not running and not socket-activated")
        }
        let result = try withDeadline(seconds: store.libvirtTimeout, what: "libvirt at \(uri ?? "the default URI")") { () -> Result<LibvirtSnapshot, LibvirtError> in
            Result { () throws(LibvirtError) -> LibvirtSnapshot in try LibvirtSnapshot.read(uri: uri) }
        }
        switch result {
        case .success(let snapshot): return Sourced(snapshot, sources: ["libvirt \(snapshot.uri)"])
        case .failure(let error):
            if error.message.contains("could not be loaded") { throw .absent("libvirt.so.0 (not installed: \(error.message))") }
            throw .io(source: "libvirt \(uri ?? "default URI")", detail: error.message)
        }
    }
}

/// A NUL-terminated C buffer as text.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
