import CSystemShims
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
        scan(Array(text.utf8), source: source, into: &log)
    }

    /// Byte-level scan: a boot's worth of kernel log is thousands of lines, and all but a few are dropped,
    /// so each line is lower-cased into one reused buffer and searched with memmem rather than as a String.
    public static func scan(_ bytes: [UInt8], source: String, into log: inout KernelLog) {
        let needles = interesting.map { Array($0.utf8) }
        var lowered = [UInt8](repeating: 0, count: 4096)
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = all[start...].firstIndex(of: 0x0A) ?? all.count
                let length = end - start
                if length > 0 {
                    log.linesScanned += 1
                    if lowered.count < length { lowered = [UInt8](repeating: 0, count: length) }
                    for index in 0..<length {
                        let byte = all[start + index]
                        lowered[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                    }
                    let matched = lowered.withUnsafeBytes { line in
                        needles.contains { needle in
                            needle.withUnsafeBytes { vd_memmem(line.baseAddress, length, $0.baseAddress, $0.count) != nil }
                        }
                    }
                    if matched {
                        log.lines.append(cleanKmsgRecord(String(decoding: all[start..<end], as: UTF8.self)))
                    }
                }
                start = end + 1
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
                let bytes = try withDeadline(seconds: 3, what: "reading /dev/kmsg") { readKmsg() }
                if let bytes { scan(bytes, source: "/dev/kmsg", into: &log) } else { denied.append("/dev/kmsg") }
            } catch {
                denied.append("/dev/kmsg")
            }
        }
        if log.sources.isEmpty {
            for path in ["/var/log/dmesg", "/var/log/kern.log", "/journalctl-k.txt", "/dmesg.txt"] {
                do {
                    scan(try root.readTail(path, maxBytes: tailBytes), source: path, into: &log)
                } catch .permissionDenied {
                    denied.append(path)
                } catch {
                    continue
                }
            }
        }
        if log.sources.isEmpty {
            if !denied.isEmpty { throw .permissionDenied(denied.joined(separator: ", ")) }
            let what = "a kernel log (/var/log/dmesg, /var/log/kern.log, journalctl-k.txt)"
            // On the live machine /dev/kmsg always exists; elsewhere a missing log only means nobody saved it.
            throw root.isLive ? .absent(what) : root.liveOnly(what)
        }
        return Sourced(log, sources: log.sources)
    }

    /// Reads every record currently in the kernel ring buffer without waiting for new ones.
    /// Returns nil when the device cannot be opened (permission denied, or no /dev/kmsg in a container).
    static func readKmsg() -> [UInt8]? {
        let descriptor = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var records: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while records.count < tailBytes * 2 {
            // Each read returns one record; a record always ends with a newline.
            let count = buffer.withUnsafeMutableBytes { SwiftGlibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                records.append(contentsOf: buffer[0..<count])
                if records.last != 0x0A { records.append(0x0A) }
            } else if count < 0 && errno == EPIPE {
                continue  // a record was overwritten while reading: skip it
            } else {
                break     // EAGAIN: the buffer is drained
            }
        }
        return records
    }
}
