import DoctorCore

/// Installed packages with their versions, from the package manager's own record: dpkg's status file on a
/// host or a copy, the `rpm -qa` and `dpkg -l` outputs sos saves in a report. Checks use it to tell which
/// QEMU, libvirt or kernel build a host carries.
public struct InstalledPackages: Codable, Sendable, Equatable {
    public struct Package: Codable, Sendable, Equatable {
        public var name: String
        /// As the package manager prints it: `1:2.38.1-5+deb12u3` (dpkg, epoch included), `8.0.0-16.el9_3` (rpm).
        public var version: String
        /// `amd64`, `x86_64`, `all`, `noarch`; nil when the record does not say (rpm's gpg-pubkey entries).
        public var architecture: String?

        public init(name: String, version: String, architecture: String? = nil) {
            self.name = name
            self.version = version
            self.architecture = architecture
        }
    }

    public enum Format: String, Codable, Sendable {
        case dpkg
        case rpm
    }

    public var format: Format
    public var packages: [Package]

    /// Every installed version of `name` (multi-arch and multi-version packages have more than one).
    public func versions(of name: String) -> [String] {
        packages.filter { $0.name == name }.map(\.version)
    }

    public func isInstalled(_ name: String) -> Bool {
        packages.contains { $0.name == name }
    }

    /// A package list longer than this is not one: a large distribution install holds a few thousand.
    static let maximumPackages = 100_000
    /// Lines longer than this are skipped: no name, version or status line comes near it, and long
    /// description lines are never looked at.
    static let maximumLineLength = 4096
    /// A name or version longer than this is junk, not a package.
    static let maximumFieldLength = 256

    // MARK: Parsers (total: any text gives packages or a FactError)

    /// dpkg's database, `/var/lib/dpkg/status`: blank-line separated stanzas of `Field: value` lines.
    /// Only stanzas whose Status ends in "installed" count; "deinstall ok config-files" (removed, configuration
    /// kept) and half-installed states are not installed packages.
    ///
    ///     Package: libvirt0
    ///     Status: install ok installed
    ///     Architecture: amd64
    ///     Version: 9.0.0-4
    static func parseDpkgStatus(_ text: String, source: String = "/var/lib/dpkg/status") throws(FactError) -> InstalledPackages {
        try TextChecks.requireText(text, source: source)
        var packages: [Package] = []
        var name: String?, version: String?, architecture: String?, installed = false
        func finishStanza() {
            if installed, let name, let version, packages.count < maximumPackages {
                packages.append(Package(name: name, version: version, architecture: architecture))
            }
            name = nil; version = nil; architecture = nil; installed = false
        }
        // Bytes, not Characters: a status file is hundreds of KB of mostly continuation lines, and walking it
        // by grapheme cluster cost tens of milliseconds per run. Only the four wanted fields are decoded.
        let bytes = Array(text.utf8)
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            defer { start = end + 1 }
            let line = bytes[start..<end]
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { finishStanza(); continue }
            // Continuation lines (descriptions, conffiles) start with a blank and carry no field we need.
            guard line.count <= maximumLineLength, let first = line.first, first != 32, first != 9,
                  let colon = line.firstIndex(of: 58) else { continue }
            let key = line[start..<colon]
            let field: Int
            if key.elementsEqual("Package".utf8) { field = 0 }
            else if key.elementsEqual("Version".utf8) { field = 1 }
            else if key.elementsEqual("Architecture".utf8) { field = 2 }
            else if key.elementsEqual("Status".utf8) { field = 3 }
            else { continue }
            let value = TextChecks.trimmed(String(decoding: line[(colon + 1)...], as: UTF8.self))
            switch field {
            case 0: name = validName(value)
            case 1: version = validVersion(value)
            case 2: architecture = validName(value)
            // "want flag status": hold and install both leave the package installed when the status says so.
            default: installed = value.split(separator: " ").last == "installed"
            }
        }
        finishStanza()
        guard !packages.isEmpty else {
            throw .unparsable(source: source, detail: "no stanza of an installed package (Package, Version and Status: ... installed)")
        }
        return InstalledPackages(format: .dpkg, packages: packages)
    }

    /// `dpkg -l` (sos: sos_commands/dpkg/dpkg_-l, and installed-debs at the top): a legend, then one row
    /// per package whose first column holds the wanted and current state. `ii` is installed; `hi` is
    /// installed and held back from upgrades, still installed. `rc` (removed, configuration left) and the
    /// rest are not.
    ///
    ///     ii  libvirt0:amd64   9.0.0-4   amd64   library for interfacing with different virtualization systems
    static func parseDpkgList(_ text: String, source: String) throws(FactError) -> InstalledPackages {
        try TextChecks.requireText(text, source: source)
        var packages: [Package] = []
        for line in text.split(separator: "\n") where packages.count < maximumPackages && line.utf8.count <= maximumLineLength {
            let columns = line.split(maxSplits: 4, whereSeparator: { $0 == " " || $0 == "\t" })
            guard columns.count >= 3, columns[0] == "ii" || columns[0] == "hi" else { continue }
            // Multi-arch packages are listed as name:arch; the architecture column says the same.
            let qualified = columns[1].split(separator: ":", maxSplits: 1)
            guard let name = validName(qualified.first ?? ""), let version = validVersion(columns[2]) else { continue }
            let architecture = columns.count >= 4 ? validName(columns[3]) : qualified.count == 2 ? validName(qualified[1]) : nil
            packages.append(Package(name: name, version: version, architecture: architecture))
        }
        guard !packages.isEmpty else {
            throw .unparsable(source: source, detail: "no row of an installed package ('ii  name  version ...')")
        }
        return InstalledPackages(format: .dpkg, packages: packages)
    }

    /// Architectures rpm appends to name-version-release; anything else after the last dot belongs to the
    /// release (`el9_3`), and gpg-pubkey entries have no architecture at all.
    static let rpmArchitectures: Set<String> = [
        "x86_64", "noarch", "i386", "i486", "i586", "i686", "athlon", "aarch64", "armv7hl", "armv7l", "ppc", "ppc64",
        "ppc64le", "s390", "s390x", "riscv64", "loongarch64", "src",
    ]

    /// sos's `installed-rpms`: one `name-version-release.arch` a line, padded, then the install date. Some
    /// sos versions join the two with `~~` instead of spaces.
    ///
    ///     qemu-kvm-8.0.0-16.el9_3.x86_64                      Tue 21 Nov 2023 10:02:11 AM UTC
    static func parseInstalledRPMs(_ text: String, source: String) throws(FactError) -> InstalledPackages {
        try TextChecks.requireText(text, source: source)
        var packages: [Package] = []
        for line in text.split(separator: "\n") where packages.count < maximumPackages && line.utf8.count <= maximumLineLength {
            guard let word = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first,
                  let package = parseRPMLabel(String(word.split(separator: "~~").first ?? word)) else { continue }
            packages.append(package)
        }
        guard !packages.isEmpty else {
            throw .unparsable(source: source, detail: "no line of the form name-version-release.arch")
        }
        return InstalledPackages(format: .rpm, packages: packages)
    }

    /// `qemu-kvm-8.0.0-16.el9_3.x86_64`: the name is everything before the second-to-last dash, since
    /// names may hold dashes themselves and version and release never do.
    static func parseRPMLabel(_ label: String) -> Package? {
        var rest = Substring(label)
        var architecture: String?
        if let dot = rest.lastIndex(of: "."), rpmArchitectures.contains(String(rest[rest.index(after: dot)...])) {
            architecture = String(rest[rest.index(after: dot)...])
            rest = rest[..<dot]
        }
        guard let releaseDash = rest.lastIndex(of: "-") else { return nil }
        let beforeRelease = rest[..<releaseDash]
        guard let versionDash = beforeRelease.lastIndex(of: "-") else { return nil }
        let version = rest[rest.index(after: versionDash)...]
        guard let name = validName(rest[..<versionDash]), let checkedVersion = validVersion(version),
              !version.hasPrefix("-"), !version.hasSuffix("-") else { return nil }
        return Package(name: name, version: checkedVersion, architecture: architecture)
    }

    /// Package names of both formats: printable ASCII without blanks, slashes or control characters, so a
    /// name can never climb a path or move the terminal's cursor.
    static func validName<S: StringProtocol>(_ text: S) -> String? {
        let name = TextChecks.trimmed(text)
        guard !name.isEmpty, name.utf8.count <= maximumFieldLength, !name.hasPrefix("-"),
              name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "/" && $0 != "\\" }) else { return nil }
        return name
    }

    /// Versions (`1:2.38.1-5+deb12u3`, `8.0.0-16.el9_3`, `2:8.2.2637-20.el9_1`): printable ASCII, no blanks.
    static func validVersion<S: StringProtocol>(_ text: S) -> String? {
        let version = TextChecks.trimmed(text)
        guard !version.isEmpty, version.utf8.count <= maximumFieldLength,
              version.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        return version
    }

    // MARK: Reading a root

    /// Where a sos report keeps the package lists, in the order they are tried: the rpm list, then the dpkg
    /// plugin's output and the copy sos links at the report's top.
    static let sosOutputs: [(path: String, format: Format)] = [
        ("/installed-rpms", .rpm),
        ("/sos_commands/dpkg/dpkg_-l", .dpkg),
        ("/installed-debs", .dpkg),
    ]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<InstalledPackages> {
        if root.evidence.kind == .sosReport {
            for output in sosOutputs {
                guard let text = try root.readTextIfPresent(output.path) else { continue }
                let packages = output.format == .rpm
                    ? try parseInstalledRPMs(text, source: output.path)
                    : try parseDpkgList(text, source: output.path)
                return Sourced(packages, sources: [output.path])
            }
        }
        if let text = try root.readTextIfPresent("/var/lib/dpkg/status") {
            return Sourced(try parseDpkgStatus(text), sources: ["/var/lib/dpkg/status"])
        }
        // rpm keeps its database in Berkeley DB, NDB or SQLite files that only rpm itself should interpret.
        for directory in ["/var/lib/rpm", "/usr/lib/sysimage/rpm"] where root.exists(directory) {
            throw .absent("a package list virt-doctor can read (\(directory) is rpm's binary database: the list needs `rpm -qa` output, which a sos report holds as installed-rpms)")
        }
        if root.evidence.kind == .sosReport {
            throw root.liveOnly("the package list (installed-rpms or sos_commands/dpkg/dpkg_-l)")
        }
        throw .absent("/var/lib/dpkg/status")
    }
}

extension Facts {
    public static let packages = FactKey<InstalledPackages>("packages.installed", "Installed packages and their versions (dpkg status, or a sos report's rpm and dpkg lists)") { store throws(FactError) in
        try InstalledPackages.read(store.root)
    }
}
