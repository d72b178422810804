import DoctorCore
import Localization

/// Plain-text listings of the catalog and of facts, beside the report renderers so every text the tool
/// prints is made in one place and in the reader's language.
public enum Listings {
    /// `virt-doctor list`: id, area, severity (starred where it differs by profile), profiles, title.
    public static func catalog(_ checks: [CheckDefinition], strings: Strings = .english) -> String {
        let idHeader = strings("list_header_id"), areaHeader = strings("list_header_area")
        let severityHeader = strings("list_header_severity"), profilesHeader = strings("list_header_profiles")
        let severityOf = { (check: CheckDefinition) in
            strings("severity_" + check.severity.defaultSeverity.rawValue) + (check.severity.overrides.isEmpty ? "" : "*")
        }
        let profilesOf = { (check: CheckDefinition) in check.profiles.map(\.rawValue).joined(separator: ",") }
        let idWidth = max(idHeader.count, checks.map(\.id.count).max() ?? 10)
        let areaWidth = max(areaHeader.count, 8)
        let severityWidth = max(severityHeader.count, checks.map { severityOf($0).count }.max() ?? 9, 9)
        let profilesWidth = max(profilesHeader.count, 8, checks.map { profilesOf($0).count }.max() ?? 8)
        func row(_ cells: [(String, Int)], _ title: String) -> String {
            cells.map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + title + "\n"
        }
        var text = row([(idHeader, idWidth), (areaHeader, areaWidth), (severityHeader, severityWidth), (profilesHeader, profilesWidth)], strings("list_header_title"))
        for check in checks {
            text += row([(check.id, idWidth), (check.area, areaWidth), (severityOf(check), severityWidth), (profilesOf(check), profilesWidth)], check.title)
        }
        return text + "\n" + strings("list_severity_differs") + "\n"
    }

    /// `virt-doctor facts`: each fact, where it came from and its value, or why it has none.
    public static func facts(_ document: FactsDocument, strings: Strings = .english) -> String {
        var text = ""
        for record in document.facts {
            text += "\(record.name)  (\(record.summary))\n"
            if record.available {
                text += "  \(strings("facts_from")) \(record.sources.joined(separator: ", "))\n"
                text += "  \(strings("facts_value")) \(record.value?.description ?? "null")\n"
            } else {
                text += "  \(strings("facts_unavailable")) \(record.unavailableReason ?? "")\n"
            }
        }
        return text
    }
}
