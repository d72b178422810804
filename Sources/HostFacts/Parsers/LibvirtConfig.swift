import DoctorCore

/// A libvirt network as defined in `/etc/libvirt/qemu/networks/<name>.xml`.
///
///     <network>
///       <name>default</name>
///       <forward mode='nat'/>
///       <bridge name='virbr0' stp='on' delay='0'/>
///       <ip address='192.168.122.1' netmask='255.255.255.0'>...</ip>
///     </network>
public struct LibvirtNetwork: Codable, Sendable, Equatable {
    public var name: String
    /// nat, route, open, bridge, passthrough ...; nil for an isolated network. `<forward/>` alone means nat.
    public var forwardMode: String?
    public var bridge: String?
    public var file: String
    /// A link in networks/autostart/ makes libvirt start it at boot.
    public var autostart: Bool
    /// libvirt keeps a status file under /run/libvirt/network while the network is running.
    public var active: Bool?

    /// NAT and routed networks need the kernel to forward IPv4 packets.
    public var needsIPForwarding: Bool { forwardMode == "nat" || forwardMode == "route" }

    public static func parse(_ text: String, file: String) throws(FactError) -> LibvirtNetwork {
        let (root, name) = try namedDocument(text, file: file, element: "network")
        let forward = root.child("forward")
        return LibvirtNetwork(
            name: name, forwardMode: forward.map { $0.attributes["mode"] ?? "nat" },
            bridge: root.child("bridge")?.attributes["name"], file: file, autostart: false, active: nil)
    }
}

/// The parts of a libvirt domain definition the checks use (`/etc/libvirt/qemu/<name>.xml`).
public struct LibvirtDomain: Codable, Sendable, Equatable {
    public struct Interface: Codable, Sendable, Equatable {
        public var type: String
        /// The network name (type network) or bridge name (type bridge).
        public var source: String?
        public var model: String?
    }

    public struct Disk: Codable, Sendable, Equatable {
        public var device: String
        public var type: String
        public var source: String?
        public var driver: String?
        public var bus: String?
    }

    public struct Graphics: Codable, Sendable, Equatable {
        public var type: String
        public var listen: String?
        public var passwordSet: Bool
    }

    public var name: String
    /// kvm, qemu, xen ...
    public var type: String
    public var file: String
    public var interfaces: [Interface]
    public var disks: [Disk]
    public var graphics: [Graphics] = []
    public var vcpus: Int = 1
    public var memoryKiB: Int = 0
    /// The guest CPU as migration sees it: `<cpu mode=...>` (custom when absent or unset), the named model,
    /// and the features it requires (policy require or force) or forbids (policy disable or forbid).
    public struct CPU: Codable, Sendable, Equatable {
        public var mode: String
        public var model: String?
        public var requiredFeatures: [String]
        public var disabledFeatures: [String]
    }
    public var cpu: CPU?

    public static func parse(_ text: String, file: String) throws(FactError) -> LibvirtDomain {
        let (root, name) = try namedDocument(text, file: file, element: "domain")
        let devices = root.child("devices")
        let interfaces = (devices?.children("interface") ?? []).map { element in
            let source = element.child("source")
            return Interface(
                type: element.attributes["type"] ?? "",
                source: source?.attributes["network"] ?? source?.attributes["bridge"] ?? source?.attributes["dev"],
                model: element.child("model")?.attributes["type"])
        }
        let disks = (devices?.children("disk") ?? []).map { element in
            let source = element.child("source")
            return Disk(
                device: element.attributes["device"] ?? "disk", type: element.attributes["type"] ?? "file",
                source: source?.attributes["file"] ?? source?.attributes["dev"] ?? source?.attributes["name"],
                driver: element.child("driver")?.attributes["name"], bus: element.child("target")?.attributes["bus"])
        }
        let graphics = (devices?.children("graphics") ?? []).map { element in
            Graphics(type: element.attributes["type"] ?? "?",
                     listen: element.attributes["listen"] ?? element.child("listen")?.attributes["address"],
                     passwordSet: element.attributes["passwd"] != nil)
        }
        var domain = LibvirtDomain(name: name, type: root.attributes["type"] ?? "", file: file, interfaces: interfaces, disks: disks)
        domain.graphics = graphics
        domain.vcpus = try guestVCPUs(root.child("vcpu"), source: file)
        domain.memoryKiB = try kibibytes(root.child("currentMemory") ?? root.child("memory"), source: file)
        if let cpu = root.child("cpu") {
            let features = cpu.children("feature").prefix(512)
            func named(_ policies: Set<String>) -> [String] {
                features.filter { policies.contains($0.attributes["policy"] ?? "require") }.compactMap { $0.attributes["name"] }
            }
            let model = cpu.child("model").map { TextChecks.trimmed($0.text) }
            domain.cpu = CPU(mode: cpu.attributes["mode"] ?? "custom", model: model?.isEmpty == false ? model : nil,
                             requiredFeatures: named(["require", "force"]), disabledFeatures: named(["disable", "forbid"]))
        }
        return domain
    }
}

/// Parses a libvirt definition and checks its root element and `<name>`, which every definition has.
private func namedDocument(_ text: String, file: String, element: String) throws(FactError) -> (XMLElement, String) {
    let root = try XMLElement.parse(text, source: file)
    guard root.name == element else { throw .unparsable(source: file, detail: "root element is <\(root.name)>, not <\(element)>") }
    guard let name = root.child("name")?.text, !name.isEmpty else {
        throw .unparsable(source: file, detail: "\(element) without a <name>")
    }
    return (root, name)
}

/// A libvirt memory element (`<memory unit='GiB'>4</memory>`) in KiB; 0 when the element is missing.
/// A size that does not parse or is beyond 16 EiB makes the definition unreadable rather than wrong.
func kibibytes(_ element: XMLElement?, source: String) throws(FactError) -> Int {
    guard let element else { return 0 }
    return try LibvirtUnits.kibibytes(element.text, unit: element.attributes["unit"], source: source)
}

/// The most vCPUs a definition may name: libvirt's own ceiling is far below this; a larger value is not a
/// real guest, and staying small keeps totals over many guests from overflowing.
let maximumGuestVCPUs = 1 << 20

/// `<vcpu>N</vcpu>`; 1 when absent, as libvirt defaults it.
func guestVCPUs(_ element: XMLElement?, source: String) throws(FactError) -> Int {
    guard let element else { return 1 }
    guard let count = CheckedNumbers.integer(TextChecks.trimmed(element.text), in: 1...maximumGuestVCPUs) else {
        throw .unparsable(source: source, detail: "<vcpu> '\(element.text.prefix(40))' is not a count between 1 and \(maximumGuestVCPUs)")
    }
    return count
}
