import DoctorCore
import HostFacts

/// cert.lifetime: a certificate's lifetime tells how it was issued (a 365-day VDSM certificate was signed by hand).
enum CertLifetime: CheckEvaluator {
    static let id = "cert.lifetime"

    enum Condition: String, CaseIterable {
        case noCertificates = "no-certificates"
        /// Every lifetime is one oVirt issues; `{lifetimes}` lists the kinds seen.
        case usual
        /// The sentence lists `{problems}`, made of the `lasts-*` fragments.
        case manual
        // Fragments: the kind of lifetime, also the evidence value of each certificate.
        case kind365Days = "kind-365-days"
        case kind398Days = "kind-398-days"
        case kind5Years = "kind-5-years"
        case kindDays = "kind-days"
        case lasts365Days = "lasts-365-days"
        case lastsTooLongForWeb = "lasts-too-long-for-web"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let all = try CertificateSupport.allCertificates(context).filter { !$0.1.isCA && [.vdsm, .engine, .spice, .vnc, .libvirtClient].contains($0.0.role) }
        guard !all.isEmpty else { return .skip(.noCertificates) }
        var evidence: [Evidence] = []
        var notes: [String] = []
        for (entry, certificate) in all {
            let days = certificate.lifetimeDays
            let kind: Condition
            switch days {
            case 360...370: kind = .kind365Days
            case 390...400: kind = .kind398Days
            case 1820...1830: kind = .kind5Years
            default: kind = .kindDays
            }
            evidence.append(Evidence(source: entry.path, value: context.fragment(kind, ["days": String(days)])))
            if (360...370).contains(days) && entry.role == .vdsm {
                notes.append(context.fragment(Condition.lasts365Days, ["path": entry.path]))
            }
            if entry.path.hasSuffix("apache.cer") && days > 398 {
                notes.append(context.fragment(Condition.lastsTooLongForWeb, ["path": entry.path, "days": String(days)]))
            }
        }
        if notes.isEmpty {
            return .pass(.usual, ["lifetimes": Set(evidence.map(\.value)).sorted().joined(separator: "; ")], evidence: evidence)
        }
        return .warn(.manual, ["problems": notes.joined(separator: "; ")], evidence: evidence)
    }
}
