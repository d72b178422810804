import DoctorCore
import HostFacts

/// dom.accel: guests running or defined as pure emulation (`<domain type='qemu'>`, QEMU's TCG) on a host where
/// KVM works: "why is my VM so slow". issue 13: hit-a
enum DomAccel: CheckEvaluator {
    static let id = "dom.accel"

    enum Condition: String, CaseIterable {
        case noGuests = "no-guests"
        case allKVM = "all-kvm"
        /// Emulated guests of another architecture only (an aarch64 guest on x86_64 cannot use KVM).
        case allKVMForeign = "all-kvm-foreign"
        case emulatedRunning = "emulated-running"
        /// Some run emulated, others are defined emulated and not running.
        case emulatedRunningAndDefined = "emulated-running-and-defined"
        case emulatedDefined = "emulated-defined"
        case noKVM = "no-kvm"
        case kvmUnknown = "kvm-unknown"
    }

    /// Machine types of x86 guests; on an x86 host any other (virt, pseries, s390-ccw-virtio) is a foreign
    /// architecture that only emulation can run.
    static func isX86Machine(_ machine: String) -> Bool {
        machine.hasPrefix("pc") || machine.hasPrefix("q35") || machine == "isapc" || machine == "microvm" || machine.hasPrefix("xenfv") || machine.hasPrefix("xenpv")
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        var evidence: [Evidence] = []
        var firstError: FactError?
        var anyEvidence = false
        // name -> how it is known to be emulated ("running, -accel tcg", "defined")
        var running: [String: String] = [:]
        var defined: [String: String] = [:]
        var foreign: [String] = []
        var all = Set<String>()
        let x86Host = context.optionalFact(Facts.cpuInfo)?.value.family == "x86"

        switch context.facts.sourced(Facts.guestDefinitions) {
        case .success(let inventory):
            anyEvidence = true
            for guest in inventory.value.guests where guest.format == "libvirt" && guest.file.hasPrefix("/etc/libvirt/qemu/") {
                all.insert(guest.name)
                guard guest.hypervisor == "qemu" else { continue }
                if x86Host, let machine = guest.machine, !isX86Machine(machine) {
                    foreign.append("\(guest.name) (\(machine))")
                    continue
                }
                defined[guest.name] = "type 'qemu' in \(guest.file)"
            }
            evidence.append(Evidence(source: inventory.sources.joined(separator: ", "), value: defined.isEmpty ? "no guest of type 'qemu'" : "type 'qemu': \(defined.keys.sorted().joined(separator: ", "))"))
        case .failure(.absent):
            anyEvidence = true  // no libvirt or Xen definitions at all
        case .failure(let error):
            firstError = error
        }
        if let snapshot = context.optionalFact(Facts.libvirt) {
            anyEvidence = true
            for domain in snapshot.value.domains {
                all.insert(domain.name)
                guard domain.type == "qemu", !foreign.contains(where: { $0.hasPrefix(domain.name + " (") }) else { continue }
                if domain.state == "running" || domain.state == "paused" || domain.state == "blocked" {
                    running[domain.name] = "running, type 'qemu' (\(snapshot.sources.joined(separator: ", ")))"
                } else {
                    defined[domain.name] = defined[domain.name] ?? "type 'qemu' (\(snapshot.sources.joined(separator: ", ")))"
                }
            }
        }
        switch context.facts.sourced(Facts.runningGuests) {
        case .success(let processes):
            anyEvidence = true
            for guest in processes.value.guests {
                all.insert(guest.name)
                guard !foreign.contains(where: { $0.hasPrefix(guest.name + " (") }) else { continue }
                if guest.accelerator == "tcg" {
                    running[guest.name] = "running with accelerator tcg (\(guest.sources.joined(separator: ", ")))"
                } else if guest.domainType == "qemu", guest.accelerator == nil || guest.accelerator == "tcg" {
                    running[guest.name] = running[guest.name] ?? "running, type 'qemu' (\(guest.sources.joined(separator: ", ")))"
                }
            }
            evidence.append(Evidence(source: processes.sources.joined(separator: ", "), value: processes.value.guests.isEmpty ? "no guest running" : processes.value.guests.map { "\($0.name): type \($0.domainType ?? "?"), accelerator \($0.accelerator ?? "not stated")" }.joined(separator: "; ")))
        case .failure(let error):
            if firstError == nil { firstError = error }
        }
        if !anyEvidence, let firstError { throw firstError }
        guard !all.isEmpty else { return .pass(.noGuests, evidence: evidence) }
        for name in running.keys { defined[name] = nil }

        let emulated = running.merging(defined) { first, _ in first }
        if !foreign.isEmpty {
            evidence.append(Evidence(source: "guest machine types", value: "another architecture, emulated by design: \(foreign.joined(separator: ", "))"))
        }
        guard !emulated.isEmpty else {
            if !foreign.isEmpty { return .pass(.allKVMForeign, listVariables("guests", foreign), evidence: evidence) }
            return .pass(.allKVM, ["count": String(all.count)], evidence: evidence)
        }
        let (answer, kvmEvidence) = KVMWorks.assess(context)
        evidence += kvmEvidence
        let names = emulated.keys.sorted()
        switch answer {
        case .notWorking(let reason):
            return .skip(.noKVM, listVariables("guests", names).merging(["reason": reason]) { $1 }, evidence: evidence)
        case .unknown(let reason):
            return .skip(.kvmUnknown, listVariables("guests", names).merging(["reason": reason]) { $1 }, evidence: evidence)
        case .works(let how):
            for name in names { evidence.append(Evidence(source: name, value: emulated[name] ?? "")) }
            var variables = listVariables("guests", names)
            variables["kvm"] = how
            variables["guest"] = running.keys.sorted().first ?? names[0]
            if !running.isEmpty {
                let runningNames = running.keys.sorted()
                let definedNames = names.filter { running[$0] == nil }
                variables["running"] = runningNames.joined(separator: ", ")
                variables["defined"] = definedNames.joined(separator: ", ")
                return .fail(definedNames.isEmpty ? .emulatedRunning : .emulatedRunningAndDefined, variables, evidence: evidence)
            }
            return .warn(.emulatedDefined, variables, evidence: evidence)
        }
    }
}
