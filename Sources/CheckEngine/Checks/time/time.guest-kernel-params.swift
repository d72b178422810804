import DoctorCore
import HostFacts

/// time.guest-kernel-params: RHEL 3-5 era KVM guests without the paravirtual clock need the kernel timing
/// parameters the guides of that time prescribe per release and architecture.
enum TimeGuestKernelParams: CheckEvaluator {
    static let id = "time.guest-kernel-params"

    enum Condition: String, CaseIterable {
        case notKVM = "not-kvm"
        /// Not a RHEL-family guest (or no version): `{distribution}` is its pretty name.
        case notOldRHEL = "not-old-rhel"
        case notOldRHELUnnamed = "not-old-rhel-unnamed"
        /// RHEL 6 or later: `{release}` is its pretty name, or `{version}` when it has none.
        case modern
        case modernUnnamed = "modern-unnamed"
        case noneNeeded = "none-needed"
        case present
        case missing
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let report = try GuestSupport.detection(context)
        guard report.virtualMachine, report.hypervisorVendor == "KVM" else { return .skip(.notKVM) }
        let release = try context.fact(Facts.osRelease).value
        let family = (release.idLike + [release.id ?? ""]).contains { ["rhel", "centos", "fedora"].contains($0) }
        guard family, let version = release.versionID.flatMap({ Double($0.split(separator: ".").prefix(2).joined(separator: ".")) }) else {
            if let name = release.prettyName { return .pass(.notOldRHEL, ["distribution": name]) }
            return .pass(.notOldRHELUnnamed)
        }
        guard version < 6 else {
            if let name = release.prettyName { return .pass(.modern, ["release": name]) }
            return .pass(.modernUnnamed, ["version": "\(version)"])
        }
        let arch = (try? context.fact(Facts.machine).value) ?? "x86_64"
        let is64 = arch == "x86_64"
        let pvClock = context.optionalFact(Facts.clocksource)?.value.current == "kvm-clock"
        let needed: [String]
        switch version {
        case 5.4...: needed = pvClock ? [] : (is64 ? ["divider=10", "notsc", "lpj="] : ["divider=10", "clocksource=acpi_pm", "lpj="])
        case 5.3..<5.4: needed = is64 ? ["divider=10", "notsc"] : ["divider=10", "clocksource=acpi_pm"]
        case 4.8..<5.0: needed = is64 ? ["notsc", "divider=10"] : ["clock=pmtmr", "divider=10"]
        default: needed = []
        }
        let cmdline = try context.fact(Facts.kernelCommandLine).value
        let missing = needed.filter { parameter in !cmdline.contains { $0 == parameter || (parameter.hasSuffix("=") && $0.hasPrefix(parameter)) } }
        let evidence = [Evidence(source: "/proc/cmdline", value: cmdline.joined(separator: " ")),
                        Evidence(source: "os release", value: "\(release.prettyName ?? "") (\(arch))")]
        if missing.isEmpty {
            if needed.isEmpty { return .pass(.noneNeeded, evidence: evidence) }
            return .pass(.present, ["parameters": needed.joined(separator: " ")], evidence: evidence)
        }
        // {missing} is what the sentence lists; {parameters} is what the grubby command adds (lpj= needs its value).
        return .warn(.missing, ["version": release.versionID ?? "", "arch": arch,
                                "missing": missing.joined(separator: " "),
                                "parameters": missing.map { $0 == "lpj=" ? "lpj=<n>" : $0 }.joined(separator: " ")],
                     evidence: evidence)
    }
}
