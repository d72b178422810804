#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Why an output file was not written, as one sentence for the user.
public struct OutputFileError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The one way virt-doctor writes a file (reports, bundles, the obfuscation map).
///
/// The tool often runs as root and writes files that hold a machine's configuration, so:
/// - the file is private (0600) from its first byte: it is created under a fresh temporary name in the same
///   directory with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, filled, flushed, and only then renamed over the
///   destination, so nobody can open it in between and a crash leaves no half-written file;
/// - only a regular file is ever replaced: a symbolic link, device node, FIFO, socket or directory at the
///   destination is refused with a sentence, because renaming over /dev/null (as root) would replace the
///   device, and writing through a link would write wherever the link points;
/// - a path ending in "/" or inside a directory that does not exist is an error; directories are not created,
///   because a mistyped path run as root should not leave new directories behind.
public enum OutputFile {
    /// Checks that `path` can be written without writing it: for failing before a long collection.
    public static func validate(_ path: String) throws(OutputFileError) {
        _ = try destinationParts(path)
        try refuseNonRegular(path)
    }

    /// Writes `bytes` to `path` as described above.
    public static func write(_ bytes: [UInt8], to path: String) throws(OutputFileError) {
        let (directory, name) = try destinationParts(path)
        try refuseNonRegular(path)
        let (descriptor, temporary) = try createTemporary(in: directory, name: name)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do throws(OutputFileError) {
            try writeAll(descriptor, bytes, path: path)
            guard fsync(descriptor) == 0 || errno == EINVAL || errno == EROFS else {
                throw OutputFileError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw OutputFileError("cannot write \(path): \(String(cString: strerror(errno)))") }
        // Checked again just before the rename: what appeared at the destination meanwhile is not replaced
        // unless it is a regular file.
        try refuseNonRegular(path)
        guard rename(temporary, path) == 0 else {
            throw OutputFileError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        renamed = true
    }

    public static func write(_ text: String, to path: String) throws(OutputFileError) {
        try write(Array(text.utf8), to: path)
    }

    /// The directory (which must exist) and the file name of a destination.
    static func destinationParts(_ path: String) throws(OutputFileError) -> (directory: String, name: String) {
        guard !path.isEmpty else { throw OutputFileError("the output path is empty") }
        guard !path.utf8.contains(0) else { throw OutputFileError("the output path contains a NUL byte") }
        if path.hasSuffix("/") {
            if isDirectory(path) { throw OutputFileError("\(path) is a directory; give a file name") }
            throw OutputFileError("\(path) names a directory that does not exist; create it first or give a file name")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard name != ".", name != ".." else { throw OutputFileError("\(path) is a directory; give a file name") }
        guard isDirectory(directory) else {
            throw OutputFileError("cannot write \(path): the directory \(directory) does not exist")
        }
        return (directory, name)
    }

    /// Whether `path` is a directory (following links: a link to a directory is a place to write into).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Refuses anything at `path` that is not a regular file; lstat, so a link is seen as a link.
    static func refuseNonRegular(_ path: String) throws(OutputFileError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw OutputFileError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFLNK: kind = "a symbolic link"
        case S_IFDIR: kind = "a directory"
        case S_IFCHR, S_IFBLK: kind = "a device node"
        case S_IFIFO: kind = "a FIFO"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        throw OutputFileError("refusing to write \(path): it is \(kind); virt-doctor only creates or replaces regular files")
    }

    static func createTemporary(in directory: String, name: String) throws(OutputFileError) -> (Int32, String) {
        // Short prefix of the name keeps the temporary name under NAME_MAX even for long destinations.
        let stem = String(name.prefix(100))
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let temporary = (directory == "/" ? "" : directory) + "/.\(stem).\(suffix).tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                // The umask can only remove bits; fchmod makes the mode exactly 0600 whatever it is.
                fchmod(descriptor, 0o600)
                return (descriptor, temporary)
            }
            if errno != EEXIST {
                throw OutputFileError("cannot create a file in \(directory): \(String(cString: strerror(errno)))")
            }
        }
        throw OutputFileError("cannot create a file in \(directory): every temporary name was taken")
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(OutputFileError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure != 0 { throw OutputFileError("cannot write \(path): \(String(cString: strerror(failure)))") }
    }
}

/// write(2); the name `write` is taken by OutputFile's own methods inside the enum.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
