import DoctorCore
import Foundation

/// An extracted sos report read as a root. sos copies part of /etc, /proc and /sys and stores the output of
/// commands under `sos_commands/<plugin>/<command_with_underscores>`. The files a check reads on a live
/// host are answered from those outputs where sos did not copy them (`sysctl -a` answers /proc/sys, `lsmod`
/// answers /proc/modules, the /dev listing answers device nodes), through the same sidecar overlay fixtures
/// use, so every fact and check runs unchanged. What sos never holds (an ioctl on /dev/kvm, a libvirt
/// connection) is reported as not captured.
public enum SosReport {
    /// Whether a root is laid out as a sos report: the command outputs and either the version file or
    /// the reports folder sos writes beside them.
    public static func isSosReport(_ root: HostRoot) -> Bool {
        guard (try? root.fileInfo("/sos_commands"))?.kind == .directory else { return false }
        return (try? root.fileInfo("/version.txt")) != nil || (try? root.fileInfo("/sos_reports")) != nil
    }

    /// One command output sos stores, and the file of a live root it stands in for.
    struct Derivation {
        /// Paths under the report, newest sos layout first (plugins were renamed across versions).
        let outputs: [String]
        /// What it answers, in the header's words.
        let answers: String
    }

    static let uname = Derivation(outputs: ["/sos_commands/kernel/uname_-a", "/sos_commands/general/uname_-a", "/uname"], answers: "kernel release and machine")
    static let hostname = Derivation(outputs: ["/sos_commands/host/hostname", "/sos_commands/general/hostname", "/hostname"], answers: "host name")
    static let sysctl = Derivation(outputs: ["/sos_commands/kernel/sysctl_-a"], answers: "/proc/sys")
    static let lsmod = Derivation(outputs: ["/sos_commands/kernel/lsmod", "/lsmod"], answers: "/proc/modules")
    static let dmesg = Derivation(outputs: ["/sos_commands/kernel/dmesg", "/sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-k", "/sos_commands/kernel/journalctl_--no-pager_--catalog_--boot_-k"], answers: "kernel log")
    static let dmidecode = Derivation(outputs: ["/sos_commands/hardware/dmidecode", "/dmidecode"], answers: "DMI")
    static let lscpu = Derivation(outputs: ["/sos_commands/processor/lscpu"], answers: "lscpu")
    static let processes = Derivation(outputs: ["/sos_commands/process/ps_auxwww", "/ps"], answers: "running processes")
    static let devices = Derivation(outputs: ["/sos_commands/block/ls_-lanR_.dev", "/sos_commands/devices/ls_-lanR_.dev"], answers: "device nodes (/dev)")
    /// `ip -d link` (and `ip -d address`, which prints the same details): bridges and their ports.
    static let links = Derivation(outputs: ["/sos_commands/networking/ip_-s_-d_link", "/sos_commands/networking/ip_-d_link",
                                            "/sos_commands/networking/ip_-d_address", "/sos_commands/networking/ip_address"],
                                  answers: "bridges and their ports (/sys/class/net)")
    static let selinux = Derivation(outputs: ["/sos_commands/selinux/sestatus", "/sos_commands/selinux/sestatus_-b"], answers: "SELinux mode")
    static let dateUTC = Derivation(outputs: ["/sos_commands/date/date_--utc", "/sos_commands/general/date", "/sos_commands/date/date", "/date"], answers: "collection time")

    /// The largest command output read; a real `sysctl -a` or `ps auxwww` is far below it.
    static let outputLimit = 8 << 20
    /// Most synthesized entries (processes, sysctls, device nodes): bounds the sidecar a hostile report can grow.
    static let maximumEntries = 50_000

    /// The report as a root: the sidecar grown with what the command outputs answer, and the evidence
    /// description the header prints.
    public static func open(_ root: HostRoot) -> HostRoot {
        var files = root.metadata.files
        var used: [String] = []
        var entries = 0
        func text(_ derivation: Derivation) -> (path: String, text: String)? {
            for path in derivation.outputs {
                if let bytes = try? root.readBytes(path, limit: outputLimit) {
                    return (path, String(decoding: bytes, as: UTF8.self))
                }
            }
            return nil
        }
        /// Adds a made-up file unless the report holds the real one (a copied file always wins).
        func synthesize(_ path: String, _ entry: RootMetadata.Entry) {
            let normalized = RootMetadata.normalize(path)
            guard entries < maximumEntries, files[normalized] == nil, (try? root.fileInfo(normalized)) == nil else { return }
            files[normalized] = entry
            entries += 1
        }
        func derived(_ derivation: Derivation, _ apply: (String) -> Void) {
            guard let (path, content) = text(derivation) else { return }
            apply(content)
            used.append("\(derivation.answers) from \(path.dropFirst())")
        }

        var evidence = EvidenceSource(kind: .sosReport, label: root.label)
        let versionText = (try? root.readText("/version.txt", limit: 1 << 16)) ?? ""
        evidence.collector = version(versionText).map { "sos \($0)" } ?? "sos"

        var unameNodename: String?
        derived(uname) { content in
            guard let fields = parseUname(content) else { return }
            unameNodename = parseUnameNodename(content)
            synthesize("/proc/sys/kernel/osrelease", .init(content: fields.release + "\n"))
            synthesize("/uname-m.txt", .init(content: fields.machine + "\n"))
        }
        derived(hostname) { content in
            let name = TextChecks.trimmed(content)
            guard !name.isEmpty, !name.contains("\n") else { return }
            evidence.hostname = name
            synthesize("/proc/sys/kernel/hostname", .init(content: name + "\n"))
        }
        derived(sysctl) { content in
            for (name, value) in parseSysctl(content) {
                synthesize("/proc/sys/" + name.replacingOccurrences(of: ".", with: "/"), .init(content: value + "\n"))
            }
        }
        derived(lsmod) { content in
            let modules = procModulesText(fromLsmod: content)
            if !modules.isEmpty { synthesize("/proc/modules", .init(content: modules)) }
        }
        derived(dmesg) { content in synthesize("/dmesg.txt", .init(content: content)) }
        derived(dmidecode) { content in synthesize("/dmidecode.txt", .init(content: content)) }
        derived(lscpu) { content in synthesize("/lscpu.txt", .init(content: content)) }
        derived(processes) { content in
            for process in parsePS(content) {
                synthesize("/proc/\(process.pid)", .init(type: .directory, mode: "0555"))
                synthesize("/proc/\(process.pid)/comm", .init(content: process.comm + "\n"))
            }
        }
        var devicesListed = false
        derived(devices) { content in
            for node in parseDeviceListing(content) {
                synthesize(node.path, .init(type: node.kind, mode: node.mode, uid: node.uid, gid: node.gid, major: node.major, minor: node.minor))
                devicesListed = true
            }
        }
        derived(links) { content in
            for link in parseIPLinks(content) {
                if link.isBridge {
                    synthesize("/sys/class/net/\(link.name)", .init(type: .directory, mode: "0755"))
                    synthesize("/sys/class/net/\(link.name)/bridge", .init(type: .directory, mode: "0755"))
                    synthesize("/sys/class/net/\(link.name)/brif", .init(type: .directory, mode: "0755"))
                }
                if let master = link.master {
                    synthesize("/sys/class/net/\(master)/brif/\(link.name)", .init(type: .directory, mode: "0755"))
                }
            }
        }
        derived(selinux) { content in
            guard let mode = parseSestatusMode(content) else { return }
            synthesize("/sys/fs/selinux/enforce", .init(content: mode == "enforcing" ? "1\n" : "0\n"))
        }
        // Older reports and `-o` runs without the host plugin have no hostname output; uname -a names the node.
        if evidence.hostname == nil, let name = unameNodename {
            evidence.hostname = name
            synthesize("/proc/sys/kernel/hostname", .init(content: name + "\n"))
        }
        if let (path, content) = text(dateUTC), let instant = parseDate(content) {
            evidence.collectedAt = instant
            used.append("collection time from \(path.dropFirst())")
        }
        // Package and unit lists are read by their facts straight from the outputs (no live file stands for
        // them); named here so the header says which outputs answered.
        for (answers, outputs) in [("installed packages", InstalledPackages.sosOutputs.map(\.path)), ("systemd units", ServiceUnits.sosOutputs)] {
            if let path = outputs.first(where: { (try? root.fileInfo($0))?.kind == .regular }) { used.append("\(answers) from \(path.dropFirst())") }
        }

        // sos copies chosen files of /proc and /sys, never /dev: a missing file there is unknown. The files
        // named here it copies whenever they exist, so their absence is an answer.
        evidence.partialRegions = devicesListed ? ["/proc", "/sys", "/run"] : ["/dev", "/proc", "/sys", "/run"]
        evidence.completeRegions = ["/proc/cpuinfo", "/proc/cmdline", "/proc/xen", "/sys/hypervisor"]
        // The kernel plugin copies /proc/modules and runs lsmod: when it ran, no list means a kernel without
        // loadable modules; when it did not (`sos report -o ...`), nothing is known about modules.
        if root.exists("/sos_commands/kernel") { evidence.completeRegions.append("/proc/modules") }
        if devicesListed {
            // The listing shows nodes, not their contents: the probe still needs the host.
            evidence.completeRegions.append("/dev")
        }
        // virsh's outputs answer what a connection would have, as of the collection time.
        let virshListed = SosVirsh.isPresent(root)
        if virshListed { used.append("libvirt domains, networks and node from sos_commands/virsh (virsh -r)") }
        evidence.lacking = (devicesListed ? [] : ["dev"]) + ["device-probe"] + (virshListed ? [] : ["libvirt-connection"])
        evidence.derived = used
        return root.reinterpreted(as: evidence, metadata: RootMetadata(files: files, process: root.metadata.process))
    }

    // MARK: Parsers of sos command outputs (each total: junk gives nothing, never a trap)

    /// "sosreport: 4.5.6" on the first lines of version.txt.
    static func version(_ text: String) -> String? {
        for line in text.split(separator: "\n").prefix(5) {
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: ":"), key == "sosreport" || key == "sos" else { continue }
            // A longer value is not a version: cut short, it would still be printed as one.
            guard value.count <= 32 else { continue }
            let version = value
            if !version.isEmpty, version.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" || $0.isLetter }) { return String(version) }
        }
        return nil
    }

    /// `uname -a`: "Linux host 5.14.0-1.el9.x86_64 #1 SMP ... x86_64 x86_64 x86_64 GNU/Linux".
    static func parseUname(_ text: String) -> (release: String, machine: String)? {
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count >= 4, words[0] == "Linux" else { return nil }
        let release = words[2]
        if words.last == "GNU/Linux" { words.removeLast() }
        guard let machine = words.last, machine != release, machine.count <= 32,
              machine.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return (release, machine)
    }

    /// Interfaces of `ip -d link` / `ip -d address`:
    ///
    ///     4: virbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    ///         link/ether 52:54:00:8a:11:02 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535
    ///         bridge forward_delay 200 hello_time 200 max_age 2000 ...
    ///     5: vnet0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master virbr0 state UNKNOWN ...
    ///         bridge_slave state forwarding priority 32 cost 100 ...
    ///
    /// A device is a bridge when its details say `bridge ...`; a port names its bridge after `master`.
    /// Names are kept only when they could be interface names (at most 15 bytes, no slash or space).
    static func parseIPLinks(_ text: String) -> [(name: String, isBridge: Bool, master: String?)] {
        func interfaceName(_ word: Substring) -> String? {
            let name = word.split(separator: "@", maxSplits: 1).first.map(String.init) ?? ""
            guard !name.isEmpty, name.utf8.count <= 15, name != ".", name != "..",
                  name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "/" }) else { return nil }
            return name
        }
        var result: [(String, Bool, String?)] = []
        for line in text.split(separator: "\n").prefix(maximumEntries) {
            if let first = line.first, first.isNumber {
                let words = line.split(separator: " ")
                guard words.count >= 2, words[0].hasSuffix(":"), words[1].hasSuffix(":"),
                      let name = interfaceName(words[1].dropLast()) else { continue }
                var master: String?
                if let index = words.firstIndex(of: "master"), index + 1 < words.count { master = interfaceName(words[index + 1]) }
                result.append((name, false, master))
            } else if !result.isEmpty, line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("bridge ") {
                result[result.count - 1].1 = true
            }
        }
        return result
    }

    /// The node name of `uname -a` ("Linux kvmhost01 5.14.0 ..."): a DNS-like name or nothing.
    static func parseUnameNodename(_ text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count >= 4, words[0] == "Linux" else { return nil }
        let name = words[1]
        guard name.count <= 253, name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." || $0 == "_" }) else { return nil }
        return String(name)
    }

    /// `sysctl -a`: "net.ipv4.ip_forward = 1". Names that would climb out of /proc/sys are dropped.
    static func parseSysctl(_ text: String) -> [(String, String)] {
        var result: [(String, String)] = []
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // Control characters (NUL, escapes) name no sysctl and would reach file names and the terminal.
            guard !name.isEmpty, name.count <= 256, !name.contains("/"), !name.contains(".."), !name.hasPrefix("."),
                  !name.hasSuffix("."), !name.contains(" "),
                  !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { continue }
            result.append((name, value))
        }
        return result
    }

    /// `lsmod` ("Module Size Used by" then "kvm_intel 409600 0") as /proc/modules lines, so the one
    /// /proc/modules parser reads both.
    static func procModulesText(fromLsmod text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: \.isWhitespace)
            // A negative size is no module (it would also be the one line the /proc/modules parser balks at).
            guard fields.count >= 3, fields[0] != "Module", let size = Int(fields[1]), size >= 0, let users = Int(fields[2]),
                  fields[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { continue }
            let dependents = fields.count > 3 ? fields[3] + "," : "-"
            lines.append("\(fields[0]) \(size) \(users) \(dependents) Live 0x0000000000000000")
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    struct Process: Equatable {
        var pid: Int
        var comm: String
    }

    /// `ps auxwww`: the PID column and the command's name as /proc/<pid>/comm would hold it (the program's
    /// base name, at most 15 bytes; kernel threads appear in brackets).
    static func parsePS(_ text: String) -> [Process] {
        var result: [Process] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(maxSplits: 10, whereSeparator: \.isWhitespace)
            guard fields.count == 11, let pid = Int(fields[1]), pid > 0, pid < 1 << 30 else { continue }
            let command = fields[10]
            var name: Substring
            if command.hasPrefix("["), let close = command.firstIndex(of: "]") {
                name = command[command.index(after: command.startIndex)..<close]
            } else {
                let program = command.split(separator: " ").first ?? ""
                name = program.split(separator: "/").last ?? program
                if name.hasSuffix(":") { name = name.dropLast() }  // "sshd:" style titles
            }
            let comm = String(decoding: Array(name.utf8.prefix(15)), as: UTF8.self)
            guard !comm.isEmpty, !comm.contains("/") else { continue }
            result.append(Process(pid: pid, comm: comm))
        }
        return result
    }

    struct DeviceEntry: Equatable {
        var path: String
        var kind: FileKind
        var mode: String
        var uid: UInt32
        var gid: UInt32
        var major: UInt32?
        var minor: UInt32?
    }

    /// `ls -lanR /dev`: directory headers ("/dev/net:") then numeric long listings. Character and block
    /// devices and directories become sidecar entries; links and the rest are left out.
    static func parseDeviceListing(_ text: String) -> [DeviceEntry] {
        var result: [DeviceEntry] = []
        var directory: String?
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix(":"), line.hasPrefix("/") {
                // Only /dev and below: "/devices:" or "/dev2:" also start with "/dev" but name other trees, and
                // a "." or ".." component could climb out of /dev.
                let path = RootMetadata.normalize(String(line.dropLast()))
                let components = path.split(separator: "/")
                directory = components.first == "dev" && !components.contains("..") && !components.contains(".") ? path : nil
                continue
            }
            guard let directory else { continue }
            var fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count >= 8, let first = fields.first?.first, let mode = modeBits(fields[0]),
                  let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { continue }
            let kind: FileKind
            switch first {
            case "c": kind = .charDevice
            case "b": kind = .blockDevice
            case "d": kind = .directory
            default: continue
            }
            var major: UInt32?
            var minor: UInt32?
            if kind != .directory {
                // "10, 232" or "10,232": the size column holds major and minor.
                if fields[4].hasSuffix(","), fields.count >= 9 {
                    major = UInt32(fields[4].dropLast())
                    minor = UInt32(fields[5])
                    fields.remove(at: 5)
                } else {
                    let parts = fields[4].split(separator: ",")
                    guard parts.count == 2 else { continue }
                    major = UInt32(parts[0])
                    minor = UInt32(parts[1])
                }
                guard major != nil, minor != nil else { continue }
            }
            // Name after the three date columns; names with spaces are kept whole.
            guard fields.count >= 9 else { continue }
            let name = fields[8...].joined(separator: " ")
            guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else { continue }
            result.append(DeviceEntry(path: directory + "/" + name, kind: kind, mode: mode, uid: uid, gid: gid, major: major, minor: minor))
        }
        return result
    }

    /// "crw-rw----" (with s/S/t/T) as octal "0660". Set-id letters are only valid in the user and group
    /// execute columns and sticky ones only in the last: ls prints nothing else, so anything else is junk.
    static func modeBits(_ text: String) -> String? {
        let characters = Array(text.prefix(10))
        guard characters.count == 10 else { return nil }
        var bits = 0
        let rwx: [(Int, Character)] = [(1, "r"), (2, "w"), (3, "x"), (4, "r"), (5, "w"), (6, "x"), (7, "r"), (8, "w"), (9, "x")]
        for (index, expected) in rwx {
            let character = characters[index]
            let bit = 1 << (9 - index)
            let special: (set: Character, unset: Character)? = expected != "x" ? nil : index == 9 ? ("t", "T") : ("s", "S")
            if character == expected || character == special?.set { bits |= bit }
            else if character != "-" && character != special?.unset { return nil }
        }
        if "sS".contains(characters[3]) { bits |= 0o4000 }
        if "sS".contains(characters[6]) { bits |= 0o2000 }
        if "tT".contains(characters[9]) { bits |= 0o1000 }
        return "0" + String(bits, radix: 8)
    }

    /// `sestatus`: "Current mode:                   enforcing".
    static func parseSestatusMode(_ text: String) -> String? {
        for line in text.split(separator: "\n") {
            guard let (key, value) = TextChecks.splitKeyValue(line, separator: ":"), key == "Current mode" else { continue }
            return ["enforcing", "permissive"].contains(value) ? value : nil
        }
        return nil
    }

    /// `date --utc`: "Tue Dec  1 10:54:17 UTC 2026" (C locale). Only UTC or GMT stamps are trusted: a local
    /// zone abbreviation does not say its offset.
    static func parseDate(_ text: String) -> Date? {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count == 6, ["UTC", "GMT"].contains(words[4]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(words[1])), let day = Int(words[2]), (1...31).contains(day),
              let year = Int(words[5]), (1970...9999).contains(year) else { return nil }
        let time = words[3].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (0..<24).contains(time[0]), (0..<60).contains(time[1]), (0..<61).contains(time[2]) else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month + 1
        components.day = day
        components.hour = time[0]
        components.minute = time[1]
        components.second = time[2]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // date(from:) rolls "Feb 31" over into March; a day the month does not have is junk, not a date.
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else { return nil }
        return date
    }
}
