import DoctorCore
import HostFacts

/// selinux.xattr-fs: an image can carry an SELinux label only on a file system that stores extended
/// attributes, or one mounted with a context= option; NFS and CIFS need their virt_use_* boolean instead.
enum SELinuxXattrFS: CheckEvaluator {
    static let id = "selinux.xattr-fs"

    enum Condition: String, CaseIterable {
        case notInstalled = "not-installed"
        case disabled
        case noImages = "no-images"
        /// No mount table in this evidence.
        case mountsUnknown = "mounts-unknown"
        /// Every image is on a file system that stores labels (`{types}`).
        case capable
        /// Images on a file system that cannot store labels (`{type}` at `{mount}`).
        case unsupported
        /// Images on NFS/CIFS without context= and with the boolean `{boolean}` off.
        case networkWithoutBoolean = "network-without-boolean"
    }

    /// File systems that keep no security.selinux attribute per file.
    static let noLabels: Set<String> = ["vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "hfsplus", "udf"]
    static let network: [String: String] = ["nfs": "virt_use_nfs", "nfs4": "virt_use_nfs", "cifs": "virt_use_samba", "smb3": "virt_use_samba"]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let state: SELinuxState
        do throws(FactError) {
            state = try context.fact(Facts.selinux).value
        } catch .absent {
            return .skip(.notInstalled)
        }
        guard state.runtimeMode != "disabled" else { return .skip(.disabled) }
        let facts = try context.fact(Facts.guestImages).value
        let images = facts.images.filter(\.exists)
        guard !images.isEmpty else { return .skip(.noImages) }
        guard facts.mounts != nil else { return .skip(.mountsUnknown) }
        let booleans = context.optionalFact(Facts.storageConfiguration)?.value.selinuxBooleans ?? [:]
        var byMount: [String: [GuestImages.Image]] = [:]
        for image in images { byMount[image.mountPoint ?? "?", default: []].append(image) }
        var evidence = byMount.sorted { $0.key < $1.key }.map { mount, images in
            Evidence(source: "/proc/mounts", value: "\(mount): \(images.first?.fileSystemType ?? "unknown")"
                     + ((images.first?.mountOptions ?? []).contains { $0.hasPrefix("context=") } ? " (context= option)" : ""),
                     note: "\(images.count) image(s)")
        }
        for (name, value) in booleans.sorted(by: { $0.key < $1.key }) where name.hasPrefix("virt_use") {
            evidence.append(Evidence(source: "/sys/fs/selinux/booleans/\(name)", value: value ? "on" : "off"))
        }
        for (mount, group) in byMount.sorted(by: { $0.key < $1.key }) {
            guard let type = group.first?.fileSystemType else { continue }
            let hasContext = (group.first?.mountOptions ?? []).contains { $0.hasPrefix("context=") }
            let base = type.hasPrefix("fuse.") ? "fuse" : type
            let variables = ["count": String(group.count), "mount": mount, "type": type]
            if !hasContext, noLabels.contains(base) || base == "fuse" {
                return .warn(.unsupported, variables, evidence: evidence)
            }
            if !hasContext, let boolean = network[type], booleans[boolean] != true {
                var withBoolean = variables
                withBoolean["boolean"] = boolean
                return .warn(.networkWithoutBoolean, withBoolean, evidence: evidence)
            }
        }
        let types = Set(images.compactMap(\.fileSystemType)).sorted().joined(separator: ", ")
        return .pass(.capable, ["count": String(images.count), "types": types.isEmpty ? "unknown" : types], evidence: evidence)
    }
}
