import DoctorCore
import HostFacts
import Localization

/// Chooses the profile for `--profile auto` from what the machine is.
public enum ProfileDetector {
    public struct Choice: Codable, Sendable, Equatable {
        public var profile: Profile
        public var reason: String

        public init(profile: Profile, reason: String) {
            self.profile = profile
            self.reason = reason
        }
    }

    public static func detect(_ store: FactStore, strings: Strings = .english) -> Choice {
        let root = store.root
        if root.exists("/etc/ovirt-engine") || root.exists("/usr/share/ovirt-engine") {
            return Choice(profile: .ovirtEngine, reason: strings("profile_reason_engine"))
        }
        if root.exists("/etc/vdsm/vdsm.conf") || root.exists("/etc/pki/vdsm") {
            return Choice(profile: .ovirtNode, reason: strings("profile_reason_node"))
        }
        let guest = try? store.get(Facts.virtualMachine)
        let probe = try? store.get(Facts.kvmAPI)
        let kvmUsable = probe?.usable == true
        // A user who may not open /dev/kvm cannot tell whether it works; the device being there is the hint.
        let deniedToUs = probe?.failure?.hasSuffix("Permission denied") == true
        let kvmNode = root.exists("/dev/kvm")
        if guest?.isVirtualMachine == true {
            if kvmUsable || (kvmNode && (deniedToUs || !root.isLive)) {
                return Choice(profile: .host, reason: kvmUsable
                    ? strings("profile_reason_nested_working")
                    : strings("profile_reason_nested_present"))
            }
            // "(KVM)", or for a confidential guest "(KVM, AMD SEV-SNP)".
            let details = [guest?.hypervisorName, guest?.confidentialName].compactMap { $0 }
            return Choice(profile: .guest, reason: strings("profile_reason_guest")
                          + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"))
        }
        return Choice(profile: .host, reason: strings("profile_reason_host"))
    }
}
