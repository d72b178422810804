import DoctorCore

/// The clock of each libvirt guest, with what tells a Windows guest and its release: libosinfo's os id in
/// `<metadata>` (virt-install and virt-manager write it), Hyper-V enlightenments, or the guest's name.
///
///     <metadata><libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
///       <libosinfo:os id="http://microsoft.com/win/xp"/></libosinfo:libosinfo></metadata>
///     <clock offset='localtime'>
///       <timer name='rtc' tickpolicy='catchup'/>
///       <timer name='pmtimer' present='no'/>
///       <timer name='hypervclock' present='yes'/>
///     </clock>
public struct DomainClocks: Codable, Sendable, Equatable {
    public struct Timer: Codable, Sendable, Equatable {
        public var name: String
        /// nil when the element does not say (`present` defaults to what the machine type has).
        public var present: Bool?
        public var tickpolicy: String?
    }

    public struct Guest: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        /// libosinfo's os id, such as http://microsoft.com/win/2k3.
        public var osID: String?
        public var hypervFeatures: Bool
        public var clockOffset: String?
        public var timers: [Timer]

        /// Windows, as the os id says, or else as the Hyper-V features or the name suggest.
        public var isWindows: Bool {
            if let osID { return osID.contains("microsoft.com/win") }
            let lowered = name.lowercased()
            return hypervFeatures || lowered.hasPrefix("win") || lowered.contains("windows")
        }

        /// Windows 2000, XP or Server 2003: no Hyper-V clock; the PM timer is the sound choice.
        public var isLegacyWindows: Bool {
            guard isWindows else { return false }
            if let osID {
                return ["/win/2k", "/win/xp", "/win/2k3", "/win/2k3r2"].contains { osID.hasSuffix($0) }
            }
            let lowered = name.lowercased()
            return ["xp", "2003", "2k3", "w2k"].contains { lowered.contains($0) }
        }

        public func timer(_ name: String) -> Timer? { timers.first { $0.name == name } }
    }

    public var guests: [Guest]
    public var unreadable: [String: String]

    static func present(_ value: String?) -> Bool? {
        switch value { case "yes": true; case "no": false; default: nil }
    }

    /// One domain definition's clock. Throws for text that is not a domain definition.
    public static func parse(_ text: String, file: String) throws(FactError) -> Guest {
        let root = try XMLElement.parse(text, source: file)
        guard root.name == "domain" else { throw .unparsable(source: file, detail: "root element is <\(root.name)>, not <domain>") }
        guard let name = root.child("name")?.text, !name.isEmpty else { throw .unparsable(source: file, detail: "domain without a <name>") }
        let osID = root.child("metadata")?.children.flatMap { $0.children }
            .first { $0.name.hasSuffix(":os") || $0.name == "os" }?.attributes["id"]
        let clock = root.child("clock")
        let timers = (clock?.children("timer") ?? []).prefix(64).map {
            Timer(name: $0.attributes["name"] ?? "?", present: present($0.attributes["present"]), tickpolicy: $0.attributes["tickpolicy"])
        }
        return Guest(name: String(name.prefix(256)), file: file, osID: osID.map { String($0.prefix(256)) },
                     hypervFeatures: root.child("features")?.child("hyperv") != nil,
                     clockOffset: clock?.attributes["offset"], timers: Array(timers))
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<DomainClocks> {
        var clocks = DomainClocks(guests: [], unreadable: [:])
        var sources: [String] = []
        for directory in ["/etc/libvirt/qemu"] {
            let names = try root.list(directory)
            sources.append(directory)
            for name in names.sorted().prefix(10_000) where name.hasSuffix(".xml") {
                let path = "\(directory)/\(name)"
                do {
                    clocks.guests.append(try parse(try root.readText(path, limit: 4 << 20), file: path))
                } catch {
                    clocks.unreadable[path] = error.description
                }
            }
        }
        return Sourced(clocks, sources: sources)
    }
}

extension Facts {
    public static let domainClocks = FactKey<DomainClocks>("libvirt.domain-clocks", "Clock offset and timers of libvirt guests, with their OS (libosinfo id)") { store throws(FactError) in
        try DomainClocks.read(store.root)
    }
}
