import DoctorCore
import HostFacts

/// host.reboot-pending: the host runs an older kernel than it has installed, an update asked for a reboot,
/// or QEMU and libvirt processes still run executables or libraries that an update replaced on disk.
enum HostRebootPending: CheckEvaluator {
    static let id = "host.reboot-pending"

    enum Condition: String, CaseIterable {
        case current
        case newerKernel = "newer-kernel"
        case runningRemoved = "running-removed"
        case rebootRequired = "reboot-required"
        case replacedCode = "replaced-code"
        case unknown
        // Fragments of {processes}.
        case replacedExecutable = "replaced-executable"
        case replacedLibrary = "replaced-library"
        /// {packages} when /run/reboot-required.pkgs names none.
        case packagesUnlisted = "packages-unlisted"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let running = try context.fact(Facts.kernelRelease)
        let state = context.optionalFact(Facts.rebootState)
        let packages = context.optionalFact(Facts.packages)
        var evidence = [Evidence(source: running.sources.joined(separator: ", "), value: "running kernel \(running.value)")]
        var installed = state?.value.kernels.map(\.release) ?? []
        if let state {
            let shown = Array(Set(installed)).sorted { VersionOrder.compare($0, $1) > 0 }
            evidence.append(Evidence(source: state.sources.joined(separator: ", "),
                                     value: shown.isEmpty ? "no kernel found" : "kernels: \(shown.prefix(8).joined(separator: ", "))"))
        }
        if let packages {
            let fromPackages = RebootState.kernelReleases(in: packages.value)
            if !fromPackages.isEmpty {
                evidence.append(Evidence(source: packages.sources.joined(separator: ", "), value: "kernel packages: \(fromPackages.prefix(8).joined(separator: ", "))"))
            }
            installed += fromPackages
        }
        if state == nil, packages == nil {
            // Neither files nor a package list: let the reboot state's own error say what was missing.
            _ = try context.fact(Facts.rebootState)
        }
        var variables = ["running": running.value]
        let replaced = state?.value.replaced ?? []
        if !replaced.isEmpty {
            let names = replaced.prefix(20).map { code in
                context.fragment(code.kind == "executable" ? Condition.replacedExecutable : Condition.replacedLibrary,
                                 ["process": code.process, "pid": String(code.pid), "path": code.path])
            }
            evidence.append(Evidence(source: "/proc/<pid>/exe, /proc/<pid>/maps", value: names.joined(separator: "; ")))
            variables.merge(listVariables("processes", names)) { $1 }
        }
        let newer = RebootState.newer(than: running.value, among: installed)
        // The running kernel's modules are gone when /lib/modules lists other kernels but not this one.
        let moduleKernels = state?.value.kernels.filter { $0.source.hasSuffix("/modules/\($0.release)") }.map(\.release) ?? []
        let runningRemoved = !moduleKernels.isEmpty && !moduleKernels.contains(running.value)
        let flag = state?.value.rebootRequired == true
        let flagPackages = state?.value.rebootRequiredPackages ?? []
        if flag {
            evidence.append(Evidence(source: "/run/reboot-required", value: flagPackages.isEmpty ? "present" : "present; packages: \(flagPackages.prefix(20).joined(separator: ", "))"))
        }
        if let newest = newer.first { variables["newest"] = newest }
        variables["packages"] = flagPackages.isEmpty ? context.fragment(Condition.packagesUnlisted) : flagPackages.prefix(20).joined(separator: ", ")
        if !replaced.isEmpty { return .warn(.replacedCode, variables, evidence: evidence) }
        if !newer.isEmpty { return .warn(.newerKernel, variables, evidence: evidence) }
        if runningRemoved { return .warn(.runningRemoved, variables, evidence: evidence) }
        if flag { return .warn(.rebootRequired, variables, evidence: evidence) }
        guard !installed.isEmpty else { return .skip(.unknown, variables, evidence: evidence) }
        return .pass(.current, variables, evidence: evidence)
    }
}
