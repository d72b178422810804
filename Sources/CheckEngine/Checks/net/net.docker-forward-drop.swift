import DoctorCore
import HostFacts

/// net.docker-forward-drop: Docker sets the filter FORWARD policy to DROP when it turns forwarding on; with
/// br_netfilter passing bridged frames to iptables, guests on a Linux bridge lose their network unless a rule
/// (in DOCKER-USER, which Docker leaves alone) accepts the bridge.
enum NetDockerForwardDrop: CheckEvaluator {
    static let id = "net.docker-forward-drop"

    enum Condition: String, CaseIterable {
        case noDocker = "no-docker"
        case iptablesOff = "iptables-off"
        case noBridgedGuests = "no-bridged-guests"
        case bridgeNFOff = "bridge-nf-off"
        case brNetfilterAbsent = "br-netfilter-absent"
        case policyAccept = "policy-accept"
        case accepted
        /// ip-forward-no-drop or ip-forward false, and no ruleset to look at.
        case noDropConfigured = "no-drop-configured"
        /// FORWARD DROP, bridged guests, no accepting rule, bridged traffic passes iptables.
        case dropped
        /// The same, but this evidence does not say whether bridged traffic passes iptables.
        case droppedUnconfirmed = "dropped-unconfirmed"
        /// Docker with iptables on, bridged guests, no ruleset in this evidence: Docker's default closes FORWARD.
        case likelyDropped = "likely-dropped"
    }

    /// Bridges Docker makes for itself: docker0 and br-<12 hex digits> of user-defined networks.
    static func isDockerBridge(_ name: String, configured: String?) -> Bool {
        if name == "docker0" || name == configured { return true }
        let suffix = name.dropFirst(3)
        return name.hasPrefix("br-") && suffix.count == 12 && suffix.allSatisfy(\.isHexDigit)
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let daemon = try context.fact(Facts.dockerDaemon)
        var evidence: [Evidence] = []
        var signs: [String] = []
        if let file = daemon.value.configFile { signs.append(file) }
        signs += daemon.value.installed
        if let link = context.optionalFact(Facts.enabledServices)?.value.enabledAt("docker.service") { signs.append("docker.service enabled (\(link))") }
        if context.optionalFact(Facts.serviceUnits)?.value.isActive("docker.service") == true { signs.append("docker.service active") }
        if context.optionalFact(Facts.processes)?.value.names.contains("dockerd") == true { signs.append("dockerd running") }
        let bridges = context.optionalFact(Facts.bridges)?.value.bridges ?? []
        if bridges.contains(where: { $0.name == "docker0" }) { signs.append("docker0 bridge") }
        let ruleset = context.facts.sourced(Facts.forwardChain)
        if case .success(let chain) = ruleset, chain.value.dockerChains { signs.append("DOCKER chains in \(chain.value.file)") }
        guard !signs.isEmpty else {
            return .pass(.noDocker, evidence: [Evidence(source: "/etc/docker/daemon.json, /usr/bin/dockerd, docker.service", value: "absent")])
        }
        evidence.append(Evidence(source: "Docker", value: signs.prefix(6).joined(separator: "; ")))
        if let error = daemon.value.configError {
            evidence.append(Evidence(source: daemon.value.configFile ?? "/etc/docker/daemon.json", value: error, note: "Docker refuses to start with it"))
        }
        if daemon.value.iptables == false {
            evidence.append(Evidence(source: "/etc/docker/daemon.json", value: "\"iptables\": false"))
            return .pass(.iptablesOff, evidence: evidence)
        }

        // Guests attached to a Linux bridge that is not one of Docker's.
        let guests = context.optionalFact(Facts.guestDefinitions)?.value.guests ?? []
        var guestBridges: [String: [String]] = [:]
        for guest in guests {
            for bridge in Set(guest.bridges) where !isDockerBridge(bridge, configured: daemon.value.bridge) {
                guestBridges[bridge, default: []].append(guest.name)
            }
        }
        guard !guestBridges.isEmpty else {
            return .pass(.noBridgedGuests, evidence: evidence)
        }
        let bridgedGuests = Array(Set(guestBridges.values.joined())).sorted()
        evidence.append(Evidence(source: "guest definitions", value: guestBridges.keys.sorted().map { "\($0): \(guestBridges[$0]!.sorted().joined(separator: ", "))" }.joined(separator: "; ")))

        // Whether bridged frames reach iptables at all.
        var bridgeNFKnown = true
        switch context.facts.sourced(Facts.sysctl("net.bridge.bridge-nf-call-iptables")) {
        case .success(let value):
            evidence.append(Evidence(source: value.sources.first ?? "/proc/sys/net/bridge/bridge-nf-call-iptables", value: value.value))
            if value.value == "0" { return .pass(.bridgeNFOff, evidence: evidence) }
        case .failure(.absent):
            evidence.append(Evidence(source: "/proc/sys/net/bridge", value: "absent (br_netfilter not loaded)"))
            return .pass(.brNetfilterAbsent, evidence: evidence)
        case .failure:
            bridgeNFKnown = false
        }

        let variables = listVariables("guests", bridgedGuests).merging(["bridges": guestBridges.keys.sorted().joined(separator: ", "),
                                                                        "bridge": guestBridges.keys.sorted()[0]]) { $1 }
        switch ruleset {
        case .success(let chain):
            let policy = chain.value.policy ?? "ACCEPT"
            evidence.append(Evidence(source: chain.sources.joined(separator: ", "), value: "FORWARD policy \(policy)"))
            guard policy == "DROP" || policy == "REJECT" else { return .pass(.policyAccept, evidence: evidence) }
            let open = guestBridges.keys.sorted().filter { bridge in !chain.value.acceptRules.contains { $0.accepts(bridge: bridge) } }
            for rule in chain.value.acceptRules.prefix(10) where guestBridges.keys.contains(where: { rule.accepts(bridge: $0) }) {
                evidence.append(Evidence(source: chain.value.file, value: rule.text))
            }
            guard !open.isEmpty else { return .pass(.accepted, variables, evidence: evidence) }
            let blocked = open.flatMap { guestBridges[$0] ?? [] }
            var failed = listVariables("guests", Array(Set(blocked)).sorted())
            failed["bridges"] = open.joined(separator: ", ")
            failed["bridge"] = open[0]
            return bridgeNFKnown ? .fail(.dropped, failed, evidence: evidence) : .warn(.droppedUnconfirmed, failed, evidence: evidence)
        case .failure(let error):
            if daemon.value.ipForwardNoDrop == true || daemon.value.ipForward == false {
                evidence.append(Evidence(source: "/etc/docker/daemon.json", value: daemon.value.ipForwardNoDrop == true ? "\"ip-forward-no-drop\": true" : "\"ip-forward\": false"))
                return .pass(.noDropConfigured, evidence: evidence)
            }
            evidence.append(Evidence(source: "firewall ruleset", value: error.description))
            return .warn(.likelyDropped, variables, evidence: evidence)
        }
    }
}
