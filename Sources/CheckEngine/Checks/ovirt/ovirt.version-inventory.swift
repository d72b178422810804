import DoctorCore
import HostFacts

/// ovirt.version-inventory: which oVirt/HOSTVM/RHV release this is, and so which certificate rules apply.
enum OVirtVersionInventory: CheckEvaluator {
    static let id = "ovirt.version-inventory"

    enum Condition: String, CaseIterable {
        /// No oVirt, HOSTVM or RHV component on this machine.
        case notOVirt = "not-ovirt"
        /// oVirt/RHV 4.5 or later: 5-year internal certificates, 60-day renewal window.
        case atLeast45 = "at-least-4-5"
        /// Before 4.5: every certificate lasts 398 days.
        case before45 = "before-4-5"
        /// HOSTVM 4.4 or earlier: also the VNC certificate needs its own manual renewal.
        case hostvm44 = "hostvm-4-4"
        /// Components found, but no version that names the release.
        case unknownRelease = "unknown-release"
        /// Components point to different releases (`{releases}`): half upgraded, or not rebooted into a new image.
        case mixedReleases = "mixed-releases"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let versions: OVirtVersions
        do throws(FactError) {
            versions = try context.fact(Facts.ovirtVersions).value
        } catch .absent {
            return .skip(.notOVirt)
        }
        let evidence = versions.components.map { Evidence(source: $0.source, value: "\($0.name) \($0.version)") }
        var values = ["product": versions.product,
                      "components": versions.components.map { "\($0.name) \($0.version)" }.joined(separator: ", ")]
        guard let release = versions.release else { return .pass(.unknownRelease, values, evidence: evidence) }
        values["release"] = "\(release.major).\(release.minor)"
        let releases = versions.releasesNamed
        if releases.count > 1 {
            values["releases"] = releases.joined(separator: ", ")
            return .warn(.mixedReleases, values, evidence: evidence)
        }
        let before45 = release.major < 4 || (release.major == 4 && release.minor < 5)
        if versions.product == "HOSTVM" && before45 { return .pass(.hostvm44, values, evidence: evidence) }
        return .pass(before45 ? .before45 : .atLeast45, values, evidence: evidence)
    }
}
