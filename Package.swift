// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: virt-doctor (CLI) -> Bundles -> CheckEngine -> HostFacts -> DoctorCore, and
// Reporting (templates) -> DoctorCore (the report model) and CheckEngine (the fleet model); Localization (the words) sits beside DoctorCore.
// The check catalog (checks/) and the report templates (report-templates/) are compiled into the binary by
// the EmbedResources plugin, so a release build is one file that can be copied to another host.
let package = Package(
    name: "virt-doctor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "virt-doctor", targets: ["virt-doctor"]),
        // For the fuzzing package in fuzz/, which wraps each target in a libFuzzer entry point.
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
    ],
    targets: [
        // The report model and check definitions: plain data, no I/O.
        .target(name: "DoctorCore"),
        // The words of the report chrome in every shipped language (report-templates/i18n), for the engine and
        // the renderers alike.
        .target(name: "Localization", dependencies: ["DoctorCore"], plugins: ["EmbedResources"]),
        // Tiny C shim for the read-only /dev/kvm ioctls (KVM_GET_API_VERSION, KVM_CHECK_EXTENSION).
        .target(name: "CKVMProbe"),
        // getxattr(2) for SELinux labels; Swift's Glibc module does not export it.
        .target(name: "CSystemShims"),
        // libvirt through dlopen: the binary runs where libvirt.so.0 is absent, and reports that as a fact.
        .target(name: "CLibvirtShim", linkerSettings: [.linkedLibrary("dl")]),
        // libpci and libudev through dlopen, for the PCI inventory and udev's view of devices.
        .target(name: "CNativeShims", linkerSettings: [.linkedLibrary("dl")]),
        // Everything read from a machine goes through HostRoot; parsers turn text into facts.
        .target(
            name: "HostFacts",
            dependencies: [
                "DoctorCore", "CKVMProbe", "CSystemShims", "CLibvirtShim", "CNativeShims", "Yams",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                // AES-CBC and PBKDF2 for the certificates of PKCS#12 keystores (issue 13: certs).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Catalog loading, the declarative matcher, named evaluators, the runner and profile selection.
        .target(
            name: "CheckEngine",
            dependencies: ["DoctorCore", "HostFacts", "Localization", "Yams"],
            plugins: ["EmbedResources"]
        ),
        // Scoring, the versioned report model and the template renderers.
        .target(
            name: "Reporting",
            dependencies: ["DoctorCore", "CheckEngine", "Localization", .product(name: "Mustache", package: "swift-mustache")],
            plugins: ["EmbedResources"]
        ),
        // gzip for bundles (zlib, present wherever Swift is installed).
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // xz for .tar.xz archives (sos reports); liblzma.so.5 is on every distribution, under that one name.
        .target(name: "CLzma", linkerSettings: [.linkedLibrary("lzma")]),
        // bzip2 for .tar.bz2 through dlopen: libbz2's SONAME differs between Debian and RHEL.
        .target(name: "CBzip2", linkerSettings: [.linkedLibrary("dl")]),
        // Support bundles: collect a host's evidence into one archive, analyze it elsewhere.
        .target(name: "Bundles", dependencies: [
            "DoctorCore", "HostFacts", "CheckEngine", "Reporting", "CZlib", "CLzma", "CBzip2",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Thin CLI: parse arguments, call the libraries, print, choose the exit code.
        .executableTarget(
            name: "virt-doctor",
            dependencies: [
                "DoctorCore", "HostFacts", "CheckEngine", "Reporting", "Bundles", "Localization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // One function per evidence parser, taking arbitrary bytes: driven by libFuzzer (fuzz/) and by
        // FuzzRegressionTests over saved crash inputs and the fixtures.
        .target(name: "FuzzTargets", dependencies: ["DoctorCore", "HostFacts", "CheckEngine", "Bundles"]),
        // Build-time helper: turns checks/ and report-templates/ into Swift source.
        // YAML check files are converted to JSON here, once, so the binary decodes them quickly at start-up.
        .executableTarget(name: "EmbedGen", dependencies: ["DoctorCore", "Yams"]),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedGen"]),

        // Paths to the repository, the fixture roots and ../shared/corpus; scratch roots.
        .target(name: "TestSupport", dependencies: ["HostFacts"], path: "Tests/TestSupport"),
        .testTarget(name: "HostFactsTests", dependencies: ["HostFacts", "DoctorCore", "TestSupport"]),
        .testTarget(name: "CheckEngineTests", dependencies: ["CheckEngine", "HostFacts", "DoctorCore", "Localization", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: [
            "Reporting", "CheckEngine", "HostFacts", "DoctorCore", "Localization", "TestSupport",
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .testTarget(name: "BundlesTests", dependencies: ["Bundles", "CheckEngine", "DoctorCore", "HostFacts", "Reporting", "TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets", "Bundles", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["virt-doctor", "TestSupport"]),
    ]
)
