import DoctorCore

/// `/etc/os-release` (or `/usr/lib/os-release`): shell-style `KEY="value"` lines.
///
///     PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
///     ID=debian
///     VERSION_ID="12"
public struct OSRelease: Codable, Sendable, Equatable {
    public var id: String?
    public var idLike: [String]
    public var versionID: String?
    public var prettyName: String?

    public static func parse(_ text: String, source: String = "/etc/os-release") throws(FactError) -> OSRelease {
        try TextChecks.requireText(text, source: source)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmedLine = TextChecks.trimmed(line)
            if trimmedLine.hasPrefix("#") { continue }
            guard let (key, value) = TextChecks.splitKeyValue(trimmedLine, separator: "=") else { continue }
            values[key] = TextChecks.unquoted(value)
        }
        guard !values.isEmpty else { throw .unparsable(source: source, detail: "no KEY=value lines") }
        return OSRelease(
            id: values["ID"], idLike: values["ID_LIKE"]?.split(separator: " ").map(String.init) ?? [],
            versionID: values["VERSION_ID"], prettyName: values["PRETTY_NAME"] ?? values["NAME"])
    }

    /// Older Red Hat systems have only `/etc/redhat-release`: "CentOS release 5.4 (Final)".
    public static func fromRedHatRelease(_ text: String) -> OSRelease {
        let line = TextChecks.trimmed(text.split(separator: "\n").first ?? "")
        let version = line.split(separator: " ").first { $0.first?.isNumber == true }.map(String.init)
        return OSRelease(id: "rhel", idLike: ["rhel", "fedora"], versionID: version, prettyName: line)
    }
}
