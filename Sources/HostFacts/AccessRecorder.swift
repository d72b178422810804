import Foundation

/// What a run touched in a root: the raw evidence a bundle must carry to reproduce it.
public final class AccessRecorder: @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var reads = Set<String>()
    public private(set) var denials = Set<String>()
    public private(set) var listings: [String: [String]] = [:]
    public private(set) var stats: [String: FileStat] = [:]
    public private(set) var links: [String: String] = [:]

    public init() {}

    func read(_ path: String) { lock.withLock { _ = reads.insert(path) } }
    func denied(_ path: String) { lock.withLock { _ = denials.insert(path) } }
    func listed(_ path: String, _ names: [String]) { lock.withLock { listings[path] = names } }
    func stat(_ path: String, _ info: FileStat) { lock.withLock { stats[path] = info } }
    func link(_ path: String, _ target: String) { lock.withLock { links[path] = target } }

    public func snapshot() -> (reads: Set<String>, denials: Set<String>, listings: [String: [String]], stats: [String: FileStat], links: [String: String]) {
        lock.withLock { (reads, denials, listings, stats, links) }
    }
}
