import ArgumentParser
import Bundles
import CheckEngine
import DoctorCore
import Foundation
import HostFacts
import Localization
import Reporting

// The command line only parses, calls the libraries, prints and picks the exit code.
// Exit codes follow OpenSCAP's scanner: 0 nothing failed, 2 a check failed (or warned, with
// --fail-on warn), 1 the tool itself could not do its job; usage errors are argument-parser's (64).

@main
struct VirtDoctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "virt-doctor",
        abstract: "Find out why virtualization does not work on a Linux machine, and how to fix it.",
        version: Report.Tool.current.version,
        subcommands: [Check.self, What.self, Certs.self, Collect.self, Analyze.self, Diff.self, Facts.self, List.self, Explain.self],
        defaultSubcommand: Check.self)
}

/// Options shared by every command that reads a machine.
struct MachineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Inspect a directory laid out like / (a mounted disk, an unpacked bundle, a fixture).", valueName: "dir"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("libvirt URI to ask, read-only (default: what virsh uses, qemu:///system as root).", valueName: "uri"))
    var connect: String?

    @Option(name: .customLong("libvirt-timeout"), help: ArgumentHelp("Seconds libvirt may take to answer before it is reported as hung (more than 0, at most \(OptionLimits.maximumSeconds)).", valueName: "seconds"))
    var libvirtTimeout: Double = 10

    func validate() throws {
        try OptionLimits.checkSeconds(libvirtTimeout, option: "--libvirt-timeout")
    }

    func hostRoot() throws -> HostRoot {
        guard let root else { return .live }
        do {
            return try HostRoot(directory: root)
        } catch {
            throw ToolFailure("cannot use --root \(root): \(error)")
        }
    }
}

/// The language of the report's words: --lang, else the locale (LC_ALL, LC_MESSAGES, LANG) when this build
/// ships it, else English. Commands, paths and quoted software messages stay as they are in every language.
struct LanguageOptions: ParsableArguments {
    @Option(name: .customLong("lang"), help: ArgumentHelp("Language of the report: \(Strings.available.joined(separator: ", ")) (default: from LANG, else en).", valueName: "code"))
    var lang: String?

    func validate() throws {
        if let lang, !Strings.available.contains(lang) {
            throw ValidationError("--lang \(lang): no translation; available: \(Strings.available.joined(separator: ", "))")
        }
    }

    var language: String {
        lang ?? Strings.language(fromEnvironment: ProcessInfo.processInfo.environment) ?? Strings.defaultLanguage
    }

    var strings: Strings { (try? Strings.load(language)) ?? .english }
}

struct CatalogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Add or override checks with the YAML files in this directory.", valueName: "dir"))
    var checksDir: String?

    func catalog() throws -> Catalog {
        var catalog: Catalog
        do {
            catalog = try Catalog.builtIn()
        } catch {
            throw ToolFailure("the built-in check catalog is broken: \(error)")
        }
        if let checksDir {
            do {
                try catalog.merge(directory: checksDir)
            } catch {
                throw ToolFailure("--checks-dir: \(error)")
            }
        }
        return catalog
    }
}

struct CertificateOptions: ParsableArguments {
    @Option(name: .customLong("cert"), help: ArgumentHelp("Also inventory this certificate file or directory (a path inside the inspected root; repeatable).", valueName: "path"))
    var cert: [String] = []

    @Option(name: .customLong("cert-warn-days"), help: ArgumentHelp("Certificates expiring within this many days are in their renewal window (0 to \(OptionLimits.maximumWarningDays)).", valueName: "days"))
    var certWarnDays: Int = 60

    func validate() throws {
        guard (0...OptionLimits.maximumWarningDays).contains(certWarnDays) else {
            throw ValidationError("--cert-warn-days must be between 0 and \(OptionLimits.maximumWarningDays) (100 years)")
        }
    }
}

enum ProfileChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, host, guest
    case ovirtNode = "ovirt-node"
    case ovirtEngine = "ovirt-engine"

    var profile: Profile? { self == .auto ? nil : Profile(rawValue: rawValue) }
}

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case fail, warn, never
}

extension ReportFormat: ExpressibleByArgument {}

/// The tool could not do its job: exit status 1 with a one-line reason.
struct ToolFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func exitForToolFailure(_ error: Error) -> Never {
    FileHandle.standardError.write(Data("virt-doctor: \(error)\n".utf8))
    Foundation.exit(1)
}

/// Writes to --output or standard output; colour only for a terminal without NO_COLOR.
struct OutputTarget {
    var path: String?

    var wantsColor: Bool {
        path == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    func write(_ text: String) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        // One writer for every file the tool produces: private from the start, never through a link,
        // never over a device or FIFO (see OutputFile).
        do {
            try OutputFile.write(text, to: path)
        } catch {
            throw ToolFailure(error.description)
        }
    }
}

func parseInstant(_ text: String) throws -> Date {
    let strategies: [Date.ISO8601FormatStyle] = [
        .iso8601,
        Date.ISO8601FormatStyle(includingFractionalSeconds: true),
        Date.ISO8601FormatStyle().year().month().day(),
    ]
    for strategy in strategies {
        if let date = try? Date(text, strategy: strategy) { return date }
    }
    throw ValidationError("--now expects an RFC 3339 instant such as 2026-11-23T00:00:00Z, or a date such as 2027-03-01")
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the machine and print a scored report with remediation steps.")

    @OptionGroup var machine: MachineOptions
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Who the report is for; auto picks from what the machine is.")
    var profile: ProfileChoice = .auto

    @Option(help: ArgumentHelp("Evaluate as of this instant (RFC 3339), e.g. to see what will have expired by then.", valueName: "instant"))
    var now: String?

    @Option(parsing: .singleValue, help: ArgumentHelp("Run only these checks or areas (comma-separated, repeatable): cpu,net.ip-forward", valueName: "ids"))
    var only: [String] = []

    @Option(parsing: .singleValue, help: ArgumentHelp("Leave out these checks or areas (comma-separated, repeatable).", valueName: "ids"))
    var skip: [String] = []

    @Option(name: .customLong("fail-on"), help: "Exit with status 2 when a check fails (fail), fails or warns (warn), or never.")
    var failOn: FailOn = .fail

    @Option(help: ArgumentHelp("Seconds one check may take before it is reported as an error (more than 0, at most \(OptionLimits.maximumSeconds)).", valueName: "seconds"))
    var timeout: Double = 20

    @OptionGroup var certificateOptions: CertificateOptions

    @Flag(help: "Never colour the text report.")
    var noColor = false

    func validate() throws {
        try OptionLimits.checkSeconds(timeout, option: "--timeout")
        try certificateOptions.validate()
        if let now { _ = try parseInstant(now) }
    }

    func run() throws {
        do {
            let catalog = try catalogOptions.catalog()
            let selectors = (only + skip).flatMap { $0.split(separator: ",") }.map { String($0).trimmingCharacters(in: .whitespaces) }
            for selector in selectors where !catalog.checks.contains(where: { $0.id == selector || $0.area == selector || $0.id.hasPrefix(selector + ".") }) {
                throw ValidationError("'\(selector)' names no check or area; see `virt-doctor list`")
            }
            let options = DiagnosisOptions(
                root: try machine.hostRoot(), profile: profile.profile, now: try now.map(parseInstant),
                only: split(only), skip: split(skip), checkTimeout: timeout,
                certificateWarningDays: certificateOptions.certWarnDays, extraCertificatePaths: certificateOptions.cert,
                libvirtURI: machine.connect, libvirtTimeout: machine.libvirtTimeout, language: languageOptions.language)
            let report = try Diagnosis.run(options, catalog: catalog).report
            let target = OutputTarget(path: output)
            try target.write(try Renderer().render(report, format: format, color: target.wantsColor && !noColor))
            let failed = report.findings.contains { $0.status == .fail }
            let warned = report.findings.contains { $0.status == .warn }
            if failOn == .fail && failed || failOn == .warn && (failed || warned) {
                throw ExitCode(2)
            }
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        } catch let error as Renderer.TemplateError {
            exitForToolFailure(error)
        }
    }

    func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

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
        do {
            let store = DiagnosisOptions(root: try machine.hostRoot(), libvirtURI: machine.connect, libvirtTimeout: machine.libvirtTimeout).factStore()
            var facts = HostFacts.Facts.all
            if !names.isEmpty {
                facts = try names.map { name in
                    guard let fact = HostFacts.Facts.named(name) else {
                        throw ValidationError("unknown fact '\(name)'; run `virt-doctor facts` for the list")
                    }
                    return fact
                }
            }
            let records = facts.map { $0.record(store) }
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let document = FactsDocument(root: store.root.label, facts: records)
                FileHandle.standardOutput.write(try encoder.encode(document) + Data("\n".utf8))
            case .text:
                var text = ""
                for record in records {
                    text += "\(record.name)  (\(record.summary))\n"
                    if record.available {
                        text += "  from: \(record.sources.joined(separator: ", "))\n"
                        text += "  value: \(record.value?.description ?? "null")\n"
                    } else {
                        text += "  unavailable: \(record.unavailableReason ?? "")\n"
                    }
                }
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        }
    }

    struct FactsDocument: Encodable {
        var schemaVersion = 1
        var root: String
        var facts: [FactRecord]
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the check catalog: id, area, severity, title.")

    @OptionGroup var catalogOptions: CatalogOptions

    func run() throws {
        do {
            let catalog = try catalogOptions.catalog()
            let width = catalog.checks.map(\.id.count).max() ?? 10
            let profilesWidth = max(8, catalog.checks.map { $0.profiles.map(\.rawValue).joined(separator: ",").count }.max() ?? 8)
            var text = "ID".padding(toLength: width, withPad: " ", startingAt: 0) + "  AREA      SEVERITY   "
                + "PROFILES".padding(toLength: profilesWidth, withPad: " ", startingAt: 0) + "  TITLE\n"
            for check in catalog.checks {
                let severity = check.severity.overrides.isEmpty ? check.severity.defaultSeverity.rawValue : check.severity.defaultSeverity.rawValue + "*"
                text += check.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + check.area.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                    + severity.padding(toLength: 9, withPad: " ", startingAt: 0) + "  "
                    + check.profiles.map(\.rawValue).joined(separator: ",").padding(toLength: profilesWidth, withPad: " ", startingAt: 0) + "  "
                    + check.title + "\n"
            }
            text += "\n* severity differs by profile (virt-doctor explain ID shows how)\n"
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a check (why it matters, how it is detected, how to fix it), or a pasted error message.")

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Argument(help: "A check id (cpu.virt-flags), or an error message in quotes.")
    var subject: String

    func run() throws {
        do {
            let catalog = try catalogOptions.catalog().localized(languageOptions.language)
            let renderer = Renderer(strings: languageOptions.strings)
            let target = OutputTarget(path: nil)
            if let check = catalog.check(id: subject) {
                try target.write(try renderer.explain(check, origin: catalog.origins[check.id], color: target.wantsColor))
                return
            }
            let known = KnownMessages.matches(in: subject)
            guard !known.isEmpty else {
                let close = catalog.checks.map(\.id).filter { $0.hasPrefix(subject.split(separator: ".").first.map(String.init) ?? subject) }
                throw ValidationError("'\(subject)' is neither a check id nor a known error message"
                                      + (close.isEmpty ? "; see `virt-doctor list`" : "; did you mean \(close.joined(separator: ", "))?"))
            }
            var text = ""
            for message in known {
                text += "Known message: \"\(message.fragment)\"\nCause: \(message.cause)\nChecks: \(message.checks.joined(separator: ", "))\n\n"
                for id in message.checks {
                    if let check = catalog.check(id: id) { text += try renderer.explain(check, origin: catalog.origins[id], color: target.wantsColor) + "\n" }
                }
            }
            try target.write(text)
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        }
    }
}

struct What: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say what this system runs on: virt-what's output, or with --format json the full answer.",
        discussion: """
            Text output is line for line what virt-what prints (nothing on bare metal), so scripts can switch.
            JSON adds whether this is a virtual machine and/or a container, the hypervisor vendor and
            virtualization type as lscpu names them, and the evidence for each conclusion.
            Exit status 1 when evidence was present but unusable (garbage in cpuid.txt, binary dmidecode
            output): the answer is then not trustworthy.
            """)

    @OptionGroup var machine: MachineOptions

    enum Format: String, ExpressibleByArgument { case text, json }

    @Option(help: "Output format.")
    var format: Format = .text

    func run() throws {
        do {
            let report = VirtualizationReport.detect(try machine.hostRoot())
            switch format {
            case .text:
                FileHandle.standardOutput.write(Data(report.identifiers.map { $0 + "\n" }.joined().utf8))
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
            }
            for limitation in report.limitations {
                FileHandle.standardError.write(Data("virt-doctor: note: \(limitation)\n".utf8))
            }
            if !report.problems.isEmpty {
                for problem in report.problems {
                    FileHandle.standardError.write(Data("virt-doctor: \(problem)\n".utf8))
                }
                throw ExitCode(1)
            }
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        }
    }
}

struct Certs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inventory every certificate found: subject, issuer, serial, SANs, key, validity, days left, state.",
        discussion: """
            Looks where oVirt/HOSTVM, libvirt, QEMU, Xen and the engine keep certificates, where qemu.conf,
            libvirtd.conf and vdsm.conf say they are, and in every --cert path. Private keys are read only to
            compare them with their certificates; no key material is printed. --format prometheus writes the
            node_exporter textfile-collector format for fleet alerting.
            """)

    @OptionGroup var machine: MachineOptions
    @OptionGroup var certificateOptions: CertificateOptions

    enum Format: String, ExpressibleByArgument { case text, json, prometheus }

    @Option(help: "Output format.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Evaluate as of this instant (RFC 3339).", valueName: "instant"))
    var now: String?

    func validate() throws {
        if let now { _ = try parseInstant(now) }
        try certificateOptions.validate()
    }

    func run() throws {
        do {
            let store = DiagnosisOptions(root: try machine.hostRoot(), extraCertificatePaths: certificateOptions.cert,
                                         libvirtURI: machine.connect, libvirtTimeout: machine.libvirtTimeout).factStore()
            let instant = try now.map(parseInstant) ?? Date()
            let listing = CertificateListing.make(store, now: instant, warningDays: certificateOptions.certWarnDays)
            let text: String
            switch format {
            case .text: text = listing.text()
            case .json: text = try listing.json()
            case .prometheus: text = listing.prometheus()
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        }
    }
}

/// Ranges of the numeric options. Numbers from the command line are checked before use: Swift stops the
/// process on an overflowing product or conversion, and a NaN or endless timeout would wait forever on a
/// hung daemon.
enum OptionLimits {
    /// --timeout and --libvirt-timeout: one hour is far beyond any answer worth waiting for.
    static let maximumSeconds = 3600
    /// --cert-warn-days: 100 years.
    static let maximumWarningDays = 36_500
    /// --since: ten years of logs.
    static let maximumSince: TimeInterval = 10 * 365 * 86_400
    /// --max-size: 64G; the bundle is assembled in memory.
    static let maximumSize = 64 << 30

    static func checkSeconds(_ value: Double, option: String) throws {
        guard value.isFinite, value > 0, value <= Double(maximumSeconds) else {
            throw ValidationError("\(option) must be a number of seconds more than 0 and at most \(maximumSeconds)")
        }
    }
}

/// Parses 48h, 7d, 30m, 3600 (seconds): a finite, non-negative duration of at most ten years, else nil.
func parseDuration(_ text: String) -> TimeInterval? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    var number = Substring(text)
    var unit = 1.0
    if let last = text.last, let scale = units[last] {
        number = number.dropLast()
        unit = scale
    }
    // Double() also reads "nan", "inf" and hexadecimal forms; only plain decimals are durations.
    guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number) else { return nil }
    let seconds = value * unit
    guard seconds.isFinite, seconds >= 0, seconds <= OptionLimits.maximumSince else { return nil }
    return seconds
}

/// Parses 200M, 1G, 512K, or bytes: at least 1 byte and at most 64G, else nil.
func parseSize(_ text: String) -> Int? {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    var number = Substring(text)
    var unit = 1
    if let last = text.uppercased().last, let scale = units[last] {
        number = number.dropLast()
        unit = scale
    }
    guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(number),
          let bytes = CheckedNumbers.product(value, unit), (1...OptionLimits.maximumSize).contains(bytes) else { return nil }
    return bytes
}

struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collect this machine's evidence, facts and report into one archive for offline analysis.",
        discussion: """
            Writes virt-doctor-<host>-<UTC time>.tar.gz (mode 0600): manifest.json, facts.json, report.json,
            report.html, and the raw evidence laid out like the root, so the archive works as --root and with
            `virt-doctor analyze`. Private keys are never collected; passwords are masked; --obfuscate also
            replaces host names and IP addresses (the map is written beside the archive, not into it).
            """)

    @OptionGroup var machine: MachineOptions

    @Option(help: ArgumentHelp("Directory for the archive, or its file name.", valueName: "dir|file"))
    var output: String?

    @Option(help: ArgumentHelp("Only logs changed in this period (48h, 7d; at most 10 years).", valueName: "duration"))
    var since: String?

    @Option(name: .customLong("max-size"), help: ArgumentHelp("Stop adding files beyond this size (200M; 1 byte to 64G).", valueName: "size"))
    var maxSize: String = "200M"

    @Flag(help: "Replace host names and IP addresses with placeholders.")
    var obfuscate = false

    @Option(help: "Also print the report in this format (it is in the bundle as report.json and report.html either way).")
    var format: ReportFormat?

    @Option(help: "Who the report is for; auto picks from what the machine is.")
    var profile: ProfileChoice = .auto

    @Option(help: ArgumentHelp("Evaluate as of this instant (RFC 3339).", valueName: "instant"))
    var now: String?

    @Sendable static func progressLine(_ step: String, _ elapsed: Double, _ bytes: Int) {
        let line = "\r\u{1B}[Kcollecting: \(step)  \(String(format: "%.1f", elapsed)) s  \(bytes / 1024) KiB" + (step == "done" ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }

    func validate() throws {
        if let since, parseDuration(since) == nil {
            throw ValidationError("--since expects a duration such as 48h or 7d (a plain number with s, m, h, d or w, at most 10 years)")
        }
        if parseSize(maxSize) == nil { throw ValidationError("--max-size expects a size such as 200M (digits with K, M or G, from 1 byte to 64G)") }
        if let now { _ = try parseInstant(now) }
    }

    func run() throws {
        do {
            // A progress line only on a terminal; quiet when piped or in CI logs.
            let progress: (@Sendable (String, Double, Int) -> Void)? = isatty(STDERR_FILENO) == 1 ? Collect.progressLine : nil
            let root = try machine.hostRoot()
            let instant = try now.map(parseInstant)
            let limit = parseSize(maxSize) ?? (200 << 20)
            var options = CollectOptions(
                root: root, output: output, since: since.flatMap(parseDuration), maximumBytes: limit,
                obfuscate: obfuscate, profile: profile.profile, now: instant, libvirtURI: machine.connect,
                commandLine: CommandLine.arguments, progress: progress)
            options.libvirtTimeout = machine.libvirtTimeout
            let result = try Bundles.Collector.collect(options)
            var text = "\(result.archivePath)  (\(result.archiveBytes / 1024) KiB, \(result.manifest.files.count) files)\n"
            if let map = result.obfuscationMapPath { text += "obfuscation map (keep it, do not send it): \(map)\n" }
            let failed = result.manifest.collectors.filter { $0.status != "ok" }
            for collector in failed { text += "note: collector \(collector.name) \(collector.status): \(collector.note ?? "")\n" }
            if let format {
                // Judge the archive just written, with the built-in catalog the collector used, so what is
                // printed is exactly what `virt-doctor analyze` on the bundle will say later.
                do {
                    let analysis = try Analyzer.analyze(
                        bundle: result.archivePath, catalog: try Catalog.builtIn(), profile: profile.profile, now: instant)
                    text += try Renderer().render(analysis.report, format: format, color: false)
                } catch {
                    text += "note: the bundle was written, but its report could not be printed: \(error)\n"
                }
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        } catch let error as ArchiveError {
            exitForToolFailure(error)
        } catch let error as OutputFileError {
            exitForToolFailure(error)
        }
    }
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge a collected bundle offline: the same report as on the host, plus known errors in its logs.")

    @OptionGroup var catalogOptions: CatalogOptions

    @Argument(help: "A bundle written by virt-doctor collect.")
    var bundle: String

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Judge with another profile than the one recorded.")
    var profile: ProfileChoice = .auto

    @Option(help: ArgumentHelp("Evaluate as of another instant than the collection's (RFC 3339).", valueName: "instant"))
    var now: String?

    func validate() throws {
        if let now { _ = try parseInstant(now) }
    }

    func run() throws {
        do {
            let analysis = try Analyzer.analyze(bundle: bundle, catalog: try catalogOptions.catalog(), profile: profile.profile,
                                                now: try now.map(parseInstant))
            let target = OutputTarget(path: output)
            try target.write(try analysis.rendered(format: format, color: target.wantsColor))
            if analysis.report.findings.contains(where: { $0.status == .fail }) { throw ExitCode(2) }
        } catch let error as ExitCode {
            throw error
        } catch let error as ToolFailure {
            exitForToolFailure(error)
        } catch {
            // Whatever went wrong (a hostile archive, an unwritable --output), one sentence and exit code 1.
            exitForToolFailure(ToolFailure("cannot analyze \(bundle): \(error)"))
        }
    }
}

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
        do {
            let difference = try Differ.compare(old: old, new: new)
            switch format {
            case .text: FileHandle.standardOutput.write(Data(difference.text().utf8))
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(difference) + Data("\n".utf8))
            }
        } catch {
            exitForToolFailure(ToolFailure("diff: \(error)"))
        }
    }
}
