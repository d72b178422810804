import ArgumentParser
import CheckEngine
import DoctorCore
import Foundation
import HostFacts

/// Options shared by every command that reads a machine.
struct MachineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Inspect a directory laid out like / (a mounted disk, an unpacked bundle, a fixture).", valueName: "dir"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("libvirt URI to ask, read-only (default: what virsh uses, qemu:///system as root).", valueName: "uri"))
    var connect: String?

    @Option(name: .customLong("libvirt-timeout"), help: ArgumentHelp("Seconds libvirt may take to answer before it is reported as hung (more than 0, at most \(OptionLimits.maximumSeconds)).", valueName: "seconds"))
    var libvirtTimeout: Double = DiagnosisOptions.defaultLibvirtTimeout

    func validate() throws {
        try OptionLimits.checkSeconds(libvirtTimeout, option: "--libvirt-timeout")
    }

    /// The root to read; `accepting` names paths whose presence makes a directory acceptable evidence even
    /// when it does not look like a system (`certs --root dir --cert /pki`).
    func hostRoot(accepting: [String] = []) throws -> HostRoot {
        guard let root else { return .live }
        do {
            return try EvidenceOpening.open(directory: root, accepting: accepting)
        } catch {
            throw ToolFailure("cannot use --root \(root): \(error)")
        }
    }

    /// The diagnosis options this group decides; commands add their own.
    func diagnosisOptions(accepting: [String] = []) throws -> DiagnosisOptions {
        DiagnosisOptions(root: try hostRoot(accepting: accepting), libvirtURI: connect, libvirtTimeout: libvirtTimeout)
    }
}

/// Who the report is for.
enum ProfileChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, host, guest
    case ovirtNode = "ovirt-node"
    case ovirtEngine = "ovirt-engine"

    var profile: Profile? { self == .auto ? nil : Profile(rawValue: rawValue) }
}
