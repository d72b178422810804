import CheckEngine
import DoctorCore
import Foundation
import HostFacts

/// One piece of evidence opened for judging: a virt-doctor bundle (archive or extracted folder), a sos
/// report (archive or folder) or a directory root. `analyze`, `migrate` and `fleet` all start here, so a
/// path means the same thing to each of them.
public struct OpenedEvidence: Sendable {
    public var label: String
    public var root: HostRoot
    /// nil for evidence that is not a virt-doctor bundle.
    public var manifest: Manifest?
    /// Facts the collector recorded on the live host (libvirt, udev, the /dev/kvm probe).
    public var recordedFacts: [FactRecord]
    public var integrity: Integrity
    /// What could not be used, in sentences.
    public var notes: [String]
    /// A bundle's members, kept for the log scan (a directory is read through `root`).
    let members: [ArchiveMember]

    /// Opens `path`; a sentence says why when it is none of the kinds above.
    public static func open(_ path: String, limits: Archive.Limits = .standard) throws -> OpenedEvidence {
        if Analyzer.isDirectory(path) {
            let root: HostRoot
            do {
                root = try EvidenceOpening.open(directory: path)
            } catch {
                throw ArchiveError("\(error)")
            }
            return OpenedEvidence(directory: root, label: path)
        }
        // Judged in memory: nothing is extracted, so no member can be written anywhere, and an
        // interrupted run leaves nothing behind.
        let members = try Archive.read(file: path, limits: limits, keep: Analyzer.worthKeeping)
        let tree = try Archive.tree(members)
        if BundleDocuments.topLevelFile(members, "manifest.json") == nil {
            let root: HostRoot
            do {
                root = try EvidenceOpening.interpret(try HostRoot(tree: tree, label: path))
            } catch {
                throw ArchiveError("it is neither a virt-doctor bundle (no manifest.json) nor a sos report: \(error)")
            }
            guard root.evidence.kind == .sosReport else {
                throw ArchiveError("it is not a virt-doctor bundle (it has no manifest.json) and not a sos report (no sos_commands/ with version.txt)")
            }
            return OpenedEvidence(directory: root, label: path)
        }
        let manifest = try BundleDocuments.manifest(members)
        var notes: [String] = []
        let integrity = Analyzer.verify(members, against: manifest)
        if !integrity.intact { notes.append("Integrity: " + integrity.summary + ".") }
        let recorded = BundleDocuments.facts(members, notes: &notes)
        let root: HostRoot
        do {
            root = try HostRoot(tree: tree, label: path)
        } catch {
            throw ArchiveError("its \(RootMetadata.fileName) cannot be used: \(error)")
        }
        return OpenedEvidence(label: path, root: root, manifest: manifest, recordedFacts: recorded, integrity: integrity, notes: notes,
                              members: members)
    }

    /// Evidence other than a bundle: no manifest to verify, no recorded facts.
    init(directory root: HostRoot, label: String) {
        var integrity = Integrity()
        integrity.notApplicable = "not applicable: a \(root.evidence.noun) carries no virt-doctor manifest to check files against"
        self.init(label: label, root: root, manifest: nil, recordedFacts: [], integrity: integrity, notes: [], members: [])
    }

    init(label: String, root: HostRoot, manifest: Manifest?, recordedFacts: [FactRecord], integrity: Integrity, notes: [String],
         members: [ArchiveMember]) {
        self.label = label
        self.root = root
        self.manifest = manifest
        self.recordedFacts = recordedFacts
        self.integrity = integrity
        self.notes = notes
        self.members = members
    }

    /// `base` pointed at this evidence: its root and recorded facts, and for a bundle the profile and instant
    /// of its collection unless the caller chose others.
    public func diagnosisOptions(_ base: DiagnosisOptions) -> DiagnosisOptions {
        var options = base
        options.root = root
        options.recordedFacts = recordedFacts
        if let manifest {
            options.profile = base.profile ?? manifest.profile
            options.now = base.now ?? manifest.now
        }
        return options
    }

    /// What the evidence says of itself, in the report's header: a bundle's host as the collector saw it
    /// (the archive holds no live /proc to ask again) and its collector and collection time.
    public var evidenceSource: EvidenceSource {
        guard let manifest else { return root.evidence }
        return EvidenceSource(kind: .bundle, label: label, collector: "\(manifest.tool.name) \(manifest.tool.version)",
                              hostname: manifest.host.hostname, collectedAt: manifest.finished)
    }

    public var recordedHost: Report.Host? { manifest?.host }

    /// Puts the bundle's own description into a report judged from it.
    public func describe(_ report: inout Report, profileChosen: Bool) {
        guard let manifest else { return }
        report.host = manifest.host
        report.evidence = evidenceSource
        if !profileChosen { report.profile.requested = "recorded"; report.profile.reason = "the profile the bundle was collected with" }
    }

    /// Known error messages in the evidence's logs.
    func scanLogs(_ scan: inout LogScan) {
        if manifest != nil {
            for member in members where member.kind == .file && (member.path.hasPrefix("var/log/") || member.path == "journalctl-k.txt") {
                if !scan.scan(member.contents, file: "/" + member.path) { break }
            }
            return
        }
        for file in ["/dmesg.txt", "/var/log/messages", "/var/log/syslog", "/var/log/kern.log", "/var/log/libvirt/libvirtd.log", "/var/log/vdsm/vdsm.log"] {
            guard let bytes = try? root.readTail(file, maxBytes: 16 << 20) else { continue }
            if !scan.scan(bytes, file: file) { break }
        }
    }
}
