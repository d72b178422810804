import DoctorCore
import HostFacts

/// storage.shared: a live migration without a storage copy needs every disk of the guest on storage both
/// hosts see at once: a shared file system (NFS, GlusterFS, CephFS, GFS2, OCFS2), a network disk (RBD,
/// iSCSI, Gluster), or a shared LUN by a persistent name. A disk on a local file system or a local device
/// has to be copied (virsh migrate --copy-storage-all), which takes as long as the disk is large.
enum StorageShared: CheckEvaluator {
    static let id = "storage.shared"

    enum Condition: String, CaseIterable {
        case shared
        case noDisks = "no-disks"
        case local
        case unknown
    }

    /// One disk of a guest, and where it lives.
    struct Placement {
        enum Kind { case sharedFileSystem, networkDisk, sharedDevice, local, unknown }
        var disk: LibvirtDomain.Disk
        var path: String
        var kind: Kind
        var mount: MountEntry?
        var description: String
    }

    /// Device names that stand for a LUN many hosts can see: multipath maps and persistent by-id/by-path
    /// names of SCSI, FC and iSCSI devices. /dev/sdX is local as far as a name can tell.
    static func isSharedDeviceName(_ path: String) -> Bool {
        path.hasPrefix("/dev/mapper/3") || path.hasPrefix("/dev/mapper/mpath") || path.hasPrefix("/dev/disk/by-id/scsi-")
            || path.hasPrefix("/dev/disk/by-id/wwn-") || path.hasPrefix("/dev/disk/by-id/dm-uuid-mpath-") || path.hasPrefix("/dev/disk/by-path/ip-")
            || path.hasPrefix("/dev/disk/by-path/fc-")
    }

    /// Where each disk with a source lives, from the host's mount table.
    static func placements(_ guest: MigrationSides.Guest, mounts: MountTable?) -> [Placement] {
        guest.disks.compactMap { disk -> Placement? in
            guard disk.device != "cdrom" || disk.source != nil, let path = disk.source, !path.isEmpty else { return nil }
            if disk.type == "network" {
                return Placement(disk: disk, path: path, kind: .networkDisk, mount: nil, description: "\(path): network disk")
            }
            if disk.type == "block" || path.hasPrefix("/dev/") {
                let shared = isSharedDeviceName(path)
                return Placement(disk: disk, path: path, kind: shared ? .sharedDevice : .local, mount: nil,
                                 description: "\(path): \(shared ? "a shared LUN by persistent name" : "a local block device")")
            }
            guard let mounts else { return Placement(disk: disk, path: path, kind: .unknown, mount: nil, description: "\(path): mounts not known") }
            guard let mount = mounts.holding(path) else {
                return Placement(disk: disk, path: path, kind: .unknown, mount: nil, description: "\(path): on no listed mount")
            }
            let shared = MountTable.sharedTypes.contains(mount.type)
            return Placement(disk: disk, path: path, kind: shared ? .sharedFileSystem : .local, mount: mount,
                             description: "\(path): \(mount.type) \(mount.device) at \(mount.mountPoint)")
        }
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let guest = try MigrationSides.guest(context)
        let mounts = try? context.fact(Facts.mounts).value
        let placements = placements(guest, mounts: mounts)
        let evidence = placements.map { Evidence(source: guest.source, value: $0.description) }
        var variables = ["guest": guest.name, "destination": context.peer.map(MigrationSides.name) ?? "DESTINATION"]
        if placements.isEmpty { return .pass(.noDisks, variables, evidence: evidence) }
        let local = placements.filter { $0.kind == .local }.map(\.path)
        if !local.isEmpty { return .fail(.local, variables.merging(listVariables("disks", local)) { $1 }, evidence: evidence) }
        let unknown = placements.filter { $0.kind == .unknown }.map(\.path)
        if !unknown.isEmpty {
            if mounts == nil { _ = try context.fact(Facts.mounts) }  // rethrows why the mounts are unknown
            return .skip(.unknown, variables.merging(listVariables("disks", unknown)) { $1 }, evidence: evidence)
        }
        variables.merge(listVariables("disks", placements.map(\.path))) { $1 }
        return .pass(.shared, variables, evidence: evidence)
    }
}
