import DoctorCore
import HostFacts

/// remote.ssh-netcat: what qemu+ssh:// runs on this host to reach libvirt's socket: virt-ssh-helper
/// (libvirt 6.8 and later) or netcat.
enum RemoteSSHNetcat: CheckEvaluator {
    static let id = "remote.ssh-netcat"

    enum Condition: String, CaseIterable {
        case helper
        case netcat
        case missing
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let tools = try context.fact(Facts.sshTransportTools).value
        if let helper = tools.sshHelper.first {
            return .pass(.helper, ["path": helper], evidence: [Evidence(source: helper, value: "present")])
        }
        if let netcat = tools.netcat.first {
            return .pass(.netcat, ["path": netcat], evidence: [Evidence(source: netcat, value: "present")])
        }
        return .warn(.missing, evidence: [Evidence(source: "/usr/bin, /bin, /usr/local/bin, /usr/sbin, /sbin", value: "no nc, ncat, netcat or virt-ssh-helper")])
    }
}
