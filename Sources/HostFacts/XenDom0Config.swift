import DoctorCore

/// How much memory and how many CPUs Xen gives dom0: the hypervisor's options on the default entry's
/// xen.gz line (`kernel /xen.gz-2.6.18-398.el5 dom0_mem=2048M`), Debian's GRUB_CMDLINE_XEN settings,
/// xend's `(dom0-min-mem 256)` and `(dom0-cpus 0)`, and xl's `autoballoon`.
public struct XenDom0Config: Codable, Sendable, Equatable {
    /// Hypervisor options of the default boot entry, when it boots Xen.
    public var xenOptions: [String]?
    public var xenOptionsSource: String?
    /// GRUB_CMDLINE_XEN and GRUB_CMDLINE_XEN_DEFAULT in /etc/default/grub (Debian, Ubuntu).
    public var grubCmdlineXen: [String]
    /// xend-config.sxp `(dom0-min-mem N)` in MiB and `(dom0-cpus N)`.
    public var xendMinMemMiB: Int?
    public var xendCPUs: Int?
    /// xl.conf `autoballoon` ("on", "off", "auto", "0", "1").
    public var autoballoon: String?

    /// The value of `dom0_mem=` in the boot options, when set.
    public var dom0Mem: String? {
        for option in (xenOptions ?? []) + grubCmdlineXen where option.hasPrefix("dom0_mem=") {
            return String(option.dropFirst("dom0_mem=".count))
        }
        return nil
    }

    public var dom0MaxVCPUs: String? {
        for option in (xenOptions ?? []) + grubCmdlineXen where option.hasPrefix("dom0_max_vcpus=") {
            return String(option.dropFirst("dom0_max_vcpus=".count))
        }
        return nil
    }

    /// The options on the line that loads `xenImage` in a GRUB configuration (`kernel`, `multiboot`,
    /// `multiboot2`), or nil when no such line is found. Total on any text.
    public static func xenLineOptions(_ text: String, xenImage: String) -> [String]? {
        for rawLine in text.split(separator: "\n").prefix(100_000) {
            let words = rawLine.split(whereSeparator: \.isWhitespace).prefix(512).map(String.init)
            guard words.count >= 2, ["kernel", "multiboot", "multiboot2"].contains(words[0]), words[1] == xenImage else { continue }
            return Array(words.dropFirst(2)).filter { $0 != "${xen_rm_opts}" && $0 != "placeholder" }
        }
        return nil
    }

    /// `(dom0-min-mem 256)` style values of xend-config.sxp. Total.
    public static func sxpInteger(_ text: String, key: String) -> Int? {
        for rawLine in text.split(separator: "\n").prefix(10_000) {
            let line = TextChecks.trimmed(rawLine)
            guard line.hasPrefix("(" + key + " ") else { continue }
            let value = line.dropFirst(key.count + 2).prefix { $0 != ")" }
            return CheckedNumbers.integer(TextChecks.trimmed(value), in: 0...1 << 30)
        }
        return nil
    }

    static func read(_ store: FactStore) throws(FactError) -> Sourced<XenDom0Config> {
        let root = store.root
        var config = XenDom0Config(grubCmdlineXen: [])
        var sources: [String] = []
        if let boot = try? store.get(Facts.bootConfig), let xen = boot.defaultEntry?.xenImage,
           let text = try? root.readText(boot.configFile) {
            config.xenOptions = xenLineOptions(text, xenImage: xen)
            config.xenOptionsSource = boot.configFile
            sources.append(boot.configFile)
        }
        if let text = try? root.readText("/etc/default/grub") {
            for line in text.split(separator: "\n").prefix(10_000) {
                guard let (key, value) = TextChecks.splitKeyValue(line, separator: "="),
                      key == "GRUB_CMDLINE_XEN" || key == "GRUB_CMDLINE_XEN_DEFAULT" else { continue }
                config.grubCmdlineXen += TextChecks.unquoted(value).split(whereSeparator: \.isWhitespace).prefix(256).map(String.init)
                if !sources.contains("/etc/default/grub") { sources.append("/etc/default/grub") }
            }
        }
        if let text = try? root.readText("/etc/xen/xend-config.sxp") {
            config.xendMinMemMiB = sxpInteger(text, key: "dom0-min-mem")
            config.xendCPUs = sxpInteger(text, key: "dom0-cpus")
            sources.append("/etc/xen/xend-config.sxp")
        }
        if let text = try? root.readText("/etc/xen/xl.conf") {
            for line in text.split(separator: "\n").prefix(10_000) where !TextChecks.trimmed(line).hasPrefix("#") {
                if let (key, value) = TextChecks.splitKeyValue(line, separator: "="), key == "autoballoon" {
                    config.autoballoon = String(TextChecks.unquoted(value).prefix(32))
                }
            }
            sources.append("/etc/xen/xl.conf")
        }
        guard !sources.isEmpty else { throw .absent("/etc/xen/xend-config.sxp") }
        return Sourced(config, sources: sources)
    }
}

extension Facts {
    public static let xenDom0Config = FactKey<XenDom0Config>("xen.dom0-config", "dom0 memory and CPUs: xen.gz boot options, GRUB_CMDLINE_XEN, xend-config.sxp, xl.conf") { store throws(FactError) in
        try XenDom0Config.read(store)
    }
}
