/// Ordering of package and kernel versions the way rpm and dpkg order them, close enough to decide "older"
/// between two builds of the same package: an epoch (`1:`) first, then the version split into runs of
/// digits (compared as numbers, so 10 > 9) and runs of letters (compared as text), where `~` sorts before
/// anything (dpkg's pre-release marker: 9.0~rc1 < 9.0) and a number beats a letter run (rpm's rule).
/// Separators (`.`, `-`, `+`, `_`) only split runs. Total for any text, bounded by the input's length.
public enum VersionOrder {
    /// Versions longer than this are compared on their first this-many characters: no real one comes near.
    static let maximumLength = 256

    public static func compare(_ left: String, _ right: String) -> Int {
        let (leftEpoch, leftRest) = epoch(left), (rightEpoch, rightRest) = epoch(right)
        if leftEpoch != rightEpoch { return leftEpoch < rightEpoch ? -1 : 1 }
        var a = Substring(leftRest.prefix(maximumLength)).unicodeScalars[...], b = Substring(rightRest.prefix(maximumLength)).unicodeScalars[...]
        while true {
            // `~` first: it makes a version older than the same version without it.
            let aTilde = a.first == "~", bTilde = b.first == "~"
            if aTilde || bTilde {
                if aTilde && bTilde { a = a.dropFirst(); b = b.dropFirst(); continue }
                return aTilde ? -1 : 1
            }
            a = a.drop { !isAlphanumeric($0) && $0 != "~" }
            b = b.drop { !isAlphanumeric($0) && $0 != "~" }
            if a.first == "~" || b.first == "~" { continue }
            guard let first = a.first else { return b.isEmpty ? 0 : -1 }
            guard let other = b.first else { return 1 }
            let numeric = isDigit(first)
            if numeric != isDigit(other) { return numeric ? 1 : -1 }
            let runA = a.prefix { numeric ? isDigit($0) : isLetter($0) }
            let runB = b.prefix { numeric ? isDigit($0) : isLetter($0) }
            a = a.dropFirst(runA.count)
            b = b.dropFirst(runB.count)
            let order = numeric ? compareNumbers(runA, runB) : compareText(runA, runB)
            if order != 0 { return order }
        }
    }

    public static func isOlder(_ left: String, than right: String) -> Bool { compare(left, right) < 0 }

    static func epoch(_ version: String) -> (Int, Substring) {
        guard let colon = version.firstIndex(of: ":"), version[..<colon].allSatisfy(\.isASCII),
              let number = Int(version[..<colon].prefix(9)), version[..<colon].allSatisfy(\.isNumber) else { return (0, version[...]) }
        return (number, version[version.index(after: colon)...])
    }

    /// Digit runs as numbers of any length: leading zeros dropped, then longer is larger.
    static func compareNumbers(_ a: Substring.UnicodeScalarView.SubSequence, _ b: Substring.UnicodeScalarView.SubSequence) -> Int {
        let x = a.drop { $0 == "0" }, y = b.drop { $0 == "0" }
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        return compareText(x, y)
    }

    static func compareText(_ a: Substring.UnicodeScalarView.SubSequence, _ b: Substring.UnicodeScalarView.SubSequence) -> Int {
        for (x, y) in zip(a, b) where x != y { return x.value < y.value ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool { isDigit(c) || isLetter(c) }
}
