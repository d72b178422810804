import Bundles
import CheckEngine
import DoctorCore
import Foundation
import HostFacts

/// One function per parser that reads evidence, each taking arbitrary bytes. Evidence is hostile input, so
/// every function must return normally for every input: a parse error is an answer, a trap is a bug.
/// The fuzzing package (fuzz/) wraps each in a libFuzzer entry point; Tests/FuzzRegressionTests runs them all
/// over the saved crash inputs and the fixtures in a plain `swift test`.
///
/// Targets that read several files take them as sections of one input separated by the byte 0x1E (ASCII
/// record separator), in the order `sections` names them; an empty section stands for a file that is absent.
public enum FuzzTargets {
    public struct Target: Sendable {
        public let name: String
        /// fnmatch(3) patterns of single-file seeds, matched against paths relative to each seed directory
        /// (the repository, ../shared/corpus); `*` also matches `/`.
        public let seedPatterns: [String]
        /// For multi-file targets: the root-relative files, in section order. Empty for single-file targets.
        public let sections: [String]
        public let run: @Sendable ([UInt8]) -> Void
    }

    public static let sectionSeparator: UInt8 = 0x1E

    public static let all: [Target] = [
        Target(name: "cpuinfo", seedPatterns: ["*/proc/cpuinfo", "*cpuinfo*"], sections: [], run: cpuinfo),
        Target(name: "modules", seedPatterns: ["*/proc/modules"], sections: [], run: modules),
        Target(name: "sysctl", seedPatterns: ["*/sysctl.conf", "*/sysctl.d/*.conf"], sections: [], run: sysctl),
        Target(name: "grub-legacy", seedPatterns: ["*/grub.conf", "*/menu.lst"], sections: [], run: grubLegacy),
        Target(name: "grub2", seedPatterns: [], sections: grub2Sections, run: grub2),
        Target(name: "bls", seedPatterns: ["*/boot/loader/entries/*.conf"], sections: [], run: blsEntry),
        Target(name: "libvirt-xml", seedPatterns: ["*/etc/libvirt/*.xml", "*/run/libvirt/*.xml", "Tests/Fixtures/libvirt/*.xml"], sections: [], run: libvirtXML),
        Target(name: "kernel-log", seedPatterns: ["*/var/log/dmesg", "*/var/log/kern.log", "*/journalctl-k.txt"], sections: [], run: kernelLog),
        Target(name: "certificate", seedPatterns: ["*.pem", "*.der", "*.crt", "*.cer", "*.key", "*.key.nopass", "*.p7b", "*.p12"], sections: [], run: certificate),
        Target(name: "tar", seedPatterns: [], sections: [], run: tar),
        Target(name: "tar-gz", seedPatterns: ["*.tar.gz", "*.tgz"], sections: [], run: tarGz),
        Target(name: "archive", seedPatterns: ["*.tar.xz", "*.txz", "*.tar.bz2", "*.tbz2", "*.tar"], sections: [], run: archive),
        Target(name: "root-metadata", seedPatterns: ["*/.meta.yaml"], sections: [], run: rootMetadata),
        Target(name: "check-definition", seedPatterns: ["checks/*.yaml"], sections: [], run: checkDefinition),
        Target(name: "detection", seedPatterns: [], sections: detectionSections, run: detection),
        Target(name: "smbios", seedPatterns: ["*/sys/firmware/dmi/tables/DMI"], sections: [], run: smbios),
        Target(name: "meminfo", seedPatterns: ["*/proc/meminfo"], sections: [], run: meminfo),
        Target(name: "proc-stat", seedPatterns: ["*/proc/stat"], sections: [], run: procStat),
        Target(name: "os-release", seedPatterns: ["*/etc/os-release", "*/etc/redhat-release"], sections: [], run: osRelease),
        Target(name: "config-settings", seedPatterns: ["*/etc/libvirt/*.conf", "*/etc/vdsm/vdsm.conf"], sections: [], run: configSettings),
        Target(name: "sos-report", seedPatterns: [], sections: sosSections, run: sosReport),
        Target(name: "package-list", seedPatterns: ["*/var/lib/dpkg/status", "*/installed-rpms", "*/installed-debs", "*/dpkg_-l"], sections: [], run: packageList),
        Target(name: "systemd-units", seedPatterns: ["*/systemctl_list-units", "*/systemctl_list-units_--all"], sections: [], run: systemdUnits),
    ]

    public static func target(named name: String) -> Target? { all.first { $0.name == name } }

    // MARK: Single-file parsers

    public static func cpuinfo(_ bytes: [UInt8]) {
        guard let info = try? CPUInfo.parse(text(bytes)) else { return }
        touch(info)
        touch(info.factValue)
        touch(info.virtualizationExtension, info.cpus(lacking: "vmx"), info.hasEverywhere("svm"))
    }

    public static func modules(_ bytes: [UInt8]) {
        guard let loaded = try? KernelModules.parseProcModules(text(bytes)) else { return }
        let inventory = FuzzingEntryPoints.kernelModules(loaded: loaded)
        touch(inventory, inventory.isPresent("kvm-intel"))
    }

    public static func sysctl(_ bytes: [UInt8]) {
        var settings: [String: PersistedSysctls.Setting] = [:]
        PersistedSysctls.parse(text(bytes), file: "/etc/sysctl.d/99-fuzz.conf", into: &settings)
        touch(settings, settings.keys.map(PersistedSysctls.normalizeKey))
    }

    public static func grubLegacy(_ bytes: [UInt8]) {
        let input = text(bytes)
        touch(BootConfig.grubDefaultSetting(input))
        guard let config = try? BootConfig.parseLegacy(input, file: "/boot/grub/grub.conf") else { return }
        touch(config, config.entries.map(\.hypervisor))
    }

    static let grub2Sections = ["boot/grub2/grub.cfg", "boot/grub2/grubenv", "etc/default/grub", "boot/loader/loader.conf",
                                "boot/loader/entries/a.conf", "boot/loader/entries/b.conf"]

    /// grub.cfg resolved the way the reader does: saved_entry from grubenv, BLS entries when it says `blscfg`.
    public static func grub2(_ bytes: [UInt8]) {
        let parts = sections(bytes, count: grub2Sections.count).map { $0.map(text) }
        let saved = parts[1].flatMap(BootConfig.savedEntry(fromGrubenv:))
        touch(parts[2].flatMap(BootConfig.grubDefaultSetting))
        let entries = parts[4...].enumerated().compactMap { index, entry in
            entry.flatMap { try? BootConfig.parseBLSEntry($0, id: "entry-\(index)", file: "/boot/loader/entries/entry-\(index).conf") }
        }
        if let loaderConf = parts[3] {
            for line in loaderConf.split(separator: "\n") where line.hasPrefix("default") {
                for entry in entries { touch(FuzzingEntryPoints.bootLoaderGlobMatches(String(line.dropFirst(7)), entry.id ?? "")) }
            }
        }
        guard let config = parts[0], let parsed = try? BootConfig.parseGrub2(config, file: "/boot/grub2/grub.cfg", savedEntry: saved, blsEntries: entries) else { return }
        touch(parsed)
    }

    public static func blsEntry(_ bytes: [UInt8]) {
        let input = text(bytes)
        guard let entry = try? BootConfig.parseBLSEntry(input, id: "fuzz", file: "/boot/loader/entries/fuzz.conf") else { return }
        // loader.conf's `default` is a glob over entry ids; the entry's own title makes an arbitrary pattern.
        touch(entry, FuzzingEntryPoints.bootLoaderGlobMatches(entry.title, entry.options ?? ""))
    }

    /// The same XML through every reader that takes libvirt XML: the bare tree, network and domain
    /// definitions, the live snapshot's capabilities and domain readers.
    public static func libvirtXML(_ bytes: [UInt8]) {
        let input = text(bytes)
        if let root = try? XMLElement.parse(input, source: "fuzz.xml") {
            touch(root.name, root.descendants("source").count, root.attributes)
        }
        touch(try? LibvirtNetwork.parse(input, file: "fuzz.xml"))
        touch(try? LibvirtDomain.parse(input, file: "fuzz.xml"))
        touch(FuzzingEntryPoints.libvirtCapabilities(input))
        touch(FuzzingEntryPoints.libvirtLiveDomain(input))
    }

    public static func kernelLog(_ bytes: [UInt8]) {
        var log = FuzzingEntryPoints.emptyKernelLog()
        KernelLog.scan(bytes, source: "/var/log/dmesg", into: &log)
        touch(log, log.contains("kvm"))
        for line in text(bytes).split(separator: "\n").prefix(64) {
            touch(FuzzingEntryPoints.cleanKmsgRecord(String(line)))
        }
    }

    /// The file's name decides PKCS#12 handling only, so PEM and DER both go through the content sniffing.
    public static func certificate(_ bytes: [UInt8]) {
        touch(FuzzingEntryPoints.certificateFile(bytes, path: "/etc/pki/fuzz/cert.pem"))
        touch(FuzzingEntryPoints.privateKeyHash(text(bytes)))
        touch(FuzzingEntryPoints.keystoreCertificates(bytes))  // issue 13: certs (PKCS#12)
    }

    /// Limits small enough that a fuzzer's rss limit is never the first to trip.
    static let archiveLimits = Archive.Limits(maximumUncompressedBytes: 64 << 20, maximumMemberBytes: 16 << 20, maximumMembers: 10_000)

    public static func tar(_ bytes: [UInt8]) {
        touch(try? BundleFuzzingEntryPoints.readTar(bytes, limits: archiveLimits))
    }

    public static func tarGz(_ bytes: [UInt8]) {
        touch(try? Archive.read(tarGz: bytes, limits: archiveLimits))
    }

    /// With a filter: more may stream past than is kept, as for a sos report.
    static let filteredArchiveLimits = Archive.Limits(maximumUncompressedBytes: 16 << 20, maximumMemberBytes: 4 << 20, maximumMembers: 10_000,
                                                      maximumStreamedBytes: 64 << 20, maximumSkippedMembers: 100_000)

    /// Any archive format told by its first bytes (tar, gzip, xz, bzip2: the decoders and the stream around
    /// them), read whole and again through a filter that passes every other member over.
    public static func archive(_ bytes: [UInt8]) {
        touch(try? Archive.read(bytes: bytes, limits: archiveLimits))
        var asked = 0
        touch(try? Archive.read(bytes: bytes, limits: filteredArchiveLimits) { _ in
            asked += 1
            return asked % 2 == 0
        })
        touch(Archive.format(of: Array(bytes.prefix(512))))
    }

    public static func rootMetadata(_ bytes: [UInt8]) {
        touch(try? RootMetadata.decode(text(bytes), source: "/fuzz/.meta.yaml"))
    }

    public static func checkDefinition(_ bytes: [UInt8]) {
        touch(try? Catalog.decode(text(bytes), file: "checks/fuzz.yaml"))
    }

    public static func smbios(_ bytes: [UInt8]) {
        touch(FuzzingEntryPoints.smbiosText(bytes))
    }

    public static func meminfo(_ bytes: [UInt8]) {
        touch(try? FuzzingEntryPoints.memoryInfo(text(bytes)))
    }

    public static func procStat(_ bytes: [UInt8]) {
        touch(try? FuzzingEntryPoints.stealTime(text(bytes)))
    }

    public static func osRelease(_ bytes: [UInt8]) {
        touch(try? OSRelease.parse(text(bytes)), OSRelease.fromRedHatRelease(text(bytes)))
    }

    public static func configSettings(_ bytes: [UInt8]) {
        touch(FuzzingEntryPoints.configurationSettings(text(bytes)).map { "\($0)=\($1)" })
    }

    // MARK: Detection (a whole root)

    /// Every file virtualization detection reads from a recorded root, in section order.
    public static let detectionSections = [
        "cpuid.txt", "dmidecode.txt", "dmidecode.stderr.txt", "uname-m.txt", "proc/cpuinfo", "proc/1/environ",
        "proc/self/status", "proc/self/cgroup", "proc/1/cgroup", "proc/version", "proc/sysinfo", "proc/xen/capabilities",
        "sys/hypervisor/type", "proc/device-tree/compatible", "proc/device-tree/hypervisor/compatible",
        "proc/sys/kernel/osrelease", "proc/ppc64/lparcfg", "proc/bus/pci/devices", "sys/firmware/dmi/tables/DMI",
    ]

    /// One scratch root per process, emptied and refilled for every input: detection reads through HostRoot,
    /// so the files must exist on disk.
    nonisolated(unsafe) static var scratchRoot: String?

    public static func detection(_ bytes: [UInt8]) {
        let fileManager = FileManager.default
        let rootPath: String
        if let existing = scratchRoot {
            rootPath = existing
        } else {
            rootPath = fileManager.temporaryDirectory.appendingPathComponent("virt-doctor-fuzz-\(getpid())").path
            scratchRoot = rootPath
        }
        try? fileManager.removeItem(atPath: rootPath)
        try? fileManager.createDirectory(atPath: rootPath, withIntermediateDirectories: true)
        for (name, contents) in zip(detectionSections, sections(bytes, count: detectionSections.count)) {
            guard let contents else { continue }
            let url = URL(fileURLWithPath: rootPath + "/" + name)
            try? fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = fileManager.createFile(atPath: url.path, contents: Data(contents))
        }
        guard let root = try? HostRoot(directory: rootPath) else { return }
        touch(VirtualizationReport.detect(root))
    }

    /// The sos command outputs SosReport turns into a root's files, as sections of one input.
    public static let sosSections = [
        "version.txt", "sos_commands/kernel/uname_-a", "sos_commands/kernel/sysctl_-a", "sos_commands/kernel/lsmod",
        "sos_commands/process/ps_auxwww", "sos_commands/block/ls_-lanR_.dev", "sos_commands/selinux/sestatus",
        "sos_commands/date/date_--utc", "sos_commands/host/hostname", "sos_commands/kernel/dmesg",
        // Appended, so saved inputs keep their meaning: virsh's answers and the bridge details of ip.
        "sos_commands/virsh/virsh_-r_list_--all", "sos_commands/virsh/virsh_-r_dumpxml_web01",
        "sos_commands/virsh/virsh_-r_nodeinfo", "sos_commands/networking/ip_-s_-d_link",
    ]

    /// A sos report built in memory from the sections, opened as a root, and the facts its outputs answer.
    public static func sosReport(_ bytes: [UInt8]) {
        var builder = MemoryTree.Builder()
        for (name, contents) in zip(sosSections, sections(bytes, count: sosSections.count)) {
            guard let contents else { continue }
            try? builder.add(name, .file(contents), mode: 0o644)
        }
        try? builder.add("sos_commands", .directory, mode: 0o755)
        guard let tree = try? HostRoot(tree: builder.build(), label: "fuzz-sos") else { return }
        let root = SosReport.open(tree)
        let store = FactStore(root: root)
        touch(root.evidence, try? store.get(Facts.kernelRelease), try? store.get(Facts.hostname), try? store.get(Facts.kernelModules))
        touch(try? store.get(Facts.processes), try? store.get(Facts.kvmDevice), try? store.get(Facts.sysctl("net.ipv4.ip_forward")))
        touch(try? store.get(Facts.selinux), try? store.get(Facts.kernelLog), try? store.get(Facts.machine))
        touch(try? store.get(Facts.libvirt), try? store.get(Facts.bridges))
    }

    /// Every package list parser on the same bytes: a dpkg status seed is junk to the rpm parser and back.
    public static func packageList(_ bytes: [UInt8]) {
        for result in FuzzingEntryPoints.packageLists(text(bytes)) {
            if case .success(let list) = result { touch(list, list.versions(of: "qemu-kvm"), list.isInstalled("libvirt0")) }
        }
    }

    public static func systemdUnits(_ bytes: [UInt8]) {
        guard let units = try? FuzzingEntryPoints.serviceUnits(text(bytes)) else { return }
        touch(units, units.isActive("chronyd.service"))
    }

    // MARK: Seeds

    public struct Seed: Sendable {
        /// Where it came from, relative to its seed directory (several files for a multi-file seed).
        public let name: String
        /// The file itself for single-file seeds (read in place, never copied); nil for a composed seed.
        public let path: String?
        public let bytes: [UInt8]
    }

    /// Seeds for a target from the given directories: files matching its patterns, and for multi-file
    /// targets one composed input per directory that holds at least one of its files (fixture roots, corpus
    /// captures). Directories that do not exist are skipped. Files larger than 1 MiB are left out.
    public static func seeds(for target: Target, in directories: [String]) -> [Seed] {
        let fileManager = FileManager.default
        var seeds: [Seed] = []
        for base in directories {
            guard let enumerator = fileManager.enumerator(atPath: base) else { continue }
            var directoriesSeen: [String] = []
            while let relative = enumerator.nextObject() as? String {
                if relative.hasPrefix(".build") || relative.hasPrefix(".git") || relative.hasPrefix("fuzz/") {
                    enumerator.skipDescendants()
                    continue
                }
                let path = base + "/" + relative
                var isDirectory: ObjCBool = false
                guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    if !target.sections.isEmpty { directoriesSeen.append(relative) }
                    continue
                }
                guard target.seedPatterns.contains(where: { fnmatch($0, relative, 0) == 0 }),
                      let bytes = fileManager.contents(atPath: path), bytes.count <= 1 << 20 else { continue }
                seeds.append(Seed(name: relative, path: path, bytes: Array(bytes)))
            }
            for directory in directoriesSeen {
                let parts = target.sections.map { fileManager.contents(atPath: base + "/" + directory + "/" + $0).map(Array.init) }
                guard parts.contains(where: { $0 != nil }) else { continue }
                let bytes = Array(parts.map { $0 ?? [] }.joined(separator: [sectionSeparator]))
                seeds.append(Seed(name: directory, path: nil, bytes: bytes))
            }
        }
        return seeds
    }

    /// Called by each fuzz executable before fuzzing: with VIRT_DOCTOR_FUZZ_SEEDS_OUT set, writes the target's
    /// seeds from VIRT_DOCTOR_FUZZ_SEED_DIRS (colon-separated) into that directory (single files as symbolic
    /// links to where they are, composed ones as files) and exits, so run.sh needs no copy of the lists here.
    public static func prepare(_ name: String) {
        let environment = ProcessInfo.processInfo.environment
        guard let output = environment["VIRT_DOCTOR_FUZZ_SEEDS_OUT"], let target = Self.target(named: name) else { return }
        let directories = (environment["VIRT_DOCTOR_FUZZ_SEED_DIRS"] ?? "").split(separator: ":").map(String.init)
        let fileManager = FileManager.default
        try? fileManager.createDirectory(atPath: output, withIntermediateDirectories: true)
        let found = seeds(for: target, in: directories)
        for (index, seed) in found.enumerated() {
            let flatName = "\(index)-" + seed.name.replacingOccurrences(of: "/", with: "_")
            let destination = output + "/" + String(flatName.suffix(200))
            try? fileManager.removeItem(atPath: destination)
            if let path = seed.path {
                try? fileManager.createSymbolicLink(atPath: destination, withDestinationPath: path)
            } else {
                _ = fileManager.createFile(atPath: destination, contents: Data(seed.bytes))
            }
        }
        print("\(name): \(found.count) seeds in \(output)")
        exit(0)
    }

    /// The libFuzzer entry point's body, shared by every fuzz executable.
    public static func run(_ name: String, _ data: UnsafePointer<UInt8>?, _ size: Int) {
        guard let target = Self.target(named: name) else { fatalError("no fuzz target named \(name)") }
        target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    }

    // MARK: Helpers

    /// How every reader turns file bytes into text: invalid UTF-8 becomes replacement characters.
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Splits an input into `count` sections at 0x1E; missing or empty sections are nil (absent files), extra
    /// separators stay inside the last section.
    public static func sections(_ bytes: [UInt8], count: Int) -> [[UInt8]?] {
        var parts = bytes.split(separator: sectionSeparator, maxSplits: count - 1, omittingEmptySubsequences: false)
            .map { $0.isEmpty ? nil : Array($0) }
        while parts.count < count { parts.append(nil) }
        return parts
    }

    /// Describes every field of a result so the optimiser cannot drop the parse and every lazy part runs.
    nonisolated(unsafe) static var touchedBytes = 0

    @inline(never)
    static func touch(_ values: Any?...) {
        for value in values { touchedBytes &+= String(reflecting: value as Any).utf8.count }
    }
}
