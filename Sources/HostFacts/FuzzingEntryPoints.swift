import DoctorCore

/// The internal parsers the fuzz targets (Sources/FuzzTargets) drive directly on bytes, without a root.
/// `package` access keeps them out of the public API while the fuzzing library in this package can call
/// them; each forwards to the function production code uses, so the fuzzer exercises exactly that code.
package enum FuzzingEntryPoints {
    package static func stealTime(_ text: String) throws(FactError) -> StealTime { try StealTime.parse(text) }

    package static func memoryInfo(_ text: String) throws(FactError) -> MemoryInfo { try MemoryInfo.parse(text) }

    package static func certificateFile(_ bytes: [UInt8], path: String) -> CertificateFile {
        CertificateParser.read(bytes, path: path)
    }

    /// The hash of the public half of a PEM private key, or why it could not be derived.
    package static func privateKeyHash(_ text: String) -> String {
        switch CertificateParser.publicKeyHash(ofPrivateKeyPEM: text) {
        case .success(let hash): return hash
        case .failure(let error): return error.description
        }
    }

    /// The certificates of a PKCS#12 keystore opened with engine-setup's default password, or why not.
    package static func keystoreCertificates(_ bytes: [UInt8]) -> String {
        switch PKCS12.certificates(bytes, password: EnginePKI.defaultKeystorePassword) {
        case .success(let certificates): return certificates.map { CertificateParser.read($0, path: "").problem ?? "certificate" }.joined(separator: ",")
        case .failure(let problem): return problem.description
        }
    }

    /// `key = value` settings of libvirt's and VDSM's configuration files.
    package static func configurationSettings(_ text: String) -> [(String, String)] { CertificateDiscovery.settings(text) }

    /// dmidecode-style lines rebuilt from a raw SMBIOS table (/sys/firmware/dmi/tables/DMI).
    package static func smbiosText(_ table: [UInt8]) -> String? { SMBIOS.dmidecodeText(table) }

    /// The kmsg record prefix ("6,339,5140900,-;") stripped from one kernel log line.
    package static func cleanKmsgRecord(_ line: String) -> String { KernelLog.cleanKmsgRecord(line) }

    /// systemd-boot's `default` glob as loader.conf writes it, matched against an entry id.
    package static func bootLoaderGlobMatches(_ glob: String, _ id: String) -> Bool { BootConfigReader.matches(glob: glob, id) }

    /// What `virConnectGetCapabilities` XML contributes to the live libvirt snapshot.
    package static func libvirtCapabilities(_ xml: String) -> LibvirtSnapshot {
        var snapshot = LibvirtSnapshot(
            uri: "", driver: "", hypervisorVersion: "", libvirtVersion: "",
            node: .init(model: "", memoryKiB: 0, cpus: 0, mhz: 0, numaNodes: 0, sockets: 0, cores: 0, threads: 0),
            hostCPUModel: nil, hostCPUVendor: nil, guestArchitectures: [:], secureGuestFeatures: [], domains: [],
            networks: [], pools: [], problems: [])
        snapshot.readCapabilities(xml)
        return snapshot
    }

    /// A domain as the live snapshot reads it from `virDomainGetXMLDesc`.
    package static func libvirtLiveDomain(_ xml: String) -> (LibvirtSnapshot.Domain?, [String]) {
        var problems: [String] = []
        let domain = LibvirtSnapshot.domain(xml: xml, state: 1, reason: 0, autostart: nil, problems: &problems)
        return (domain, problems)
    }

    /// A log with nothing scanned yet, for `KernelLog.scan(_:source:into:)`.
    package static func emptyKernelLog() -> KernelLog { KernelLog(sources: [], lines: [], linesScanned: 0) }

    /// The same text as each package list format: dpkg's status file, `dpkg -l`, sos's installed-rpms.
    package static func packageLists(_ text: String) -> [Result<InstalledPackages, FactError>] {
        [
            Result { () throws(FactError) in try InstalledPackages.parseDpkgStatus(text) },
            Result { () throws(FactError) in try InstalledPackages.parseDpkgList(text, source: "dpkg_-l") },
            Result { () throws(FactError) in try InstalledPackages.parseInstalledRPMs(text, source: "installed-rpms") },
        ]
    }

    /// `systemctl list-units` output as sos saves it.
    package static func serviceUnits(_ text: String) throws(FactError) -> ServiceUnits {
        try ServiceUnits.parseListUnits(text, source: "systemctl_list-units")
    }

    /// An inventory of the loaded modules only (nothing built in).
    package static func kernelModules(loaded: [KernelModules.Module]) -> KernelModules {
        KernelModules(loaded: loaded, builtIn: [], loadableModulesSupported: true)
    }
}
