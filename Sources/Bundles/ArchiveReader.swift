import CZlib
import Foundation
import HostFacts
#if canImport(Glibc)
import Glibc
#endif

/// Reading archives: streaming decompression, tar headers checked field by field, the members as an in-memory
/// tree.
extension Archive {
    // MARK: Reading

    /// Reads an archive from disk, streaming: the compressed file is never held whole either. Any format
    /// (tar, gzip, xz, bzip2) is accepted, told by its first bytes.
    ///
    /// `keep` chooses members by their path (relative and normalized, as ArchiveMember.path; directories and
    /// links are asked too): a member it refuses is streamed past, its bytes never held, and counts against
    /// `limits.maximumStreamedBytes` and `maximumSkippedMembers` instead of the limits on what is kept. Its
    /// header is still checked and its path must still be safe; its type (a hard link, a device) does not
    /// matter, since nothing is made of it. A kept link may point at a member that was passed over.
    public static func read(file path: String, limits: Limits = .standard, keep: ((String) -> Bool)? = nil) throws -> [ArchiveMember] {
        // O_NONBLOCK: opening a FIFO planted under a bundle's name must not hang; regular files ignore it.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw ArchiveError("the file cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw ArchiveError("the file cannot be read (\(String(cString: strerror(errno))))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ArchiveError("it is not a regular file") }
        return try read(expected: nil, limits: limits, keep: keep) { buffer in
            while true {
                let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                if count >= 0 { return count }
                if errno == EINTR { continue }
                throw ArchiveError("the file cannot be read (\(String(cString: strerror(errno))))")
            }
        }
    }

    /// An archive in memory, of any format; `keep` as for read(file:).
    public static func read(bytes: [UInt8], limits: Limits = .standard, keep: ((String) -> Bool)? = nil) throws -> [ArchiveMember] {
        try read(expected: nil, limits: limits, keep: keep, fill: source(bytes))
    }

    /// A bundle in memory: gzip only, as collect writes it.
    public static func read(tarGz: [UInt8], limits: Limits = .standard) throws -> [ArchiveMember] {
        try read(expected: .gzip, limits: limits, keep: nil, fill: source(tarGz))
    }

    static func source(_ bytes: [UInt8]) -> (UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        var offset = 0
        return { buffer in
            let count = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBufferPointer { source in
                if count > 0 { buffer.baseAddress!.update(from: source.baseAddress! + offset, count: count) }
            }
            offset += count
            return count
        }
    }

    /// The tar reader proper, over any source of archive bytes (`fill` returns 0 at the end).
    static func read(expected: Format?, limits: Limits, keep: ((String) -> Bool)?,
                     fill: @escaping (UnsafeMutableBufferPointer<UInt8>) throws -> Int) throws -> [ArchiveMember] {
        let streamLimit = limits.streamBytes(filtered: keep != nil)
        let stream = try DecompressingStream(expected: expected, limit: streamLimit, fill: fill)
        var members: [ArchiveMember] = []
        var charged = 0
        var skipped = 0
        var headerNumber = 0
        // What GNU long-name records and pax headers say about the next member.
        var pendingName: String?
        var pendingLink: String?
        var pendingSize: Int?
        while let block = try stream.readBlock() {
            if block.withUnsafeBufferPointer({ bytes in !bytes.contains { $0 != 0 } }) {
                // End of archive. Decode the rest (bounded by the same limit) so the compressed stream's own
                // integrity check is still verified.
                try stream.drain()
                break
            }
            headerNumber += 1
            // Made only for messages: a sos report has tens of thousands of headers.
            let ordinal = headerNumber
            func label() -> String { "member \(ordinal) (\(printable(string(block, offset: 0, length: 100))))" }
            // Steps over data that is not kept. Nothing beyond the stream limit can be read, so a bigger
            // claim is refused at once (which also keeps the padded size from overflowing).
            func skipData(_ size: Int) throws {
                guard size <= streamLimit else {
                    throw ArchiveError("\(label()) claims \(size) bytes, more than the \(streamLimit) the whole archive may unpack to")
                }
                try stream.skipData(size, member: label())
            }
            try verifyChecksum(block, member: label())
            let type = block[156]
            let isMetadata = type == UInt8(ascii: "L") || type == UInt8(ascii: "K") || type == UInt8(ascii: "x") || type == UInt8(ascii: "g")
            var size = try number(block, offset: 124, length: 12, field: "size", member: label())
            if !isMetadata, let declared = pendingSize { size = declared }
            if isMetadata {
                let bound = type == UInt8(ascii: "L") || type == UInt8(ascii: "K") ? maximumNameBytes + 1 : maximumPaxHeaderBytes
                guard size <= bound else { throw ArchiveError("\(label()): a \(metadataName(type)) of \(size) bytes is more than the \(bound) allowed") }
                let data = try stream.readData(size, member: label())
                switch type {
                case UInt8(ascii: "L"):
                    pendingName = try longText(data, what: "GNU long name", member: label())
                case UInt8(ascii: "K"):
                    pendingLink = try longText(data, what: "GNU long link target", member: label())
                case UInt8(ascii: "x"):
                    for (key, value) in try paxRecords(data, member: label()) {
                        switch key {
                        case "path": pendingName = try paxText(value, key: key, member: label())
                        case "linkpath": pendingLink = try paxText(value, key: key, member: label())
                        case "size":
                            let text = try paxText(value, key: key, member: label())
                            // Bounded like the header's own size field, by the member's fate below.
                            guard let declared = decimal(text) else {
                                throw ArchiveError("\(label()): the pax size \(printable(String(text.prefix(40)))) is not a number of bytes")
                            }
                            pendingSize = declared
                        default:
                            if key.hasPrefix("GNU.sparse") { throw ArchiveError("\(label()): sparse files are not accepted in an archive") }
                        }
                    }
                default:
                    break  // global pax defaults (a comment, a charset): nothing a reader needs
                }
                continue
            }
            var name = string(block, offset: 0, length: 100)
            // POSIX ustar splits long names into prefix + name; the old GNU format keeps other data there.
            let prefix = string(block, offset: 345, length: 155)
            if block[257..<263].elementsEqual(Array("ustar".utf8) + [0]), !prefix.isEmpty { name = prefix + "/" + name }
            if let long = pendingName { name = long }
            let link = pendingLink ?? string(block, offset: 157, length: 100)
            pendingName = nil
            pendingLink = nil
            pendingSize = nil
            // `tar czf b.tar.gz -C dir .` starts with "./": the top directory itself, which the tree already has.
            if type == UInt8(ascii: "5"), !name.hasPrefix("/"), name.split(separator: "/").allSatisfy({ $0 == "." }) {
                try skipData(size)
                continue
            }
            let path = try safePath(name, member: label())
            // A GNU sparse member is followed by extension headers its size does not count: it can be neither
            // kept nor stepped over.
            if type == UInt8(ascii: "S") { throw ArchiveError(unsupportedType(type, path: path)) }
            if let keep, !keep(path) {
                skipped += 1
                guard skipped <= limits.maximumSkippedMembers else {
                    throw ArchiveError("the archive has more than \(limits.maximumSkippedMembers) members besides the ones wanted; refusing it")
                }
                try skipData(size)
                continue
            }
            guard size <= limits.maximumMemberBytes else {
                throw ArchiveError("\(label()) claims \(size) bytes, more than the \(limits.maximumMemberBytes) allowed for one member")
            }
            let kind: ArchiveMember.Kind
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "2"):
                try checkLinkTarget(link, from: path)
                kind = .symlink(link)
            case UInt8(ascii: "1"): throw ArchiveError("\(printable(path)): hard links are not accepted in a bundle")
            case UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "6"):
                throw ArchiveError("\(printable(path)): device files and FIFOs are not accepted in a bundle")
            default:
                throw ArchiveError(unsupportedType(type, path: path))
            }
            // A mode field may carry the file type bits too (0100644); only the permission bits are kept.
            let mode = try number(block, offset: 100, length: 8, field: "mode", member: label())
            guard mode <= 0o7777777 else { throw ArchiveError("\(label()): the mode \(mode) is out of range") }
            let data = try stream.readData(size, member: label())
            charged += data.count + path.utf8.count + Limits.memberOverheadBytes
            guard members.count < limits.maximumMembers else {
                throw ArchiveError("the archive has more than \(limits.maximumMembers) members; refusing it")
            }
            guard charged <= limits.maximumUncompressedBytes else {
                throw ArchiveError("the archive's \(members.count + 1) members take more than \(limits.maximumUncompressedBytes) bytes in memory; refusing it")
            }
            members.append(ArchiveMember(path: path, kind: kind, contents: kind == .file ? data : [], mode: UInt32(mode & 0o7777)))
        }
        return members
    }

    static func unsupportedType(_ type: UInt8, path: String) -> String {
        "\(printable(path)): member type '\(printable(String(decoding: [type], as: UTF8.self)))' is not a file, directory or symbolic link; refusing the archive"
    }

    /// The members as a tree to judge in memory (HostRoot(tree:)). Refuses what no extraction could make
    /// sense of: a path twice, a path both file and directory, a member below a file or a symbolic link.
    public static func tree(_ members: [ArchiveMember]) throws -> MemoryTree {
        var builder = MemoryTree.Builder()
        for member in members {
            let content: MemoryTree.Content
            switch member.kind {
            case .file: content = .file(member.contents)
            case .directory: content = .directory
            case .symlink(let target): content = .symlink(target)
            }
            do {
                try builder.add(member.path, content, mode: member.mode)
            } catch {
                throw ArchiveError("\(printable(error.description)); refusing the bundle")
            }
        }
        return builder.build()
    }

    static func metadataName(_ type: UInt8) -> String {
        switch type {
        case UInt8(ascii: "L"): "GNU long name"
        case UInt8(ascii: "K"): "GNU long link target"
        default: "pax header"
        }
    }

    /// The header checksum: the byte sum with the checksum field counted as spaces. Old tars summed signed
    /// bytes; both are accepted, as GNU tar does.
    static func verifyChecksum(_ block: [UInt8], member: @autoclosure () -> String) throws {
        // A plain loop over the raw bytes: this runs for every header, and generic iteration is slow in
        // debug builds (a million headers must not take minutes).
        var unsigned = 0
        var signed = 0
        block.withUnsafeBufferPointer { bytes in
            for index in 0..<bytes.count {
                let value = index >= 148 && index < 156 ? 0x20 : bytes[index]
                unsigned += Int(value)
                signed += Int(Int8(bitPattern: value))
            }
        }
        let stored = try? number(block, offset: 148, length: 8, field: "checksum", member: member())
        guard let stored, stored == unsigned || stored == signed else {
            throw ArchiveError("\(member()): header checksum mismatch (corrupt or not a tar archive)")
        }
    }

    /// A numeric header field: octal text, or GNU base-256 (high bit set) for values octal cannot hold.
    /// Every step reports overflow, so no header value can trap; negative values are refused.
    static func number(_ block: [UInt8], offset: Int, length: Int, field: String, member: @autoclosure () -> String) throws -> Int {
        let first = block[offset]
        var value = 0
        func accumulate(_ digit: Int, base: Int) throws {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: base)
            let (sum, overflowB) = shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else { throw ArchiveError("\(member()): the \(field) field is too large") }
            value = sum
        }
        if first & 0x80 != 0 {
            // Bit 6 is the sign of a two's-complement base-256 number.
            guard first & 0x40 == 0 else { throw ArchiveError("\(member()): the \(field) field is negative") }
            value = Int(first & 0x3F)
            for byte in block[offset + 1..<offset + length] { try accumulate(Int(byte), base: 256) }
            return value
        }
        var index = offset
        let end = offset + length
        while index < end, block[index] == 0x20 { index += 1 }
        while index < end, (0x30...0x37).contains(block[index]) {
            try accumulate(Int(block[index] - 0x30), base: 8)
            index += 1
        }
        guard index == end || block[index] == 0 || block[index] == 0x20 else {
            throw ArchiveError("\(member()): the \(field) field is not an octal number")
        }
        return value
    }

    /// A non-negative decimal (pax values), overflow-checked; nil for anything else.
    static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 19 else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard (0x30...0x39).contains(byte) else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - 0x30))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }

    /// The data of a GNU long-name record: the name and its terminating NUL(s), nothing after a NUL.
    static func longText(_ data: [UInt8], what: String, member: @autoclosure () -> String) throws -> String {
        let text = data.prefix { $0 != 0 }
        guard data.dropFirst(text.count).allSatisfy({ $0 == 0 }) else {
            throw ArchiveError("\(member()): the \(what) contains a NUL byte")
        }
        guard !text.isEmpty else { throw ArchiveError("\(member()): the \(what) is empty") }
        return String(decoding: text, as: UTF8.self)
    }

    static func paxText(_ value: ArraySlice<UInt8>, key: String, member: @autoclosure () -> String) throws -> String {
        guard !value.contains(0) else { throw ArchiveError("\(member()): the pax \(key) contains a NUL byte") }
        guard value.count <= maximumNameBytes else { throw ArchiveError("\(member()): the pax \(key) is longer than \(maximumNameBytes) bytes") }
        return String(decoding: value, as: UTF8.self)
    }

    /// pax records are "LENGTH KEY=VALUE\n", LENGTH counting the whole record in decimal.
    static func paxRecords(_ data: [UInt8], member: @autoclosure () -> String) throws -> [(String, ArraySlice<UInt8>)] {
        var records: [(String, ArraySlice<UInt8>)] = []
        var start = 0
        func malformed() -> ArchiveError { ArchiveError("\(member()): a malformed pax header record") }
        while start < data.count {
            if data[start] == 0 { break }
            var index = start
            var length = 0
            while index < data.count, (0x30...0x39).contains(data[index]) {
                length = length * 10 + Int(data[index] - 0x30)
                // A record longer than the header itself is a lie; stopping here also keeps `length` small.
                guard length <= data.count else { throw ArchiveError("\(member()): a pax record claims more bytes than its header holds") }
                index += 1
            }
            guard index > start, index < data.count, data[index] == 0x20, length > index - start + 1, length <= data.count - start else { throw malformed() }
            let end = start + length
            guard data[end - 1] == 0x0A else { throw malformed() }
            let body = data[(index + 1)..<(end - 1)]
            guard let equals = body.firstIndex(of: UInt8(ascii: "=")) else { throw malformed() }
            records.append((String(decoding: body[..<equals], as: UTF8.self), body[(equals + 1)...]))
            start = end
        }
        return records
    }

    static func string(_ bytes: [UInt8], offset: Int, length: Int) -> String {
        String(decoding: bytes[offset..<offset + length].prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A hostile name goes into an error message: control characters must not reach the terminal.
    static func printable(_ text: String) -> String {
        var result = String(text.unicodeScalars.prefix(200).map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        if text.unicodeScalars.count > 200 { result += "..." }
        return result
    }

    /// A member path must stay inside the archive: relative, no "..", bounded, no NUL. "." and empty
    /// components are dropped, so "a//./b" and "a/b" are the same member.
    static func safePath(_ name: String, member: @autoclosure () -> String = "a member") throws -> String {
        guard !name.utf8.contains(0) else { throw ArchiveError("\(member()): the name contains a NUL byte") }
        guard name.utf8.count <= maximumNameBytes else { throw ArchiveError("\(member()): the name is longer than \(maximumNameBytes) bytes") }
        guard !name.hasPrefix("/") else { throw ArchiveError("\(printable(name)): absolute paths are not accepted") }
        let parts = name.split(separator: "/").filter { $0 != "." }
        guard !parts.contains("..") else { throw ArchiveError("\(printable(name)): paths with .. are not accepted") }
        guard !parts.isEmpty else { throw ArchiveError("\(member()) has an empty name") }
        return parts.joined(separator: "/")
    }

    /// Link targets are kept as written: the in-memory tree resolves them inside the archive (an absolute
    /// target means the archive's top, ".." stops there), so only unusable targets are refused here.
    static func checkLinkTarget(_ target: String, from path: String) throws {
        guard !target.isEmpty else { throw ArchiveError("\(printable(path)) is a symbolic link to nothing") }
        guard !target.utf8.contains(0) else { throw ArchiveError("\(printable(path)): the link target contains a NUL byte") }
        guard target.utf8.count <= maximumNameBytes else { throw ArchiveError("\(printable(path)): the link target is longer than \(maximumNameBytes) bytes") }
    }
}
