import DoctorCore
import HostFacts

/// ovirt.libvirtd-cert-failure: libvirtd refused to start because its (VDSM) certificate expired, as its
/// journal or logs tell, and nothing shows it started since.
enum OVirtLibvirtdCertFailure: CheckEvaluator {
    static let id = "ovirt.libvirtd-cert-failure"
    /// Set on both failing conditions: selects the recovery steps.
    static let tags = ["expired"]

    enum Condition: String, CaseIterable {
        /// None of the logs libvirtd writes to is on this machine (or in this copy).
        case noLogs = "no-logs"
        /// No line about an expired certificate nor a failed start in `{sources}`.
        case clean
        /// Certificate expiry lines, then a successful start (or the unit list shows libvirtd active).
        case recovered
        /// libvirtd failed to start, with no certificate line: another cause.
        case failedOther = "failed-other"
        /// "certificate ... has expired" followed by a failed start (or a failed unit), no start since.
        case expiredFailed = "expired-failed"
        /// "certificate ... has expired" and no start since, but no failure line either.
        case expiredLogged = "expired-logged"
    }

    /// Worst first.
    static let order: [Condition] = [.expiredFailed, .expiredLogged, .failedOther, .recovered, .clean]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let log: LibvirtdStartLog
        do throws(FactError) {
            log = try context.fact(Facts.libvirtdStartLog).value
        } catch .absent {
            return .skip(.noLogs)
        }
        let unit = context.optionalFact(Facts.serviceUnits)?.value.units.first { $0.name == "libvirtd.service" }
        var evidence: [Evidence] = []
        if let unit {
            evidence.append(Evidence(source: "systemctl list-units", value: "libvirtd.service \(unit.load) \(unit.active) \(unit.sub)"))
        }
        var worst: (condition: Condition, source: String, certificate: String?) = (.clean, log.sources.first ?? "", nil)
        for source in log.sources {
            let events = log.events(in: source)
            let lastExpired = events.lastIndex { $0.kind == .certificateExpired }
            let lastFailed = events.lastIndex { $0.kind == .failedToStart }
            let lastStarted = events.lastIndex { $0.kind == .started }
            var condition: Condition = .clean
            var certificate: String?
            if let lastExpired {
                certificate = events[lastExpired].certificate
                evidence.append(Evidence(source: "\(source):\(events[lastExpired].line)", value: events[lastExpired].text))
                if let lastStarted, lastStarted > lastExpired {
                    condition = .recovered
                    evidence.append(Evidence(source: "\(source):\(events[lastStarted].line)", value: events[lastStarted].text))
                } else if let lastFailed, lastFailed > lastExpired {
                    condition = .expiredFailed
                    evidence.append(Evidence(source: "\(source):\(events[lastFailed].line)", value: events[lastFailed].text))
                } else if let lastFailed, lastExpired - lastFailed <= 3 {
                    // systemd may log the failure a moment before libvirtd's own last words reach the log.
                    condition = .expiredFailed
                    evidence.append(Evidence(source: "\(source):\(events[lastFailed].line)", value: events[lastFailed].text))
                } else {
                    condition = unit?.active == "failed" ? .expiredFailed : .expiredLogged
                }
            } else if let lastFailed, lastStarted.map({ $0 < lastFailed }) ?? true {
                condition = .failedOther
                evidence.append(Evidence(source: "\(source):\(events[lastFailed].line)", value: events[lastFailed].text))
            }
            if order.firstIndex(of: condition)! < order.firstIndex(of: worst.condition)! {
                worst = (condition, source, certificate)
            }
        }
        // A unit list that shows libvirtd running answers "did it start since" for the whole host.
        if unit?.active == "active", [.expiredFailed, .expiredLogged].contains(worst.condition) {
            worst.condition = .recovered
        }
        let certificatePath = worst.certificate ?? "/etc/pki/vdsm/certs/vdsmcert.pem"
        if let inventory = context.optionalFact(Facts.certificates)?.value,
           let current = inventory.entry(at: certificatePath) ?? inventory.entries(.vdsm).first,
           let record = current.file.certificates.first {
            evidence.append(Evidence(source: current.path, value: "now " + CertificateSupport.describe(record, now: context.now)))
        }
        let values = ["certificate": certificatePath, "source": worst.source, "sources": log.sources.joined(separator: ", ")]
        switch worst.condition {
        case .clean, .recovered, .noLogs: return .pass(worst.condition, values, evidence: evidence)
        case .failedOther: return .warn(.failedOther, values, evidence: evidence)
        case .expiredFailed, .expiredLogged: return .fail(worst.condition, values, evidence: evidence, tags: ["expired"])
        }
    }
}
