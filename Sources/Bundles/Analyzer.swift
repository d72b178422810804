import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Reporting

/// A known error message, what causes it, and which check covers it (seed catalog, section 2).
public struct KnownMessage: Sendable {
    public var fragment: String
    public var cause: String
    public var checks: [String]
}

public enum KnownMessages {
    /// Lower-case fragments matched against log lines or pasted text.
    public static let all: [KnownMessage] = [
        .init(fragment: "the server certificate /etc/pki/vdsm/libvirt-vnc/server-cert.pem has expired",
              cause: "the VNC TLS certificate of an oVirt/HOSTVM node expired; VMs with VNC consoles cannot start", checks: ["cert.vnc-expiry", "cert.host-consistency"]),
        .init(fragment: "the server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired",
              cause: "the VDSM host certificate expired; libvirtd cannot start", checks: ["cert.vdsm-expiry"]),
        .init(fragment: "has expired", cause: "a TLS certificate libvirt or QEMU uses has expired", checks: ["cert.vdsm-expiry", "cert.libvirt-tls-expiry"]),
        .init(fragment: "failed to start virtualization daemon", cause: "libvirtd did not start (often an expired certificate)", checks: ["remote.libvirtd-running", "cert.vdsm-expiry"]),
        .init(fragment: "doesn't contain valid subject alternative name", cause: "the host certificate was signed by hand without a SAN", checks: ["cert.san-missing"]),
        .init(fragment: "kvm: disabled by bios", cause: "VT-x/AMD-V is switched off in the firmware", checks: ["cpu.virt-bios-disabled"]),
        .init(fragment: "vmx not enabled (by bios)", cause: "VT-x is switched off in the firmware", checks: ["cpu.virt-bios-disabled"]),
        .init(fragment: "kvm: no hardware support", cause: "no VT-x/AMD-V, or a guest without nested virtualization", checks: ["cpu.virt-flags"]),
        .init(fragment: "could not access kvm kernel module: no such file or directory", cause: "/dev/kvm is missing: the KVM modules are not loaded", checks: ["kvm.modules-loaded", "kvm.device-usable"]),
        .init(fragment: "could not access kvm kernel module: permission denied", cause: "the QEMU user may not open /dev/kvm", checks: ["kvm.device-usable"]),
        .init(fragment: "could not find capabilities for domaintype=kvm", cause: "KVM is unavailable (firmware, modules or nesting)", checks: ["cpu.virt-flags", "kvm.modules-loaded"]),
        .init(fragment: "network 'default' is not active", cause: "libvirt's default network is stopped", checks: ["net.default-network"]),
        .init(fragment: "no network with matching name 'default'", cause: "libvirt's default network is not defined", checks: ["net.default-network"]),
        .init(fragment: "marking tsc unstable", cause: "the TSC is unstable; clocks drift", checks: ["time.constant-tsc", "time.guest-clocksource"]),
        .init(fragment: "cannot find an unused loop device", cause: "loop devices are exhausted", checks: ["storage.loop-max"]),
        .init(fragment: "could not find any free loop device", cause: "loop devices are exhausted", checks: ["storage.loop-max"]),
        .init(fragment: "xenbus: device with no driver", cause: "Xen PV front-end drivers are not loaded (normal in an installer)", checks: ["guest.virt-type", "pvdrv.virtio-usage"]),
        .init(fragment: "setting virtual machine memory too high", cause: "guest memory exceeds the host's", checks: ["res.memory-overcommit"]),
        .init(fragment: "global maintenance", cause: "the hosted engine was left in global maintenance", checks: ["cert.engine-expiry"]),
        .init(fragment: "pkix path validation failed", cause: "an engine or host certificate expired or is untrusted", checks: ["cert.vdsm-expiry", "cert.engine-expiry"]),
        .init(fragment: "general sslengine problem", cause: "an engine or host certificate expired or is untrusted", checks: ["cert.vdsm-expiry", "cert.engine-expiry"]),
        .init(fragment: "permission denied", cause: "file permissions or an SELinux label deny access (with an image path: see the image's label)", checks: ["selinux.image-label"]),
    ]

    /// The most specific known messages in a text (a longer fragment beats a shorter one it contains).
    public static func matches(in text: String) -> [KnownMessage] {
        let lower = text.lowercased()
        let found = all.filter { lower.contains($0.fragment) }
        return found.filter { candidate in !found.contains { $0.fragment != candidate.fragment && $0.fragment.contains(candidate.fragment) } }
    }
}

/// A known message found in a collected log.
public struct LogMatch: Codable, Sendable, Equatable {
    public var file: String
    public var line: String
    public var cause: String
    public var checks: [String]
}

/// `virt-doctor analyze`: the bundle's recorded facts judged again, plus what its logs say.
public struct Analysis: Codable, Sendable {
    public var bundle: String
    public var manifest: Manifest
    public var report: Report
    public var logMatches: [LogMatch]
}

public enum Analyzer {
    public static func analyze(bundle path: String, catalog: Catalog, profile: Profile? = nil, now: Date? = nil, clock: Date = Date()) throws -> Analysis {
        guard let data = FileManager.default.contents(atPath: path) else { throw ArchiveError("cannot read \(path)") }
        let members = try Archive.read(tarGz: Array(data))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let manifestData = members.first(where: { $0.path == "manifest.json" })?.contents,
              let manifest = try? decoder.decode(Manifest.self, from: Data(manifestData)) else {
            throw ArchiveError("\(path) is not a virt-doctor bundle (no readable manifest.json)")
        }
        let recorded = members.first { $0.path == "facts.json" }.flatMap { try? decoder.decode(Collector.FactsDocument.self, from: Data($0.contents)) }?.facts ?? []
        // Extract into a private directory so file-based facts read the same paths they read on the host.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("virt-doctor-analyze-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Archive.extract(members, into: directory)
        let root = try HostRoot(directory: directory)
        var report = try Diagnosis.run(
            DiagnosisOptions(root: root, profile: profile ?? manifest.profile, now: now ?? manifest.now, clock: clock, recordedFacts: recorded),
            catalog: catalog).report
        report.host = manifest.host
        if profile == nil { report.profile.requested = "recorded"; report.profile.reason = "the profile the bundle was collected with" }
        var matches: [LogMatch] = []
        for member in members where member.path.hasPrefix("var/log/") || member.path == "journalctl-k.txt" {
            guard let text = String(validating: member.contents, as: UTF8.self) else { continue }
            for line in text.split(separator: "\n") {
                for known in KnownMessages.matches(in: String(line)) where known.fragment != "permission denied" || line.contains("/") {
                    matches.append(LogMatch(file: "/" + member.path, line: String(line.prefix(400)), cause: known.cause, checks: known.checks))
                    if matches.count >= 500 { break }
                }
            }
        }
        return Analysis(bundle: path, manifest: manifest, report: report, logMatches: matches)
    }
}
