import DoctorCore
import HostFacts

/// kvm.capabilities-stale: libvirt's cached QEMU capabilities (or its live capabilities) lack KVM while KVM
/// works on this host; guests of type kvm are then refused with "could not find capabilities for
/// domaintype=kvm". issue 13: hit-a
enum KVMCapabilitiesStale: CheckEvaluator {
    static let id = "kvm.capabilities-stale"

    enum Condition: String, CaseIterable {
        case cachedKVM = "cached-kvm"
        case liveKVM = "live-kvm"
        case cacheLacksKVM = "cache-lacks-kvm"
        case liveLacksKVM = "live-lacks-kvm"
        case logged
        case noKVM = "no-kvm"
        case kvmUnknown = "kvm-unknown"
        case noEmulator = "no-emulator"
    }

    /// uname -m of the host, else what cpuinfo's family implies for x86.
    static func hostArchitecture(_ context: EvaluationContext) -> String? {
        if let machine = context.optionalFact(Facts.machine)?.value { return machine == "amd64" ? "x86_64" : machine }
        return context.optionalFact(Facts.cpuInfo)?.value.family == "x86" ? "x86_64" : nil
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        var evidence: [Evidence] = []
        let arch = hostArchitecture(context)
        let logs = context.optionalFact(Facts.libvirtGuestLogs)
        let logged = logs?.value.capabilityErrors ?? []
        if !logged.isEmpty {
            evidence.append(Evidence(source: logs?.sources.joined(separator: ", ") ?? "libvirt logs", value: logged.last ?? ""))
        }
        // What libvirt offers now (live, or virsh capabilities in a sos report).
        var liveTypes: [String]?
        var liveSource = ""
        if let snapshot = context.optionalFact(Facts.libvirt), !snapshot.value.guestArchitectures.isEmpty {
            liveSource = snapshot.sources.joined(separator: ", ")
            let types = arch.flatMap { snapshot.value.guestArchitectures[$0] } ?? snapshot.value.guestArchitectures.values.flatMap { $0 }
            // Only a QEMU driver's answer says anything about KVM (the test driver offers type 'test').
            liveTypes = types.contains("qemu") || types.contains("kvm") ? types : nil
            evidence.append(Evidence(source: liveSource, value: "guest domain types for \(arch ?? "all architectures"): \(types.isEmpty ? "none" : types.joined(separator: ", "))"))
        }
        // The cache on disk.
        var stale: [QemuCapabilitiesCache.Entry] = []
        var fresh: [QemuCapabilitiesCache.Entry] = []
        var cacheError: FactError?
        switch context.facts.sourced(Facts.qemuCapabilitiesCache) {
        case .success(let cache):
            let relevant = cache.value.entries.filter { entry in
                guard let arch else { return true }
                return entry.arch == arch || (entry.arch == nil && entry.emulator?.hasSuffix("qemu-kvm") == true)
            }
            stale = relevant.filter { !$0.kvm }
            fresh = relevant.filter(\.kvm)
            for entry in relevant {
                evidence.append(Evidence(source: entry.file, value: "\(entry.emulator ?? "emulator ?") (\(entry.arch ?? "?")): \(entry.kvm ? "KVM listed" : "no KVM")"))
            }
            if relevant.isEmpty, liveTypes == nil, logged.isEmpty {
                return .pass(.noEmulator, ["arch": arch ?? "this host's architecture"], evidence: evidence)
            }
        case .failure(let error):
            cacheError = error
        }
        let liveLacks = liveTypes.map { !$0.contains("kvm") && !$0.isEmpty } ?? false
        // libvirt's own answer wins over files: a cache file lacking KVM may belong to an emulator no guest uses.
        if let liveTypes, liveTypes.contains("kvm") {
            return .pass(.liveKVM, ["arch": arch ?? "the host", "source": liveSource], evidence: evidence)
        }
        if !liveLacks, stale.isEmpty {
            if !fresh.isEmpty {
                return .pass(.cachedKVM, listVariables("emulators", fresh.map { $0.emulator ?? $0.file }), evidence: evidence)
            }
            if logged.isEmpty, let cacheError { throw cacheError }
            if logged.isEmpty { return .pass(.noEmulator, ["arch": arch ?? "this host's architecture"], evidence: evidence) }
        }
        let (answer, kvmEvidence) = KVMWorks.assess(context)
        evidence += kvmEvidence
        switch answer {
        case .notWorking(let reason):
            return .skip(.noKVM, ["reason": reason], evidence: evidence)
        case .unknown(let reason):
            return .skip(.kvmUnknown, ["reason": reason], evidence: evidence)
        case .works(let how):
            if !stale.isEmpty {
                var variables = listVariables("emulators", stale.map { $0.emulator ?? $0.file })
                variables["kvm"] = how
                variables["files"] = stale.map(\.file).joined(separator: ", ")
                return .fail(.cacheLacksKVM, variables, evidence: evidence)
            }
            if liveLacks {
                return .fail(.liveLacksKVM, ["kvm": how, "arch": arch ?? "the host", "types": (liveTypes ?? []).joined(separator: ", "), "source": liveSource], evidence: evidence)
            }
            return .warn(.logged, ["kvm": how, "line": logged.last ?? ""], evidence: evidence)
        }
    }
}
