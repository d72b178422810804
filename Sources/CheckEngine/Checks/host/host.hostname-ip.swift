import DoctorCore
import HostFacts

/// host.hostname-ip: the host name must resolve to exactly one address of this host that is not loopback.
/// Migration (the destination tells the source where to connect by name) and TLS (certificates name the
/// host) break when it resolves to 127.0.1.1, to several addresses, or to one that no interface carries.
enum HostHostnameIP: CheckEvaluator {
    static let id = "host.hostname-ip"

    enum Condition: String, CaseIterable {
        /// One address per family, not loopback, on an interface.
        case oneAddress = "one-address"
        /// One address, not loopback; the interface addresses are not in the evidence.
        case oneAddressUnverified = "one-address-unverified"
        /// The name is given a loopback address (Debian's 127.0.1.1, or 127.0.0.1 beside localhost).
        case loopback
        /// An address no interface of this host carries.
        case notLocal = "not-local"
        /// Several addresses of one family.
        case several
        /// Not in /etc/hosts: it resolves through DNS, which the evidence does not hold.
        case dnsOnly = "dns-only"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let hostname = try context.fact(Facts.hostname)
        let name = hostname.value
        var variables = ["name": name, "short": name.split(separator: ".").first.map(String.init) ?? name]
        var evidence = [Evidence(source: hostname.sources.first ?? "host name", value: name)]
        let hosts = try context.fact(Facts.hostsFile).value
        let entries = hosts.entries(naming: name)
        for entry in entries {
            evidence.append(Evidence(source: "/etc/hosts:\(entry.line)", value: "\(entry.address) \(entry.names.joined(separator: " "))"))
        }
        let local: LocalAddresses?
        switch context.facts.sourced(Facts.localAddresses) {
        case .success(let value):
            local = value.value
            let shown = value.value.addresses.filter { !IPAddress.isLoopback($0) && !$0.hasPrefix("fe80:") }
            evidence.append(Evidence(source: value.sources.joined(separator: ", "), value: shown.isEmpty ? "no address besides loopback and link-local" : shown.joined(separator: ", ")))
        case .failure:
            local = nil
        }
        // The address to suggest: a global address of this host, IPv4 first.
        let candidates = (local?.addresses ?? []).filter { !IPAddress.isLoopback($0) && !$0.hasPrefix("fe80:") }
        variables["address"] = candidates.first { !IPAddress.isIPv6($0) } ?? candidates.first ?? "ADDRESS"

        guard !entries.isEmpty else { return .skip(.dnsOnly, variables, evidence: evidence) }
        // The fully qualified name for the suggested line: the name itself, or the canonical name /etc/hosts
        // gives a short host name (`127.0.1.1 pve1.example.test pve1`).
        let short = variables["short"] ?? name
        let fqdn = name.contains(".") ? name : (entries.lazy.compactMap { $0.names.first }.first { $0.lowercased().hasPrefix(short.lowercased() + ".") } ?? name)
        variables["fqdn"] = fqdn
        variables["hostnames"] = fqdn.lowercased() == short.lowercased() ? short : "\(fqdn) \(short)"
        var addresses: [String] = []
        for entry in entries where !addresses.contains(entry.address) { addresses.append(entry.address) }
        variables["addresses"] = addresses.joined(separator: ", ")

        let loopback = entries.filter { IPAddress.isLoopback($0.address) }
        if let first = loopback.first {
            variables["loopback"] = first.address
            variables["line"] = String(first.line)
            return .fail(.loopback, variables, evidence: evidence)
        }
        if let local, let foreign = entries.first(where: { !local.contains($0.address) }) {
            variables["foreign"] = foreign.address
            variables["line"] = String(foreign.line)
            return .fail(.notLocal, variables, evidence: evidence)
        }
        let ipv4 = addresses.filter { !IPAddress.isIPv6($0) }, ipv6 = addresses.filter(IPAddress.isIPv6)
        if ipv4.count > 1 || ipv6.count > 1 {
            var several = listVariables("addresses", addresses)
            several.merge(variables) { mine, _ in mine }
            return .warn(.several, several, evidence: evidence)
        }
        return .pass(local == nil ? .oneAddressUnverified : .oneAddress, variables, evidence: evidence)
    }
}
