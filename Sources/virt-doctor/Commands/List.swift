import ArgumentParser
import Reporting

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the check catalog: id, area, severity, title.")

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var languageOptions: LanguageOptions

    func run() throws {
        try Exit.guarding {
            let catalog = try catalogOptions.catalog().localized(languageOptions.language)
            Print.text(Listings.catalog(catalog.checks, strings: languageOptions.strings))
        }
    }
}
