import DoctorCore

/// Arithmetic on numbers that come from evidence or the command line.
///
/// Swift stops the whole process on an overflowing `+`, `*` or `Int(someDouble)`. A customer's disk or a
/// bundle can hold any number, so every sum, product and conversion of such a number goes through these
/// helpers, which report the overflow instead of trapping; the caller turns it into an `unparsable` fact
/// or a usage error.
public enum CheckedNumbers {
    /// The sum, or nil when it does not fit in an Int.
    public static func sum<S: Sequence>(_ values: S) -> Int? where S.Element == Int {
        var total = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { return nil }
            total = next
        }
        return total
    }

    /// The sum, held at Int.max / Int.min instead of overflowing: for totals that are only compared
    /// ("more than the host has"), where a clamped value gives the same answer.
    public static func saturatingSum<S: Sequence>(_ values: S) -> Int where S.Element == Int {
        var total = 0
        for value in values { total = saturatingAdd(total, value) }
        return total
    }

    public static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return result }
        return b > 0 ? Int.max : Int.min
    }

    public static func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        guard overflow else { return result }
        return (a < 0) == (b < 0) ? Int.max : Int.min
    }

    /// The product, or nil when it does not fit in an Int.
    public static func product(_ a: Int, _ b: Int) -> Int? {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }

    /// A Double as an Int, or nil when it is NaN, infinite or outside Int's range (where `Int(x)` traps).
    public static func integer(_ value: Double) -> Int? {
        guard value.isFinite else { return nil }
        // 2^63 is exactly representable; every Double below it converts without trapping.
        guard value >= -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0 else { return nil }
        return Int(value)
    }

    /// A Double as an Int, clamped to Int's range (NaN becomes 0): for display only.
    public static func clampedInteger(_ value: Double) -> Int {
        guard !value.isNaN else { return 0 }
        return integer(value) ?? (value < 0 ? Int.min : Int.max)
    }

    /// A decimal integer within `range`, or nil (not a number, overflowing, or out of range).
    public static func integer<S: StringProtocol>(_ text: S, in range: ClosedRange<Int>) -> Int? {
        guard let value = Int(text), range.contains(value) else { return nil }
        return value
    }
}

/// Sizes written with a unit, the way libvirt reads them (virScaleInteger): the unit is case-insensitive;
/// `b`, `byte`, `bytes` are bytes; a letter alone or followed by `iB` is a power of 1024 (`k`, `KiB`,
/// `M`, `MiB` ... `E`, `EiB`); a letter followed by `B` is a power of 1000 (`KB`, `MB` ... `EB`).
public enum LibvirtUnits {
    /// Bytes per unit, or nil for a unit libvirt rejects.
    public static func bytesPerUnit(_ unit: String) -> UInt64? {
        let lowered = unit.lowercased()
        if ["b", "byte", "bytes"].contains(lowered) { return 1 }
        let letters = Array(lowered)
        guard let first = letters.first else { return nil }
        let base: UInt64
        if letters.count == 1 || String(letters.dropFirst()) == "ib" {
            base = 1024
        } else if letters.count == 2 && letters[1] == "b" {
            base = 1000
        } else {
            return nil
        }
        guard let power = ["k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6][first] else { return nil }
        var scale: UInt64 = 1
        for _ in 0..<power { scale *= base }   // at most 1024^6 = 2^60: fits
        return scale
    }

    /// Largest memory size accepted, in KiB: 2^54 KiB is 16 EiB, the most a 64-bit byte count can name.
    /// Keeping each value this small also keeps sums over a few hundred guests far from Int.max.
    public static let maximumKiB = 1 << 54

    /// `<memory unit='GiB'>4</memory>` in KiB, rounded up as libvirt does. Throws for a value that is not
    /// a non-negative integer, an unknown unit, or a size beyond `maximumKiB`.
    public static func kibibytes(_ text: String, unit: String?, source: String) throws(FactError) -> Int {
        let digits = TextChecks.trimmed(text)
        guard let value = UInt64(digits) else {
            throw .unparsable(source: source, detail: "memory size '\(digits.prefix(40))' is not a non-negative integer")
        }
        let unitName = unit ?? "KiB"
        guard let scale = bytesPerUnit(unitName) else {
            throw .unparsable(source: source, detail: "unknown memory unit '\(unitName.prefix(20))'")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        let kib = bytes / 1024 + (bytes % 1024 == 0 ? 0 : 1)
        guard !overflow, kib <= UInt64(maximumKiB) else {
            throw .unparsable(source: source, detail: "memory size \(digits.prefix(40)) \(unitName.prefix(20)) is larger than 16 EiB")
        }
        return Int(kib)
    }
}
