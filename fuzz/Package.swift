// swift-tools-version:6.0
import Foundation
import PackageDescription

// libFuzzer executables, one per parser in the main package's FuzzTargets library. Built separately
// (fuzz/.build) because every module needs -sanitize=fuzzer; run.sh passes the flags. See README.md here.

// A path dependency is known by its directory's name, which is whatever the clone is called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let targets = [
    "cpuinfo", "modules", "sysctl", "grub-legacy", "grub2", "bls", "libvirt-xml", "kernel-log", "certificate",
    "tar", "tar-gz", "archive", "root-metadata", "check-definition", "detection", "smbios", "meminfo", "proc-stat",
    "os-release", "config-settings", "sos-report", "package-list", "systemd-units",
]

let package = Package(
    name: "virt-doctor-fuzz",
    platforms: [.macOS(.v13)],
    products: targets.map { .executable(name: "fuzz-\($0)", targets: ["fuzz-\($0)"]) },
    dependencies: [.package(path: "..")],
    targets: targets.map {
        .executableTarget(name: "fuzz-\($0)", dependencies: [.product(name: "FuzzTargets", package: mainPackage)])
    }
)
