import ArgumentParser
import CheckEngine

struct CertificateOptions: ParsableArguments {
    @Option(name: .customLong("cert"), help: ArgumentHelp("Also inventory this certificate file or directory (a path inside the inspected root; repeatable).", valueName: "path"))
    var cert: [String] = []

    @Option(name: .customLong("cert-warn-days"), help: ArgumentHelp("Certificates expiring within this many days are in their renewal window (0 to \(OptionLimits.maximumWarningDays)).", valueName: "days"))
    var certWarnDays: Int = DiagnosisOptions.defaultCertificateWarningDays

    func validate() throws {
        guard (0...OptionLimits.maximumWarningDays).contains(certWarnDays) else {
            throw ValidationError("--cert-warn-days must be between 0 and \(OptionLimits.maximumWarningDays) (100 years)")
        }
    }
}
