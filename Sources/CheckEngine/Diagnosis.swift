import DoctorCore
import Foundation
import HostFacts
import Localization

/// Everything one diagnosis needs, in one value. `check`, `facts`, `certs`, `collect` and `analyze` fill the
/// same struct, so an option cannot be dropped on the way to the engine, and every default lives here.
public struct DiagnosisOptions: Sendable {
    public static let defaultCheckTimeout: Double = 20
    public static let defaultLibvirtTimeout: Double = 10
    /// oVirt renews host certificates this many days before they expire.
    public static let defaultCertificateWarningDays = 60

    public var root: HostRoot
    /// nil: pick from what the machine is.
    public var profile: Profile?
    /// The instant the checks judge against (`--now`); nil means `clock`.
    public var now: Date?
    /// The real time of the run, for the report's "generated" stamp.
    public var clock: Date
    /// Check ids or areas; empty means all.
    public var only: [String]
    public var skip: [String]
    public var checkTimeout: Double
    public var certificateWarningDays: Int
    public var extraCertificatePaths: [String]
    public var libvirtURI: String?
    public var libvirtTimeout: Double
    /// Facts recorded on the inspected machine (a bundle's facts.json); they win over the root's files.
    public var recordedFacts: [FactRecord]
    /// The language of the report's words (`en`, `ru`).
    public var language: String

    public init(root: HostRoot = .live, profile: Profile? = nil, now: Date? = nil, clock: Date = Date(), only: [String] = [], skip: [String] = [],
                checkTimeout: Double = defaultCheckTimeout, certificateWarningDays: Int = defaultCertificateWarningDays,
                extraCertificatePaths: [String] = [], libvirtURI: String? = nil, libvirtTimeout: Double = defaultLibvirtTimeout,
                recordedFacts: [FactRecord] = [], language: String = Strings.defaultLanguage) {
        self.root = root
        self.profile = profile
        self.now = now
        self.clock = clock
        self.only = only
        self.skip = skip
        self.checkTimeout = checkTimeout
        self.certificateWarningDays = certificateWarningDays
        self.extraCertificatePaths = extraCertificatePaths
        self.libvirtURI = libvirtURI
        self.libvirtTimeout = libvirtTimeout
        self.recordedFacts = recordedFacts
        self.language = language
    }

    /// The facts of the inspected machine as these options see them. The one place a FactStore is made for a
    /// command, so the libvirt URI, its timeout, extra certificates and recorded facts reach every reader.
    public func factStore() -> FactStore {
        FactStore(root: root, extraCertificatePaths: extraCertificatePaths, libvirtURI: libvirtURI, libvirtTimeout: libvirtTimeout,
                  recorded: recordedFacts)
    }
}

/// One diagnosis: read the machine, pick the profile, run the checks, build the report model.
/// Nothing here prints or exits; the store is returned for callers that also record the facts (collect).
public struct Diagnosis: Sendable {
    public let store: FactStore
    public let report: Report

    public static func run(_ options: DiagnosisOptions, catalog: Catalog) throws(Strings.UnknownLanguage) -> Diagnosis {
        let strings = try Strings.load(options.language)
        let store = options.factStore()
        let choice = options.profile.map { ProfileDetector.Choice(profile: $0, reason: strings("profile_reason_chosen")) }
            ?? ProfileDetector.detect(store, strings: strings)
        // Evidence collected elsewhere is judged as of its collection (a sos report's `date`), not of today.
        let instant = options.now ?? options.root.evidence.collectedAt ?? options.clock
        let run = RunOptions(profile: choice.profile, now: instant, only: options.only, skip: options.skip, checkTimeout: options.checkTimeout,
                             certificateWarningDays: options.certificateWarningDays, strings: strings)
        let findings = Runner(catalog: catalog.localized(options.language)).run(store, options: run)
        var report = Report(
            tool: .current, generatedAt: options.clock, now: instant,
            profile: .init(requested: options.profile?.rawValue ?? "auto", effective: choice.profile, reason: choice.reason),
            host: host(store, strings: strings), findings: findings, language: options.language)
        var evidence = options.root.evidence
        if !options.root.isLive {
            // Live-only probes are missing from every copy; a --connect still reaches a libvirt, and a sos
            // report already said whether its virsh outputs stand in for one (SosReport.open).
            for missing in ["device-probe", "libvirt-connection"] where !evidence.lacking.contains(missing) {
                if missing == "libvirt-connection" && (options.libvirtURI != nil || evidence.kind == .sosReport) { continue }
                evidence.lacking.append(missing)
            }
        }
        report.evidence = evidence
        return Diagnosis(store: store, report: report)
    }

    static func host(_ store: FactStore, strings: Strings) -> Report.Host {
        let signals = try? store.get(Facts.virtualMachine)
        let detection = try? store.get(Facts.virtualization)
        var machine: String
        if let signals, signals.isVirtualMachine {
            // A confidential guest says so next to its hypervisor: "virtual machine (KVM, AMD SEV-SNP)".
            let details = [signals.hypervisorVendor, detection?.confidentialName].compactMap { $0 }
            machine = strings("machine_virtual") + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        } else if let xen = try? store.get(Facts.xen), xen.isDom0 {
            machine = "Xen dom0"
        } else if detection?.withoutEvidence != true, store.root.exists("/proc/cpuinfo") || store.root.isLive || signals != nil {
            // "Bare metal" only where virt-what would print nothing: a container or a cloud's physical
            // instance has an answer of its own, and the two must never be said together.
            if signals == nil {
                machine = strings("unknown")
            } else if signals?.container != nil {
                machine = strings("machine_no_hypervisor")
            } else if let cloud = detection?.cloudName, detection?.identifiers.isEmpty == false {
                machine = strings("machine_physical_cloud", ["cloud": cloud])
            } else {
                machine = strings("machine_bare_metal")
            }
        } else {
            machine = strings("machine_no_cpu_evidence")
        }
        if let container = signals?.container { machine += strings("machine_in_container", ["container": container]) }
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
