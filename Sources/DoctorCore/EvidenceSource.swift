import Foundation

/// Where the evidence of a run came from and what that kind of source can answer. Reports state it in
/// their header, so a reader knows which verdicts rest on the live machine and which on a copy.
///
/// The distinction matters because "not in the evidence" means different things: on the live host a
/// missing /dev/kvm is a finding; in a copied tree or a sos report that never held /dev it is unknown.
public struct EvidenceSource: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The running machine, read through `/`.
        case live
        /// A bundle written by `virt-doctor collect` (facts recorded on the host travel with it).
        case bundle
        /// A directory laid out like `/`: a mounted disk, a copy, a fixture.
        case directory
        /// An extracted sos report (`sos report`, formerly sosreport).
        case sosReport = "sos-report"
        /// Only what a libvirt connection answers (`migrate --to URI`): no file of that host is read.
        case libvirtConnection = "libvirt-connection"
    }

    public var kind: Kind
    /// The path or archive name the evidence was read from.
    public var label: String
    /// The collecting tool and its version ("sos 4.5", "virt-doctor 0.1.0"); nil when unknown.
    public var collector: String?
    /// The host name recorded by the collector.
    public var hostname: String?
    /// When the evidence was collected; certificate verdicts default to this instant.
    public var collectedAt: Date?
    /// Path prefixes this source holds only in part or not at all: below them, a missing file proves nothing.
    public var partialRegions: [String]
    /// Prefixes below which the source is known to be complete although they sit inside a partial region
    /// (a sos report copies /proc/cpuinfo whenever it exists).
    public var completeRegions: [String]
    /// Kinds of evidence this source cannot hold, as codes the report puts in words: `dev`, `proc`, `sys`
    /// (regions never captured), `device-probe` (the /dev/kvm ioctl), `libvirt-connection`.
    public var lacking: [String]
    /// Live files answered from the collector's command outputs ("/proc/sys from sos_commands/kernel/sysctl_-a").
    public var derived: [String] = []

    public init(kind: Kind, label: String, collector: String? = nil, hostname: String? = nil, collectedAt: Date? = nil,
                partialRegions: [String] = [], completeRegions: [String] = [], lacking: [String] = []) {
        self.kind = kind
        self.label = label
        self.collector = collector
        self.hostname = hostname
        self.collectedAt = collectedAt
        self.partialRegions = partialRegions
        self.completeRegions = completeRegions
        self.lacking = lacking
    }

    public static func live() -> EvidenceSource { EvidenceSource(kind: .live, label: "/") }

    /// How the source is named in sentences: "this sos report", "this directory root".
    public var noun: String {
        switch kind {
        case .live: "live machine"
        case .bundle: "bundle"
        case .directory: "directory root"
        case .sosReport: "sos report"
        case .libvirtConnection: "libvirt connection"
        }
    }

    /// True when a file missing at `path` says nothing about the machine, only about what was collected.
    public func isUncaptured(_ path: String) -> Bool {
        func under(_ prefix: String) -> Bool { path == prefix || path.hasPrefix(prefix.hasSuffix("/") ? prefix : prefix + "/") }
        guard partialRegions.contains(where: under) else { return false }
        return !completeRegions.contains(where: under)
    }
}
