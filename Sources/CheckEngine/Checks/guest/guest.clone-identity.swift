import DoctorCore
import HostFacts

/// guest.clone-identity: what a copied guest keeps of the original. On a host: UUIDs and MAC addresses
/// used by more than one definition, and Xen configurations naming bridges or disk images this host does
/// not have. Inside a guest: HWADDR and HOSTNAME settings that belong to another machine.
enum GuestCloneIdentity: CheckEvaluator {
    static let id = "guest.clone-identity"

    /// `{problems}` joins the fragments that apply, in the order of the fragment cases below; each
    /// fragment is also a tag that selects its remediation step.
    enum Condition: String, CaseIterable {
        case hostNoGuests = "host-no-guests"
        case hostUnique = "host-unique"
        case hostConflicts = "host-conflicts"
        case hostStale = "host-stale"
        case guestMatches = "guest-matches"
        case guestMismatch = "guest-mismatch"
        // Fragments.
        case duplicateUUID = "duplicate-uuid"
        case duplicateMAC = "duplicate-mac"
        case missingBridge = "missing-bridge"
        case missingDisk = "missing-disk"
        case hwaddrMismatch = "hwaddr-mismatch"
        case hwaddrUnknown = "hwaddr-unknown"
        case hostnameMismatch = "hostname-mismatch"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        context.profile == .guest ? try guestSide(context) : try hostSide(context)
    }

    // MARK: Host side

    static func hostSide(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try context.fact(Facts.guestDefinitions).value
        var evidence = GuestDefinitionSupport.unreadableEvidence(inventory)
        guard !inventory.guests.isEmpty else { return .pass(.hostNoGuests, evidence: evidence) }
        for guest in inventory.guests {
            evidence.append(Evidence(source: guest.file, value: "\(guest.name): uuid \(guest.uuid ?? "(none)"), MAC \(guest.macs.joined(separator: ", ").ifEmptyText("(none)"))"))
        }
        var fragments: [(Condition, String)] = []
        var byUUID: [String: [String]] = [:]
        for guest in inventory.guests { if let uuid = guest.uuid { byUUID[uuid, default: []].append(guest.name) } }
        for (uuid, names) in byUUID.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            fragments.append((.duplicateUUID, context.fragment(Condition.duplicateUUID, ["uuid": uuid, "guests": names.joined(separator: ", ")])))
        }
        var byMAC: [String: [String]] = [:]
        for guest in inventory.guests { for mac in Set(guest.macs) { byMAC[mac, default: []].append(guest.name) } }
        for (mac, names) in byMAC.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            fragments.append((.duplicateMAC, context.fragment(Condition.duplicateMAC, ["mac": mac, "guests": names.joined(separator: ", ")])))
        }
        let conflicts = !fragments.isEmpty
        // Xen configuration files copied from another dom0 name its bridges and image paths.
        let bridges = context.optionalFact(Facts.bridges).map { Set($0.value.bridges.map(\.name)) }
        if let bridges { evidence.append(Evidence(source: "/sys/class/net", value: "bridges: \(bridges.sorted().joined(separator: ", ").ifEmptyText("none"))")) }
        // Only a Xen host uses them; on a KVM host guest.hypervisor-mismatch reports them instead.
        let xenHost = HVSupport.classify(context).kind == .xenDom0
        for guest in inventory.guests where guest.format == "xen-config" && xenHost {
            if let bridges {
                for bridge in guest.bridges where !bridges.contains(bridge) {
                    fragments.append((.missingBridge, context.fragment(Condition.missingBridge, ["guest": guest.name, "bridge": bridge])))
                }
            }
            for disk in guest.disks where disk.device == "disk" {
                guard let source = disk.source, source.hasPrefix("/"), (try? context.root.captured(source)) == false else { continue }
                fragments.append((.missingDisk, context.fragment(Condition.missingDisk, ["guest": guest.name, "path": source])))
            }
        }
        guard !fragments.isEmpty else {
            return .pass(.hostUnique, ["count": String(inventory.guests.count)], evidence: evidence)
        }
        let variables = ["problems": fragments.map(\.1).joined(separator: "; ")]
        let tags = orderedTags(fragments.map(\.0))
        return conflicts ? .fail(.hostConflicts, variables, evidence: evidence, tags: tags)
            : .warn(.hostStale, variables, evidence: evidence, tags: tags)
    }

    // MARK: Guest side

    static func guestSide(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let identity = try context.fact(Facts.guestIdentity).value
        var evidence: [Evidence] = []
        var fragments: [(Condition, String)] = []
        if identity.macsKnown {
            evidence.append(Evidence(source: "/sys/class/net", value: identity.macs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ").ifEmptyText("no hardware interfaces")))
            let known = Set(identity.macs.values)
            for interface in identity.interfaces {
                guard let hwaddr = interface.hwaddr else { continue }
                evidence.append(Evidence(source: interface.file, value: "HWADDR \(hwaddr)" + (interface.device.map { ", device \($0)" } ?? "")))
                if let device = interface.device, let real = identity.macs[device] {
                    if real != hwaddr {
                        fragments.append((.hwaddrMismatch, context.fragment(Condition.hwaddrMismatch,
                            ["file": interface.file, "hwaddr": hwaddr, "device": device, "mac": real])))
                    }
                } else if !known.contains(hwaddr) {
                    fragments.append((.hwaddrUnknown, context.fragment(Condition.hwaddrUnknown, ["file": interface.file, "hwaddr": hwaddr])))
                }
            }
        }
        if let configured = identity.configuredHostname, let file = identity.configuredHostnameFile,
           let hostname = context.optionalFact(Facts.hostname)?.value {
            evidence.append(Evidence(source: file, value: "HOSTNAME=\(configured); running host name \(hostname)"))
            // A short name in one place and the full name in the other is the same machine.
            let configuredShort = configured.split(separator: ".").first.map(String.init) ?? configured
            let runningShort = hostname.split(separator: ".").first.map(String.init) ?? hostname
            if configuredShort.lowercased() != runningShort.lowercased() {
                fragments.append((.hostnameMismatch, context.fragment(Condition.hostnameMismatch, ["file": file, "configured": configured, "hostname": hostname])))
            }
        }
        guard !fragments.isEmpty else { return .pass(.guestMatches, evidence: evidence) }
        return .warn(.guestMismatch, ["problems": fragments.map(\.1).joined(separator: "; ")], evidence: evidence,
                     tags: orderedTags(fragments.map(\.0)))
    }

    static func orderedTags(_ conditions: [Condition]) -> [String] {
        var seen: [String] = []
        for condition in conditions where !seen.contains(condition.rawValue) { seen.append(condition.rawValue) }
        return seen
    }
}

private extension String {
    /// The text, or `replacement` when it is empty.
    func ifEmptyText(_ replacement: String) -> String { isEmpty ? replacement : self }
}
