import DoctorCore

/// One guest as its definition on the host describes it, with the identity and device details the
/// host-side guest checks compare: a libvirt domain XML (`/etc/libvirt/{qemu,libxl,lxc}/<name>.xml`) or a
/// legacy Xen configuration (`/etc/xen/<name>`, the xm/xl `key = value` format).
public struct GuestDefinition: Codable, Sendable, Equatable {
    public struct Disk: Codable, Sendable, Equatable {
        /// disk, cdrom, floppy, lun
        public var device: String
        /// ide, sata, scsi, virtio, xen, usb, fdc; nil when the definition does not say.
        public var bus: String?
        /// vda, hda, xvda ...
        public var target: String?
        public var source: String?
        /// `<boot order='N'/>` inside the disk.
        public var bootOrder: Int?
    }

    public var name: String
    public var uuid: String?
    /// libvirt's `<domain type=...>` (kvm, qemu, xen, lxc); "xen" for a Xen configuration file.
    public var hypervisor: String
    /// "libvirt" for domain XML, "xen-config" for an /etc/xen file.
    public var format: String
    public var file: String
    /// `<os><type>`: hvm, linux / xen (Xen paravirtualized), exe (containers); "hvm" or "linux" for Xen files.
    public var osType: String?
    /// `<os><type machine=...>`: pc-i440fx-*, pc-q35-* ...
    public var machine: String?
    /// A PV boot loader such as /usr/bin/pygrub.
    public var bootloader: String?
    /// `<os><boot dev=...>` in order (hd, cdrom, network, fd).
    public var bootDevices: [String]
    public var macs: [String]
    /// Bridges the interfaces plug into (type bridge, or Xen `vif = [ 'bridge=...' ]`).
    public var bridges: [String]
    /// Interface models (virtio, e1000, rtl8139, netfront ...), one per interface; "" when not given.
    public var interfaceModels: [String]
    public var disks: [Disk]
    /// libosinfo metadata `<libosinfo:os id=...>`.
    public var osinfo: String?
    /// `<features><hyperv>`: Hyper-V enlightenments, only ever given to Windows.
    public var hypervEnlightenments: Bool
    /// Slots 2-31 of PCI bus 0 taken by devices with an `<address type='pci'>` (functions of one slot count once).
    public var pciDevices: Int
    /// PCI devices whose address is not written yet (disks and NICs on virtio, host devices).
    public var unaddressedPCIDevices: Int
    public var title: String?
    /// `<cpu mode=...>`: host-passthrough, host-model, maximum, custom ("custom" for a `<cpu>` without a mode);
    /// nil without a `<cpu>` element.
    public var cpuMode: String? = nil
    /// `<cpu><feature name=... policy=...>`: feature name to policy (require, force, optional, disable, forbid).
    public var cpuFeatures: [String: String] = [:]

    /// Xen paravirtualization: an OS type of linux/xen, or a PV boot loader without hvm.
    public var paravirtualized: Bool {
        osType == "linux" || osType == "xen" || (bootloader != nil && osType != "hvm")
    }

    /// The disk it boots from: the lowest `<boot order>`, else the first hard disk when it boots from hd
    /// (or says nothing), else nil.
    public var bootDisk: Disk? {
        let ordered = disks.filter { $0.bootOrder != nil }.sorted { ($0.bootOrder ?? 0) < ($1.bootOrder ?? 0) }
        if let first = ordered.first { return first.device == "disk" ? first : nil }
        if let first = bootDevices.first, first != "hd" { return nil }
        return disks.first { $0.device == "disk" }
    }

    /// Why this guest is taken for Windows, or nil.
    public var windowsEvidence: String? {
        if let osinfo, osinfo.contains("microsoft.com/win") { return "libosinfo id \(osinfo)" }
        if hypervEnlightenments { return "Hyper-V enlightenments (<features><hyperv>)" }
        let lowered = name.lowercased()
        if lowered.hasPrefix("win") || lowered.contains("windows") { return "its name \(name)" }
        if let title, title.lowercased().contains("windows") { return "its title \(title)" }
        return nil
    }
}

public struct GuestDefinitions: Codable, Sendable, Equatable {
    public var guests: [GuestDefinition]
    /// Files that look like definitions but do not parse, with the reason.
    public var unreadable: [String: String]
    /// Guests started at boot: links in <driver>/autostart (libvirt) or /etc/xen/auto (xendomains).
    public var autostart: [String]
    /// Autostart links whose definition is gone.
    public var danglingAutostart: [String]
    /// Windows driver media installed on the host: virtio-win (/usr/share/virtio-win) and the Xen PV
    /// drivers (/usr/share/xenpv-win), .iso and .vfd files.
    public var driverMedia: [String] = []

    /// More guests than any host defines; bounds the work a hostile directory can cause.
    static let maximumGuests = 4096
    static let libvirtDirectories = ["/etc/libvirt/qemu", "/etc/libvirt/libxl", "/etc/libvirt/lxc"]
    static let xenDirectory = "/etc/xen"
    /// Files in /etc/xen that are not guests.
    static let xenNonGuests: Set<String> = ["xl.conf", "xend-config.sxp", "xend-pci-permissive.sxp", "xend-pci-quirks.sxp",
                                            "cpupool", "xm-config.xml", "xmexample1", "xmexample2", "xmexample3",
                                            "xmexample.hvm", "xmexample.hvm-stubdom", "xmexample.nbd", "xmexample.pv-grub",
                                            "xmexample.vti", "xlexample.hvm", "xlexample.pvlinux", "README", "README.incompatibilities"]

    public func guest(named name: String) -> GuestDefinition? { guests.first { $0.name == name } }

    // MARK: libvirt domain XML

    public static func parseDomain(_ text: String, file: String) throws(FactError) -> GuestDefinition {
        let root = try XMLElement.parse(text, source: file)
        guard root.name == "domain" else { throw .unparsable(source: file, detail: "root element is <\(root.name)>, not <domain>") }
        guard let name = root.child("name").map({ TextChecks.trimmed($0.text) }), !name.isEmpty else {
            throw .unparsable(source: file, detail: "domain without a <name>")
        }
        let os = root.child("os")
        let type = os?.child("type")
        let devices = root.child("devices")
        let interfaces = devices?.children("interface") ?? []
        var disks: [GuestDefinition.Disk] = []
        for element in devices?.children("disk") ?? [] {
            let source = element.child("source")
            let order = element.child("boot")?.attributes["order"].flatMap { CheckedNumbers.integer($0, in: 0...65535) }
            disks.append(GuestDefinition.Disk(
                device: element.attributes["device"] ?? "disk", bus: element.child("target")?.attributes["bus"],
                target: element.child("target")?.attributes["dev"],
                source: source?.attributes["file"] ?? source?.attributes["dev"] ?? source?.attributes["name"] ?? source?.attributes["volume"],
                bootOrder: order))
        }
        var slots: Set<Int> = [], unaddressed = 0
        for device in devices?.children ?? [] {
            let address = device.child("address")
            if let address, address.attributes["type"] == "pci" {
                // pci-root / pcie-root is the bus itself, not a device in a slot.
                if device.name == "controller", let model = device.attributes["model"], model.hasSuffix("-root") { continue }
                // Slots of bus 0; slot 0 is the host bridge and slot 1 the PIIX/ICH functions, always taken.
                guard let bus = pciNumber(address.attributes["bus"] ?? "0"), bus == 0,
                      let slot = pciNumber(address.attributes["slot"] ?? ""), slot > 1, slot < 32 else { continue }
                slots.insert(slot)
            } else if address == nil {
                switch device.name {
                case "interface": unaddressed += 1
                case "disk" where device.child("target")?.attributes["bus"] == "virtio": unaddressed += 1
                case "hostdev" where device.attributes["type"] == "pci": unaddressed += 1
                default: break
                }
            }
        }
        let metadata = root.child("metadata")
        let osinfo = metadata?.descendants("libosinfo:os").first?.attributes["id"]
        return GuestDefinition(
            name: name, uuid: root.child("uuid").map { TextChecks.trimmed($0.text).lowercased() }.flatMap { $0.isEmpty ? nil : $0 },
            hypervisor: root.attributes["type"] ?? "", format: "libvirt", file: file,
            osType: type.map { TextChecks.trimmed($0.text) }, machine: type?.attributes["machine"],
            bootloader: root.child("bootloader").map { TextChecks.trimmed($0.text) }.flatMap { $0.isEmpty ? nil : $0 },
            bootDevices: (os?.children("boot") ?? []).compactMap { $0.attributes["dev"] },
            macs: interfaces.compactMap { $0.child("mac")?.attributes["address"]?.lowercased() },
            bridges: interfaces.filter { $0.attributes["type"] == "bridge" }.compactMap { $0.child("source")?.attributes["bridge"] },
            interfaceModels: interfaces.map { $0.child("model")?.attributes["type"] ?? "" },
            disks: disks, osinfo: osinfo, hypervEnlightenments: root.child("features")?.child("hyperv") != nil,
            pciDevices: slots.count, unaddressedPCIDevices: unaddressed,
            title: root.child("title").map { TextChecks.trimmed($0.text) },
            cpuMode: root.child("cpu").map { $0.attributes["mode"] ?? "custom" },
            cpuFeatures: cpuFeatures(root.child("cpu")))
    }

    /// `<feature name='vmx' policy='require'/>` entries of a `<cpu>`; a feature without a policy is required.
    static func cpuFeatures(_ cpu: XMLElement?) -> [String: String] {
        var features: [String: String] = [:]
        for feature in cpu?.children("feature") ?? [] {
            guard let name = feature.attributes["name"], !name.isEmpty, features.count < 512 else { continue }
            features[name] = feature.attributes["policy"] ?? "require"
        }
        return features
    }

    /// `0x1f` or `31` as a number; nil when it is neither or beyond 255.
    static func pciNumber(_ text: String) -> Int? {
        let trimmed = TextChecks.trimmed(text).lowercased()
        if trimmed.hasPrefix("0x") {
            let digits = trimmed.dropFirst(2)
            guard !digits.isEmpty, digits.count <= 4, let value = Int(digits, radix: 16), value <= 255 else { return nil }
            return value
        }
        return CheckedNumbers.integer(trimmed, in: 0...255)
    }

    // MARK: Xen configuration files (xm / xl)

    /// Assignments of an xm/xl configuration: `name = "x"`, `memory = 512`, `vif = [ 'mac=..., bridge=xenbr0' ]`.
    /// Values are a quoted string, a bare word or number, or a bracketed list of quoted strings (which may span
    /// lines). Comments start with `#` outside quotes. Anything else makes the file unparsable.
    static func parseXenAssignments(_ text: String, source: String) throws(FactError) -> [String: [String]] {
        try TextChecks.requireText(text, source: source)
        var values: [String: [String]] = [:]
        let bytes = Array(text.utf8)
        var index = 0
        func skipBlank(newlines: Bool) {
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x20 || byte == 0x09 || byte == 0x0D || (newlines && byte == 0x0A) || (newlines && byte == UInt8(ascii: ",")) {
                    index += 1
                } else if byte == UInt8(ascii: "#") {
                    while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                } else { break }
            }
        }
        func quoted() throws(FactError) -> String {
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote, bytes[index] != 0x0A { index += 1 }
            guard index < bytes.count, bytes[index] == quote else {
                throw .unparsable(source: source, detail: "unterminated string")
            }
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        while index < bytes.count {
            skipBlank(newlines: true)
            guard index < bytes.count else { break }
            let start = index
            while index < bytes.count, bytes[index] == UInt8(ascii: "_") || bytes[index] == UInt8(ascii: "-")
                    || (bytes[index] < 0x80 && Character(UnicodeScalar(bytes[index])).isLetter)
                    || (bytes[index] < 0x80 && Character(UnicodeScalar(bytes[index])).isNumber) {
                index += 1
            }
            guard index > start, index - start <= 64 else {
                throw .unparsable(source: source, detail: "expected a setting name at byte \(start)")
            }
            let key = String(decoding: bytes[start..<index], as: UTF8.self)
            skipBlank(newlines: false)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw .unparsable(source: source, detail: "'\(key.prefix(40))' is not followed by '='")
            }
            index += 1
            skipBlank(newlines: false)
            guard index < bytes.count else { throw .unparsable(source: source, detail: "'\(key)' has no value") }
            var items: [String] = []
            switch bytes[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                items = [try quoted()]
            case UInt8(ascii: "["):
                index += 1
                while true {
                    skipBlank(newlines: true)
                    guard index < bytes.count else { throw .unparsable(source: source, detail: "unterminated list for '\(key)'") }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; break }
                    guard bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                        throw .unparsable(source: source, detail: "the list for '\(key)' holds something that is not a quoted string")
                    }
                    items.append(try quoted())
                    guard items.count <= 1024 else { throw .unparsable(source: source, detail: "the list for '\(key)' is too long") }
                }
            default:
                let valueStart = index
                while index < bytes.count, bytes[index] != 0x0A, bytes[index] != UInt8(ascii: "#") { index += 1 }
                let word = TextChecks.trimmed(String(decoding: bytes[valueStart..<index], as: UTF8.self))
                guard !word.isEmpty, !word.contains(" ") else { throw .unparsable(source: source, detail: "'\(key)' has a value that is not a word, number, string or list") }
                items = [word]
            }
            values[key] = items
            guard values.count <= 4096 else { throw .unparsable(source: source, detail: "too many settings") }
        }
        return values
    }

    /// A Xen guest configuration as a definition; nil when the file assigns no `name` (not a guest).
    public static func parseXenConfig(_ text: String, file: String) throws(FactError) -> GuestDefinition? {
        let values = try parseXenAssignments(text, source: file)
        guard let name = values["name"]?.first, !name.isEmpty else { return nil }
        let builder = values["builder"]?.first ?? values["type"]?.first
        let hvm = builder == "hvm"
        var macs: [String] = [], bridges: [String] = [], models: [String] = []
        for vif in values["vif"] ?? [] {
            let settings = keyValues(vif)
            if let mac = settings["mac"] { macs.append(mac.lowercased()) }
            if let bridge = settings["bridge"] { bridges.append(bridge) }
            models.append(settings["model"] ?? (settings["type"] == "ioemu" ? "ioemu" : ""))
        }
        var disks: [GuestDefinition.Disk] = []
        for disk in values["disk"] ?? [] {
            // 'file:/var/lib/xen/images/a.img,xvda,w', 'tap:aio:/x.img,xvda,w', 'phy:/dev/vg/lv,hda,w', ',hdc:cdrom,r'
            let fields = disk.split(separator: ",", omittingEmptySubsequences: false).map { TextChecks.trimmed($0) }
            var source = fields.first ?? ""
            for prefix in ["tap:aio:", "tap:qcow:", "tap2:aio:", "tap:tapdisk:", "file:", "phy:", "tap:"] where source.hasPrefix(prefix) {
                source = String(source.dropFirst(prefix.count))
                break
            }
            let target = fields.count > 1 ? fields[1] : ""
            let isCdrom = target.hasSuffix(":cdrom")
            let device = isCdrom ? String(target.dropLast(":cdrom".count)) : target
            disks.append(GuestDefinition.Disk(
                device: isCdrom ? "cdrom" : "disk",
                bus: device.hasPrefix("xvd") ? "xen" : (device.hasPrefix("hd") ? "ide" : (device.hasPrefix("sd") ? "scsi" : nil)),
                target: device.isEmpty ? nil : device, source: source.isEmpty ? nil : source, bootOrder: nil))
        }
        return GuestDefinition(
            name: name, uuid: values["uuid"]?.first?.lowercased(), hypervisor: "xen", format: "xen-config", file: file,
            osType: hvm ? "hvm" : "linux", machine: nil,
            bootloader: values["bootloader"]?.first,
            bootDevices: [], macs: macs, bridges: bridges, interfaceModels: models, disks: disks, osinfo: nil,
            hypervEnlightenments: false, pciDevices: 0, unaddressedPCIDevices: 0, title: nil)
    }

    /// `mac=00:16:3e:..., bridge=xenbr0` as a dictionary.
    static func keyValues(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in text.split(separator: ",") {
            guard let (key, value) = TextChecks.splitKeyValue(part, separator: "=") else { continue }
            result[key] = value
        }
        return result
    }

    // MARK: Reading a root

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<GuestDefinitions> {
        var inventory = GuestDefinitions(guests: [], unreadable: [:], autostart: [], danglingAutostart: [])
        var sources: [String] = []
        for directory in libvirtDirectories {
            guard let names = try? root.list(directory) else { continue }
            sources.append(directory)
            var defined: Set<String> = []
            for name in names.sorted() where name.hasSuffix(".xml") && inventory.guests.count < maximumGuests {
                let path = "\(directory)/\(name)"
                do {
                    inventory.guests.append(try parseDomain(try root.readText(path, limit: 4 << 20), file: path))
                    defined.insert(name)
                } catch {
                    inventory.unreadable[path] = error.description
                }
            }
            for link in ((try? root.list(directory + "/autostart")) ?? []).sorted() where link.hasSuffix(".xml") {
                let name = String(link.dropLast(4))
                if defined.contains(link), let guest = inventory.guests.first(where: { $0.file == "\(directory)/\(link)" }) {
                    inventory.autostart.append(guest.name)
                } else if inventory.unreadable["\(directory)/\(link)"] == nil {
                    inventory.danglingAutostart.append("\(directory)/autostart/\(link)")
                } else {
                    inventory.autostart.append(name)
                }
            }
        }
        if let names = try? root.list(xenDirectory) {
            sources.append(xenDirectory)
            for name in names.sorted() where !xenNonGuests.contains(name) && !name.hasSuffix(".sxp") && !name.hasPrefix(".")
                && !name.hasSuffix("~") && !name.hasSuffix(".rpmsave") && !name.hasSuffix(".rpmnew") && inventory.guests.count < maximumGuests {
                let path = "\(xenDirectory)/\(name)"
                guard (try? root.fileInfo(path))?.kind == .regular else { continue }
                do {
                    if let guest = try parseXenConfig(try root.readText(path, limit: 1 << 20), file: path) {
                        inventory.guests.append(guest)
                    }
                } catch {
                    inventory.unreadable[path] = error.description
                }
            }
            // xendomains starts every configuration linked from /etc/xen/auto.
            for link in ((try? root.list(xenDirectory + "/auto")) ?? []).sorted() {
                let target = root.readLink("\(xenDirectory)/auto/\(link)").map { String($0.split(separator: "/").last ?? "") } ?? link
                if let guest = inventory.guests.first(where: { $0.format == "xen-config" && ($0.file.hasSuffix("/" + target) || $0.file.hasSuffix("/" + link)) }) {
                    inventory.autostart.append(guest.name)
                } else {
                    inventory.danglingAutostart.append("\(xenDirectory)/auto/\(link)")
                }
            }
        }
        for directory in ["/usr/share/virtio-win", "/usr/share/xenpv-win"] {
            for name in ((try? root.list(directory)) ?? []).sorted().prefix(256) where name.hasSuffix(".iso") || name.hasSuffix(".vfd") {
                inventory.driverMedia.append("\(directory)/\(name)")
            }
        }
        guard !sources.isEmpty else { throw .absent("guest definitions (/etc/libvirt/qemu, /etc/libvirt/libxl, /etc/xen)") }
        return Sourced(inventory, sources: sources)
    }
}

extension Facts {
    public static let guestDefinitions = FactKey<GuestDefinitions>("guests.definitions", "Guest definitions on this host (libvirt domain XML and /etc/xen configurations): identity, MACs, bridges, disks, OS hints, PCI devices, autostart") { store throws(FactError) in
        try GuestDefinitions.read(store.root)
    }
}
