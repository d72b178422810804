import DoctorCore
import HostFacts

/// storage.nfs-export: the image directory shared over NFS, as the seed's migration example sets it up:
/// exported by the source host, or mounted from it at the same path, with the options that keep it safe.
enum StorageNFSExport: CheckEvaluator {
    static let id = "storage.nfs-export"

    enum Condition: String, CaseIterable {
        /// Neither exported nor mounted over NFS.
        case notShared = "not-shared"
        case exported
        /// Exported to everyone with no_root_squash, or with async.
        case exportRisky = "export-risky"
        case mounted
        /// Mounted over NFS while SELinux enforces, with virt_use_nfs off and no context= option.
        case mountedNoBoolean = "mounted-no-boolean"
    }

    static let directory = "/var/lib/libvirt/images"

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let config = try context.fact(Facts.storageConfiguration).value
        let images = context.optionalFact(Facts.guestImages)?.value
        var evidence: [Evidence] = []
        // The directories that matter: the standard one, and any other holding guest images.
        var directories = [directory]
        for image in images?.images ?? [] where !directories.contains(image.directory) { directories.append(image.directory) }
        let mounts = images?.mounts ?? []
        let nfsMounts = mounts.filter { mount in
            mount.type.hasPrefix("nfs") && mount.mountPoint != "/"
                && directories.contains { $0 == mount.mountPoint || $0.hasPrefix(mount.mountPoint + "/") }
        }
        if let mount = nfsMounts.first {
            evidence.append(Evidence(source: "/proc/mounts", value: "\(mount.device) \(mount.mountPoint) \(mount.type) \(mount.options.joined(separator: ","))"))
            let state = context.optionalFact(Facts.selinux)?.value
            let boolean = config.selinuxBooleans["virt_use_nfs"]
            if let boolean { evidence.append(Evidence(source: "/sys/fs/selinux/booleans/virt_use_nfs", value: boolean ? "on" : "off")) }
            let variables = ["directory": mount.mountPoint, "server": mount.device, "type": mount.type]
            if state?.runtimeMode == "enforcing", boolean != true, !mount.options.contains(where: { $0.hasPrefix("context=") }) {
                return .warn(.mountedNoBoolean, variables, evidence: evidence)
            }
            return .pass(.mounted, variables, evidence: evidence)
        }
        let exports = (config.exports ?? []).filter { export in directories.contains(export.path) }
        guard let export = exports.first else {
            evidence.append(Evidence(source: "/etc/exports", value: config.exports == nil ? "absent" : "does not export \(directory)"))
            return .skip(.notShared, ["directory": directory], evidence: evidence)
        }
        evidence.append(Evidence(source: "/etc/exports:\(export.line)",
                                 value: export.path + " " + export.clients.map { "\($0.host)(\($0.options.joined(separator: ",")))" }.joined(separator: " ")))
        let clients = export.clients.map(\.host).joined(separator: ", ")
        var risks: [String] = []
        for client in export.clients {
            let everyone = client.host == "*" || client.host.hasPrefix("*") || client.host == "0.0.0.0/0"
            if client.options.contains("no_root_squash") && everyone { risks.append("no_root_squash for \(client.host)") }
            if client.options.contains("insecure") && everyone { risks.append("insecure for \(client.host)") }
            if client.options.contains("async") { risks.append("async for \(client.host)") }
        }
        let variables = ["directory": export.path, "clients": clients.isEmpty ? "*" : clients,
                         "risks": Array(uniqued(risks)).joined(separator: ", ")]
        if !risks.isEmpty { return .warn(.exportRisky, variables, evidence: evidence) }
        return .pass(.exported, variables, evidence: evidence)
    }
}

/// Keeps the first of equal strings, in order.
private func uniqued(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}
