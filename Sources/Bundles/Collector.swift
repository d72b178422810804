import CheckEngine
import Crypto
import DoctorCore
import Foundation
import HostFacts
import Reporting

/// What `virt-doctor collect` did, written into the bundle as manifest.json.
public struct Manifest: Codable, Sendable {
    public struct File: Codable, Sendable {
        public var path: String
        public var size: Int
        public var sha256: String
    }

    public struct Collector: Codable, Sendable {
        public var name: String
        /// ok, failed, skipped
        public var status: String
        public var seconds: Double
        public var bytes: Int
        public var note: String?
    }

    public var schemaVersion = 1
    public var tool: Report.Tool
    public var commandLine: [String]
    public var host: Report.Host
    public var started: Date
    public var finished: Date
    /// The instant the checks were evaluated at; analyze evaluates at the same one.
    public var now: Date
    public var profile: Profile
    public var obfuscated: Bool
    public var files: [File]
    public var collectors: [Collector]
    /// Files left out or changed on purpose: private keys withheld, passwords masked.
    public var redactions: [String: [String]]
}

public struct CollectOptions: Sendable {
    public var root: HostRoot
    /// A directory (the archive gets its standard name there) or a file path.
    public var output: String?
    public var since: TimeInterval?
    public var maximumBytes: Int
    public var obfuscate: Bool
    public var profile: Profile?
    public var now: Date?
    public var libvirtURI: String?
    /// Seconds libvirt may take to answer (--libvirt-timeout) before it is reported as hung.
    public var libvirtTimeout: Double = 10
    public var commandLine: [String]
    public var progress: (@Sendable (String, Double, Int) -> Void)?

    public init(root: HostRoot, output: String? = nil, since: TimeInterval? = nil, maximumBytes: Int = 200 << 20, obfuscate: Bool = false,
                profile: Profile? = nil, now: Date? = nil, libvirtURI: String? = nil, commandLine: [String] = [],
                progress: (@Sendable (String, Double, Int) -> Void)? = nil) {
        self.root = root
        self.output = output
        self.since = since
        self.maximumBytes = maximumBytes
        self.obfuscate = obfuscate
        self.profile = profile
        self.now = now
        self.libvirtURI = libvirtURI
        self.commandLine = commandLine
        self.progress = progress
    }
}

public struct CollectResult: Sendable {
    public var archivePath: String
    public var obfuscationMapPath: String?
    public var manifest: Manifest
    public var archiveBytes: Int
}

/// Collects one host into one archive that works as a `--root` and as input to `analyze`.
public enum Collector {
    /// Configuration trees copied whole (small), and logs copied as tails.
    static let configurationTrees = ["/etc/libvirt", "/etc/vdsm", "/etc/ovirt-engine", "/etc/ovirt-hosted-engine", "/etc/ovirt-engine-setup.conf.d",
                                     "/etc/selinux", "/etc/modprobe.d", "/etc/sysctl.d", "/etc/default", "/boot/loader/entries", "/etc/xen"]
    static let configurationFiles = ["/etc/os-release", "/etc/redhat-release", "/etc/hostname", "/etc/hosts", "/etc/sysctl.conf", "/etc/modprobe.conf",
                                     "/boot/grub2/grub.cfg", "/boot/grub/grub.cfg", "/boot/grub2/grubenv", "/boot/grub/grubenv", "/boot/grub/grub.conf",
                                     "/proc/sys/kernel/osrelease", "/proc/meminfo", "/proc/cmdline", "/proc/modules", "/proc/stat"]
    static let logs = ["/var/log/libvirt/libvirtd.log", "/var/log/libvirt/qemu", "/var/log/vdsm/vdsm.log", "/var/log/vdsm/supervdsm.log",
                       "/var/log/ovirt-engine/engine.log", "/var/log/ovirt-hosted-engine-ha/agent.log", "/var/log/messages", "/var/log/kern.log",
                       "/var/log/dmesg", "/var/log/syslog"]
    static let logTailBytes = 4 << 20

    public static func collect(_ options: CollectOptions) throws -> CollectResult {
        let started = Date()
        // A bad --output is reported now, not after the whole collection has run.
        if let output = options.output {
            let probe = try destination(output, name: "virt-doctor-probe.tar.gz")
            try OutputFile.validate(probe)
        }
        let recorder = AccessRecorder()
        let root = options.root.recording(into: recorder)
        let diagnosisOptions = DiagnosisOptions(root: root, profile: options.profile, now: options.now, clock: started,
                                                libvirtURI: options.libvirtURI, libvirtTimeout: options.libvirtTimeout)
        var collectors: [Manifest.Collector] = []
        var members: [String: ArchiveMember] = [:]
        var redactions: [String: [String]] = [:]
        var withheld: [String] = []
        var total = 0
        func step<T>(_ name: String, _ body: () throws -> T) -> T? {
            let start = Date()
            let before = total
            options.progress?(name, Date().timeIntervalSince(started), total)
            do {
                let value = try body()
                collectors.append(.init(name: name, status: "ok", seconds: Date().timeIntervalSince(start), bytes: total - before, note: nil))
                return value
            } catch {
                collectors.append(.init(name: name, status: "failed", seconds: Date().timeIntervalSince(start), bytes: total - before, note: "\(error)"))
                return nil
            }
        }
        /// Evidence read from the host goes through the redaction policy (and may be withheld); what the tool
        /// generated itself (`evidence: false`) may still quote host values, so it is scrubbed as a document.
        func add(_ path: String, _ bytes: [UInt8], evidence: Bool = true) {
            let relative = String(canonical(options.root, path).drop { $0 == "/" })
            guard !relative.isEmpty, members[relative] == nil else { return }
            var contents: [UInt8]?
            if evidence {
                let outcome = Redactor.scrub(bytes, path: path)
                if !outcome.notes.isEmpty { redactions[path, default: []] += outcome.notes }
                contents = outcome.contents
                if contents == nil { withheld.append(canonical(options.root, path)) }
            } else if path == "/.meta.yaml" {
                // Paths, modes, ids and SELinux labels the tool formatted itself; a path such as
                // /etc/libvirt/passwd.db would otherwise read as a secret setting and lose its entry.
                contents = bytes
            } else {
                contents = Redactor.scrubDocument(bytes, path: path)
            }
            guard let contents else { return }
            guard total + contents.count <= options.maximumBytes else {
                redactions[path, default: []].append("left out: the --max-size limit was reached")
                return
            }
            total += contents.count
            members[relative] = ArchiveMember(path: relative, contents: contents)
        }

        // 1. Run every check (and every fact) with the recorder on: the bundle then holds what they read.
        let catalog = try Catalog.builtIn()
        // The same store then answers the facts and the recordings below, so nothing is read twice.
        guard let diagnosis = step("checks", { try Diagnosis.run(diagnosisOptions, catalog: catalog) }) else {
            throw ArchiveError("the checks could not run: \(collectors.last?.note ?? "unknown reason")")
        }
        let report = diagnosis.report
        let store = diagnosis.store
        let facts = step("facts") { Facts.all.map { $0.record(store) } } ?? []

        // 2. Configuration and logs that no check reads but a support engineer needs.
        _ = step("configuration") {
            for tree in configurationTrees { try? copyTree(root, tree, depth: 6, add: add) }
            for file in configurationFiles { if let bytes = try? root.readBytes(file, limit: 4 << 20) { add(file, bytes) } }
        }
        _ = step("logs") {
            for path in logs {
                let since = options.since.map { started.addingTimeInterval(-$0) }
                if let info = try? root.fileInfo(path), info.kind == .directory {
                    for name in ((try? root.list(path)) ?? []).suffix(50) {
                        copyLog(root, "\(path)/\(name)", since: since, add: add)
                    }
                } else {
                    copyLog(root, path, since: since, add: add)
                }
            }
        }

        // Journal excerpts of the virtualization services, when journalctl exists on the live host.
        if options.root.isLive, FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl") {
            _ = step("journal") {
                // A library caller may pass any Double: clamp it to whole hours from 1 to ten years, never trap.
                let hours = min(max(CheckedNumbers.clampedInteger((options.since ?? 48 * 3600) / 3600), 1), 10 * 365 * 24)
                let arguments = ["--no-pager", "-o", "short-iso", "--since", "-\(hours)h", "-u", "libvirtd", "-u", "virtqemud", "-u", "virtproxyd",
                                 "-u", "vdsmd", "-u", "supervdsmd", "-u", "ovirt-engine", "-u", "ovirt-ha-agent", "-u", "ovirt-ha-broker"]
                let output = try runBounded("/usr/bin/journalctl", arguments, seconds: 15, maximumBytes: logTailBytes)
                add("/var/log/journal-excerpt.txt", output)
            }
        }

        // issue 13: ovirt — the hosted-engine HA state of every host, which only the HA broker can tell
        // (read-only: it asks the broker for the metadata on the shared storage). ovirt.he-state reads the
        // recording in the bundle.
        if options.root.isLive, FileManager.default.isExecutableFile(atPath: "/usr/sbin/hosted-engine"),
           options.root.exists("/etc/ovirt-hosted-engine/hosted-engine.conf") {
            _ = step("hosted-engine") {
                let output = try runBounded("/usr/sbin/hosted-engine", ["--vm-status", "--json"], seconds: 30, maximumBytes: 1 << 20)
                if !output.isEmpty { add(HostedEngineState.vmStatusRecording, output) }
            }
        }

        // 3. What the checks read, listed, stat'ed and followed.
        _ = step("evidence") {
            let seen = recorder.snapshot()
            for path in seen.reads.sorted() where !path.hasPrefix("/dev/") {
                if let bytes = try? options.root.readBytes(path, limit: HostRoot.defaultReadLimit) { add(path, bytes) }
            }
            for (path, target) in seen.links.sorted(by: { $0.key < $1.key }) {
                let relative = String(canonicalLinkPath(options.root, path).drop { $0 == "/" })
                guard members[relative] == nil else { continue }
                let inside = target.hasPrefix("/") ? relativeLink(from: "/" + relative, to: target) : target
                members[relative] = ArchiveMember(path: relative, kind: .symlink(inside))
            }
            for (path, names) in seen.listings {
                for name in names {
                    let child = path == "/" ? "/\(name)" : "\(path)/\(name)"
                    let relative = String(canonical(options.root, child).drop { $0 == "/" })
                    if members[relative] == nil, (try? options.root.fileInfo(child))?.kind == .directory {
                        members[relative] = ArchiveMember(path: relative, kind: .directory)
                    }
                }
            }
            for (path, info) in seen.stats where info.kind == .directory {
                let relative = String(canonical(options.root, path).drop { $0 == "/" })
                if !relative.isEmpty, members[relative] == nil { members[relative] = ArchiveMember(path: relative, kind: .directory) }
            }
            for (path, info) in seen.stats where info.kind == .regular {
                let relative = String(canonical(options.root, path).drop { $0 == "/" })
                if members[relative] == nil, info.size <= 1 << 20, let bytes = try? options.root.readBytes(path) { add(path, bytes) }
                else if members[relative] == nil { add(path, []) }
            }
        }

        // 4. What only the live machine can answer, recorded as the files a root uses instead.
        _ = step("recorded programs") {
            let context = LiveRecordingContext(store: store)
            for recording in LiveRecordings.all {
                if let text = recording.write(context) { add(recording.file, Array(text.utf8), evidence: recording.mayHoldSecrets) }
            }
            add("/.meta.yaml", Array(sidecar(recorder: recorder, root: options.root, store: store, withheld: withheld).utf8), evidence: false)
        }

        // 5. The facts and the report, then the manifest over everything.
        let encoder = JSONFormat.encoder()
        add("/facts.json", Array(try encoder.encode(FactsDocument(root: options.root.label, facts: facts))), evidence: false)
        // The HTML page is rendered from the scrubbed report, so both say the same and neither quotes a secret
        // (in HTML, quotes are entities, which the scrubbers would not see as quotes).
        let reportJSON = Redactor.scrubDocument(Array(try report.encodedJSON()), path: "/report.json")
        add("/report.json", reportJSON, evidence: false)
        if let scrubbedReport = try? Report.decode(json: Data(reportJSON)), let html = try? Renderer().render(scrubbedReport, format: .html) {
            add("/report.html", Array(html.utf8), evidence: false)
        }

        var mapPath: String?
        var obfuscator: Obfuscator?
        if options.obfuscate {
            let names = hostNames(options.root, hostname: report.host.hostname)
            let active = Obfuscator(hostNames: names)
            for (key, member) in members where member.kind == .file {
                // Binary members (certificates, the SMBIOS table) cannot be rewritten without breaking them.
                guard String(validating: member.contents, as: UTF8.self) != nil else { continue }
                members[key]?.contents = active.apply(member.contents)
            }
            obfuscator = active
        }

        let hostLabel = obfuscator?.primaryHostPlaceholder ?? (report.host.hostname ?? "host").replacingOccurrences(of: "/", with: "_")
        let stamp = bundleStamp(started)
        let archivePath = try destination(options.output, name: "virt-doctor-\(hostLabel)-\(stamp).tar.gz")
        let sortedMembers = members.values.sorted { $0.path < $1.path }
        var manifest = Manifest(
            tool: report.tool, commandLine: options.commandLine, host: report.host, started: started, finished: Date(), now: report.now,
            profile: report.profile.effective, obfuscated: options.obfuscate,
            files: sortedMembers.filter { $0.kind == .file }.map { .init(path: $0.path, size: $0.contents.count, sha256: hexDigest($0.contents)) },
            collectors: collectors, redactions: redactions)
        if let obfuscator { manifest.host.hostname = obfuscator.apply(manifest.host.hostname ?? "") }
        // The command line may carry a URI with a password (--connect qemu+ssh://user:pw@host/system).
        manifest.commandLine = Redactor.scrubArguments(manifest.commandLine)
        var manifestBytes = Array(try encoder.encode(manifest))
        if let obfuscator { manifestBytes = obfuscator.apply(manifestBytes) }
        let manifestMember = ArchiveMember(path: "manifest.json", contents: manifestBytes)
        let archive = try Archive.tarGz([manifestMember] + sortedMembers, modificationTime: started)
        // The map first: an archive without its map could not be de-obfuscated, a map without an archive is harmless.
        if let obfuscator {
            let path = archivePath + ".obfuscation-map.json"
            try OutputFile.write(Array(try encoder.encode(obfuscator.map)), to: path)
            mapPath = path
        }
        try OutputFile.write(archive, to: archivePath)
        options.progress?("done", Date().timeIntervalSince(started), archive.count)
        return CollectResult(archivePath: archivePath, obfuscationMapPath: mapPath, manifest: manifest, archiveBytes: archive.count)
    }

    static func hexDigest(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in SHA256.hash(data: bytes) { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }

    /// The names this host is known by, most important first: its hostname and short name, then the names
    /// /etc/hosts gives non-loopback addresses (the engine, peers, the host under another name).
    static func hostNames(_ root: HostRoot, hostname: String?) -> [String] {
        var names: [String] = []
        for candidate in [hostname, (try? root.readText("/etc/hostname")), (try? root.readText("/proc/sys/kernel/hostname"))] {
            guard let name = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { continue }
            names.append(name)
            if let short = name.split(separator: ".").first { names.append(String(short)) }
        }
        if let hosts = try? root.readText("/etc/hosts") {
            for line in hosts.split(separator: "\n") {
                let fields = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                    .split(whereSeparator: { $0 == " " || $0 == "\t" }) ?? []
                guard let address = fields.first, !address.hasPrefix("127."), address != "::1", !address.hasPrefix("ff0") else { continue }
                // Only fully qualified names: a short alias such as "engine" is also an ordinary word in paths
                // and logs (ovirt-engine/engine.log), which must stay readable.
                names += fields.dropFirst().filter { $0.contains(".") }.map(String.init)
            }
        }
        return names
    }

    /// Where a path really lives in the root: files read through a symbolic link (/sys/block/vda/queue/...)
    /// are stored under their target, so the link and its target can both be in the archive.
    static func canonical(_ root: HostRoot, _ path: String) -> String {
        root.canonicalPath(path) ?? path
    }

    /// A link's own location with its parent canonical (the link itself is not followed).
    static func canonicalLinkPath(_ root: HostRoot, _ path: String) -> String {
        let parent = canonical(root, parentOf(path))
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        return (parent == "/" ? "" : parent) + "/" + name
    }

    static func parentOf(_ path: String) -> String {
        "/" + path.split(separator: "/").dropLast().joined(separator: "/")
    }

    /// `--output`: an existing directory gets the standard name inside it; anything else is the file's own
    /// path. A trailing "/" always means a directory, so `--output newdir/` is an error when newdir does not
    /// exist (it is not created, and not written as a file named newdir).
    static func destination(_ output: String?, name: String) throws(OutputFileError) -> String {
        guard let output else { return FileManager.default.currentDirectoryPath + "/" + name }
        if OutputFile.isDirectory(output) { return (output.hasSuffix("/") ? output : output + "/") + name }
        if output.hasSuffix("/") {
            throw OutputFileError("--output \(output): no such directory (create it first, or give a file name)")
        }
        return output
    }

    /// Runs a read-only program with a deadline and an output cap; its output, or the reason it failed.
    static func runBounded(_ program: String, _ arguments: [String], seconds: Double, maximumBytes: Int) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let result = try? withDeadline(seconds: seconds, what: program) { () -> [UInt8] in
            var collected: [UInt8] = []
            while let chunk = try? pipe.fileHandleForReading.read(upToCount: 65536), !chunk.isEmpty {
                collected += chunk
                if collected.count > maximumBytes { collected.removeFirst(collected.count - maximumBytes) }
            }
            return collected
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        guard let result else { throw ArchiveError("\(program) did not finish within \(Int(seconds)) s") }
        return result
    }

    static func copyTree(_ root: HostRoot, _ path: String, depth: Int, add: (String, [UInt8], Bool) -> Void) throws {
        guard depth > 0 else { return }
        for name in try root.list(path) {
            let child = "\(path)/\(name)"
            guard let info = try? root.fileInfo(child) else { continue }
            if info.kind == .directory { try? copyTree(root, child, depth: depth - 1, add: add) }
            else if info.kind == .regular, info.size <= 4 << 20, let bytes = try? root.readBytes(child, limit: 4 << 20) { add(child, bytes, true) }
        }
    }

    static func copyLog(_ root: HostRoot, _ path: String, since: Date?, add: (String, [UInt8], Bool) -> Void) {
        guard let info = try? root.fileInfo(path), info.kind == .regular else { return }
        if let since, let modified = modificationDate(root, path), modified < since { return }
        if let bytes = try? root.readTail(path, maxBytes: logTailBytes) { add(path, bytes, true) }
    }

    static func modificationDate(_ root: HostRoot, _ path: String) -> Date? {
        root.modificationDate(path)
    }

    /// An absolute link target, rewritten relative to the link so it stays inside the bundle.
    static func relativeLink(from path: String, to target: String) -> String {
        let depth = path.split(separator: "/").count - 1
        return String(repeating: "../", count: depth) + target.drop { $0 == "/" }
    }

    /// Device nodes, unreadable files, SELinux labels and the collecting user, which the archive's files
    /// cannot carry themselves.
    static func sidecar(recorder: AccessRecorder, root: HostRoot, store: FactStore, withheld: [String]) -> String {
        let seen = recorder.snapshot()
        var files: [String: RootMetadata.Entry] = [:]
        for (path, info) in seen.stats where info.kind == .charDevice || info.kind == .blockDevice {
            files[path] = RootMetadata.Entry(type: info.kind, mode: info.modeOctal, uid: info.uid, gid: info.gid, major: info.major, minor: info.minor)
        }
        // Withheld secrets stay visible as files nobody may read, so checks still see that they exist.
        for path in Set(seen.denials).union(withheld) { files[path, default: RootMetadata.Entry()].unreadable = true }
        if let labels = try? store.get(Facts.imageLabels) {
            for image in labels.images { if let context = image.context { files[image.path, default: RootMetadata.Entry()].selinux = context } }
        }
        // issue 12: storage — an image travels as an empty file; its apparent and allocated sizes go here.
        if let images = try? store.get(Facts.guestImages) {
            for image in images.images where image.exists {
                files[image.path, default: RootMetadata.Entry()].size = image.apparentBytes
                files[image.path, default: RootMetadata.Entry()].allocated = image.allocatedBytes
            }
        }
        let identity = ProcessIdentity.current(root)
        return RootMetadata(files: files, process: RootMetadata.Process(uid: identity.uid, gids: identity.gids)).encoded()
    }
}

/// 20261123T140501Z: a UTC time safe in file names.
func bundleStamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
}
