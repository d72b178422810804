import DoctorCore
import HostFacts

/// storage.sparse-free-space: thin images (sparse raw files, qcow2 below their virtual size) take host space
/// as guests write; when the file system fills, guests pause or their disks are corrupted.
enum StorageSparseFreeSpace: CheckEvaluator {
    static let id = "storage.sparse-free-space"

    enum Condition: String, CaseIterable {
        case noImages = "no-images"
        /// The free space of the file systems holding images is not in this evidence.
        case spaceUnknown = "space-unknown"
        /// No image can grow: every one is fully allocated.
        case preallocated
        /// Thin images whose growth fits in the free space.
        case fits
        /// The possible growth on one file system exceeds its free space.
        case overcommitted
        /// Free space below 5% of the file system, or below what the largest image alone may still take.
        case critical
    }

    static let criticalPercent = 5

    struct Group {
        var space: FileSystemSpace
        var images: [GuestImages.Image] = []
        var growth = 0
        var largest = 0
        var largestPath = ""
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let facts = try context.fact(Facts.guestImages).value
        let writable = facts.images.filter { $0.exists && !$0.readOnly && $0.growthBytes != nil }
        guard !writable.isEmpty else { return .skip(.noImages) }
        guard let spaces = facts.spaces, !spaces.isEmpty else {
            return .skip(.spaceUnknown, evidence: [Evidence(source: GuestImages.spaceRecording, value: "not recorded")])
        }
        var groups: [String: Group] = [:]
        var evidence: [Evidence] = []
        var unmeasured: [String] = []
        for image in writable {
            guard let space = facts.space(for: image), let growth = image.growthBytes else {
                unmeasured.append(image.directory)
                continue
            }
            var group = groups[space.id] ?? Group(space: space)
            group.images.append(image)
            group.growth = CheckedNumbers.saturatingAdd(group.growth, growth)
            if growth > group.largest { group.largest = growth; group.largestPath = image.path }
            groups[space.id] = group
            if growth > 0 {
                evidence.append(Evidence(source: image.path, value: "\(StorageSupport.bytes(image.capacityBytes ?? 0)) capacity, "
                                         + "\(StorageSupport.bytes(image.allocatedBytes ?? 0)) allocated",
                                         note: image.header.map { "format \($0.format)" }))
            }
        }
        if !unmeasured.isEmpty {
            evidence.append(Evidence(source: "statvfs", value: "no answer for \(StorageSupport.list(Array(Set(unmeasured)).sorted()))"))
        }
        // Not one image's file system was measured: nothing can be judged (never "all preallocated").
        guard !groups.isEmpty else { return .skip(.spaceUnknown, evidence: evidence) }
        let ordered = groups.values.sorted { $0.space.directory < $1.space.directory }
        for group in ordered {
            evidence.append(Evidence(source: "statvfs \(group.space.directory)",
                                     value: "\(StorageSupport.bytes(group.space.availableBytes)) free of \(StorageSupport.bytes(group.space.totalBytes))"))
        }
        let thin = ordered.filter { $0.growth > 0 }
        guard !thin.isEmpty else {
            return .pass(.preallocated, ["count": String(writable.count)], evidence: evidence)
        }
        func variables(_ group: Group) -> [String: String] {
            let percent = group.space.totalBytes > 0
                ? Int((Double(group.space.availableBytes) / Double(group.space.totalBytes) * 100).rounded(.down)) : 0
            return ["count": String(group.images.filter { ($0.growthBytes ?? 0) > 0 }.count),
                    "directory": group.space.directory, "growth": StorageSupport.bytes(group.growth),
                    "free": StorageSupport.bytes(group.space.availableBytes), "percent": String(percent),
                    "largest": StorageSupport.bytes(group.largest), "image": group.largestPath]
        }
        for group in thin {
            let total = group.space.totalBytes
            let lowPercent = total > 0 && Double(group.space.availableBytes) < Double(total) * Double(criticalPercent) / 100
            if lowPercent || group.largest > group.space.availableBytes {
                return .fail(.critical, variables(group), evidence: evidence)
            }
        }
        if let group = thin.first(where: { $0.growth > $0.space.availableBytes }) {
            return .warn(.overcommitted, variables(group), evidence: evidence)
        }
        let growth = CheckedNumbers.saturatingSum(thin.map(\.growth))
        let count = thin.reduce(0) { $0 + $1.images.filter { ($0.growthBytes ?? 0) > 0 }.count }
        return .pass(.fits, ["count": String(count), "growth": StorageSupport.bytes(growth),
                             "free": StorageSupport.list(thin.map { "\(StorageSupport.bytes($0.space.availableBytes)) in \($0.space.directory)" })],
                     evidence: evidence)
    }
}
