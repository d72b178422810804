import DoctorCore

/// What says a host should be rebooted or its guests restarted: kernels installed besides the running one
/// (/boot/vmlinuz-*, /lib/modules/*, a sos report's listing of /boot), Debian's /run/reboot-required flag
/// with the packages that set it, and QEMU or libvirt processes still running an executable or a library
/// that an update replaced (`/proc/<pid>/exe` and `/proc/<pid>/maps` ending in "(deleted)"). The kernels
/// the package database knows come from `packages.installed`; `kernelReleases(in:)` reads them.
public struct RebootState: Codable, Sendable, Equatable {
    public struct Kernel: Codable, Sendable, Equatable {
        /// As `uname -r` prints it: `5.14.0-427.13.1.el9_4.x86_64`, `6.1.0-18-amd64`.
        public var release: String
        /// Where it was seen: `/boot/vmlinuz-...`, `/lib/modules/...`.
        public var source: String
    }

    /// A process that runs code a package update replaced on disk.
    public struct ReplacedCode: Codable, Sendable, Equatable {
        public var pid: Int
        /// /proc/<pid>/comm: qemu-kvm, qemu-system-x86, libvirtd, virtqemud.
        public var process: String
        /// The executable, or the first deleted library, without the " (deleted)" mark.
        public var path: String
        /// "executable" or "library".
        public var kind: String
    }

    public var kernels: [Kernel]
    /// /run/reboot-required (Debian, Ubuntu: update-notifier and the kernel packages' hooks) exists.
    public var rebootRequired: Bool
    /// /run/reboot-required.pkgs: the packages that asked for it.
    public var rebootRequiredPackages: [String]
    public var replaced: [ReplacedCode]
    /// Whether /proc held processes to look at (false in a copy or a sos report: replaced code is unknown).
    public var processesSeen: Bool

    static let kernelImagePrefixes = ["vmlinuz-", "vmlinux-", "Image-", "kernel-"]
    static let moduleDirectories = ["/lib/modules", "/usr/lib/modules"]
    /// Processes whose code matters to guests: QEMU itself and the libvirt daemons that drive it.
    static let watchedProcesses = ["qemu", "libvirtd", "virtqemud", "virtlogd", "virtlockd"]
    static let maximumProcesses = 65_536
    static let maximumKernels = 512
    static let mapsLimit = 8 << 20
    static let releaseLimit = 200

    // MARK: Pure parsers

    /// A kernel release from a file name in /boot (`vmlinuz-6.1.0-18-amd64`), or nil for anything else:
    /// rescue images, `.hmac` and `.old` files, names without a version.
    public static func release(fromBootFile name: String) -> String? {
        guard let prefix = kernelImagePrefixes.first(where: { name.hasPrefix($0) }) else { return nil }
        let release = String(name.dropFirst(prefix.count))
        guard isRelease(release), !release.contains("rescue"), !release.hasSuffix(".old"), !release.hasSuffix(".hmac"),
              !release.hasSuffix(".bak") else { return nil }
        return release
    }

    /// Whether `text` looks like a kernel release: starts with a digit, has a dot, printable ASCII without
    /// blanks or slashes, and is not absurdly long.
    public static func isRelease(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first >= "0", first <= "9", text.contains("."),
              text.utf8.count <= releaseLimit else { return false }
        return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "/" }
    }

    /// Kernel releases the package database holds: rpm's `kernel`, `kernel-core` and `kernel-rt-core`
    /// (version-release.arch is the release), dpkg's `linux-image-<release>` and Proxmox's
    /// `proxmox-kernel-<release>` / `pve-kernel-<release>` (meta packages such as linux-image-amd64 name no
    /// release and are left out).
    public static func kernelReleases(in packages: InstalledPackages) -> [String] {
        var releases: [String] = []
        for package in packages.packages {
            switch packages.format {
            case .rpm:
                guard ["kernel", "kernel-core", "kernel-rt-core", "kernel-uek", "kernel-uek-core"].contains(package.name) else { continue }
                var release = package.version
                if let colon = release.firstIndex(of: ":") { release = String(release[release.index(after: colon)...]) }
                if let architecture = package.architecture { release += "." + architecture }
                if package.name.hasPrefix("kernel-rt") { release += "+rt" }
                if isRelease(release) { releases.append(release) }
            case .dpkg:
                guard let prefix = ["linux-image-unsigned-", "linux-image-", "proxmox-kernel-", "pve-kernel-"].first(where: { package.name.hasPrefix($0) }) else { continue }
                var release = String(package.name.dropFirst(prefix.count))
                for suffix in ["-signed", "-unsigned", "-dbg", "-dbgsym"] where release.hasSuffix(suffix) { release = String(release.dropLast(suffix.count)) }
                if isRelease(release) { releases.append(release) }
            }
        }
        return releases
    }

    /// The flavour of a release, which kernels are compared within: the dash-separated tail of words that
    /// begin with a letter (`amd64`, `cloud-amd64`, `generic`, `pve`) and a `+debug`/`+rt` mark, so
    /// a cloud kernel is never taken for a newer build of the generic one.
    public static func flavour(of release: String) -> String {
        var text = Substring(release)
        var mark = ""
        if let plus = text.lastIndex(of: "+"), text[text.index(after: plus)...].allSatisfy({ $0.isASCII && $0.isLetter }) {
            mark = String(text[plus...])
            text = text[..<plus]
        }
        var words: [Substring] = []
        for part in text.split(separator: "-").dropFirst().reversed() {
            guard let first = part.first, first.isASCII, first.isLetter else { break }
            words.insert(part, at: 0)
        }
        return words.joined(separator: "-") + mark
    }

    /// The releases newer than `running` among `installed`, within the running kernel's flavour, newest first.
    public static func newer(than running: String, among installed: [String]) -> [String] {
        let flavour = flavour(of: running)
        let newer = Set(installed.filter { flavour == Self.flavour(of: $0) && VersionOrder.compare($0, running) > 0 })
        return newer.sorted { VersionOrder.compare($0, $1) > 0 }
    }

    /// `/run/reboot-required.pkgs`: one package a line; blanks and junk lines are skipped.
    public static func parsePackageList(_ text: String) -> [String] {
        var seen = Set<String>(), names: [String] = []
        for line in text.split(whereSeparator: \.isNewline).prefix(4096) {
            let name = TextChecks.trimmed(line)
            guard !name.isEmpty, name.utf8.count <= 128, !name.contains(" "),
                  name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }), seen.insert(name).inserted else { continue }
            names.append(name)
        }
        return names
    }

    /// The target of `/proc/<pid>/exe` when the file it ran from was deleted or replaced: the kernel appends
    /// " (deleted)" to the path.
    public static func deletedPath(_ target: String) -> String? {
        guard target.hasSuffix(" (deleted)") else { return nil }
        let path = String(target.dropLast(" (deleted)".count))
        return path.hasPrefix("/") ? path : nil
    }

    /// Deleted shared libraries in a `/proc/<pid>/maps` text: the sixth column is the path, with
    /// " (deleted)" after it when the file was replaced. Memory-file mappings (memfd:, /dev/shm, SysV shm)
    /// are deleted by design and left out.
    public static func deletedLibraries(inMaps text: String) -> [String] {
        var found: [String] = []
        for line in text.split(separator: "\n") where line.hasSuffix(" (deleted)") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            guard let path = deletedPath(String(line[slash...])), path.contains(".so"),
                  !path.hasPrefix("/dev/shm/"), !path.hasPrefix("/memfd:"), !path.hasPrefix("/SYSV"), !found.contains(path) else { continue }
            found.append(path)
            if found.count >= 64 { break }
        }
        return found
    }

    // MARK: Reading a root

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<RebootState> {
        var state = RebootState(kernels: [], rebootRequired: false, rebootRequiredPackages: [], replaced: [], processesSeen: false)
        var sources: [String] = []
        func add(_ release: String, _ source: String) {
            guard state.kernels.count < maximumKernels, !state.kernels.contains(where: { $0.release == release && $0.source == source }) else { return }
            state.kernels.append(Kernel(release: release, source: source))
        }
        if let names = try? root.list("/boot") {
            sources.append("/boot")
            for name in names.sorted() { if let kernel = release(fromBootFile: name) { add(kernel, "/boot/" + name) } }
        } else if let listing = try? root.readText("/sos_commands/boot/ls_-lanR_.boot", limit: 4 << 20) {
            // sos does not copy /boot, but its boot plugin lists it (`ls -lanR /boot`).
            sources.append("sos_commands/boot/ls_-lanR_.boot")
            for line in listing.split(separator: "\n") {
                guard let name = line.split(separator: " ").last.map(String.init), let kernel = release(fromBootFile: name) else { continue }
                add(kernel, "/boot/" + name)
            }
        }
        for directory in moduleDirectories {
            guard let names = try? root.list(directory) else { continue }
            sources.append(directory)
            for name in names.sorted() where isRelease(name) {
                // A directory left behind by a removed kernel holds no modules.dep (only extra or weak-updates).
                guard root.exists("\(directory)/\(name)/modules.dep") || root.exists("\(directory)/\(name)/kernel") else { continue }
                add(name, "\(directory)/\(name)")
            }
        }
        for path in ["/run/reboot-required", "/var/run/reboot-required"] where root.exists(path) {
            state.rebootRequired = true
            sources.append(path)
            if let text = try? root.readText(path + ".pkgs", limit: 1 << 20) {
                state.rebootRequiredPackages = parsePackageList(text)
            }
            break
        }
        if let entries = try? root.list("/proc") {
            var looked = 0
            for pid in entries.sorted() where pid.allSatisfy(\.isNumber) && !pid.isEmpty {
                looked += 1
                guard looked <= maximumProcesses, let number = CheckedNumbers.integer(pid, in: 1...Int(Int32.max)),
                      let comm = try? root.readText("/proc/\(pid)/comm", limit: 256) else { continue }
                state.processesSeen = true
                let name = TextChecks.trimmed(comm)
                guard watchedProcesses.contains(where: { name.hasPrefix($0) }) else { continue }
                if let target = root.readLink("/proc/\(pid)/exe"), let path = deletedPath(target) {
                    state.replaced.append(ReplacedCode(pid: number, process: name, path: path, kind: "executable"))
                } else if let maps = try? root.readText("/proc/\(pid)/maps", limit: mapsLimit),
                          let library = deletedLibraries(inMaps: maps).first {
                    state.replaced.append(ReplacedCode(pid: number, process: name, path: library, kind: "library"))
                }
            }
            if state.processesSeen { sources.append("/proc/*/exe") }
        }
        state.replaced.sort { $0.pid < $1.pid }
        guard !sources.isEmpty else {
            if root.evidence.kind == .sosReport { throw root.liveOnly("the installed kernels (/boot, /lib/modules)") }
            throw .absent("/boot, /lib/modules")
        }
        return Sourced(state, sources: sources)
    }
}

extension Facts {
    public static let rebootState = FactKey<RebootState>(
        "host.reboot-state", "Installed kernels (/boot, /lib/modules), /run/reboot-required, QEMU and libvirt processes running replaced code") { store throws(FactError) in
        try RebootState.read(store.root)
    }
}
