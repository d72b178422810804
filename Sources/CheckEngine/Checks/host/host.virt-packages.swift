import DoctorCore
import HostFacts

/// host.virt-packages: a hypervisor (QEMU/KVM or Xen) and the libvirt daemon are installed, read from the
/// package manager's own record (dpkg status, a sos report's rpm or dpkg list).
enum HostVirtPackages: CheckEvaluator {
    static let id = "host.virt-packages"

    /// The package format, so a step can be written for apt or dnf.
    static let tags = ["dpkg", "rpm"]

    enum Condition: String, CaseIterable {
        /// Neither a hypervisor nor the libvirt daemon.
        case nothing
        /// libvirt without QEMU/KVM or Xen.
        case noHypervisor = "no-hypervisor"
        /// A hypervisor without the libvirt daemon.
        case noLibvirt = "no-libvirt"
        /// Both, but no virsh or virt-install to manage them from the host.
        case noTools = "no-tools"
        case complete
    }

    /// Package names across RHEL 5 to 9, Fedora, Debian and Ubuntu.
    static let hypervisorPackages = ["qemu-kvm", "qemu-kvm-core", "qemu-kvm-rhev", "qemu-kvm-ev", "qemu-system-x86",
                                     "qemu-system-x86-core", "qemu-system-arm", "qemu-system-ppc", "qemu-system-s390x",
                                     "qemu-system-misc", "qemu-system", "kvm", "xen", "xen-hypervisor-common"]
    static let hypervisorPrefixes = ["xen-hypervisor-4"]
    static let libvirtPackages = ["libvirt-daemon-system", "libvirt-daemon", "libvirt-daemon-kvm", "libvirt-daemon-driver-qemu",
                                  "libvirt-daemon-common", "libvirt-daemon-xen", "libvirt-daemon-driver-libxl", "libvirt-bin", "libvirt"]
    static let toolPackages = ["libvirt-clients", "libvirt-client", "virt-install", "virtinst", "python-virtinst", "virt-manager"]

    static func found(_ packages: InstalledPackages, names: [String], prefixes: [String] = []) -> InstalledPackages.Package? {
        for name in names { if let package = packages.packages.first(where: { $0.name == name }) { return package } }
        return packages.packages.first { package in prefixes.contains { package.name.hasPrefix($0) } }
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let list = try context.fact(Facts.packages)
        let packages = list.value
        let source = list.sources.joined(separator: ", ")
        let hypervisor = found(packages, names: hypervisorPackages, prefixes: hypervisorPrefixes)
        let libvirt = found(packages, names: libvirtPackages)
        let tool = found(packages, names: toolPackages)
        func describe(_ package: InstalledPackages.Package?) -> String { package.map { "\($0.name) \($0.version)" } ?? "none" }
        let evidence = [Evidence(source: source, value: "\(packages.packages.count) installed packages (\(packages.format.rawValue))"),
                        Evidence(source: source, value: "hypervisor: \(describe(hypervisor))"),
                        Evidence(source: source, value: "libvirt daemon: \(describe(libvirt))"),
                        Evidence(source: source, value: "management tools: \(describe(tool))")]
        var variables: [String: String] = [:]
        if let hypervisor { variables["hypervisor"] = describe(hypervisor) }
        if let libvirt { variables["libvirt"] = describe(libvirt) }
        let tags = [packages.format.rawValue]
        switch (hypervisor, libvirt) {
        case (nil, nil): return .fail(.nothing, variables, evidence: evidence, tags: tags)
        case (nil, _?): return .fail(.noHypervisor, variables, evidence: evidence, tags: tags)
        case (_?, nil): return .fail(.noLibvirt, variables, evidence: evidence, tags: tags)
        case (_?, _?):
            if tool == nil { return .pass(.noTools, variables, evidence: evidence) }
            return .pass(.complete, variables, evidence: evidence)
        }
    }
}
