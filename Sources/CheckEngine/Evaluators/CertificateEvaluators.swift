import DoctorCore
import Foundation
import HostFacts

/// Judgement of the certificate inventory. One evaluator serves the expiry checks of every role; the
/// check file names its role (`parameters: { role: vdsm }`) and, for CAs, a longer window.
enum CertificateEvaluators {
    static func inventory(_ context: EvaluationContext) throws(FactError) -> CertificateInventory {
        try context.fact(Facts.certificates).value
    }

    static func days(_ seconds: TimeInterval) -> Int { CheckedNumbers.clampedInteger((seconds / 86_400).rounded(.down)) }

    static func stamp(_ date: Date) -> String { date.formatted(.iso8601) }

    /// "expires 2026-07-15 (44 days left)" or "expired 2026-05-31 (1 day ago)".
    static func describe(_ certificate: CertificateRecord, now: Date) -> String {
        let left = days(certificate.notAfter.timeIntervalSince(now))
        if certificate.notAfter < now {
            let ago = max(1, -left)
            return "expired \(stamp(certificate.notAfter)) (\(ago) day\(ago == 1 ? "" : "s") ago)"
        }
        return "valid until \(stamp(certificate.notAfter)) (\(left) day\(left == 1 ? "" : "s") left)"
    }

    static let expiry: Evaluator = { context throws(FactError) in
        guard let roleName = context.check.parameters["role"], let role = CertificateRole(rawValue: roleName) else {
            return Observation(.error, "check \(context.check.id) names no certificate role in its parameters")
        }
        let entries: [InventoryEntry]
        do throws(FactError) {
            entries = try inventory(context).entries(role)
        } catch .absent {
            entries = []
        }
        guard !entries.isEmpty else {
            return .skip("No \(roleName) certificate on this machine (looked in the known locations and the TLS settings of qemu.conf and libvirtd.conf).")
        }
        let window = max(context.certificateWarningDays, Int(context.check.parameters["windowDays"] ?? "") ?? 0)
        let tooLate = Int(context.check.parameters["failDays"] ?? "14") ?? 14
        var evidence: [Evidence] = []
        var worst: Status = .pass
        var conditions: Set<String> = []
        var problems: [String] = []
        for entry in entries {
            guard let certificate = entry.file.certificates.first else {
                evidence.append(Evidence(source: entry.path, value: "unreadable", note: entry.file.problem))
                problems.append("\(entry.path) cannot be read as a certificate: \(entry.file.problem ?? "unknown reason")")
                worst = max(worst, .error)
                continue
            }
            evidence.append(Evidence(source: entry.path, value: describe(certificate, now: context.now),
                                     note: "\(certificate.subject); found by \(entry.foundBy)"))
            let left = days(certificate.notAfter.timeIntervalSince(context.now))
            if certificate.notAfter <= context.now {
                worst = max(worst, .fail)
                conditions.insert("expired")
                problems.append("\(entry.path) \(describe(certificate, now: context.now))")
            } else if left <= tooLate {
                worst = max(worst, .fail)
                conditions.insert("renew")
                conditions.insert("too-late")
                problems.append("\(entry.path) expires in \(left) days, too little time to renew every host calmly")
            } else if left <= window {
                worst = max(worst, .warn)
                conditions.insert("renew")
                problems.append("\(entry.path) expires in \(left) days: inside the \(window)-day renewal window")
            }
        }
        if worst == .pass {
            let soonest = entries.compactMap(\.file.certificates.first).min { $0.notAfter < $1.notAfter }!
            return .pass("\(entries.count == 1 ? "The \(roleName) certificate is" : "All \(entries.count) \(roleName) certificates are") valid; the first to expire is \(describe(soonest, now: context.now)) (checked as of \(stamp(context.now))).",
                         evidence: evidence)
        }
        if worst == .error && conditions.isEmpty {
            return Observation(.error, problems.joined(separator: "; "), evidence: evidence, conditions: ["unreadable"],
                               variables: ["path": entries.first?.path ?? ""])
        }
        return Observation(worst, problems.joined(separator: "; ") + ".", evidence: evidence, conditions: conditions.sorted(),
                           variables: ["path": entries.first?.path ?? "", "host": hostName(context) ?? "<host-fqdn>"])
    }

    static func hostName(_ context: EvaluationContext) -> String? {
        context.optionalFact(Facts.hostname)?.value
    }

    static func allCertificates(_ context: EvaluationContext) throws(FactError) -> [(InventoryEntry, CertificateRecord)] {
        try inventory(context).entries.flatMap { entry in entry.file.certificates.prefix(1).map { (entry, $0) } }
    }

    static let notYetValid: Evaluator = { context throws(FactError) in
        let all = try allCertificates(context)
        guard !all.isEmpty else { return .skip("No certificates were found.") }
        let future = all.filter { $0.1.notBefore > context.now }
        let evidence = future.map { Evidence(source: $0.0.path, value: "not valid before \(stamp($0.1.notBefore))") }
        if future.isEmpty {
            return .pass("All \(all.count) certificates are already valid at \(stamp(context.now)).")
        }
        return Observation(.fail, "\(future.count) certificate\(future.count == 1 ? " is" : "s are") not valid yet at \(stamp(context.now)): TLS peers reject them. Either this clock is behind or the certificate was issued with a start date in the future.",
                           evidence: evidence, conditions: ["future"])
    }

    static let keyMatch: Evaluator = { context throws(FactError) in
        let entries = try inventory(context).entries.filter { $0.keyPath != nil }
        guard !entries.isEmpty else { return .skip("No certificate with a private key beside it was found.") }
        var evidence: [Evidence] = []
        var mismatched: [InventoryEntry] = []
        for entry in entries {
            if let matches = entry.keyMatches {
                evidence.append(Evidence(source: "\(entry.path) + \(entry.keyPath!)", value: matches ? "the key belongs to the certificate" : "the key belongs to another certificate"))
                if !matches { mismatched.append(entry) }
            } else {
                evidence.append(Evidence(source: entry.keyPath!, value: "not compared", note: entry.keyProblem))
            }
        }
        if let first = mismatched.first {
            return Observation(.fail, "\(mismatched.map { $0.keyPath! }.joined(separator: ", ")) \(mismatched.count == 1 ? "does" : "do") not belong to the certificate beside it: the TLS service (and VMs using it) will not start.",
                               evidence: evidence, conditions: ["mismatch"] + (first.role == .vnc ? ["vnc"] : []),
                               variables: ["certificate": first.path, "key": first.keyPath!])
        }
        let compared = entries.filter { $0.keyMatches != nil }.count
        return .pass("Every private key found belongs to its certificate (\(compared) pair\(compared == 1 ? "" : "s") compared; keys are only read to derive their public half).", evidence: evidence)
    }

    static let sanMissing: Evaluator = { context throws(FactError) in
        let entries = try inventory(context).entries.filter { [.vdsm, .engine].contains($0.role) && $0.file.certificates.first?.isCA == false }
        guard !entries.isEmpty else { return .skip("No VDSM or engine certificate was found.") }
        let host = hostName(context)
        var evidence: [Evidence] = []
        var missing: [String] = []
        for entry in entries {
            guard let certificate = entry.file.certificates.first else { continue }
            evidence.append(Evidence(source: entry.path, value: certificate.subjectAlternativeNames.isEmpty ? "no subjectAltName" : certificate.subjectAlternativeNames.joined(separator: ", ")))
            if certificate.subjectAlternativeNames.isEmpty {
                missing.append("\(entry.path) has no subjectAltName")
            } else if entry.role == .vdsm, let host, !certificate.subjectAlternativeNames.contains("DNS:\(host)") {
                missing.append("\(entry.path) does not name this host (\(host)) in its subjectAltName")
            }
        }
        if missing.isEmpty { return .pass("The host and engine certificates carry a subjectAltName.", evidence: evidence) }
        return Observation(.warn, missing.joined(separator: "; ") + ". The engine reports such hosts as having an invalid certificate (\"doesn't contain valid subject alternative name\") and modern TLS clients ignore the CN.",
                           evidence: evidence, conditions: ["missing"])
    }

    static let hostConsistency: Evaluator = { context throws(FactError) in
        let inventory = try inventory(context)
        guard let vdsm = inventory.entries(.vdsm).first, let reference = vdsm.file.certificates.first else {
            return .skip("No readable VDSM certificate to compare the copies with.")
        }
        let copies = inventory.entries.filter { [.vnc, .spice, .libvirtClient].contains($0.role) }
        guard !copies.isEmpty else { return .skip("No VNC, SPICE or libvirt client copies of the VDSM certificate were found.") }
        var evidence = [Evidence(source: vdsm.path, value: "serial \(reference.serialHex), \(describe(reference, now: context.now))")]
        var differing: [(InventoryEntry, CertificateRecord)] = []
        for copy in copies {
            guard let certificate = copy.file.certificates.first else { continue }
            let same = certificate.sha256Fingerprint == reference.sha256Fingerprint
            evidence.append(Evidence(source: copy.path, value: (same ? "same certificate as vdsmcert.pem" : "a different certificate: serial \(certificate.serialHex)") + ", \(describe(certificate, now: context.now))"))
            if !same { differing.append((copy, certificate)) }
        }
        if differing.isEmpty { return .pass("The VNC, SPICE and libvirt client certificates are the same certificate as vdsmcert.pem.", evidence: evidence) }
        let expired = differing.filter { $0.1.notAfter <= context.now || $0.1.notAfter < reference.notAfter }
        let names = differing.map(\.0.path).joined(separator: ", ")
        let status: Status = differing.contains { $0.1.notAfter <= context.now } ? .fail : .warn
        return Observation(status, "\(names) \(differing.count == 1 ? "is not" : "are not") the current vdsmcert.pem" + (expired.isEmpty ? "." : " and expire\(expired.count == 1 ? "s" : "") earlier") + ". The after-expiry recovery refreshes SPICE and the libvirt client but not the VNC copy, which then stops VMs with \"The server certificate ... has expired\".",
                           evidence: evidence, conditions: differing.contains { $0.0.role == .vnc } ? ["stale", "vnc"] : ["stale"])
    }

    static let subject: Evaluator = { context throws(FactError) in
        let inventory = try inventory(context)
        guard let vdsm = inventory.entries(.vdsm).first, let certificate = vdsm.file.certificates.first else {
            return .skip("No readable VDSM certificate.")
        }
        var evidence = [Evidence(source: vdsm.path, value: "subject \(certificate.subject)")]
        var problems: [String] = []
        if let host = hostName(context) {
            evidence.append(Evidence(source: "host name", value: host))
            if let cn = certificate.commonName, cn != host, !(host.split(separator: ".").first.map { cn == String($0) } ?? false) {
                problems.append("its CN is \(cn), but this host is \(host)")
            }
        }
        let organization = { (dn: String) in dn.components(separatedBy: ", ").first { $0.hasPrefix("O=") } }
        if let ca = inventory.entries(.engineCA).first?.file.certificates.first {
            evidence.append(Evidence(source: inventory.entries(.engineCA).first!.path, value: "CA subject \(ca.subject)"))
            if let want = organization(ca.subject), organization(certificate.subject) != want {
                problems.append("its organisation is not the engine CA's (\(want))")
            }
        }
        if problems.isEmpty { return .pass("The VDSM certificate was issued for this host (\(certificate.subject)).", evidence: evidence) }
        return Observation(.warn, "The VDSM certificate does not fit this host: " + problems.joined(separator: "; ") + ". The engine cannot verify the host under its name.",
                           evidence: evidence, conditions: ["mismatch"], variables: ["host": hostName(context) ?? "<host-fqdn>"])
    }

    static let lifetime: Evaluator = { context throws(FactError) in
        let all = try allCertificates(context).filter { !$0.1.isCA && [.vdsm, .engine, .spice, .vnc, .libvirtClient].contains($0.0.role) }
        guard !all.isEmpty else { return .skip("No oVirt host or engine certificates were found.") }
        var evidence: [Evidence] = []
        var notes: [String] = []
        for (entry, certificate) in all {
            let days = certificate.lifetimeDays
            let kind: String
            switch days {
            case 360...370: kind = "365 days: signed by hand during an after-expiry recovery"
            case 390...400: kind = "398 days: oVirt before 4.5, or a browser-facing certificate"
            case 1820...1830: kind = "5 years: oVirt 4.5 internal certificate"
            default: kind = "\(days) days"
            }
            evidence.append(Evidence(source: entry.path, value: kind))
            if (360...370).contains(days) && entry.role == .vdsm {
                notes.append("\(entry.path) lasts 365 days, the signature of the manual recovery: re-enroll the host properly")
            }
            if entry.path.hasSuffix("apache.cer") && days > 398 {
                notes.append("\(entry.path) lasts \(days) days; browsers and engine-setup object to web certificates over 398 days")
            }
        }
        if notes.isEmpty { return .pass("Certificate lifetimes match what oVirt issues (\(Set(evidence.map(\.value)).sorted().joined(separator: "; "))).", evidence: evidence) }
        return Observation(.warn, notes.joined(separator: "; ") + ".", evidence: evidence, conditions: ["manual"])
    }
}
