import DoctorCore
import HostFacts

/// sec.apparmor-denials: AppArmor refused libvirt or a guest's QEMU something (a disk outside the usual
/// directories, a device, a socket): SELinux's AVC denials, as Debian, Ubuntu and SUSE hosts see them.
/// Denials are grouped by profile, operation and path; `libvirt-<uuid>` is named by its guest.
enum SecAppArmorDenials: CheckEvaluator {
    static let id = "sec.apparmor-denials"

    enum Condition: String, CaseIterable {
        case disabled
        case none
        /// File accesses refused: guests fail to start or lose a disk.
        case fileDenials = "file-denials"
        /// Only other operations (capabilities, signals, networking) refused.
        case otherDenials = "other-denials"
    }

    /// Where a rule for the profile goes: guests share the libvirt-qemu abstraction's local include; the
    /// daemons and virt-aa-helper have their own local files.
    static func localFile(for profile: String) -> (file: String, reload: String) {
        if profile.hasPrefix("libvirt-") {
            return ("/etc/apparmor.d/local/abstractions/libvirt-qemu", "sudo systemctl reload apparmor")
        }
        if profile.contains("virt-aa-helper") {
            return ("/etc/apparmor.d/local/usr.lib.libvirt.virt-aa-helper", "sudo apparmor_parser -r /etc/apparmor.d/usr.lib.libvirt.virt-aa-helper")
        }
        if profile.contains("virtqemud") {
            return ("/etc/apparmor.d/local/usr.sbin.virtqemud", "sudo apparmor_parser -r /etc/apparmor.d/usr.sbin.virtqemud")
        }
        return ("/etc/apparmor.d/local/usr.sbin.libvirtd", "sudo apparmor_parser -r /etc/apparmor.d/usr.sbin.libvirtd")
    }

    /// The directory a rule should open: the path's parent (a disk image's folder), as an AppArmor glob.
    static func rule(for path: String) -> String? {
        // Only paths that are safe inside single quotes and an AppArmor quoted string.
        guard path.hasPrefix("/"), path.utf8.count <= 512,
              !path.contains(where: { $0 == "'" || $0 == "\"" || $0 == "\\" || $0.isNewline || $0 == "\0" }) else { return nil }
        let parts = path.split(separator: "/")
        let directory = parts.count > 1 ? "/" + parts.dropLast().joined(separator: "/") : path
        return "\"\(directory)/**\" rwk,"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let fact = try context.fact(Facts.appArmorDenials)
        let log = fact.value
        if log.state == "disabled" || log.state == "not installed" {
            let source = log.state == "disabled" ? "/sys/module/apparmor/parameters/enabled" : "/etc/apparmor.d"
            return .pass(.disabled, evidence: [Evidence(source: source, value: log.state ?? "")])
        }
        var evidence = [Evidence(source: log.sources.joined(separator: ", "), value: "\(log.denials.count) kinds of libvirt denials")]
        guard !log.denials.isEmpty else { return .pass(.none, evidence: evidence) }

        var names: [String: String] = [:]
        for guest in context.optionalFact(Facts.guestDefinitions)?.value.guests ?? [] {
            if let uuid = guest.uuid { names[uuid.lowercased()] = guest.name }
        }
        func who(_ denial: AppArmorDenials.Denial) -> String {
            if let uuid = denial.guestUUID {
                return names[uuid].map { "guest \($0) (\(denial.profile))" } ?? denial.profile
            }
            return denial.profile
        }
        let lines = log.denials.map { denial in
            "\(who(denial)): \(denial.operation) \(denial.name.isEmpty ? "-" : denial.name)"
                + (denial.denied.isEmpty ? "" : " [\(denial.denied)]") + (denial.count > 1 ? " ×\(denial.count)" : "")
        }
        for line in lines.prefix(20) { evidence.append(Evidence(source: "apparmor=\"DENIED\"", value: line)) }
        let shown = lines.prefix(5).joined(separator: "; ") + (lines.count > 5 ? "; …" : "")
        let total = CheckedNumbers.saturatingSum(log.denials.map(\.count))
        let guests = Set(log.denials.compactMap { $0.guestUUID.flatMap { names[$0] } }).sorted()
        var variables = ["denials": shown, "count": String(total), "kinds": String(log.denials.count),
                         "guests": guests.isEmpty ? "-" : guests.joined(separator: ", ")]
        let files = log.denials.filter(\.isFileAccess)
        guard let first = files.first(where: { rule(for: $0.name) != nil }) ?? files.first else {
            return .warn(.otherDenials, variables, evidence: evidence)
        }
        let target = localFile(for: first.profile)
        variables["file"] = target.file
        variables["reload"] = target.reload
        variables["rule"] = rule(for: first.name) ?? "\"/path/to/images/**\" rwk,"
        variables["path"] = first.name
        variables["guest"] = first.guestUUID.flatMap { names[$0] } ?? "GUEST"
        return .fail(.fileDenials, variables, evidence: evidence)
    }
}
