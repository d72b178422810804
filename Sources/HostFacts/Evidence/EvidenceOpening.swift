import DoctorCore

/// Turns a path or an archive's tree into the root a diagnosis reads, after deciding what kind of evidence
/// it is. A directory with nothing a system leaves behind is refused here, with what was expected, rather
/// than judged: an empty folder is not a healthy machine.
public enum EvidenceOpening {
    /// Top-level names that show a tree holds something of a system (a root file system, a recorded root).
    static let systemMarkers = [
        "/etc", "/proc", "/sys", "/usr", "/var", "/dev", "/boot",
        "/dmidecode.txt", "/cpuid.txt", "/uname-m.txt", "/lscpu.txt", "/kvm-probe.txt", "/journalctl-k.txt",
    ]

    public static let expectation =
        "expected a root file system (etc/, proc/, sys/ or usr/ at its top), an extracted sos report (sos_commands/ and version.txt) or a virt-doctor bundle"

    /// A `--root` directory as evidence: a sos report (also one level down, as its archive unpacks) or a
    /// directory laid out like `/`.
    public static func open(directory: String, accepting: [String] = []) throws(FactError) -> HostRoot {
        try interpret(try HostRoot(directory: directory), accepting: accepting)
    }

    /// The same for any root (a directory or an archive read into memory).
    public static func interpret(_ root: HostRoot, accepting: [String] = []) throws(FactError) -> HostRoot {
        if root.isLive { return root }
        if SosReport.isSosReport(root) { return SosReport.open(root) }
        // `tar xf sosreport-host-....tar.xz` leaves one folder; accept its parent too.
        let names = (try? root.list("/")) ?? []
        let folders = names.filter { (try? root.fileInfo("/" + $0))?.kind == .directory }
        if folders.count == 1, names.allSatisfy({ $0 == folders[0] || $0.hasSuffix(".md5") || $0.hasSuffix(".sha256") }) {
            let inner = try root.subtree("/" + folders[0], label: root.label + "/" + folders[0])
            if SosReport.isSosReport(inner) { return SosReport.open(inner) }
        }
        guard hasSystemEvidence(root) || accepting.contains(where: { (try? root.fileInfo($0)) != nil }) else {
            throw .unparsable(source: root.label, detail: "no recognisable system evidence: " + expectation)
        }
        return root
    }

    static func hasSystemEvidence(_ root: HostRoot) -> Bool {
        systemMarkers.contains { (try? root.fileInfo($0)) != nil }
    }
}
