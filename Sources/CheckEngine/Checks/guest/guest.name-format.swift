import DoctorCore
import HostFacts

/// guest.name-format: guest names with blanks, quotes or other punctuation that scripts and the old tools
/// mishandle.
enum GuestNameFormat: CheckEvaluator {
    static let id = "guest.name-format"

    enum Condition: String, CaseIterable {
        case noGuests = "no-guests"
        case plain
        case awkward
    }

    /// Letters, digits, '-', '_' and '.' (host-name style); anything else is flagged.
    static func isPlain(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
                && !scalar.properties.isWhitespace
        }
    }

    /// A name as it can be shown: quoted, with control characters escaped.
    static func shown(_ name: String) -> String {
        "'" + name.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "'"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let inventory = try context.fact(Facts.guestDefinitions).value
        var names = inventory.guests.map(\.name)
        var evidence = GuestDefinitionSupport.unreadableEvidence(inventory)
        if let snapshot = context.optionalFact(Facts.libvirt)?.value {
            names += snapshot.domains.map(\.name).filter { !names.contains($0) }
            evidence.append(Evidence(source: "libvirt \(snapshot.uri)", value: "\(snapshot.domains.count) domains"))
        }
        guard !names.isEmpty else { return .pass(.noGuests, evidence: evidence) }
        let awkward = names.filter { !isPlain($0) }
        evidence.append(Evidence(source: "guest names", value: names.map(shown).joined(separator: ", ")))
        guard !awkward.isEmpty else { return .pass(.plain, ["count": String(names.count)], evidence: evidence) }
        var variables = listVariables("guests", awkward.map(shown))
        variables["guest"] = awkward[0]
        return .warn(.awkward, variables, evidence: evidence)
    }
}
