import ArgumentParser
import DoctorCore
import Foundation

/// The tool could not do its job: exit status 1 with a one-line reason.
struct ToolFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The one mapping from what went wrong to an exit status, shared by every subcommand:
/// usage errors (ValidationError) are argument-parser's 64 with the subcommand's usage, a deliberate
/// ExitCode passes through, and anything else is one sentence on standard error and status 1 —
/// never a raw Foundation error or a stack trace.
enum Exit {
    static func guarding(_ context: String? = nil, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            let sentence = "\(error)"
            FileHandle.standardError.write(Data("virt-doctor: \(context.map { "\($0): " } ?? "")\(sentence)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// When a report makes the command exit 2: the same rule for `check` and `analyze`.
enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case fail, warn, never

    func exitCode(for report: Report) -> ExitCode? {
        let failed = report.findings.contains { $0.status == .fail }
        let warned = report.findings.contains { $0.status == .warn }
        switch self {
        case .fail: return failed ? ExitCode(2) : nil
        case .warn: return failed || warned ? ExitCode(2) : nil
        case .never: return nil
        }
    }
}

/// Standard output, with the one JSON style of the tool.
enum Print {
    static func text(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func json<T: Encodable>(_ value: T) throws {
        text(try JSONFormat.text(value))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data("virt-doctor: \(text)\n".utf8))
    }
}
