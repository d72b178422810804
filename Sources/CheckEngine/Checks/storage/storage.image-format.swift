import DoctorCore
import HostFacts

/// storage.image-format: the format each image really has, read from its header's magic bytes (never
/// from the file name): legacy qcow (v1) and cow, legacy qcow AES encryption, and missing backing files.
enum StorageImageFormat: CheckEvaluator {
    static let id = "storage.image-format"

    enum Condition: String, CaseIterable {
        case noImages = "no-images"
        /// Inventory: `{formats}` ("qcow2: 3, raw: 1").
        case inventory
        /// A backing file named in a qcow2 header does not exist: the guest cannot start.
        case backingMissing = "backing-missing"
        /// qcow v1 or cow: kept only for compatibility, unsupported by current QEMU.
        case legacyFormat = "legacy-format"
        /// The legacy qcow AES encryption: weak, and current QEMU refuses to run such images.
        case legacyEncryption = "legacy-encryption"
    }

    static let legacyFormats: Set<String> = ["qcow", "cow"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let facts = try context.fact(Facts.guestImages).value
        let known = facts.images.filter { $0.exists && $0.header != nil }
        guard !known.isEmpty else { return .skip(.noImages) }
        var counts: [String: Int] = [:]
        for image in known { counts[image.header!.format, default: 0] += 1 }
        let formats = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            .joined(separator: ", ")
        var evidence = known.prefix(30).map { image -> Evidence in
            let header = image.header!
            var value = header.format + (header.version.map { " v\($0)" } ?? "")
            if let size = header.virtualSize { value += ", virtual size \(StorageSupport.bytes(size))" }
            if let encryption = header.encryption, encryption != "none" { value += ", encryption \(encryption)" }
            if let backing = header.backingFile { value += ", backing file \(backing.isEmpty ? "(name beyond the bytes read)" : backing)" }
            return Evidence(source: image.path, value: value, note: image.guest.map { "disk of \($0)" })
        }
        evidence.append(Evidence(source: "image headers", value: formats, note: "first \(ImageHeader.headBytes) bytes of each image"))
        let missing = known.filter { $0.backingExists == false }
        if !missing.isEmpty {
            return .fail(.backingMissing, ["count": String(missing.count), "images": StorageSupport.list(missing.map(\.path)),
                                           "backing": StorageSupport.list(missing.compactMap { $0.header?.backingFile })],
                         evidence: evidence)
        }
        let legacy = known.filter { legacyFormats.contains($0.header!.format) }
        let encrypted = known.filter { $0.header!.encryption == "aes" }
        if !encrypted.isEmpty {
            return .warn(.legacyEncryption, ["count": String(encrypted.count), "images": StorageSupport.list(encrypted.map(\.path)),
                                             "image": encrypted[0].path], evidence: evidence)
        }
        if !legacy.isEmpty {
            return .warn(.legacyFormat, ["count": String(legacy.count), "images": StorageSupport.list(legacy.map(\.path)),
                                         "image": legacy[0].path, "format": legacy[0].header!.format], evidence: evidence)
        }
        return .pass(.inventory, ["count": String(known.count), "formats": formats], evidence: evidence)
    }
}
