import CKVMProbe
import DoctorCore
import Foundation

/// A device node such as /dev/kvm: what it is and whether the user running the check may open it.
public struct DeviceNode: Codable, Sendable, Equatable {
    public var path: String
    public var kind: FileKind
    public var mode: String
    public var owner: UInt32
    public var group: UInt32
    public var groupName: String?
    public var major: UInt32?
    public var minor: UInt32?
    /// Read and write access for the user running this check (QEMU needs both).
    public var readWriteForCurrentUser: Bool
    public var currentUser: UInt32

    static func inspect(_ path: String, root: HostRoot) throws(FactError) -> DeviceNode {
        let info = try root.fileInfo(path)
        let identity = ProcessIdentity.current(root)
        let mode = info.mode
        let access: Bool
        if root.isLive {
            access = Glibc.access(path, R_OK | W_OK) == 0
        } else if identity.uid == 0 {
            access = true
        } else if identity.uid == info.uid {
            access = mode & 0o600 == 0o600
        } else if identity.gids.contains(info.gid) {
            access = mode & 0o060 == 0o060
        } else {
            access = mode & 0o006 == 0o006
        }
        return DeviceNode(
            path: path, kind: info.kind, mode: info.modeOctal, owner: info.uid, group: info.gid,
            groupName: GroupDatabase.name(of: info.gid, root: root), major: info.major, minor: info.minor,
            readWriteForCurrentUser: access, currentUser: identity.uid)
    }
}

/// Who the run is: the real user on the live host; the sidecar's `process:` (default root) in a directory root.
public struct ProcessIdentity: Sendable {
    public var uid: UInt32
    public var gids: [UInt32]

    public static func current(_ root: HostRoot) -> ProcessIdentity {
        if root.isLive {
            let count = getgroups(0, nil)
            var groups = [gid_t](repeating: 0, count: Int(max(count, 0)))
            if count > 0 { _ = getgroups(count, &groups) }
            return ProcessIdentity(uid: getuid(), gids: [getgid()] + groups)
        }
        if let process = root.metadata.process {
            return ProcessIdentity(uid: process.uid, gids: process.gids ?? [])
        }
        return ProcessIdentity(uid: 0, gids: [0])
    }
}

/// Group names from the root's /etc/group (never the host's: a mounted disk has its own).
enum GroupDatabase {
    static func name(of gid: UInt32, root: HostRoot) -> String? {
        guard let text = try? root.readText("/etc/group", limit: 4 << 20) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 3, UInt32(fields[2]) == gid { return String(fields[0]) }
        }
        return nil
    }
}

/// What /dev/kvm answers. This is the ground truth for "can this machine run KVM guests": it works on
/// hosts where cpuinfo hides vmx/svm (nested setups such as PVM), and it fails where the flags are present
/// but the firmware or a module refuses.
public struct KVMAPIProbe: Codable, Sendable, Equatable {
    public var apiVersion: Int?
    public var capabilities: [String: Int]
    /// nil when the probe worked; otherwise the failing call and errno text ("open: Permission denied").
    public var failure: String?
    public var errorNumber: Int32?

    public var usable: Bool { failure == nil && apiVersion == 12 }

    static func probe(root: HostRoot) throws(FactError) -> Sourced<KVMAPIProbe> {
        if !root.isLive {
            // A recorded root keeps the live answer as `kvm-probe.txt` ("api_version=12", "KVM_CAP_...=1",
            // or "error=open: Permission denied").
            let text: String
            do throws(FactError) {
                text = try root.readText("/kvm-probe.txt").replacingOccurrences(of: "\r", with: "")
            } catch .absent {
                throw root.liveOnly("the /dev/kvm ioctl probe")
            }
            return Sourced(try parseRecorded(text), sources: ["/kvm-probe.txt"])
        }
        guard root.exists("/dev/kvm") else { throw .absent("/dev/kvm") }
        let result = try withDeadline(seconds: 5, what: "the /dev/kvm ioctl probe") { () -> KVMAPIProbe in
            var raw = vd_kvm_probe_result()
            vd_kvm_probe("/dev/kvm", &raw)
            if raw.error_number != 0 {
                let call = String(cString: raw.failed_call)
                return KVMAPIProbe(apiVersion: nil, capabilities: [:],
                                   failure: "\(call): \(String(cString: strerror(raw.error_number)))",
                                   errorNumber: raw.error_number)
            }
            var capabilities: [String: Int] = [:]
            withUnsafeBytes(of: raw.capabilities) { buffer in
                let values = buffer.bindMemory(to: Int32.self)
                for index in 0..<Int(VD_CAP_COUNT.rawValue) {
                    capabilities[String(cString: vd_kvm_capability_name(Int32(index)))] = Int(values[index])
                }
            }
            return KVMAPIProbe(apiVersion: Int(raw.api_version), capabilities: capabilities, failure: nil, errorNumber: nil)
        }
        return Sourced(result, sources: ["ioctl(/dev/kvm, KVM_GET_API_VERSION, KVM_CHECK_EXTENSION)"])
    }

    /// The probe's answer as `kvm-probe.txt`: the writer beside its reader (parseRecorded), so the format is
    /// defined once. Listed in LiveRecordings.
    public var recordedText: String {
        var text = failure.map { "error=\($0)\n" } ?? "api_version=\(apiVersion ?? 0)\n"
        for (name, value) in capabilities.sorted(by: { $0.key < $1.key }) { text += "\(name)=\(value)\n" }
        return text
    }

    static func parseRecorded(_ text: String) throws(FactError) -> KVMAPIProbe {
        try TextChecks.requireText(text, source: "/kvm-probe.txt")
        var probe = KVMAPIProbe(apiVersion: nil, capabilities: [:], failure: nil, errorNumber: nil)
        for line in text.split(separator: "\n") {
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: "=") else { continue }
            switch key {
            case "api_version":
                guard let version = Int(value) else {
                    throw .unparsable(source: "/kvm-probe.txt", detail: "api_version is not a number: \(value)")
                }
                probe.apiVersion = version
            case "error": probe.failure = value
            default:
                if key.hasPrefix("KVM_CAP_"), let number = Int(value) { probe.capabilities[key] = number }
            }
        }
        guard probe.apiVersion != nil || probe.failure != nil else {
            throw .unparsable(source: "/kvm-probe.txt", detail: "neither api_version= nor error= is present")
        }
        return probe
    }
}
