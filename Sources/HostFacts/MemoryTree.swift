#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DoctorCore
import Foundation

/// A file tree held in memory: what an archive's members describe (directories, regular files, symbolic
/// links), judged without writing anything to disk. Links resolve inside the tree only: an absolute target
/// means the tree's top and ".." stops there, so no member, however linked, can name a host file.
public final class MemoryTree: Sendable {
    public enum Content: Sendable, Equatable {
        case directory
        case file([UInt8])
        case symlink(String)
    }

    struct Node: Sendable {
        var content: Content
        var mode: UInt32
        var children: [String: Int] = [:]
    }

    /// Index 0 is the top directory.
    let nodes: [Node]

    init(nodes: [Node]) { self.nodes = nodes }

    /// Why members cannot form a tree: the same path twice, a path below a file, or below a link (placing a
    /// member through a link is exactly how extraction attacks escape, so it is refused, never followed).
    public struct Conflict: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    public struct Builder {
        var nodes = [Node(content: .directory, mode: 0o755)]

        public init() {}

        /// Adds one member at a relative path ("etc/hostname"); missing parent directories are implied.
        public mutating func add(_ path: String, _ content: Content, mode: UInt32) throws(Conflict) {
            let parts = path.split(separator: "/").map(String.init)
            guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else {
                throw Conflict(description: "\(path): not a plain relative path")
            }
            var current = 0
            for (depth, part) in parts.dropLast().enumerated() {
                if let next = nodes[current].children[part] {
                    let above = parts[...depth].joined(separator: "/")
                    switch nodes[next].content {
                    case .directory: current = next
                    case .file: throw Conflict(description: "\(path) lies below \(above), which is a file")
                    case .symlink:
                        throw Conflict(description: "\(path) lies below \(above), which is a symbolic link (members are never placed through links)")
                    }
                } else {
                    nodes.append(Node(content: .directory, mode: 0o755))
                    nodes[current].children[part] = nodes.count - 1
                    current = nodes.count - 1
                }
            }
            let name = parts[parts.count - 1]
            if let existing = nodes[current].children[name] {
                if case .directory = nodes[existing].content, case .directory = content {
                    nodes[existing].mode = mode  // an explicit entry for a directory already implied
                    return
                }
                let kinds = [Self.kindName(nodes[existing].content), Self.kindName(content)]
                throw Conflict(description: kinds[0] == kinds[1]
                    ? "\(path) appears twice in the archive"
                    : "\(path) is both a \(kinds[0]) and a \(kinds[1]) in the archive")
            }
            nodes.append(Node(content: content, mode: mode))
            nodes[current].children[name] = nodes.count - 1
        }

        static func kindName(_ content: Content) -> String {
            switch content {
            case .directory: "directory"
            case .file: "file"
            case .symlink: "symbolic link"
            }
        }

        public func build() -> MemoryTree { MemoryTree(nodes: nodes) }
    }

    /// Most links a lookup follows, as Linux's ELOOP limit.
    static let maximumLinkHops = 40

    /// The node a path names and its canonical path (names from the top), following links inside the tree;
    /// the last component's link is followed only when `followLast`.
    func lookup(_ path: String, followLast: Bool = true) throws(FactError) -> (node: Int, names: [String]) {
        var stack = [0]
        var names: [String] = []
        var pending = path.split(separator: "/", omittingEmptySubsequences: true)[...]
        var hops = 0
        while let component = pending.popFirst() {
            if component == "." { continue }
            if component == ".." {
                if stack.count > 1 { stack.removeLast(); names.removeLast() }
                continue
            }
            guard case .directory = nodes[stack[stack.count - 1]].content,
                  let child = nodes[stack[stack.count - 1]].children[String(component)] else { throw .absent(path) }
            if case .symlink(let target) = nodes[child].content, followLast || !pending.isEmpty {
                hops += 1
                if hops > Self.maximumLinkHops { throw .io(source: path, detail: "too many levels of symbolic links") }
                if target.hasPrefix("/") { stack = [0]; names = [] }
                pending = (target.split(separator: "/", omittingEmptySubsequences: true) + pending)[...]
                continue
            }
            stack.append(child)
            names.append(String(component))
        }
        return (stack[stack.count - 1], names)
    }

    /// The same nodes with `node` as the top: a sos archive keeps everything under one folder named after
    /// the host, and the tree is judged from there. Links that climbed above it now stop at the new top.
    func rooted(at node: Int) -> MemoryTree {
        guard node != 0, nodes.indices.contains(node) else { return self }
        func swapped(_ index: Int) -> Int { index == 0 ? node : (index == node ? 0 : index) }
        var copy = nodes
        copy.swapAt(0, node)
        for index in copy.indices {
            copy[index].children = copy[index].children.mapValues(swapped)
        }
        return MemoryTree(nodes: copy)
    }
}
