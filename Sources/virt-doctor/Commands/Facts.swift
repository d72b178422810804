import ArgumentParser
import DoctorCore
import HostFacts
import Reporting

struct Facts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every fact the checks use, with where it came from.")

    @OptionGroup var machine: MachineOptions

    enum Format: String, ExpressibleByArgument { case text, json }

    @Option(help: "Output format.")
    var format: Format = .text

    @Argument(help: "Only these facts (names as listed).")
    var names: [String] = []

    func run() throws {
        try Exit.guarding {
            let store = try machine.diagnosisOptions().factStore()
            let facts = try names.isEmpty ? HostFacts.Facts.all : names.map { name in
                guard let fact = HostFacts.Facts.named(name) else {
                    throw ValidationError("unknown fact '\(name)'; run `virt-doctor facts` for the list")
                }
                return fact
            }
            let document = FactsDocument(root: store.root.label, facts: facts.map { $0.record(store) })
            switch format {
            case .json: try Print.json(document)
            case .text: Print.text(Listings.facts(document))
            }
        }
    }
}
