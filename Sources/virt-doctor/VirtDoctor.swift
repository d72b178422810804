import ArgumentParser
import DoctorCore

// The command line only parses, calls the libraries, prints and picks the exit code: one file per
// subcommand under Commands/, option groups shared by them under Options/, and one exit policy (Exit.swift).
// Exit codes follow OpenSCAP's scanner: 0 nothing failed, 2 a check failed (or warned, with --fail-on warn),
// 1 the tool itself could not do its job; usage errors are argument-parser's (64).

@main
struct VirtDoctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "virt-doctor",
        abstract: "Find out why virtualization does not work on a Linux machine, and how to fix it.",
        version: Report.Tool.current.version,
        subcommands: [Check.self, What.self, Certs.self, Collect.self, Analyze.self, Diff.self, Migrate.self, Fleet.self, Facts.self, List.self, Explain.self],
        defaultSubcommand: Check.self)
}
