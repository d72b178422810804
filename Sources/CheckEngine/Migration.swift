import DoctorCore
import Foundation
import HostFacts
import Localization

/// `virt-doctor migrate`: can the source host's guests move to the destination? One report in the usual
/// model: `host` and `evidence` are the source's, `destination` and `destinationEvidence` the other side's,
/// and the findings come from the checks of the migration profile, per guest where they judge a guest.
public struct MigrationDiagnosis: Sendable {
    public let source: FactStore
    public let destination: FactStore
    public let guests: [String]
    public let report: Report

    public struct UnknownGuest: Error, CustomStringConvertible {
        public var names: [String]
        public var known: [String]
        public var description: String {
            "no guest named \(names.joined(separator: ", ")) is defined on the source host"
                + (known.isEmpty ? " (it defines none)" : " (it defines \(known.joined(separator: ", ")))")
        }
    }

    /// `source` and `destination` are each a machine's options (root, recorded facts, libvirt URI); the run's
    /// selection, instant and language are taken from `source`. `requestedGuests` empty means every guest.
    public static func run(source sourceOptions: DiagnosisOptions, destination destinationOptions: DiagnosisOptions,
                           requestedGuests: [String], catalog: Catalog) throws -> MigrationDiagnosis {
        let strings = try Strings.load(sourceOptions.language)
        let source = sourceOptions.factStore()
        let destination = destinationOptions.factStore()
        let known = guestNames(source)
        let unknown = requestedGuests.filter { !known.contains($0) }
        if !unknown.isEmpty { throw UnknownGuest(names: unknown, known: known) }
        let guests = requestedGuests.isEmpty ? known : requestedGuests
        let instant = Self.instant(sourceOptions)
        let findings = pairFindings(source: source, destination: destination, guests: guests, sourceOptions: sourceOptions,
                                    runner: Runner(catalog: catalog.localized(sourceOptions.language)), strings: strings)
        var report = Report(tool: .current, generatedAt: sourceOptions.clock, now: instant,
                            profile: .init(requested: "migration", effective: .migration, reason: strings("profile_reason_migration")),
                            host: Diagnosis.host(source, strings: strings), findings: findings, language: sourceOptions.language)
        report.evidence = sourceOptions.root.evidence
        report.destination = Diagnosis.host(destination, strings: strings)
        if destinationOptions.root.evidence.kind == .libvirtConnection, report.destination?.hostname == nil {
            // qemu+ssh://kvm-b.example.com/system names the host; a local URI (qemu:///system) does not.
            report.destination?.hostname = URLComponents(string: destinationOptions.root.label)?.host.flatMap { $0.isEmpty ? nil : $0 }
        }
        report.destinationEvidence = destinationOptions.root.evidence
        return MigrationDiagnosis(source: source, destination: destination, guests: guests, report: report)
    }

    /// Both copies are judged as of the source's collection unless told otherwise (a pair is usually
    /// collected within minutes; the clock check says when it was not).
    static func instant(_ sourceOptions: DiagnosisOptions) -> Date {
        sourceOptions.now ?? sourceOptions.root.evidence.collectedAt ?? sourceOptions.clock
    }

    /// The findings of one pair from stores already open: `run` and `fleet` (which judges every ordered pair
    /// of its hosts with the stores it opened once) share it.
    static func pairFindings(source: FactStore, destination: FactStore, guests: [String], sourceOptions: DiagnosisOptions,
                             runner: Runner, strings: Strings) -> [Finding] {
        let run = RunOptions(profile: .migration, now: instant(sourceOptions), only: sourceOptions.only, skip: sourceOptions.skip,
                             checkTimeout: sourceOptions.checkTimeout, certificateWarningDays: sourceOptions.certificateWarningDays,
                             strings: strings)
        return runner.runPair(source: source, destination: destination, guests: guests, options: run)
    }

    /// The guests a migration could move: those defined on the source (libvirt's XML, Xen configurations)
    /// and those its libvirt runs, in name order.
    static func guestNames(_ store: FactStore) -> [String] {
        var names = Set((try? store.get(Facts.guestDefinitions))?.guests.map(\.name) ?? [])
        for domain in (try? store.get(Facts.libvirt))?.domains ?? [] { names.insert(domain.name) }
        return names.sorted()
    }
}
