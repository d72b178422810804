import DoctorCore
import HostFacts

/// cert.backup-files: copies of certificates and keys that renewals leave beside the originals
/// (`*.backup.YYYYMMDD`, `*.bak`), listed with the dates they carry; a key copy others can read warns.
enum CertBackupFiles: CheckEvaluator {
    static let id = "cert.backup-files"

    enum Condition: String, CaseIterable {
        /// No backup in `{directories}`.
        case noBackups = "no-backups"
        /// `count` backups, `{backups}`, none of a key readable beyond its owner and the service groups.
        case inventory
        /// The sentence lists `{problems}`, made of the fragments below.
        case exposed
        case keyWorldReadable = "key-world-readable"
        case keyGroupReadable = "key-group-readable"
    }

    /// root, kvm (VDSM's group on RHEL/oVirt, gid 36) and qemu (107): the groups the services read keys as.
    static let serviceGroups: Set<UInt32> = [0, 36, 107]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let found = try context.fact(Facts.certificateBackups).value
        let directories = found.directoriesSearched.joined(separator: ", ")
        guard !found.backups.isEmpty else { return .pass(.noBackups, ["directories": directories]) }
        var evidence: [Evidence] = []
        var problems: [String] = []
        var exposed: [String] = []
        for backup in found.backups {
            var value = "copy of \(backup.original), \(backup.isKey ? "a private key" : "a certificate")"
            if let mode = backup.mode { value += ", mode \(mode)" }
            if let uid = backup.uid, let gid = backup.gid { value += ", owner \(uid):\(gid)" }
            if let dated = backup.dated { value += ", dated \(dated)" }
            evidence.append(Evidence(source: backup.path, value: value))
            guard backup.isKey, let mode = backup.mode else { continue }
            if backup.worldReadable {
                problems.append(context.fragment(Condition.keyWorldReadable, ["path": backup.path, "mode": mode]))
                exposed.append(backup.path)
            } else if backup.groupReadable, let gid = backup.gid, !serviceGroups.contains(gid) {
                problems.append(context.fragment(Condition.keyGroupReadable, ["path": backup.path, "mode": mode, "gid": String(gid)]))
                exposed.append(backup.path)
            }
        }
        let dates = Set(found.backups.compactMap(\.dated)).sorted()
        var values = listVariables("backups", found.backups.map(\.path))
        values["dates"] = dates.isEmpty ? "-" : dates.joined(separator: ", ")
        values["keys"] = String(found.backups.filter(\.isKey).count)
        if exposed.isEmpty { return .pass(.inventory, values, evidence: evidence) }
        values["problems"] = problems.joined(separator: "; ")
        values["path"] = exposed[0]
        return .warn(.exposed, values, evidence: evidence)
    }
}
