import DoctorCore
import HostFacts

/// migr.storage-path: the destination QEMU opens the guest's disks by the same paths the source uses. A
/// shared export mounted at another path, not mounted at all, or a different export at that path makes
/// the destination fail to open the disk (or, worse, open another image of the same name).
enum MigrStoragePath: CheckEvaluator {
    static let id = "migr.storage-path"

    enum Condition: String, CaseIterable {
        case samePath = "same-path"
        case noDisks = "no-disks"
        case notMounted = "not-mounted"
        case differentSource = "different-source"
        case deviceMissing = "device-missing"
        case localStorage = "local-storage"
        case unknown
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let guest = try MigrationSides.guest(context)
        let destination = try context.destination()
        let placements = StorageShared.placements(guest, mounts: try? context.fact(Facts.mounts).value)
        var variables = ["guest": guest.name, "destination": MigrationSides.name(destination)]
        if placements.isEmpty { return .pass(.noDisks, variables) }
        let remoteMounts = try? destination.sourced(Facts.mounts).get()
        var evidence: [Evidence] = []
        var notMounted: [String] = [], different: [String] = [], missingDevices: [String] = [], unknown: [String] = [], local: [String] = []
        for placement in placements {
            switch placement.kind {
            case .networkDisk:
                evidence.append(Evidence(source: guest.source, value: placement.description))
            case .local:
                local.append(placement.path)
            case .unknown:
                unknown.append(placement.path)
            case .sharedDevice:
                // A LUN's persistent name exists on the destination when the LUN is presented there.
                do {
                    if try destination.root.captured(placement.path) {
                        evidence.append(Evidence(source: "destination", value: "\(placement.path) exists"))
                    } else {
                        missingDevices.append(placement.path)
                    }
                } catch {
                    unknown.append(placement.path)
                }
            case .sharedFileSystem:
                guard let mount = placement.mount else { continue }
                guard let remoteMounts else { unknown.append(placement.path); continue }
                let there = remoteMounts.value.entries.last { $0.mountPoint == mount.mountPoint }
                evidence.append(Evidence(source: "source mount", value: "\(mount.device) \(mount.mountPoint) \(mount.type)"))
                guard let there else {
                    notMounted.append("\(mount.mountPoint) (\(mount.device))")
                    evidence.append(Evidence(source: "destination \(remoteMounts.sources.first ?? "mounts")", value: "nothing mounted at \(mount.mountPoint)"))
                    continue
                }
                evidence.append(Evidence(source: "destination \(remoteMounts.sources.first ?? "mounts")", value: "\(there.device) \(there.mountPoint) \(there.type)"))
                if normalizedExport(there.device) != normalizedExport(mount.device) || !sameFamily(there.type, mount.type) {
                    different.append("\(mount.mountPoint): \(mount.device) on the source, \(there.device) on the destination")
                }
            }
        }
        if !notMounted.isEmpty { return .fail(.notMounted, variables.merging(listVariables("mounts", notMounted)) { $1 }, evidence: evidence) }
        if !different.isEmpty { return .fail(.differentSource, variables.merging(listVariables("mounts", different)) { $1 }, evidence: evidence) }
        if !missingDevices.isEmpty { return .fail(.deviceMissing, variables.merging(listVariables("devices", missingDevices)) { $1 }, evidence: evidence) }
        if !local.isEmpty { return .skip(.localStorage, variables.merging(listVariables("disks", local)) { $1 }, evidence: evidence) }
        if !unknown.isEmpty {
            if remoteMounts == nil { _ = try destination.sourced(Facts.mounts).get() }  // says why the destination's mounts are unknown
            return .skip(.unknown, variables.merging(listVariables("disks", unknown)) { $1 }, evidence: evidence)
        }
        variables.merge(listVariables("disks", placements.map(\.path))) { $1 }
        return .pass(.samePath, variables, evidence: evidence)
    }

    /// "server:/export/" and "server:/export" are one export.
    static func normalizedExport(_ device: String) -> String {
        var text = device
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        return text.lowercased()
    }

    /// nfs and nfs4 mount one export; the same holds for the FUSE and kernel clients of Gluster and Ceph.
    static func sameFamily(_ left: String, _ right: String) -> Bool {
        func family(_ type: String) -> String {
            if type.hasPrefix("nfs") { return "nfs" }
            if type.contains("gluster") { return "gluster" }
            if type.contains("ceph") { return "ceph" }
            return type
        }
        return family(left) == family(right)
    }
}
