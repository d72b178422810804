import DoctorCore
import Foundation
import HostFacts

/// cert.pending-enroll: `*.pending.pem`, `*.pending.key`, `*.pending` files that an interrupted enrollment left
/// in the PKI directories of an oVirt/HOSTVM node or engine.
enum CertPendingEnroll: CheckEvaluator {
    static let id = "cert.pending-enroll"

    enum Condition: String, CaseIterable {
        /// Nothing pending in `{directories}`.
        case clean
        /// `{files}` (`count` of them) left over; `{keys}` of them private keys.
        case leftovers
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let found = try context.fact(Facts.pendingEnrollment).value
        guard !found.leftovers.isEmpty else {
            return .pass(.clean, ["directories": found.directoriesSearched.joined(separator: ", ")])
        }
        let evidence = found.leftovers.map { file in
            Evidence(source: file.path, value: file.kind + (file.size.map { ", \($0) bytes" } ?? ""))
        }
        var values = listVariables("files", found.leftovers.map(\.path))
        values["keys"] = String(found.leftovers.filter { $0.kind == "private key" }.count)
        values["path"] = found.leftovers[0].path
        values["quoted"] = found.leftovers.map { shellQuoted($0.path) }.joined(separator: " ")
        return .warn(.leftovers, values, evidence: evidence)
    }

    /// A path as one shell word: single-quoted, control characters dropped (a name on a customer's disk may
    /// hold anything, and the command is meant to be pasted).
    static func shellQuoted(_ path: String) -> String {
        let visible = String(String.UnicodeScalarView(path.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        return "'" + visible.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
