import DoctorCore

/// Audit records of hwclock trying to set the clock, from the logs a guest keeps: a Xen PV guest cannot
/// set the hardware clock, and its boot log shows
/// `msg='changing system time: exe="/sbin/hwclock" ... res=failed'`.
public struct HwclockAudit: Codable, Sendable, Equatable {
    /// Matching lines, newest last, at most `maximumLines`.
    public var lines: [String]
    /// Logs that were read.
    public var sources: [String]

    public var failed: [String] { lines.filter { $0.contains("res=failed") } }

    static let maximumLines = 20
    static let logs = ["/var/log/audit/audit.log", "/var/log/messages", "/var/log/syslog", "/var/log/dmesg", "/var/log/boot.log", "/journalctl-k.txt", "/dmesg.txt"]
    static let tailBytes = 2 << 20

    /// The hwclock audit lines of a log (bytes of any kind: invalid UTF-8 is replaced, not fatal).
    public static func scan(_ text: String) -> [String] {
        var found: [String] = []
        for line in text.split(separator: "\n") where line.utf8.count <= 4096 {
            guard line.contains("hwclock"), line.contains("changing system time") || line.contains("op=changing system time") else { continue }
            found.append(String(line))
            if found.count > maximumLines { found.removeFirst() }
        }
        return found
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<HwclockAudit> {
        var audit = HwclockAudit(lines: [], sources: [])
        for path in logs {
            guard let bytes = try? root.readTail(path, maxBytes: tailBytes) else { continue }
            audit.sources.append(path)
            audit.lines += scan(String(decoding: bytes, as: UTF8.self))
        }
        if audit.lines.count > maximumLines { audit.lines.removeFirst(audit.lines.count - maximumLines) }
        guard !audit.sources.isEmpty else {
            let what = "a system or audit log (/var/log/messages, /var/log/audit/audit.log, /var/log/dmesg)"
            throw root.isLive ? .absent(what) : root.liveOnly(what)
        }
        return Sourced(audit, sources: audit.sources)
    }
}

extension Facts {
    public static let hwclockAudit = FactKey<HwclockAudit>("guest.hwclock-audit", "Audit records of hwclock setting the clock (and whether it failed), from the system and audit logs") { store throws(FactError) in
        try HwclockAudit.read(store.root)
    }
}
