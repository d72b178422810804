import DoctorCore
import Foundation

// issue 13: ovirt — what `vdsm-tool configure` writes into the configuration of the services vdsm relies on,
// with its revision markers, read from the files under the root (a live host, a copy, a bundle, a sos report).
// The markers are vdsm's own (lib/vdsm/tool/configfile.py, configurators/*.py, storage/mpathconf.py,
// storage/sanlockconf.py, tool/confmeta.py): parsers are total over any bytes.

public struct VDSMConfiguration: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// "## beginning of configuration section by vdsm-4.40.0" ... "## end of configuration section by vdsm-4.40.0"
        /// (libvirtd.conf, qemu.conf, qemu-sanlock.conf, /etc/sysconfig/libvirtd).
        case section
        /// multipath.conf: "# VDSM REVISION 2.2" on the first line, "# VDSM PRIVATE" on the second.
        case multipath
        /// lvmlocal.conf: "#REVISION: 7" and "#PRIVATE: NO|YES" in the leading comment block.
        case lvm
        /// sanlock.conf: "our_host_name = <host uuid>" and "max_worker_threads = 50".
        case sanlock
    }

    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var kind: Kind
        /// false: the file is not there; nil: the evidence never captured the place it would be.
        public var present: Bool?
        /// section: the version of the last section start ("4.40.0"); multipath: the tag's revision ("2.2");
        /// lvm: the revision number; nil when the file has no marker.
        public var revision: String?
        /// multipath: the tag is the old "RHEV"/"RHAT" form.
        public var legacyTag: Bool
        /// multipath "# VDSM PRIVATE" / "# RHEV PRIVATE"; lvm "#PRIVATE: YES": vdsm-tool never rewrites it.
        public var isPrivate: Bool
        /// section: a start marker without the end marker after it (a file cut or edited by hand).
        public var unterminated: Bool
        /// sanlock: the options set in the file (values cut to 128 bytes).
        public var options: [String: String]
    }

    public var files: [File]

    public func file(_ path: String) -> File? { files.first { $0.path == path } }

    static let sectionStart = "## beginning of configuration section by vdsm"
    static let sectionEnd = "## end of configuration section by vdsm"
    public static let sectionFiles = ["/etc/libvirt/libvirtd.conf", "/etc/libvirt/qemu.conf", "/etc/libvirt/qemu-sanlock.conf",
                                      "/etc/sysconfig/libvirtd"]
    public static let multipathFile = "/etc/multipath.conf"
    public static let lvmFile = "/etc/lvm/lvmlocal.conf"
    public static let sanlockFile = "/etc/sanlock/sanlock.conf"
    static let readLimit = 1 << 20

    /// The version of the last "## beginning of configuration section by vdsm-X" line (nil when there is
    /// none), and whether that section lacks its end line.
    public static func parseSection(_ text: String) -> (version: String?, unterminated: Bool) {
        var version: String?
        var open = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) where raw.utf8.count <= 4096 {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix(sectionStart) {
                let rest = line.dropFirst(sectionStart.count)
                let value = rest.hasPrefix("-") ? String(rest.dropFirst()) : ""
                version = validRevision(value) ?? "?"
                open = true
            } else if line.hasPrefix(sectionEnd) {
                open = false
            }
        }
        return (version, version != nil && open)
    }

    /// multipath.conf's first two lines: (revision "2.2", legacy RHEV/RHAT tag, private).
    public static func parseMultipathHeader(_ text: String) -> (revision: String?, legacy: Bool, isPrivate: Bool) {
        let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).prefix(2).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        let first = lines.first ?? ""
        let second = lines.count > 1 ? lines[1] : ""
        let isPrivate = second.hasPrefix("# VDSM PRIVATE") || second.hasPrefix("# RHEV PRIVATE")
        for (prefix, legacy) in [("# VDSM REVISION ", false), ("# RHEV REVISION ", true), ("# RHAT REVISION ", true)] where first.hasPrefix(prefix) {
            let word = first.dropFirst(prefix.count).split(separator: " ").first.map(String.init) ?? ""
            return (validRevision(word), legacy, isPrivate)
        }
        return (nil, false, isPrivate)
    }

    /// lvmlocal.conf's leading comment block: "#REVISION: 7", "#PRIVATE: YES".
    public static func parseLVMLocal(_ text: String) -> (revision: Int?, isPrivate: Bool) {
        var revision: Int?
        var isPrivate = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(500) {
            guard raw.hasPrefix("#") else { break }
            let body = raw.dropFirst()
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = body[..<colon]
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { continue }
            let value = TextChecks.trimmed(body[body.index(after: colon)...])
            if key == "REVISION" { revision = value.utf8.count <= 9 && value.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(value) : nil }
            if key == "PRIVATE" { isPrivate = value == "YES" }
        }
        return (revision, isPrivate)
    }

    /// sanlock.conf as vdsm reads it (sanlockconf.load): "key = value" lines; comments and indented lines skipped.
    public static func parseSanlock(_ text: String) -> [String: String] {
        var options: [String: String] = [:]
        for raw in text.split(separator: "\n").prefix(2000) where raw.utf8.count <= 4096 {
            guard let first = raw.first, first != "#", first != " ", first != "\t", let equals = raw.firstIndex(of: "=") else { continue }
            let key = TextChecks.trimmed(String(raw[..<equals]))
            guard !key.isEmpty, key.utf8.count <= 64 else { continue }
            options[key] = String(decoding: TextChecks.trimmed(raw[raw.index(after: equals)...]).utf8.prefix(128), as: UTF8.self)
        }
        return options
    }

    /// "4.40.0", "2.2": digits and dots, at most 32 characters.
    static func validRevision(_ text: String) -> String? {
        let trimmed = TextChecks.trimmed(text)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 32, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              trimmed.first?.isNumber == true else { return nil }
        return trimmed
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<VDSMConfiguration> {
        var files: [File] = []
        var denied: [String] = []
        func load(_ path: String, _ kind: Kind, _ fill: (String, inout File) -> Void) {
            var file = File(path: path, kind: kind, present: false, revision: nil, legacyTag: false, isPrivate: false, unterminated: false, options: [:])
            do throws(FactError) {
                if let text = try root.readTextIfPresent(path, limit: readLimit) {
                    file.present = true
                    fill(text, &file)
                } else if let slash = path.lastIndex(of: "/"), path[..<slash] != "/etc", !root.exists(String(path[..<slash])) {
                    // No /etc/libvirt, /etc/lvm or /etc/sanlock at all: that part of the host was not captured.
                    file.present = nil
                }
            } catch .permissionDenied {
                denied.append(path)
                return
            } catch {
                file.present = nil
            }
            files.append(file)
        }
        for path in sectionFiles {
            load(path, .section) { text, file in
                let (version, unterminated) = parseSection(text)
                file.revision = version
                file.unterminated = unterminated
            }
        }
        load(multipathFile, .multipath) { text, file in
            let header = parseMultipathHeader(text)
            file.revision = header.revision
            file.legacyTag = header.legacy
            file.isPrivate = header.isPrivate
        }
        load(lvmFile, .lvm) { text, file in
            let meta = parseLVMLocal(text)
            file.revision = meta.revision.map(String.init)
            file.isPrivate = meta.isPrivate
        }
        load(sanlockFile, .sanlock) { text, file in
            file.options = parseSanlock(text)
        }
        let read = files.filter { $0.present == true }.map(\.path)
        guard !read.isEmpty else {
            if !denied.isEmpty { throw .permissionDenied(denied.joined(separator: ", ")) }
            throw .absent("the configuration vdsm-tool writes (libvirtd.conf, qemu.conf, multipath.conf, lvmlocal.conf, sanlock.conf)")
        }
        return Sourced(VDSMConfiguration(files: files), sources: read)
    }
}

/// What a given vdsm release's `vdsm-tool configure` writes: the revisions its configurators expect, from
/// vdsm's history (CONF_VERSION in configurators/libvirt.py, CURRENT_TAG in storage/mpathconf.py, #REVISION
/// of static/usr/share/vdsm/lvmlocal.conf, the sanlock configurator).
public struct VDSMExpectations: Sendable, Equatable {
    /// The libvirt section's version: "4.40.0" since vdsm 4.40.
    public var libvirtSection: String
    /// multipath.conf's "VDSM REVISION": "2.2" since vdsm 4.50.0.10.
    public var multipath: String?
    /// lvmlocal.conf's "#REVISION": 7 since vdsm 4.50.2; nil before vdsm 4.20 (no lvmlocal.conf then).
    public var lvm: Int?
    /// sanlock.conf must name the host (our_host_name) since vdsm 4.40.40.
    public var sanlockHostName: Bool
    /// ... and set max_worker_threads = 50 since vdsm 4.40.70.1.
    public var sanlockWorkers: Bool

    /// The newest known (vdsm 4.50.2 and later).
    public static let newest = VDSMExpectations(libvirtSection: "4.40.0", multipath: "2.2", lvm: 7, sanlockHostName: true, sanlockWorkers: true)

    /// "4.50.3.4-1.el8" or "2:4.40.100.2" → [4, 50, 3, 4]; nil when it does not start with numbers.
    public static func numbers(_ version: String) -> [Int]? {
        let withoutEpoch = version.split(separator: ":", maxSplits: 1).last ?? ""
        let upstream = withoutEpoch.split(separator: "-", maxSplits: 1).first ?? ""
        var parts: [Int] = []
        for part in upstream.split(separator: ".").prefix(6) {
            let digits = part.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 6, let number = Int(digits) else { break }
            parts.append(number)
            if digits.count != part.count { break }
        }
        return parts.count >= 2 ? parts : nil
    }

    static func atLeast(_ version: [Int], _ minimum: [Int]) -> Bool {
        for index in 0..<max(version.count, minimum.count) {
            let a = index < version.count ? version[index] : 0
            let b = index < minimum.count ? minimum[index] : 0
            if a != b { return a > b }
        }
        return true
    }

    /// What vdsm `version` writes; nil for a version that is not vdsm 4.x (unknown numbering).
    public static func forVersion(_ version: String) -> VDSMExpectations? {
        guard let v = numbers(version), v[0] == 4 else { return nil }
        let libvirt = atLeast(v, [4, 40]) ? "4.40.0" : atLeast(v, [4, 20]) ? "4.20.0" : atLeast(v, [4, 17]) ? "4.17.0" : "4.13.0"
        let multipathTable: [([Int], String)] = [([4, 50, 0, 10], "2.2"), ([4, 50, 0, 9], "2.1"), ([4, 40, 40], "2.0"), ([4, 40], "1.9"),
                                                 ([4, 30, 4], "1.8"), ([4, 30], "1.7"), ([4, 20, 4], "1.4"), ([4, 20], "1.3")]
        let lvmTable: [([Int], Int)] = [([4, 50, 2], 7), ([4, 50, 1, 2], 6), ([4, 50, 0, 4], 5), ([4, 40], 4), ([4, 20], 1)]
        return VDSMExpectations(libvirtSection: libvirt,
                                multipath: multipathTable.first { atLeast(v, $0.0) }?.1,
                                lvm: lvmTable.first { atLeast(v, $0.0) }?.1,
                                sanlockHostName: atLeast(v, [4, 40, 40]),
                                sanlockWorkers: atLeast(v, [4, 40, 70, 1]))
    }
}

extension Facts {
    public static let vdsmConfiguration = FactKey<VDSMConfiguration>("ovirt.vdsm-configuration", "The sections and revision markers vdsm-tool configure writes (libvirtd.conf, qemu.conf, qemu-sanlock.conf, sysconfig/libvirtd, multipath.conf, lvmlocal.conf, sanlock.conf)") { store throws(FactError) in
        try VDSMConfiguration.read(store.root)
    }
}
