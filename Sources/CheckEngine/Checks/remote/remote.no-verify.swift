import DoctorCore
import Foundation
import HostFacts

/// remote.no-verify: certificate checks switched off, by clients (`no_verify=1` in URIs) or by the daemon
/// (`tls_no_verify_certificate = 1`).
enum RemoteNoVerify: CheckEvaluator {
    static let id = "remote.no-verify"

    enum Condition: String, CaseIterable {
        case verified
        /// `{places}` joins the fragments below.
        case disabled
        case uri
        case serverSetting = "server-setting"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let uris = try context.fact(Facts.noVerifyURIs).value
        let settings = context.optionalFact(Facts.libvirtDaemonSettings)?.value
        var places: [String] = []
        var evidence: [Evidence] = []
        for occurrence in uris.occurrences.prefix(50) {
            let uri = redactedUserInfo(occurrence.uri)
            places.append(context.fragment(Condition.uri, ["uri": uri, "file": occurrence.file, "line": String(occurrence.line)]))
            evidence.append(Evidence(source: "\(occurrence.file):\(occurrence.line)", value: uri))
        }
        if let (value, file) = settings?.value("tls_no_verify_certificate"), value != "0", !value.isEmpty {
            places.append(context.fragment(Condition.serverSetting, ["file": file, "value": value]))
            evidence.append(Evidence(source: file, value: "tls_no_verify_certificate = \(value)"))
        }
        guard !places.isEmpty else {
            return .pass(.verified, ["files": String(uris.filesRead)],
                         evidence: [Evidence(source: "libvirt.conf, cron jobs, shell start-up files, libvirtd.conf", value: "\(uris.filesRead) files read, no no_verify")])
        }
        return .warn(.disabled, listVariables("places", places), evidence: evidence)
    }

    /// `qemu+tls://user:secret@host/...` keeps the user and hides what follows the colon.
    static func redactedUserInfo(_ uri: String) -> String {
        guard let scheme = uri.range(of: "://"), let at = uri[scheme.upperBound...].firstIndex(of: "@") else { return uri }
        let userInfo = uri[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return uri }
        return String(uri[..<colon]) + ":***" + String(uri[at...])
    }
}
