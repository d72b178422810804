import Foundation
import DoctorCore

/// One boot menu entry, whatever the loader.
public struct BootEntry: Codable, Sendable, Equatable {
    public var title: String
    /// Submenu path for grub2 ("Advanced options for Debian>Debian, with Linux 6.1.0-xen"), else the title.
    public var path: String
    public var id: String?
    /// The kernel image (`linux`, `kernel`, or the dom0 kernel given as a Xen module).
    public var kernel: String?
    /// The Xen hypervisor image when the entry boots Xen (`kernel /xen.gz`, `multiboot2 /xen.gz`).
    public var xenImage: String?
    public var initrd: [String]
    public var options: String?

    /// "xen" when the entry boots the Xen hypervisor, otherwise "linux" (KVM is a module of that kernel).
    public var hypervisor: String { xenImage != nil ? "xen" : "linux" }
}

/// Which entry boots by default, read from GRUB legacy `grub.conf`, GRUB 2 `grub.cfg` (+ `grubenv`),
/// Boot Loader Specification entries, and `/etc/default/grub`.
///
///     # GRUB legacy (/boot/grub/grub.conf)
///     default=1
///     title Fedora (2.6.23.14-107.fc8xen)
///         root (hd0,0)
///         kernel /xen.gz-2.6.23.14-107.fc8
///         module /vmlinuz-2.6.23.14-107.fc8xen ro root=/dev/VolGroup00/LogVol00
///         module /initrd-2.6.23.14-107.fc8xen.img
public struct BootConfig: Codable, Sendable, Equatable {
    public var loader: String
    public var configFile: String
    public var entries: [BootEntry]
    /// The raw default as written: "1", "saved", "${saved_entry}", a title, or a BLS id.
    public var defaultSetting: String?
    /// How the default was resolved, for the report's evidence.
    public var defaultResolution: String
    public var defaultEntry: BootEntry?
    /// GRUB_DEFAULT in /etc/default/grub: what the next grub2-mkconfig will write.
    public var etcDefaultGrub: String?

    // MARK: GRUB legacy

    public static func parseLegacy(_ text: String, file: String) throws(FactError) -> BootConfig {
        try TextChecks.requireText(text, source: file)
        var entries: [BootEntry] = []
        var defaultSetting: String?
        var current: BootEntry?
        var modules: [String] = []
        func finish() {
            guard var entry = current else { return }
            // In a Xen entry the first module is the dom0 kernel and the rest are initrds.
            if entry.xenImage != nil, let first = modules.first {
                entry.kernel = word(first, 0)
                entry.options = rest(first)
                entry.initrd += modules.dropFirst().compactMap { word($0, 0) }
            } else {
                entry.initrd += modules.compactMap { word($0, 0) }
            }
            entries.append(entry)
            current = nil
            modules = []
        }
        for rawLine in text.split(separator: "\n") {
            let line = TextChecks.trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let keyword = keywordAndValue(line)
            switch keyword.0 {
            case "default": defaultSetting = keyword.1
            case "title":
                finish()
                current = BootEntry(title: keyword.1, path: keyword.1, initrd: [])
            case "kernel":
                if word(keyword.1, 0)?.lowercased().contains("xen") == true && word(keyword.1, 0)?.contains("vmlinuz") == false {
                    current?.xenImage = word(keyword.1, 0)
                } else {
                    current?.kernel = word(keyword.1, 0)
                    current?.options = rest(keyword.1)
                }
            case "module": modules.append(keyword.1)
            case "initrd": current?.initrd.append(word(keyword.1, 0) ?? keyword.1)
            default: break
            }
        }
        finish()
        guard !entries.isEmpty else { throw .unparsable(source: file, detail: "no 'title' entries") }
        var config = BootConfig(loader: "grub-legacy", configFile: file, entries: entries, defaultSetting: defaultSetting,
                                defaultResolution: "", defaultEntry: nil)
        if let setting = defaultSetting, let index = Int(setting) {
            config.defaultEntry = entries.indices.contains(index) ? entries[index] : nil
            config.defaultResolution = entries.indices.contains(index)
                ? "default=\(index) selects title #\(index) (counting from 0)"
                : "default=\(index) but there are only \(entries.count) entries; GRUB falls back to the first"
            if config.defaultEntry == nil { config.defaultEntry = entries.first }
        } else {
            config.defaultEntry = entries.first
            config.defaultResolution = defaultSetting == nil
                ? "no default= line: the first title boots"
                : "default=\(defaultSetting!) is not a number; assuming the first title"
        }
        return config
    }

    // MARK: GRUB 2

    /// Parses grub.cfg. `savedEntry` comes from grubenv; `blsEntries` are used when the file only says `blscfg`.
    public static func parseGrub2(
        _ text: String, file: String, savedEntry: String?, blsEntries: [BootEntry] = []
    ) throws(FactError) -> BootConfig {
        try TextChecks.requireText(text, source: file)
        struct Item { var entry: BootEntry?; var children: [BootEntry] }
        var items: [Item] = []
        var submenuTitle: String?
        var submenuChildren: [BootEntry] = []
        var current: BootEntry?
        var depth = 0
        var entryDepth = 0
        var defaultSetting: String?
        var usesBLS = false
        for rawLine in text.split(separator: "\n") {
            let line = TextChecks.trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("set default=") {
                defaultSetting = TextChecks.unquoted(String(line.dropFirst("set default=".count)))
                continue
            }
            if line == "blscfg" { usesBLS = true; continue }
            if line.hasPrefix("menuentry ") || line.hasPrefix("menuentry\t") {
                let title = firstQuoted(line) ?? "untitled"
                let path = submenuTitle.map { "\($0)>\(title)" } ?? title
                current = BootEntry(title: title, path: path, id: optionValue(line, "--id") ?? idOption(line), initrd: [])
                depth += line.filter { $0 == "{" }.count
                entryDepth = depth
                continue
            }
            if line.hasPrefix("submenu ") {
                submenuTitle = firstQuoted(line) ?? "submenu"
                submenuChildren = []
                depth += line.filter { $0 == "{" }.count
                continue
            }
            if current != nil {
                let (keyword, value) = keywordAndValue(line)
                switch keyword {
                case "linux", "linux16", "linuxefi", "kernel": current?.kernel = word(value, 0); current?.options = rest(value)
                case "multiboot", "multiboot2":
                    if word(value, 0)?.lowercased().contains("xen") == true { current?.xenImage = word(value, 0) }
                case "module", "module2":
                    // Xen: the first module is dom0's kernel ("module2 /vmlinuz-... placeholder root=..."),
                    // the next ones are initrds.
                    if current?.kernel == nil, let image = word(value, 0), image.contains("vmlinuz") || image.contains("bzImage") {
                        current?.kernel = image
                        current?.options = rest(value)
                    } else if let image = word(value, 0) {
                        current?.initrd.append(image == "--nounzip" ? (word(value, 1) ?? image) : image)
                    }
                case "initrd", "initrd16", "initrdefi":
                    current?.initrd += value.split(separator: " ").map(String.init)
                default: break
                }
            }
            let opens = line.filter { $0 == "{" }.count
            let closes = line.filter { $0 == "}" }.count
            depth += opens - closes
            if closes > 0 {
                if let entry = current, depth < entryDepth {
                    if submenuTitle != nil { submenuChildren.append(entry) } else { items.append(Item(entry: entry, children: [])) }
                    current = nil
                } else if current == nil, submenuTitle != nil, depth == 0 {
                    items.append(Item(entry: BootEntry(title: submenuTitle!, path: submenuTitle!, initrd: []), children: submenuChildren))
                    submenuTitle = nil
                }
            }
        }
        if usesBLS {
            items.append(contentsOf: blsEntries.map { Item(entry: $0, children: []) })
        }
        let flat = items.flatMap { $0.children.isEmpty ? [$0.entry!] : $0.children }
        guard !flat.isEmpty else { throw .unparsable(source: file, detail: "no menuentry blocks") }

        var config = BootConfig(loader: usesBLS ? "grub2-bls" : "grub2", configFile: file, entries: flat,
                                defaultSetting: defaultSetting, defaultResolution: "", defaultEntry: nil)
        var wanted = defaultSetting ?? "0"
        var how = defaultSetting == nil ? "no 'set default' line: the first entry boots" : "set default=\"\(wanted)\""
        if wanted.contains("saved_entry") || wanted.contains("next_entry") {
            if let savedEntry, !savedEntry.isEmpty {
                wanted = savedEntry
                how += ", and grubenv has saved_entry=\(savedEntry)"
            } else {
                wanted = "0"
                how += ", but grubenv has no saved_entry: the first entry boots"
            }
        }
        // A default is an index ("0", "1>2"), a title, an id, or a ">"-path of titles or ids.
        let steps = wanted.split(separator: ">").map(String.init)
        var level = items
        var chosen: BootEntry?
        for (position, step) in steps.enumerated() {
            let isLast = position == steps.count - 1
            var found: Item?
            if let index = Int(step), level.indices.contains(index) {
                found = level[index]
            } else {
                found = level.first { $0.entry?.title == step || $0.entry?.id == step }
                    ?? level.first { $0.children.contains { $0.title == step || $0.id == step } }
                if let parent = found, !parent.children.isEmpty, parent.entry?.title != step, parent.entry?.id != step {
                    chosen = parent.children.first { $0.title == step || $0.id == step }
                    break
                }
            }
            guard let item = found else { break }
            if isLast || item.children.isEmpty {
                chosen = item.children.isEmpty ? item.entry : item.children.first
                break
            }
            level = item.children.map { Item(entry: $0, children: []) }
        }
        if chosen == nil {
            how += "; that names no entry, so GRUB boots the first one"
            chosen = flat.first
        }
        config.defaultEntry = chosen
        config.defaultResolution = how
        return config
    }

    /// A Boot Loader Specification entry (`/boot/loader/entries/<id>.conf`).
    ///
    ///     title Fedora Linux (6.5.6-300.fc39.x86_64) 39
    ///     version 6.5.6-300.fc39.x86_64
    ///     linux /vmlinuz-6.5.6-300.fc39.x86_64
    ///     initrd /initramfs-6.5.6-300.fc39.x86_64.img
    ///     options root=UUID=... ro rhgb quiet
    public static func parseBLSEntry(_ text: String, id: String, file: String) throws(FactError) -> BootEntry {
        try TextChecks.requireText(text, source: file)
        var entry = BootEntry(title: id, path: id, id: id, initrd: [])
        var sawKernel = false
        for rawLine in text.split(separator: "\n") {
            let line = TextChecks.trimmed(rawLine)
            if line.hasPrefix("#") { continue }
            let (keyword, value) = keywordAndValue(line)
            switch keyword {
            case "title": entry.title = value; entry.path = value
            case "linux": entry.kernel = value; sawKernel = true
            case "initrd": entry.initrd.append(value)
            case "options": entry.options = value
            default: break
            }
        }
        guard sawKernel else { throw .unparsable(source: file, detail: "BLS entry without a 'linux' line") }
        return entry
    }

    /// `GRUB_DEFAULT` from /etc/default/grub (what the next grub2-mkconfig will write).
    public static func grubDefaultSetting(_ text: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmedLine = TextChecks.trimmed(line)
            if trimmedLine.hasPrefix("GRUB_DEFAULT=") {
                return TextChecks.unquoted(String(trimmedLine.dropFirst("GRUB_DEFAULT=".count)))
            }
        }
        return nil
    }

    /// `saved_entry=` from a grubenv block.
    public static func savedEntry(fromGrubenv text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("saved_entry=") {
            return String(line.dropFirst("saved_entry=".count))
        }
        return nil
    }
}

private func keywordAndValue(_ line: String) -> (String, String) {
    // GRUB legacy accepts "default=1" and "default 1".
    guard let index = line.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) else { return (line, "") }
    return (String(line[..<index]), TextChecks.trimmed(line[line.index(after: index)...]))
}

private func word(_ text: String, _ index: Int) -> String? {
    let words = text.split(whereSeparator: \.isWhitespace)
    return words.indices.contains(index) ? String(words[index]) : nil
}

private func rest(_ text: String) -> String? {
    let words = text.split(whereSeparator: \.isWhitespace)
    return words.count > 1 ? words.dropFirst().joined(separator: " ") : nil
}

private func firstQuoted(_ line: String) -> String? {
    guard let open = line.firstIndex(where: { $0 == "'" || $0 == "\"" }) else { return nil }
    let quote = line[open]
    let after = line.index(after: open)
    guard let close = line[after...].firstIndex(of: quote) else { return nil }
    return String(line[after..<close])
}

private func optionValue(_ line: String, _ option: String) -> String? {
    guard let range = line.range(of: option + " ") else { return nil }
    return firstQuoted(String(line[range.upperBound...])) ?? word(String(line[range.upperBound...]), 0)
}

/// grub2-mkconfig writes ids as `$menuentry_id_option 'gnulinux-simple-<uuid>'`.
private func idOption(_ line: String) -> String? {
    guard let range = line.range(of: "$menuentry_id_option ") else { return nil }
    return firstQuoted(String(line[range.upperBound...]))
}
