import DoctorCore
import HostFacts

/// dom.state: guests left crashed, paused or stuck shutting down.
enum DomState: CheckEvaluator {
    static let id = "dom.state"

    enum Condition: String, CaseIterable {
        case noLibvirt = "no-libvirt"
        case normal
        /// `{problems}` joins the fragments below that apply, in this order; each of them is also reported
        /// as a tag so its remediation step is shown.
        case abnormal
        case crashed
        case paused
        case stuck
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let snapshot: LibvirtSnapshot
        do throws(FactError) {
            snapshot = try context.fact(Facts.libvirt).value
        } catch {
            return .skip(.noLibvirt, ["error": error.description])
        }
        let evidence = snapshot.domains.map { Evidence(source: "libvirt \(snapshot.uri)", value: "\($0.name): \($0.state)" + ($0.autostart == true ? " (autostart)" : "")) }
        let groups: [(Condition, [LibvirtSnapshot.Domain])] = [
            (.crashed, snapshot.domains.filter { $0.state == "crashed" }),
            (.paused, snapshot.domains.filter { $0.state == "paused" || $0.state == "pmsuspended" }),
            (.stuck, snapshot.domains.filter { $0.state == "shutdown" }),
        ].filter { !$0.1.isEmpty }
        if groups.isEmpty {
            return .pass(.normal, ["guests": String(snapshot.domains.count)], evidence: evidence)
        }
        let problems = groups.map { context.fragment($0.0, ["guests": $0.1.map(\.name).joined(separator: ", ")]) }
        return .warn(.abnormal, ["problems": problems.joined(separator: "; "), "guest": groups.first?.1.first?.name ?? "<guest>"],
                     evidence: evidence, tags: groups.map(\.0.rawValue))
    }
}
