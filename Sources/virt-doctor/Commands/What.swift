import ArgumentParser
import HostFacts

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
        try Exit.guarding {
            // Detection reads a handful of files: no catalog, no templates, no fact store.
            let report = VirtualizationReport.detect(try machine.hostRoot())
            switch format {
            case .text: Print.text(report.identifiers.map { $0 + "\n" }.joined())
            case .json: try Print.json(report)
            }
            for limitation in report.limitations { Print.note("note: \(limitation)") }
            if !report.problems.isEmpty {
                for problem in report.problems { Print.note(problem) }
                throw ExitCode(1)
            }
        }
    }
}
