import DoctorCore
import Foundation

/// Finds the boot loader configuration of a root and decides which entry boots by default.
/// Order: GRUB 2 (grub.cfg, with grubenv and BLS entries), then GRUB legacy (grub.conf / menu.lst),
/// then bare BLS entries (systemd-boot, loader.conf `default`).
enum BootConfigReader {
    static let grub2Files = ["/boot/grub2/grub.cfg", "/boot/grub/grub.cfg"]
    static let legacyFiles = ["/boot/grub/grub.conf", "/boot/grub/menu.lst", "/etc/grub.conf"]
    static let grubenvFiles = ["/boot/grub2/grubenv", "/boot/grub/grubenv"]

    static func read(_ root: HostRoot) throws(FactError) -> Sourced<BootConfig> {
        var sources: [String] = []
        let etcDefault = (try? root.readText("/etc/default/grub")).flatMap(BootConfig.grubDefaultSetting)
        if etcDefault != nil { sources.append("/etc/default/grub") }

        var saved: String?
        for path in grubenvFiles {
            if let text = try? root.readText(path) {
                saved = BootConfig.savedEntry(fromGrubenv: text)
                sources.append(path)
                break
            }
        }
        let (bls, blsSources) = blsEntries(root)

        var efiConfigs: [String] = []
        if let vendors = try? root.list("/boot/efi/EFI") {
            efiConfigs = vendors.map { "/boot/efi/EFI/\($0)/grub.cfg" }
        }
        for path in grub2Files + efiConfigs {
            guard let text = try root.readTextIfPresent(path) else { continue }
            // Fedora's EFI grub.cfg is a three-line stub that loads the real one; skip stubs.
            if !text.contains("menuentry") && !text.contains("blscfg") { continue }
            var config = try BootConfig.parseGrub2(text, file: path, savedEntry: saved, blsEntries: bls)
            config.etcDefaultGrub = etcDefault
            return Sourced(config, sources: [path] + sources + (config.loader == "grub2-bls" ? blsSources : []))
        }
        for path in legacyFiles {
            guard let text = try root.readTextIfPresent(path) else { continue }
            var config = try BootConfig.parseLegacy(text, file: path)
            config.etcDefaultGrub = etcDefault
            return Sourced(config, sources: [path] + sources)
        }
        if !bls.isEmpty {
            let loaderDefault = (try? root.readText("/boot/loader/loader.conf"))?
                .split(separator: "\n").first { $0.hasPrefix("default") }
                .map { TextChecks.trimmed($0.dropFirst("default".count)) }
            let pattern = loaderDefault?.replacingOccurrences(of: ".conf", with: "")
            let chosen = pattern.flatMap { wanted in bls.first { matches(glob: wanted, $0.id ?? "") } } ?? bls.first
            let config = BootConfig(
                loader: "bls", configFile: "/boot/loader/entries", entries: bls, defaultSetting: loaderDefault,
                defaultResolution: loaderDefault.map { "loader.conf default \($0)" } ?? "no default: the first entry in sort order boots",
                defaultEntry: chosen, etcDefaultGrub: etcDefault)
            return Sourced(config, sources: blsSources)
        }
        throw .absent("a boot loader configuration (/boot/grub2/grub.cfg, /boot/grub/grub.cfg, /boot/grub/grub.conf, /boot/loader/entries)")
    }

    /// BLS entries, newest first, as GRUB's blscfg sorts them (by version, approximated by file name).
    static func blsEntries(_ root: HostRoot) -> ([BootEntry], [String]) {
        guard let names = try? root.list("/boot/loader/entries") else { return ([], []) }
        var entries: [BootEntry] = []
        var sources: [String] = []
        for name in names.sorted(by: >) where name.hasSuffix(".conf") {
            let path = "/boot/loader/entries/\(name)"
            guard let text = try? root.readText(path),
                  let entry = try? BootConfig.parseBLSEntry(text, id: String(name.dropLast(5)), file: path) else { continue }
            entries.append(entry)
            sources.append(path)
        }
        return (entries, sources)
    }

    static func matches(glob: String, _ text: String) -> Bool {
        guard glob.contains("*") else { return glob == text }
        let parts = glob.split(separator: "*", omittingEmptySubsequences: false)
        var rest = Substring(text)
        for (index, part) in parts.enumerated() where !part.isEmpty {
            if index == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if let range = rest.range(of: part) {
                rest = rest[range.upperBound...]
            } else {
                return false
            }
        }
        return true
    }
}
