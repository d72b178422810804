import DoctorCore
import HostFacts

/// remote.libvirtd-running: libvirt answers a read-only connection in time.
enum RemoteLibvirtdRunning: CheckEvaluator {
    static let id = "remote.libvirtd-running"

    enum Condition: String, CaseIterable {
        case answers
        /// A sos report: virsh -r answered when the report was made (so libvirt ran then).
        case answeredInReport = "answered-in-report"
        case notInstalled = "not-installed"
        /// A directory root or bundle: libvirt can only be asked on the live machine.
        case notLive = "not-live"
        case hung
        case notRunning = "not-running"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        switch context.facts.sourced(Facts.libvirt) {
        case .success(let snapshot):
            let value = snapshot.value
            let recorded = context.root.evidence.kind == .sosReport
            return .pass(recorded ? .answeredInReport : .answers, ["uri": value.uri, "driver": value.driver, "hypervisorVersion": value.hypervisorVersion,
                                    "libvirtVersion": value.libvirtVersion, "guests": String(value.domains.count)],
                         evidence: [Evidence(source: "libvirt", value: "\(value.uri) (\(value.node.cpus) CPUs, \(value.node.memoryKiB / 1024) MiB)")])
        case .failure(.absent(let what)):
            return .skip(.notInstalled, ["what": what])
        case .failure(.notLive(let what)), .failure(.notCaptured(let what, _)):
            return .skip(.notLive, ["what": what])
        case .failure(.timedOut(let what, let seconds)):
            return .fail(.hung, ["what": what, "seconds": String(CheckedNumbers.clampedInteger(seconds))],
                         evidence: [Evidence(source: "libvirt", value: "no answer")])
        case .failure(let error):
            return .fail(.notRunning, ["error": error.description], evidence: [Evidence(source: "libvirt", value: error.description)])
        }
    }
}
