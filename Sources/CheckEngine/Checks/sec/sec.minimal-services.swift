import DoctorCore
import HostFacts

/// sec.minimal-services: general-purpose network services left on the hypervisor.
enum SecMinimalServices: CheckEvaluator {
    static let id = "sec.minimal-services"

    enum Condition: String, CaseIterable {
        case unknown
        case minimal
        /// `{services}` joins `service` fragments.
        case unneeded
        case service
    }

    /// What the hardening advice names (automounter, NFS, FTP, HTTP, NIS, telnet, mail transfer agents),
    /// as the units and process names that carry them.
    static let watched: [(label: String, units: [String], processes: [String])] = [
        ("autofs", ["autofs.service"], ["automount"]),
        ("NFS server", ["nfs-server.service", "nfs.service", "nfs-kernel-server.service"], ["nfsd"]),
        ("FTP server", ["vsftpd.service", "proftpd.service", "pure-ftpd.service"], ["vsftpd", "proftpd", "pure-ftpd"]),
        ("web server", ["httpd.service", "apache2.service", "nginx.service", "lighttpd.service"], ["httpd", "apache2", "nginx", "lighttpd"]),
        ("NIS", ["ypbind.service", "ypserv.service", "yppasswdd.service"], ["ypbind", "ypserv", "rpc.yppasswdd"]),
        ("telnet server", ["telnet.socket", "telnetd.socket", "inetutils-telnetd.service"], ["in.telnetd", "telnetd"]),
        ("sendmail", ["sendmail.service"], ["sendmail"]),
        ("postfix", ["postfix.service"], []),
    ]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let services = ServiceState(context)
        guard !services.knowsNothing else { return .skip(.unknown) }
        var evidence: [Evidence] = []
        var found: [String] = []
        var labels: [String] = []
        for item in watched {
            guard let (how, proof) = services.on(units: item.units, processes: item.processes) else { continue }
            evidence.append(proof)
            labels.append(item.label)
            found.append(context.fragment(Condition.service, ["service": item.label, "how": how]))
        }
        guard !found.isEmpty else {
            return .pass(.minimal, evidence: [Evidence(source: "/etc/systemd/system, /proc/*/comm", value: "none of autofs, NFS, FTP, HTTP, NIS, telnet, sendmail, postfix is on")])
        }
        return .warn(.unneeded, listVariables("services", found).merging(["labels": labels.joined(separator: ", ")]) { $1 }, evidence: evidence)
    }
}
