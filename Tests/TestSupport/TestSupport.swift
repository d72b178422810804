import Foundation
import HostFacts

/// Where things are, from this file's location: the repository, its fixture roots, and the shared corpus
/// that lives beside the repository (../shared/corpus) on developer machines and in CI.
public enum Paths {
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static let fixtureRoots = repository + "/Tests/Fixtures/roots"

    public static func fixtureRoot(_ name: String) -> String { fixtureRoots + "/" + name }

    /// Extracted sos report roots (Tests/Fixtures/make-sos-roots.py).
    public static let sosFixtures = repository + "/Tests/Fixtures/sos"

    public static func sosFixture(_ name: String) -> String { sosFixtures + "/" + name }

    /// Every sos fixture root by name.
    public static var sosFixtureNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sosFixtures)) ?? []).sorted()
    }

    /// The corpus of real captures. Never copied into the repository: tests read it in place.
    public static let corpus: String = {
        if let override = ProcessInfo.processInfo.environment["VIRT_DOCTOR_CORPUS"] { return override }
        return URL(fileURLWithPath: repository + "/../shared/corpus").standardizedFileURL.path
    }()

    public static var corpusAvailable: Bool {
        FileManager.default.fileExists(atPath: corpus + "/README.md")
    }

    public static let corpusMissingMessage =
        "../shared/corpus is not beside this repository (set VIRT_DOCTOR_CORPUS to its path to run the corpus tests)"

    /// The built virt-doctor executable, next to the test bundle.
    public static var executable: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("virt-doctor").path,
            repository + "/.build/debug/virt-doctor",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }
}

/// A tab-separated EXPECTED.tsv with a header row, as the corpus ships them.
public struct TSV {
    public let header: [String]
    public let rows: [[String: String]]

    public init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let names = lines.first ?? []
        header = names
        rows = lines.dropFirst().map { fields in
            Dictionary(zip(names, fields + Array(repeating: "", count: max(0, names.count - fields.count))), uniquingKeysWith: { first, _ in first })
        }
    }
}

/// A scratch directory root for one test, removed afterwards.
public final class ScratchRoot: @unchecked Sendable {
    public let path: String

    public init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("virt-doctor-test-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func write(_ relative: String, _ text: String) {
        write(relative, bytes: Array(text.utf8))
    }

    public func write(_ relative: String, bytes: [UInt8]) {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! Data(bytes).write(to: url)
    }

    public func link(_ relative: String, to target: String) {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    public var root: HostRoot { try! HostRoot(directory: path) }
}
