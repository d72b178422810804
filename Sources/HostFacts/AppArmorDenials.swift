import DoctorCore

// issue 13 (hit-b): AppArmor refusing libvirt and its guests (Debian, Ubuntu, SUSE).

/// AppArmor's DENIED audit records for libvirt's profiles, from the kernel log and the log files that keep
/// it (audit.log, kern.log, syslog), grouped by profile, operation and path.
public struct AppArmorDenials: Codable, Sendable, Equatable {
    public struct Denial: Codable, Sendable, Equatable {
        /// `libvirt-<uuid>` (a guest), `/usr/sbin/libvirtd`, `virt-aa-helper`, `/usr/sbin/virtqemud` ...
        public var profile: String
        /// open, mknod, file_mmap, exec, capable ...
        public var operation: String
        /// The path (or capability name); "" when the record names none.
        public var name: String
        public var requested: String
        public var denied: String
        public var command: String?
        /// Distinct records seen (the same record in several logs counts once).
        public var count: Int

        /// The guest UUID of a `libvirt-<uuid>` profile, lower case.
        public var guestUUID: String? {
            guard profile.hasPrefix("libvirt-") else { return nil }
            let uuid = profile.dropFirst("libvirt-".count).lowercased()
            return uuid.count == 36 && uuid.allSatisfy({ $0.isHexDigit || $0 == "-" }) ? String(uuid) : nil
        }

        /// A file operation on a path (what a profile rule can allow).
        public var isFileAccess: Bool { name.hasPrefix("/") && !["capable", "signal", "ptrace", "create", "connect"].contains(operation) }
    }

    /// AppArmor's state: "enabled" (/sys/module/apparmor/parameters/enabled is Y), "disabled", "not installed"
    /// (no /etc/apparmor.d), or nil when unknown.
    public var state: String?
    public var denials: [Denial]
    public var sources: [String]
    /// The DENIED records read from /dev/kmsg, as they were, for a bundle to carry (nothing else keeps them
    /// on a host without a log daemon); at most `maximumKmsgLines`.
    public var kmsgRecords: [String] = []

    static let maximumKmsgLines = 1000
    static let maximumDenials = 200
    static let tailBytes = 4 << 20
    static let logFiles = ["/var/log/audit/audit.log", "/var/log/kern.log", "/var/log/syslog", "/var/log/messages",
                           "/var/log/dmesg", "/journalctl-k.txt", "/dmesg.txt", recording]
    /// Where a bundle keeps the denials read from /dev/kmsg.
    public static let recording = "/apparmor-denials.txt"

    /// Whether a profile belongs to libvirt: a guest's `libvirt-<uuid>`, the daemons, virt-aa-helper, and
    /// their child profiles (`libvirtd//qemu_bridge_helper`).
    public static func isLibvirtProfile(_ profile: String) -> Bool {
        let base = profile.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? profile
        let head = profile.hasPrefix("/") ? base : (profile.split(separator: "/").first.map(String.init) ?? profile)
        return head.hasPrefix("libvirt-") || head == "libvirtd" || head == "virtqemud" || head == "virtxend"
            || head == "virt-aa-helper" || profile.contains("/libvirt") || profile.contains("virt-aa-helper")
            || profile.hasPrefix("libvirtd//") || profile.hasPrefix("virtqemud//")
    }

    /// The `key=value` fields of one audit record; values are "quoted" or, when they hold spaces or
    /// unusual bytes, hex-encoded without quotes (how the kernel logs such paths).
    public static func fields(_ line: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var index = line.startIndex
        while index < line.endIndex, result.count < 64 {
            while index < line.endIndex, line[index] == " " { index = line.index(after: index) }
            guard let equals = line[index...].firstIndex(of: "=") else { break }
            let key = String(line[index..<equals].split(separator: " ").last ?? "")
            var valueStart = line.index(after: equals)
            var value: String
            if valueStart < line.endIndex, line[valueStart] == "\"" {
                valueStart = line.index(after: valueStart)
                let end = line[valueStart...].firstIndex(of: "\"") ?? line.endIndex
                value = String(line[valueStart..<end])
                index = end < line.endIndex ? line.index(after: end) : end
            } else {
                let end = line[valueStart...].firstIndex(of: " ") ?? line.endIndex
                value = String(line[valueStart..<end])
                if let decoded = hexDecoded(value) { value = decoded }
                index = end
            }
            if !key.isEmpty, key.utf8.count <= 32 { result[key] = String(value.prefix(1024)) }
        }
        return result
    }

    static func hexDecoded(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count % 2 == 0, bytes.count <= 2048,
              bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) }) else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let byte = UInt8(String(decoding: bytes[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
            index += 2
        }
        // Only a path is hex-encoded this way; a hex-looking word that is not one stays as it is.
        guard out.first == 0x2F else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// The libvirt DENIED records of a log, grouped; `seen` holds record identities (the `audit(...)` stamp
    /// with the rest of the record) so the same record in two logs counts once.
    public static func scan(_ text: String, into denials: inout [Denial], seen: inout Set<String>) {
        for line in text.split(separator: "\n").prefix(2_000_000) where line.utf8.count <= 16_384 {
            guard let marker = line.range(of: "apparmor=\"DENIED\"") else { continue }
            let record = line[marker.lowerBound...]
            let fields = fields(record)
            guard let profile = fields["profile"], isLibvirtProfile(profile) else { continue }
            let stamp = line.range(of: "audit(").map { String(line[$0.lowerBound...].prefix(40)) } ?? ""
            let identity = stamp.isEmpty ? String(line) : stamp + String(record)
            guard seen.insert(String(identity.prefix(2048))).inserted else { continue }
            let operation = fields["operation"] ?? "?"
            let name = fields["name"] ?? fields["capname"] ?? ""
            if let index = denials.firstIndex(where: { $0.profile == profile && $0.operation == operation && $0.name == name }) {
                denials[index].count = CheckedNumbers.saturatingAdd(denials[index].count, 1)
                for mask in fields["denied_mask"] ?? "" where !denials[index].denied.contains(mask) { denials[index].denied.append(mask) }
                for mask in fields["requested_mask"] ?? "" where !denials[index].requested.contains(mask) { denials[index].requested.append(mask) }
            } else if denials.count < maximumDenials {
                denials.append(Denial(profile: profile, operation: operation, name: name, requested: fields["requested_mask"] ?? "",
                                      denied: fields["denied_mask"] ?? "", command: fields["comm"], count: 1))
            }
        }
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<AppArmorDenials> {
        var result = AppArmorDenials(state: nil, denials: [], sources: [])
        var seen = Set<String>()
        var sources: [String] = []
        if let text = try? root.readTextIfPresent("/sys/module/apparmor/parameters/enabled", limit: 1 << 12) {
            result.state = KVMVirtAtLoad.boolean(text).map { $0 ? "enabled" : "disabled" }
            sources.append("/sys/module/apparmor/parameters/enabled")
        } else if (try? root.captured("/sys/module")) == true, !root.exists("/sys/module/apparmor") {
            result.state = "disabled"
        } else if !root.exists("/etc/apparmor.d"), !root.exists("/etc/apparmor") {
            // No policy directory: AppArmor is not installed (a Red Hat system, with SELinux instead).
            result.state = "not installed"
        }
        var denied: [String] = []
        if root.isLive {
            let bytes = try? withDeadline(seconds: 3, what: "reading /dev/kmsg") { KernelLog.readKmsg() }
            if let bytes {
                let text = String(decoding: bytes, as: UTF8.self)
                result.kmsgRecords = text.split(separator: "\n").filter { $0.contains("apparmor=\"DENIED\"") }
                    .suffix(maximumKmsgLines).map { KernelLog.cleanKmsgRecord(String($0.prefix(16_384))) }
                scan(result.kmsgRecords.joined(separator: "\n"), into: &result.denials, seen: &seen)
                sources.append("/dev/kmsg")
                result.sources.append("/dev/kmsg")
            } else {
                denied.append("/dev/kmsg")
            }
        }
        for path in logFiles {
            do throws(FactError) {
                let bytes = try root.readTail(path, maxBytes: tailBytes)
                scan(String(decoding: bytes, as: UTF8.self), into: &result.denials, seen: &seen)
                sources.append(path)
                result.sources.append(path)
            } catch .permissionDenied {
                denied.append(path)
            } catch {
                continue
            }
        }
        // Without AppArmor there is nothing to deny: no log is needed to say so.
        let off = result.state == "disabled" || result.state == "not installed"
        guard !result.sources.isEmpty || off else {
            if !denied.isEmpty { throw .permissionDenied(denied.joined(separator: ", ")) }
            throw root.isLive ? .absent("a kernel or audit log (/dev/kmsg, /var/log/audit/audit.log, /var/log/kern.log, /var/log/syslog)")
                              : root.liveOnly("a kernel or audit log (dmesg, /var/log/audit/audit.log, /var/log/kern.log, /var/log/syslog)")
        }
        result.denials.sort { ($0.count, $1.profile, $1.name) > ($1.count, $0.profile, $0.name) }
        return Sourced(result, sources: sources.isEmpty ? ["/etc/apparmor.d", "/sys/module/apparmor"] : sources)
    }

    /// What a bundle records from /dev/kmsg: the DENIED records as the kernel wrote them.
    public var recordedText: String? {
        kmsgRecords.isEmpty ? nil : kmsgRecords.joined(separator: "\n") + "\n"
    }
}

extension Facts {
    public static let appArmorDenials = FactKey<AppArmorDenials>("sec.apparmor-denials", "AppArmor DENIED records for libvirt's profiles (kernel log, audit.log, kern.log, syslog), grouped by profile and path") { store throws(FactError) in
        try AppArmorDenials.read(store.root)
    }
}
