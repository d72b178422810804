import ArgumentParser
import Bundles

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two bundles (or report.json files): which findings changed status, which facts changed.")

    @Argument(help: "The earlier bundle or report.json.")
    var old: String

    @Argument(help: "The later bundle or report.json.")
    var new: String

    enum Format: String, ExpressibleByArgument { case text, json }

    @Option(help: "Output format.")
    var format: Format = .text

    func run() throws {
        try Exit.guarding("diff") {
            let difference = try Differ.compare(old: old, new: new)
            switch format {
            case .text: Print.text(difference.text())
            case .json: try Print.json(difference)
            }
        }
    }
}
