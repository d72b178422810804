import DoctorCore
import Foundation

/// The kernel messages that matter for virtualization, from the first source that can be read:
/// on the live host `/dev/kmsg` (root only when dmesg_restrict is set), then `/var/log/dmesg` and
/// `/var/log/kern.log`; in a recorded root also `journalctl-k.txt` at its top (`journalctl -k -b` output).
public struct KernelLog: Codable, Sendable, Equatable {
    public var sources: [String]
    /// Matching lines, oldest first, at most `maximumLines` of the newest.
    public var lines: [String]
    public var linesScanned: Int

    static let maximumLines = 400
    /// Enough for a boot's worth of kernel.log without reading a giant rotated file whole.
    static let tailBytes = 4 << 20

    /// Lower-case fragments that make a line worth keeping.
    static let interesting = [
        "kvm", "vmx", "svm", "disabled by bios", "feat_ctl", "tsc", "clocksource", "loop", "xen", "hypervisor",
        "virtualization", "vt-x", "amd-v", "selinux", "iommu", "dmar", "br_netfilter", "bridge",
    ]

    public func contains(_ fragment: String) -> [String] {
        let needle = fragment.lowercased()
        return lines.filter { $0.lowercased().contains(needle) }
    }

    public static func scan(_ text: String, source: String, into log: inout KernelLog) {
        for line in text.split(separator: "\n") {
            log.linesScanned += 1
            let lower = line.lowercased()
            if interesting.contains(where: lower.contains) {
                log.lines.append(cleanKmsgRecord(String(line)))
            }
        }
        log.sources.append(source)
        if log.lines.count > maximumLines { log.lines.removeFirst(log.lines.count - maximumLines) }
    }

    /// `/dev/kmsg` records look like "6,339,5140900,-;kvm: disabled by bios"; keep the message.
    static func cleanKmsgRecord(_ line: String) -> String {
        guard let semicolon = line.firstIndex(of: ";"), line[..<semicolon].allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" || $0 == "c" || $0 == "+" }) else {
            return line
        }
        return String(line[line.index(after: semicolon)...])
    }

    static func read(from root: HostRoot) throws(FactError) -> Sourced<KernelLog> {
        var log = KernelLog(sources: [], lines: [], linesScanned: 0)
        var denied: [String] = []
        if root.isLive {
            do {
                let text = try withDeadline(seconds: 3, what: "reading /dev/kmsg") { readKmsg() }
                if let text { scan(text, source: "/dev/kmsg", into: &log) } else { denied.append("/dev/kmsg") }
            } catch {
                denied.append("/dev/kmsg")
            }
        }
        if log.sources.isEmpty {
            for path in ["/var/log/dmesg", "/var/log/kern.log", "/journalctl-k.txt"] {
                do {
                    let bytes = try root.readTail(path, maxBytes: tailBytes)
                    scan(String(decoding: bytes, as: UTF8.self), source: path, into: &log)
                } catch .permissionDenied {
                    denied.append(path)
                } catch {
                    continue
                }
            }
        }
        if log.sources.isEmpty {
            if !denied.isEmpty { throw .permissionDenied(denied.joined(separator: ", ")) }
            throw .absent("a kernel log (/var/log/dmesg, /var/log/kern.log, journalctl-k.txt)")
        }
        return Sourced(log, sources: log.sources)
    }

    /// Reads every record currently in the kernel ring buffer without waiting for new ones.
    /// Returns nil when the device cannot be opened (permission denied, or no /dev/kmsg in a container).
    private static func readKmsg() -> String? {
        let descriptor = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 8192)
        var total = 0
        while total < tailBytes * 2 {
            let count = buffer.withUnsafeMutableBytes { SwiftGlibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                total += count
                text += String(decoding: buffer[0..<count], as: UTF8.self)
                if !text.hasSuffix("\n") { text += "\n" }
            } else if count < 0 && errno == EPIPE {
                continue  // a record was overwritten while reading: skip it
            } else {
                break     // EAGAIN: the buffer is drained
            }
        }
        return text
    }
}
