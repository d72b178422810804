import CheckEngine
import DoctorCore
import Foundation
import HostFacts

/// One diagnosis: read the machine through a root, pick the profile, run the checks, build the report.
/// The CLI and the tests call this; nothing here prints or exits.
public struct ReportBuilder: Sendable {
    public static let toolName = "virt-doctor"
    public static let toolVersion = "0.1.0"

    public var catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// `profile` nil means auto-detect.
    public func diagnose(
        root: HostRoot, profile requested: Profile?, now: Date?, only: [String] = [], skip: [String] = [],
        checkTimeout: Double = 20, certificateWarningDays: Int = 60, extraCertificatePaths: [String] = [],
        libvirtURI: String? = nil, libvirtTimeout: Double = 10, clock: Date = Date()
    ) -> Report {
        let store = FactStore(root: root, extraCertificatePaths: extraCertificatePaths, libvirtURI: libvirtURI, libvirtTimeout: libvirtTimeout)
        return diagnose(store: store, profile: requested, now: now, only: only, skip: skip, checkTimeout: checkTimeout,
                        certificateWarningDays: certificateWarningDays, clock: clock)
    }

    /// The same, on a fact store the caller prepared (a recording one for bundles, a replaying one for analysis).
    public func diagnose(
        store: FactStore, profile requested: Profile?, now: Date?, only: [String] = [], skip: [String] = [],
        checkTimeout: Double = 20, certificateWarningDays: Int = 60, clock: Date = Date()
    ) -> Report {
        let choice = requested.map { ProfileDetector.Choice(profile: $0, reason: "chosen with --profile") }
            ?? ProfileDetector.detect(store)
        let instant = now ?? clock
        let options = RunOptions(profile: choice.profile, now: instant, only: only, skip: skip, checkTimeout: checkTimeout,
                                 certificateWarningDays: certificateWarningDays)
        let findings = Runner(catalog: catalog).run(store, options: options)
        return Report(
            tool: .init(name: ReportBuilder.toolName, version: ReportBuilder.toolVersion),
            generatedAt: clock, now: instant,
            profile: .init(requested: requested?.rawValue ?? "auto", effective: choice.profile, reason: choice.reason),
            host: ReportBuilder.host(store), findings: findings)
    }

    static func host(_ store: FactStore) -> Report.Host {
        let signals = try? store.get(Facts.virtualMachine)
        var machine: String
        if let signals, signals.isVirtualMachine {
            machine = "virtual machine" + (signals.hypervisorVendor.map { " (\($0))" } ?? "")
        } else if let xen = try? store.get(Facts.xen), xen.isDom0 {
            machine = "Xen dom0"
        } else if store.root.exists("/proc/cpuinfo") || store.root.isLive {
            machine = signals == nil ? "unknown" : "no hypervisor detected (bare metal)"
        } else {
            machine = "unknown (this root holds no CPU evidence)"
        }
        if let container = signals?.container { machine += ", inside a \(container) container" }
        let architecture = (try? store.get(Facts.machine)) ?? (try? store.get(Facts.cpuInfo)).map(\.family)
        return Report.Host(
            hostname: try? store.get(Facts.hostname),
            kernel: try? store.get(Facts.kernelRelease),
            os: (try? store.get(Facts.osRelease))?.prettyName,
            architecture: architecture,
            root: store.root.label,
            virtualization: machine)
    }
}
