import DoctorCore

// issue 13: hit-a — what libvirt's QEMU driver leaves on the host while guests run: the status XML of
// running guests and their QEMU command lines (accelerator), the QEMU capabilities cache, and the guest logs
// (taint lines, the "could not find capabilities for domaintype=kvm" error). Every parser here is a pure
// function over text, total on junk, and every read is bounded: the evidence is hostile.

/// Guests that run now, from libvirt's status XML (`/run/libvirt/qemu/<name>.xml`) and the QEMU processes'
/// command lines (`/proc/<pid>/cmdline`; in a sos report the `ps auxwww` output).
public struct RunningGuests: Codable, Sendable, Equatable {
    public struct Guest: Codable, Sendable, Equatable {
        public var name: String
        /// `<domain type=...>` of the status XML: kvm, qemu ...; nil when only the process was seen.
        public var domainType: String?
        /// The accelerator the QEMU command line asks for (kvm, tcg, hvf ...); nil when it does not say.
        public var accelerator: String?
        public var pid: Int?
        /// Where each part came from.
        public var sources: [String]
    }

    public var guests: [Guest]
    /// Status files that do not parse, with the reason.
    public var unreadable: [String: String]

    public func guest(named name: String) -> Guest? { guests.first { $0.name == name } }

    static let statusDirectories = ["/run/libvirt/qemu", "/var/run/libvirt/qemu"]
    static let maximumGuests = 4096
    static let maximumProcesses = 65536
    static let psOutputs = ["/sos_commands/process/ps_auxwww", "/ps"]

    /// A status XML (`<domstatus state=... pid=...><domain type=...>`): name, domain type, pid.
    public static func parseStatus(_ text: String, file: String) throws(FactError) -> Guest {
        let root = try XMLElement.parse(text, source: file)
        guard root.name == "domstatus" else { throw .unparsable(source: file, detail: "root element is <\(root.name)>, not <domstatus>") }
        guard let domain = root.child("domain") else { throw .unparsable(source: file, detail: "<domstatus> without a <domain>") }
        guard let name = domain.child("name").map({ TextChecks.trimmed($0.text) }), !name.isEmpty else {
            throw .unparsable(source: file, detail: "domain without a <name>")
        }
        let pid = root.attributes["pid"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        return Guest(name: name, domainType: domain.attributes["type"], accelerator: nil, pid: pid, sources: [file])
    }

    /// A QEMU command line, one argument per element: the guest name (`-name guest=NAME,...` or
    /// `-name NAME`) and the accelerator (`-accel X`, `-machine ...,accel=X[:Y]`, `-enable-kvm`). The first
    /// accelerator named wins, as QEMU tries them in order.
    public static func parseCommandLine(_ arguments: [String]) -> (name: String?, accelerator: String?) {
        var name: String?
        var accelerator: String?
        var index = 0
        func option(_ argument: String) -> String {
            // QEMU accepts -opt and --opt.
            argument.hasPrefix("--") ? String(argument.dropFirst()) : argument
        }
        func firstField(_ value: Substring) -> String {
            String(value.prefix { $0 != "," && $0 != ":" })
        }
        while index < arguments.count {
            let argument = option(arguments[index])
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            switch argument {
            case "-name":
                if let next, name == nil {
                    if let range = next.range(of: "guest=") {
                        name = String(next[range.upperBound...].prefix { $0 != "," })
                    } else {
                        name = String(next.prefix { $0 != "," })
                    }
                }
                index += 2
            case "-accel":
                if let next, accelerator == nil { accelerator = firstField(Substring(next)) }
                index += 2
            case "-machine", "-M":
                if let next, accelerator == nil {
                    for part in next.split(separator: ",") where part.hasPrefix("accel=") {
                        accelerator = firstField(part.dropFirst("accel=".count))
                    }
                }
                index += 2
            case "-enable-kvm":
                if accelerator == nil { accelerator = "kvm" }
                index += 1
            default:
                index += 1
            }
        }
        if name?.isEmpty == true { name = nil }
        if accelerator?.isEmpty == true { accelerator = nil }
        return (name, accelerator)
    }

    /// Whether a process name (comm, at most 15 characters) is a QEMU system emulator.
    static func isQemu(_ comm: String) -> Bool {
        comm == "qemu-kvm" || comm.hasPrefix("qemu-system-") || comm == "kvm"
    }

    /// QEMU command lines in `ps auxwww` output (the sos process plugin): the COMMAND column split on blanks.
    public static func commandLines(fromPS text: String) -> [(pid: Int, arguments: [String])] {
        var found: [(pid: Int, arguments: [String])] = []
        for line in text.split(separator: "\n") where line.utf8.count <= 1 << 20 {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 10, let pid = Int(fields[1]), pid > 0 else { continue }
            let program = fields[10].split(separator: "/").last.map(String.init) ?? ""
            guard isQemu(String(program.prefix(15))) || program.hasPrefix("qemu-system-") else { continue }
            found.append((pid, fields[10...].map(String.init)))
            if found.count >= maximumGuests { break }
        }
        return found
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<RunningGuests> {
        var result = RunningGuests(guests: [], unreadable: [:])
        var sources: [String] = []
        var firstError: FactError?
        // 1. libvirt's status files.
        for directory in statusDirectories {
            let names: [String]
            do throws(FactError) {
                names = try root.list(directory)
            } catch {
                if firstError == nil { firstError = error }
                continue
            }
            sources.append(directory)
            for name in names where name.hasSuffix(".xml") && result.guests.count < maximumGuests {
                let path = "\(directory)/\(name)"
                do throws(FactError) {
                    let guest = try parseStatus(try root.readText(path, limit: 4 << 20), file: path)
                    if result.guest(named: guest.name) == nil { result.guests.append(guest) }
                } catch {
                    result.unreadable[path] = error.description
                }
            }
            break  // /var/run is a link to /run on current systems: one directory is enough.
        }
        // 2. The QEMU processes' command lines.
        func merge(pid: Int, arguments: [String], source: String) {
            let parsed = parseCommandLine(arguments)
            guard let name = parsed.name else { return }
            if let index = result.guests.firstIndex(where: { $0.name == name }) {
                result.guests[index].accelerator = parsed.accelerator
                result.guests[index].pid = result.guests[index].pid ?? pid
                result.guests[index].sources.append(source)
            } else if result.guests.count < maximumGuests {
                result.guests.append(Guest(name: name, domainType: nil, accelerator: parsed.accelerator, pid: pid, sources: [source]))
            }
        }
        if let path = psOutputs.first(where: { (try? root.fileInfo($0))?.kind == .regular }),
           let text = try? root.readText(path, limit: 16 << 20) {
            sources.append(String(path.dropFirst()))
            for process in commandLines(fromPS: text) {
                merge(pid: process.pid, arguments: process.arguments, source: "\(path.dropFirst()) (pid \(process.pid))")
            }
        } else if let entries = try? root.list("/proc") {
            var processes = 0
            for entry in entries where entry.allSatisfy(\.isNumber) {
                processes += 1
                if processes > maximumProcesses { break }
                guard let comm = try? root.readText("/proc/\(entry)/comm", limit: 256), isQemu(TextChecks.trimmed(comm)),
                      let bytes = try? root.readBytes("/proc/\(entry)/cmdline", limit: 1 << 20) else { continue }
                let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                merge(pid: Int(entry) ?? 0, arguments: arguments, source: "/proc/\(entry)/cmdline")
            }
            if !sources.contains("/proc") { sources.append("/proc/*/cmdline") }
        }
        guard !sources.isEmpty else {
            throw firstError ?? root.liveOnly("libvirt's status files (/run/libvirt/qemu) and the QEMU processes")
        }
        return Sourced(result, sources: sources)
    }
}

/// libvirt's cache of what each QEMU binary can do (`/var/cache/libvirt/qemu/capabilities/<hash>.xml`).
/// libvirt probes each emulator once and keeps the answer until the binary, libvirt or the kernel's KVM
/// changes; a cache written while /dev/kvm did not work lacks KVM, and guests of type kvm are then refused
/// with "could not find capabilities for domaintype=kvm".
public struct QemuCapabilitiesCache: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var file: String
        public var emulator: String?
        public var arch: String?
        /// `<flag name='kvm'/>` or a section of type kvm (`<hostCPU type='kvm'>`, `<machine type='kvm' ...>`).
        public var kvm: Bool
    }

    public var entries: [Entry]
    public var unreadable: [String: String]

    static let directory = "/var/cache/libvirt/qemu/capabilities"
    static let maximumFiles = 256

    /// One cache file. Read as text, not as a tree: the files are large and only a few markers matter.
    public static func parse(_ text: String, file: String) throws(FactError) -> Entry {
        guard text.contains("<qemuCaps>") || text.contains("<qemuCaps ") else {
            throw .unparsable(source: file, detail: "not a libvirt QEMU capabilities cache (<qemuCaps>)")
        }
        func element(_ name: String) -> String? {
            guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
            let value = TextChecks.trimmed(text[start.upperBound..<end.lowerBound])
            return value.isEmpty || value.utf8.count > 4096 ? nil : value
        }
        let markers = ["<flag name='kvm'/>", "<flag name=\"kvm\"/>", "type='kvm'", "type=\"kvm\""]
        return Entry(file: file, emulator: element("emulator"), arch: element("arch"), kvm: markers.contains { text.contains($0) })
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<QemuCapabilitiesCache> {
        let names: [String]
        do throws(FactError) {
            names = try root.list(directory)
        } catch .absent where root.evidence.kind == .sosReport {
            // sos's libvirt plugin copies configuration, status files and logs, never /var/cache.
            throw root.liveOnly("libvirt's QEMU capabilities cache (\(directory), which sos does not copy)")
        }
        var cache = QemuCapabilitiesCache(entries: [], unreadable: [:])
        var sources = [directory]
        for name in names.prefix(maximumFiles) where name.hasSuffix(".xml") {
            let path = "\(directory)/\(name)"
            do throws(FactError) {
                cache.entries.append(try parse(try root.readText(path, limit: 16 << 20), file: path))
                sources.append(path)
            } catch {
                cache.unreadable[path] = error.description
            }
        }
        return Sourced(cache, sources: sources)
    }
}

/// What libvirt wrote about its QEMU guests in the logs: the taint lines of each guest's log
/// (`/var/log/libvirt/qemu/<guest>.log`: `Domain id=N is tainted: REASON`) and the "could not find
/// capabilities for domaintype=kvm" error wherever libvirt logs it.
public struct LibvirtGuestLogs: Codable, Sendable, Equatable {
    public struct Taint: Codable, Sendable, Equatable {
        public var guest: String
        /// Taint reasons (custom-argv, host-cpu ...) in the order first seen, each once.
        public var reasons: [String]
        public var log: String
    }

    public var taints: [Taint]
    /// Lines with the capabilities error, newest last, at most `maximumLines`, each with its log.
    public var capabilityErrors: [String]
    public var logsRead: [String]

    static let guestLogDirectory = "/var/log/libvirt/qemu"
    static let daemonLogs = ["/var/log/libvirt/libvirtd.log", "/var/log/libvirt/virtqemud.log", "/var/log/messages", "/var/log/syslog"]
    static let maximumLogs = 1024
    static let maximumLines = 10
    static let maximumReasons = 32
    static let guestTailBytes = 1 << 20
    static let daemonTailBytes = 4 << 20
    public static let capabilitiesError = "could not find capabilities for domaintype=kvm"

    /// The taint reasons in a guest log (any bytes; lines longer than 4 KiB are skipped).
    public static func taintReasons(_ text: String) -> [String] {
        var reasons: [String] = []
        for line in text.split(separator: "\n") where line.utf8.count <= 4096 {
            guard let marker = line.range(of: " is tainted: "), line.contains("Domain id=") else { continue }
            let reason = String(line[marker.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            guard !reason.isEmpty, reason.utf8.count <= 64, !reasons.contains(reason) else { continue }
            reasons.append(reason)
            if reasons.count >= maximumReasons { break }
        }
        return reasons
    }

    /// The lines of a log that carry the capabilities error (case-insensitive), at most `maximumLines`.
    public static func capabilityErrorLines(_ text: String) -> [String] {
        var found: [String] = []
        for line in text.split(separator: "\n") where line.utf8.count <= 4096 {
            guard line.lowercased().contains(capabilitiesError) else { continue }
            found.append(TextChecks.trimmed(line))
            if found.count > maximumLines { found.removeFirst() }
        }
        return found
    }

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<LibvirtGuestLogs> {
        var logs = LibvirtGuestLogs(taints: [], capabilityErrors: [], logsRead: [])
        var guestLogsListed = false
        var firstError: FactError?
        do throws(FactError) {
            let names = try root.list(guestLogDirectory)
            guestLogsListed = true
            for name in names.prefix(maximumLogs) where name.hasSuffix(".log") {
                let path = "\(guestLogDirectory)/\(name)"
                guard let bytes = try? root.readTail(path, maxBytes: guestTailBytes) else { continue }
                logs.logsRead.append(path)
                let text = String(decoding: bytes, as: UTF8.self)
                let reasons = taintReasons(text)
                if !reasons.isEmpty {
                    logs.taints.append(Taint(guest: String(name.dropLast(".log".count)), reasons: reasons, log: path))
                }
                logs.capabilityErrors += capabilityErrorLines(text).map { "\(path): \($0)" }
            }
        } catch {
            firstError = error
        }
        for path in daemonLogs {
            guard let bytes = try? root.readTail(path, maxBytes: daemonTailBytes) else { continue }
            logs.logsRead.append(path)
            logs.capabilityErrors += capabilityErrorLines(String(decoding: bytes, as: UTF8.self)).map { "\(path): \($0)" }
        }
        if logs.capabilityErrors.count > maximumLines { logs.capabilityErrors.removeFirst(logs.capabilityErrors.count - maximumLines) }
        guard guestLogsListed || !logs.logsRead.isEmpty else {
            throw firstError ?? .absent(guestLogDirectory)
        }
        return Sourced(logs, sources: logs.logsRead.isEmpty ? [guestLogDirectory] : logs.logsRead)
    }
}

extension Facts {
    public static let runningGuests = FactKey<RunningGuests>("libvirt.running-guests", "Guests running now: libvirt's status XML (/run/libvirt/qemu) and the accelerator on each QEMU command line") { store throws(FactError) in
        try RunningGuests.read(store.root)
    }

    public static let qemuCapabilitiesCache = FactKey<QemuCapabilitiesCache>("libvirt.qemu-capabilities-cache", "libvirt's cached QEMU capabilities (/var/cache/libvirt/qemu/capabilities): emulator, architecture, KVM or not") { store throws(FactError) in
        try QemuCapabilitiesCache.read(store.root)
    }

    public static let libvirtGuestLogs = FactKey<LibvirtGuestLogs>("libvirt.guest-logs", "Taint lines in the guest logs (/var/log/libvirt/qemu) and the 'could not find capabilities for domaintype=kvm' error in libvirt's logs") { store throws(FactError) in
        try LibvirtGuestLogs.read(store.root)
    }
}
