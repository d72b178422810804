import DoctorCore
import Foundation
import HostFacts

/// Judgement of what libvirt reports (live), falling back to its configuration files where a check can.
enum LibvirtEvaluators {
    /// A guest as the resource and console checks see it, from live libvirt or from the definition files.
    struct Guest {
        var name: String
        var running: Bool
        var vcpus: Int
        var memoryKiB: Int
        var graphics: [(type: String, listen: String?, passwordSet: Bool)]
    }

    /// Live libvirt when it answers; otherwise the definitions, counting autostarted guests as running.
    static func guests(_ context: EvaluationContext) throws(FactError) -> (guests: [Guest], source: String, live: Bool) {
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            return (snapshot.domains.map { Guest(name: $0.name, running: $0.state == "running" || $0.state == "paused" || $0.state == "blocked",
                                                  vcpus: $0.vcpus, memoryKiB: $0.memoryKiB,
                                                  graphics: $0.graphics.map { ($0.type, $0.listen, $0.passwordSet) }) },
                    "libvirt \(snapshot.uri)", true)
        }
        let inventory = try context.fact(Facts.libvirtDomains).value
        return (inventory.domains.map { Guest(name: $0.name, running: inventory.autostart.contains($0.name), vcpus: $0.vcpus,
                                              memoryKiB: $0.memoryKiB, graphics: $0.graphics.map { ($0.type, $0.listen, $0.passwordSet) }) },
                "/etc/libvirt (autostarted guests counted as running)", false)
    }

    static let reachable: Evaluator = { context throws(FactError) in
        switch context.facts.sourced(Facts.libvirt) {
        case .success(let snapshot):
            let value = snapshot.value
            return .pass("libvirt answers at \(value.uri): driver \(value.driver) \(value.hypervisorVersion), libvirt \(value.libvirtVersion), \(value.domains.count) guests defined.",
                         evidence: [Evidence(source: "libvirt", value: "\(value.uri) (\(value.node.cpus) CPUs, \(value.node.memoryKiB / 1024) MiB)")])
        case .failure(.absent(let what)):
            return .skip("libvirt is not installed here (\(what)); the libvirt checks fall back to configuration files.")
        case .failure(.notLive(let what)):
            return .skip("Only the live machine can be asked: \(what).")
        case .failure(.timedOut(let what, let seconds)):
            return Observation(.fail, "\(what) did not answer within \(CheckedNumbers.clampedInteger(seconds)) s: the daemon is hung, so virsh, virt-manager and the engine hang too.",
                               evidence: [Evidence(source: "libvirt", value: "no answer")], conditions: ["hung"])
        case .failure(let error):
            return Observation(.fail, "libvirt does not answer: \(error.description). No guest can be started, stopped or inspected through libvirt.",
                               evidence: [Evidence(source: "libvirt", value: error.description)], conditions: ["not-running"])
        }
    }

    static func isLoopback(_ address: String?) -> Bool {
        guard let address, !address.isEmpty else { return true }
        return address.hasPrefix("127.") || address == "::1" || address == "localhost" || address.hasPrefix("/")  // unix socket
    }

    static let consoleExposure: Evaluator = { context throws(FactError) in
        let (guests, source, _) = try guests(context)
        let settings = context.optionalFact(Facts.qemuConfiguration)?.value ?? [:]
        guard guests.contains(where: { !$0.graphics.isEmpty }) else { return .skip("No guest has a VNC or SPICE console.") }
        var evidence: [Evidence] = []
        var exposed: [String] = []
        for guest in guests {
            for graphics in guest.graphics where graphics.type == "vnc" || graphics.type == "spice" {
                // Without a listen address QEMU uses qemu.conf's, and libvirt's default is 127.0.0.1.
                let listen = graphics.listen ?? settings["\(graphics.type)_listen"] ?? "127.0.0.1"
                let tls = settings["\(graphics.type)_tls"] == "1"
                let password = graphics.passwordSet || settings["\(graphics.type)_password"] == "(set)"
                evidence.append(Evidence(source: "\(source): \(guest.name)", value: "\(graphics.type) on \(listen), TLS \(tls ? "on" : "off"), password \(password ? "set" : "none")"))
                if !isLoopback(listen) && !tls && !password {
                    exposed.append("\(guest.name) (\(graphics.type) on \(listen))")
                }
            }
        }
        if exposed.isEmpty {
            return .pass("Consoles are bound to localhost, or protected by TLS or a password.", evidence: evidence)
        }
        return Observation(.warn, "Consoles open to the network without TLS or a password: \(exposed.joined(separator: ", ")). Anyone who can reach the port gets the guest's screen and keyboard.",
                           evidence: evidence, conditions: ["exposed"])
    }

    static let domainStates: Evaluator = { context throws(FactError) in
        let snapshot: LibvirtSnapshot
        do throws(FactError) {
            snapshot = try context.fact(Facts.libvirt).value
        } catch {
            return .skip("Guest states need a running libvirt: \(error.description)")
        }
        let evidence = snapshot.domains.map { Evidence(source: "libvirt \(snapshot.uri)", value: "\($0.name): \($0.state)" + ($0.autostart == true ? " (autostart)" : "")) }
        let crashed = snapshot.domains.filter { $0.state == "crashed" }
        let paused = snapshot.domains.filter { $0.state == "paused" || $0.state == "pmsuspended" }
        let stuck = snapshot.domains.filter { $0.state == "shutdown" }
        var problems: [String] = []
        if !crashed.isEmpty { problems.append("crashed: \(crashed.map(\.name).joined(separator: ", "))") }
        if !paused.isEmpty { problems.append("paused (still holding their memory): \(paused.map(\.name).joined(separator: ", "))") }
        if !stuck.isEmpty { problems.append("shutting down: \(stuck.map(\.name).joined(separator: ", "))") }
        if problems.isEmpty {
            return .pass("No guest is crashed, paused or stuck shutting down (\(snapshot.domains.count) guests).", evidence: evidence)
        }
        var conditions: [String] = []
        if !crashed.isEmpty { conditions.append("crashed") }
        if !paused.isEmpty { conditions.append("paused") }
        if !stuck.isEmpty { conditions.append("stuck") }
        return Observation(.warn, "Guests in abnormal states: " + problems.joined(separator: "; ") + ".", evidence: evidence, conditions: conditions,
                           variables: ["guest": (crashed + paused + stuck).first?.name ?? "<guest>"])
    }

    static func hostCPUs(_ context: EvaluationContext) -> (count: Int, source: String)? {
        if let snapshot = context.optionalFact(Facts.libvirt)?.value { return (snapshot.node.cpus, "libvirt nodeinfo") }
        if let cpu = context.optionalFact(Facts.cpuInfo)?.value, !cpu.processors.isEmpty { return (cpu.processors.count, "/proc/cpuinfo") }
        return nil
    }

    static let vcpuOvercommit: Evaluator = { context throws(FactError) in
        let (all, source, _) = try guests(context)
        guard let (cpus, cpuSource) = hostCPUs(context), cpus > 0 else { return .skip("The host's CPU count is unknown.") }
        let running = all.filter(\.running)
        // Saturating: a total beyond Int.max is still "more than the host has".
        let total = CheckedNumbers.saturatingSum(running.map(\.vcpus))
        let ratio = Double(total) / Double(cpus)
        var evidence = [Evidence(source: cpuSource, value: "\(cpus) logical CPUs"),
                        Evidence(source: source, value: "\(running.count) running guests with \(total) vCPUs (ratio \(String(format: "%.1f", ratio)))")]
        let oversized = all.filter { $0.vcpus > cpus }
        for guest in oversized { evidence.append(Evidence(source: source, value: "\(guest.name): \(guest.vcpus) vCPUs")) }
        let xen = context.optionalFact(Facts.xen)?.value.isDom0 == true
        if xen && total > cpus {
            return Observation(.fail, "Xen does not support CPU overcommit, and running guests have \(total) vCPUs on \(cpus) CPUs: host and guests can become unstable.",
                               evidence: evidence, conditions: ["xen"])
        }
        if !oversized.isEmpty {
            return Observation(.warn, "\(oversized.map { "\($0.name) (\($0.vcpus))" }.joined(separator: ", ")) \(oversized.count == 1 ? "has" : "have") more vCPUs than the host has CPUs (\(cpus)): such a guest is slower than with fewer vCPUs.",
                               evidence: evidence, conditions: ["oversized"])
        }
        if ratio > 5 {
            return Observation(.warn, "Running guests have \(total) vCPUs on \(cpus) CPUs (\(String(format: "%.1f", ratio)) per CPU): beyond about five per CPU, only idle guests stay responsive.",
                               evidence: evidence, conditions: ["ratio"])
        }
        return .pass("Running guests have \(total) vCPUs on \(cpus) CPUs (\(String(format: "%.1f", ratio)) per CPU).", evidence: evidence)
    }

    static let memoryOvercommit: Evaluator = { context throws(FactError) in
        let (all, source, _) = try guests(context)
        let memory = context.optionalFact(Facts.memory)?.value
        let hostKiB = context.optionalFact(Facts.libvirt)?.value.node.memoryKiB ?? memory?.memTotalKiB
        guard let hostKiB, hostKiB > 0 else { return .skip("The host's memory size is unknown.") }
        let swapKiB = memory?.swapTotalKiB ?? 0
        let running = all.filter(\.running)
        let total = CheckedNumbers.saturatingSum(running.map(\.memoryKiB))
        let ramAndSwap = CheckedNumbers.saturatingAdd(hostKiB, swapKiB)
        func gib(_ kib: Int) -> String { String(format: "%.1f GiB", Double(kib) / 1_048_576) }
        let evidence = [Evidence(source: memory == nil ? "libvirt nodeinfo" : "/proc/meminfo", value: "RAM \(gib(hostKiB)), swap \(gib(swapKiB))"),
                        Evidence(source: source, value: "\(running.count) running guests with \(gib(total))")]
        if total > ramAndSwap {
            return Observation(.fail, "Running guests are given \(gib(total)), more than RAM and swap together (\(gib(ramAndSwap))): under load the OOM killer will kill guests and corrupt their file systems.",
                               evidence: evidence, conditions: ["beyond-swap"])
        }
        if total > hostKiB {
            return Observation(.warn, "Running guests are given \(gib(total)) on \(gib(hostKiB)) of RAM: the host relies on swap, ballooning or KSM, and slows down badly when guests use what they were given.",
                               evidence: evidence, conditions: ["beyond-ram"])
        }
        return .pass("Running guests are given \(gib(total)) of \(gib(hostKiB)) RAM.", evidence: evidence)
    }
}

extension LibvirtEvaluators {
    /// qemu.conf's console TLS switches against the certificates that must be in the configured directory.
    static let consoleTLS: Evaluator = { context throws(FactError) in
        let settings: [String: String]
        do throws(FactError) {
            settings = try context.fact(Facts.qemuConfiguration).value
        } catch .absent {
            return .skip("/etc/libvirt/qemu.conf is not present.")
        }
        let consoles = [("vnc", "/etc/pki/libvirt-vnc"), ("spice", "/etc/pki/libvirt-spice")].filter { settings["\($0.0)_tls"] == "1" }
        guard !consoles.isEmpty else {
            return .skip("Console TLS is off in qemu.conf (vnc_tls, spice_tls); exposure without it is sec.vnc-listen's concern.")
        }
        let inventory = try? context.fact(Facts.certificates).value
        var evidence: [Evidence] = []
        var failures: [String] = []
        var warnings: [String] = []
        var firstDirectory = ""
        for (console, defaultDirectory) in consoles {
            let directory = settings["\(console)_tls_x509_cert_dir"] ?? settings["default_tls_x509_cert_dir"] ?? defaultDirectory
            if firstDirectory.isEmpty { firstDirectory = directory }
            evidence.append(Evidence(source: "/etc/libvirt/qemu.conf", value: "\(console)_tls = 1, certificates in \(directory)"))
            for file in ["ca-cert.pem", "server-cert.pem"] {
                let path = "\(directory)/\(file)"
                guard let entry = inventory?.entry(at: path) else {
                    failures.append("\(path) is missing")
                    evidence.append(Evidence(source: path, value: "missing"))
                    continue
                }
                guard let certificate = entry.file.certificates.first else {
                    failures.append("\(path) cannot be read (\(entry.file.problem ?? "?"))")
                    continue
                }
                evidence.append(Evidence(source: path, value: CertificateEvaluators.describe(certificate, now: context.now)))
                if certificate.notAfter <= context.now || certificate.notBefore > context.now {
                    failures.append("\(path) is not valid at \(CertificateEvaluators.stamp(context.now))")
                } else if certificate.notAfter.timeIntervalSince(context.now) < Double(context.certificateWarningDays) * 86_400 {
                    warnings.append("\(path) expires within \(context.certificateWarningDays) days")
                }
                if entry.keyMatches == false { failures.append("\(entry.keyPath ?? "the key") does not belong to \(path)") }
            }
            // The inventory notes the key beside each certificate (a bundle keeps that without the key itself).
            if let server = inventory?.entry(at: "\(directory)/server-cert.pem"), server.keyPath == nil {
                failures.append("\(directory)/server-key.pem is missing")
            }
        }
        if !failures.isEmpty {
            return Observation(.fail, "Console TLS is on, but " + failures.joined(separator: "; ") + ": QEMU refuses to start guests with such consoles.",
                               evidence: evidence, conditions: ["broken"], variables: ["directory": firstDirectory])
        }
        if !warnings.isEmpty {
            return Observation(.warn, warnings.joined(separator: "; ") + ".", evidence: evidence, conditions: ["renew"], variables: ["directory": firstDirectory])
        }
        return .pass("Console TLS is on and its CA and server certificates are present, valid and matched by their key.", evidence: evidence)
    }
}
