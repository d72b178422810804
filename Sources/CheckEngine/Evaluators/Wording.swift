/// Summaries name the guests or disks they are about; one name and several read differently
/// ("guest web01 uses", "guests web01, db01 use"), and a report read at 3 a.m. should read right.
struct NamedList {
    let names: [String]
    let singular: String
    let plural: String

    init(_ singular: String, _ plural: String, _ names: [String]) {
        self.singular = singular
        self.plural = plural
        self.names = names
    }

    var isSingle: Bool { names.count == 1 }
    /// "guest web01" or "guests web01, db01".
    var phrase: String { (isSingle ? singular : plural) + " " + names.joined(separator: ", ") }
    /// The present-tense verb agreeing with the list: verb("uses", "use").
    func verb(_ single: String, _ many: String) -> String { isSingle ? single : many }
}

extension String {
    /// "guests web01" -> "Guests web01", for a phrase that opens a sentence.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
