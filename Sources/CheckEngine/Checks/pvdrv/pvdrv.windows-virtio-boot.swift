import DoctorCore
import HostFacts

/// pvdrv.windows-virtio-boot: Windows guests on virtio devices without driver media in sight, and
/// Windows guests that boot from a virtio disk and have crashed. Windows has no virtio drivers of its own:
/// they must be installed (from the virtio-win ISO) before a device, above all the boot disk, is switched.
enum PVDrvWindowsVirtioBoot: CheckEvaluator {
    static let id = "pvdrv.windows-virtio-boot"

    enum Condition: String, CaseIterable {
        case noWindows = "no-windows"
        case emulatedOnly = "emulated-only"
        case mediaAvailable = "media-available"
        case noDriverMedia = "no-driver-media"
        case bootCrashed = "boot-crashed"
    }

    /// Driver media as a guest attaches it: a cdrom or floppy whose image is virtio-win, viostor or the Xen PV drivers.
    static func attachedMedia(_ guest: GuestDefinition) -> [String] {
        guest.disks.filter { $0.device == "cdrom" || $0.device == "floppy" }.compactMap(\.source).filter { source in
            let name = source.lowercased()
            return name.contains("virtio-win") || name.contains("viostor") || name.contains("xenpv-win") || name.contains("virtio_win")
        }
    }

    /// "win2k19 (boot disk vda on virtio, NIC virtio)"
    static func virtioDescription(_ guest: GuestDefinition) -> String? {
        var parts: [String] = []
        if let boot = guest.bootDisk, boot.bus == "virtio" { parts.append("boot disk \(boot.target ?? "?") on virtio") }
        let otherDisks = guest.disks.filter { $0.bus == "virtio" && $0 != guest.bootDisk }.compactMap(\.target)
        if !otherDisks.isEmpty { parts.append("virtio disks \(otherDisks.joined(separator: ", "))") }
        let nics = guest.interfaceModels.filter { $0 == "virtio" }.count
        if nics > 0 { parts.append(nics == 1 ? "a virtio NIC" : "\(nics) virtio NICs") }
        return parts.isEmpty ? nil : "\(guest.name) (\(parts.joined(separator: ", ")))"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try context.fact(Facts.guestDefinitions).value
        var evidence = GuestDefinitionSupport.unreadableEvidence(inventory)
        let windows = inventory.guests.compactMap { guest in guest.windowsEvidence.map { (guest, $0) } }
        guard !windows.isEmpty else {
            return .pass(.noWindows, ["count": String(inventory.guests.count)], evidence: evidence)
        }
        for (guest, why) in windows {
            let boot = guest.bootDisk.map { "boot disk \($0.target ?? "?") on \($0.bus ?? "unknown bus")" } ?? "no boot disk found"
            let media = attachedMedia(guest)
            let models = guest.interfaceModels.map { $0.isEmpty ? "default" : $0 }
            evidence.append(Evidence(source: guest.file, value: "\(guest.name): Windows (\(why)); \(boot); NIC models \(models.isEmpty ? "none" : models.joined(separator: ", "))"
                                     + (media.isEmpty ? "" : "; driver media attached: \(media.joined(separator: ", "))")))
        }
        evidence.append(Evidence(source: "/usr/share/virtio-win, /usr/share/xenpv-win",
                                 value: inventory.driverMedia.isEmpty ? "no driver media installed" : inventory.driverMedia.joined(separator: ", ")))
        let onVirtio = windows.filter { virtioDescription($0.0) != nil }.map(\.0)
        // A crashed Windows guest that boots from virtio is what a missing viostor driver looks like.
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            let crashed = onVirtio.filter { guest in
                guest.bootDisk?.bus == "virtio" && snapshot.domains.contains { $0.name == guest.name && $0.state == "crashed" }
            }
            if !crashed.isEmpty {
                evidence.append(Evidence(source: "libvirt \(snapshot.uri)", value: "crashed: \(crashed.map(\.name).joined(separator: ", "))"))
                var variables = listVariables("guests", crashed.map(\.name))
                variables["guest"] = crashed[0].name
                return .warn(.bootCrashed, variables, evidence: evidence)
            }
        }
        guard !onVirtio.isEmpty else {
            var variables = listVariables("guests", windows.map { $0.0.name })
            variables["guest"] = windows[0].0.name
            return .pass(.emulatedOnly, variables, evidence: evidence)
        }
        let uncovered = onVirtio.filter { attachedMedia($0).isEmpty }
        if !uncovered.isEmpty && inventory.driverMedia.isEmpty {
            var variables = listVariables("guests", uncovered.compactMap(virtioDescription))
            variables["guest"] = uncovered[0].name
            return .warn(.noDriverMedia, variables, evidence: evidence)
        }
        let media = Array(Set(onVirtio.flatMap(attachedMedia) + inventory.driverMedia)).sorted()
        return .pass(.mediaAvailable, ["guests": onVirtio.compactMap(virtioDescription).joined(separator: ", "), "media": media.joined(separator: ", ")],
                     evidence: evidence)
    }
}
