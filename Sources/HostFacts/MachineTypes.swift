import DoctorCore

/// QEMU machine types (`<os><type machine='pc-i440fx-2.9'>`) and what a given QEMU build does with them:
/// provides them, deprecated them, or dropped them. Versioned machine types freeze a guest's virtual hardware
/// at one QEMU release; libvirt writes the expanded name (pc → pc-i440fx-2.9) into the definition when the
/// guest is defined, so a guest created years ago keeps an old type across every upgrade until QEMU removes
/// it and the guest no longer starts.
///
/// The built-in table follows QEMU's docs/about/removed-features.rst and deprecated.rst: pc-0.10 up to pc-1.3
/// removed in 4.0 up to 6.0; pc-i440fx-1.4 up to pc-i440fx-2.3 removed by 9.0; pc-i440fx-2.4 up to 2.12
/// deprecated since 9.1; from 10.1 the versioned machine type policy deprecates every versioned type (x86,
/// Arm virt, pseries, s390-ccw-virtio) three years old and removes it at six. Red Hat's builds (qemu-kvm
/// on el8/el9/el10) carry only the rhel machine types, dropped rhel6.* in RHEL 9 and deprecate i440fx there.
public enum MachineTypes {
    /// Why a type is deprecated or gone; the raw values name the check's sentence fragments.
    public enum Reason: String, Sendable {
        case removedIn = "why-removed-in"
        case policyRemoved = "why-policy-removed"
        case policyDeprecated = "why-policy-deprecated"
        case deprecatedSince = "why-deprecated-since"
        case rhel6Dropped = "why-rhel6-dropped"
        case rhel6Deprecated = "why-rhel6-deprecated"
        case rhelI440fxDropped = "why-rhel-i440fx-dropped"
        case rhelI440fxDeprecated = "why-rhel-i440fx-deprecated"
        case upstreamOnRHEL = "why-upstream-on-rhel"
        case rhelTypeElsewhere = "why-rhel-type-elsewhere"
    }

    public enum Verdict: Equatable, Sendable {
        case current
        /// The reason, and the values its sentence names (release, qemu, limit, rhel).
        case deprecated(Reason, [String: String])
        case removed(Reason, [String: String])
    }

    /// A QEMU build: its upstream version and, for Red Hat's builds, the RHEL major release.
    public struct QEMUBuild: Equatable, Sendable {
        public var major: Int
        public var minor: Int
        public var rhel: Int?

        public init(major: Int, minor: Int, rhel: Int? = nil) {
            self.major = major
            self.minor = minor
            self.rhel = rhel
        }

        public var version: String { "\(major).\(minor)" }

        /// `8.2.0` (libvirt's hypervisor version), `1:8.2.2+ds-0ubuntu1` (dpkg), `8.0.0-16.el9_3` (rpm);
        /// nil for text without a leading major.minor.
        public static func parse(_ text: String) -> QEMUBuild? {
            var rest = Substring(text.prefix(128))
            if let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy(\.isNumber) { rest = rest[rest.index(after: colon)...] }
            let numbers = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }.split(separator: ".")
            guard numbers.count >= 2, let major = CheckedNumbers.integer(numbers[0], in: 0...999),
                  let minor = CheckedNumbers.integer(numbers[1], in: 0...999) else { return nil }
            var rhel: Int?
            if let range = rest.firstRange(of: ".el") ?? rest.firstRange(of: "+el") {
                let digits = rest[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
                rhel = CheckedNumbers.integer(digits, in: 1...99)
            }
            return QEMUBuild(major: major, minor: minor, rhel: rhel)
        }
    }

    /// The families of versioned machine types: name prefix, and whether it is an x86 PC type.
    static let families: [(prefix: String, x86: Bool)] = [
        ("pc-i440fx-", true), ("pc-q35-", true), ("pc-", true), ("virt-", false), ("pseries-", false), ("s390-ccw-virtio-", false),
    ]

    /// The upstream version a machine type is frozen at (`pc-i440fx-2.9` → (2, 9), `pc-1.2` → (1, 2)), with
    /// its family; nil for unversioned aliases (pc, q35, virt) and downstream names (pc-q35-rhel9.2.0).
    public static func upstreamVersion(_ machine: String) -> (major: Int, minor: Int, x86: Bool)? {
        for family in families where machine.hasPrefix(family.prefix) {
            let rest = machine.dropFirst(family.prefix.count)
            let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let major = CheckedNumbers.integer(parts[0], in: 0...999), let minor = CheckedNumbers.integer(parts[1], in: 0...999) else { return nil }
            return (major, minor, family.x86)
        }
        return nil
    }

    /// A Red Hat machine type: `rhel6.6.0`, `pc-i440fx-rhel7.6.0`, `pc-q35-rhel9.2.0` → (kind, RHEL major, minor).
    public static func rhelVersion(_ machine: String) -> (kind: String, major: Int, minor: Int)? {
        let kinds = [("pc-i440fx-rhel", "i440fx"), ("pc-q35-rhel", "q35"), ("rhel", "i440fx"), ("s390-ccw-virtio-rhel", "s390"), ("pseries-rhel", "pseries"), ("virt-rhel", "virt")]
        for (prefix, kind) in kinds where machine.hasPrefix(prefix) {
            let parts = machine.dropFirst(prefix.count).split(separator: ".")
            guard parts.count >= 2, let major = CheckedNumbers.integer(parts[0], in: 0...99), let minor = CheckedNumbers.integer(parts[1], in: 0...99) else { return nil }
            return (kind, major, minor)
        }
        return nil
    }

    static func atMost(_ a: (Int, Int), _ b: (Int, Int)) -> Bool { a.0 < b.0 || (a.0 == b.0 && a.1 <= b.1) }
    static func atLeast(_ a: (Int, Int), _ b: (Int, Int)) -> Bool { atMost(b, a) }

    /// What `qemu` does with `machine`, from the built-in table.
    public static func judge(_ machine: String, qemu: QEMUBuild) -> Verdict {
        let q = (qemu.major, qemu.minor)
        if let build = qemu.rhel, let verdict = judge(machine, rhel: build) { return verdict }
        if rhelVersion(machine) != nil { return .removed(.rhelTypeElsewhere, [:]) }
        guard let version = upstreamVersion(machine) else { return .current }
        let m = (version.major, version.minor)
        // The policy from QEMU 10.1: removed at six years (18 releases), deprecated at three.
        if atLeast(q, (10, 1)) {
            if atMost(m, (q.0 - 6, q.1)) { return .removed(.policyRemoved, ["qemu": qemu.version, "limit": "\(q.0 - 6).\(q.1)"]) }
        }
        if version.x86 {
            if atMost(m, (1, 3)), atLeast(q, (6, 0)) { return .removed(.removedIn, ["release": "4.0–6.0"]) }
            if atMost(m, (2, 3)), atLeast(q, (9, 0)) { return .removed(.removedIn, ["release": "9.0"]) }
        }
        if atLeast(q, (10, 1)), atMost(m, (q.0 - 3, q.1)) {
            return .deprecated(.policyDeprecated, ["qemu": qemu.version, "limit": "\(q.0 - 3).\(q.1)"])
        }
        if version.x86 {
            if atMost(m, (1, 3)), atLeast(q, (4, 0)) { return .deprecated(.deprecatedSince, ["release": "4.0"]) }
            if atMost(m, (2, 12)), atLeast(q, (9, 1)) { return .deprecated(.deprecatedSince, ["release": "9.1"]) }
        }
        return .current
    }

    /// What Red Hat's QEMU of RHEL `rhel` does with `machine`, which needs no upstream version: it carries
    /// only the rhel types (upstream versioned x86 types are not built), dropped rhel6.* in RHEL 9 and the
    /// i440fx types before rhel7.6.0 there, and deprecates the rest of i440fx. nil for types it leaves to the
    /// upstream rules (Arm virt, pseries, s390-ccw-virtio versions, aliases).
    public static func judge(_ machine: String, rhel build: Int) -> Verdict? {
        if let rhel = rhelVersion(machine) {
            if rhel.major <= 6 {
                if build >= 9 { return .removed(.rhel6Dropped, [:]) }
                if build == 8 { return .deprecated(.rhel6Deprecated, [:]) }
            }
            if rhel.kind == "i440fx", build >= 9 {
                if atMost((rhel.major, rhel.minor), (7, 5)) { return .removed(.rhelI440fxDropped, [:]) }
                return .deprecated(.rhelI440fxDeprecated, [:])
            }
            return .current
        }
        if let version = upstreamVersion(machine), version.x86 {
            return .removed(.upstreamOnRHEL, ["rhel": String(build)])
        }
        return nil
    }

    /// Whether `machine` is removed from every current QEMU release (the judgement when the installed
    /// version is unknown): pc-0.x up to pc-i440fx-2.3, and rhel6.*.
    public static func removedEverywhere(_ machine: String) -> Bool {
        if let rhel = rhelVersion(machine) { return rhel.major <= 6 }
        guard let version = upstreamVersion(machine), version.x86 else { return false }
        return atMost((version.major, version.minor), (2, 3))
    }

    /// QEMU packages, most specific first: the one that carries the emulator for x86 guests.
    static let qemuPackages = ["qemu-kvm-core", "qemu-kvm", "qemu-kvm-ev", "qemu-kvm-rhev", "qemu-system-x86-core", "qemu-system-x86",
                               "pve-qemu-kvm", "qemu-system-arm", "qemu-system-ppc", "qemu-system-s390x", "qemu-system-common", "qemu"]

    /// The installed QEMU build from the package list, and the package it came from.
    public static func installedQEMU(_ packages: InstalledPackages) -> (build: QEMUBuild, package: String)? {
        for name in qemuPackages {
            let builds = packages.versions(of: name).compactMap { version in QEMUBuild.parse(version).map { (version, $0) } }
            if let newest = builds.max(by: { VersionOrder.compare($0.0, $1.0) < 0 }) {
                return (newest.1, "\(name) \(newest.0)")
            }
        }
        return nil
    }
}
