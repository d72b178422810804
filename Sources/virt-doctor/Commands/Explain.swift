import ArgumentParser
import CheckEngine
import Reporting

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a check (why it matters, how it is detected, how to fix it), or a pasted error message.")

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Argument(help: "A check id (cpu.virt-flags), or an error message in quotes.")
    var subject: String

    func run() throws {
        try Exit.guarding {
            let catalog = try catalogOptions.catalog().localized(languageOptions.language)
            let renderer = Renderer(strings: languageOptions.strings)
            let target = OutputTarget(path: nil)
            if let check = catalog.check(id: subject) {
                try target.write(try renderer.explain(check, origin: catalog.origins[check.id], color: target.wantsColor))
                return
            }
            let known = catalog.knownMessages(in: subject)
            guard !known.isEmpty else {
                let close = catalog.checks.map(\.id).filter { $0.hasPrefix(subject.split(separator: ".").first.map(String.init) ?? subject) }
                throw ValidationError("'\(subject)' is neither a check id nor a known error message"
                                      + (close.isEmpty ? "; see `virt-doctor list`" : "; did you mean \(close.joined(separator: ", "))?"))
            }
            let strings = languageOptions.strings
            var text = ""
            for message in known {
                text += strings("explain_known_message", ["fragment": message.text]) + "\n"
                text += strings("explain_cause", ["cause": message.cause]) + "\n"
                text += strings("explain_checks", ["checks": message.checks.joined(separator: ", ")]) + "\n\n"
                for id in message.checks {
                    if let check = catalog.check(id: id) { text += try renderer.explain(check, origin: catalog.origins[id], color: target.wantsColor) + "\n" }
                }
            }
            try target.write(text)
        }
    }
}
