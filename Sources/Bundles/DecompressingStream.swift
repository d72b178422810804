import CBzip2
import CLzma
import CZlib

/// One decompression library behind the tar reader. Every decoder has the contract of the C shims: given
/// some input and some room, say how much was consumed and produced, and whether the stream goes on.
protocol Decoder: AnyObject {
    func step(_ input: UnsafeBufferPointer<UInt8>, inputEnded: Bool, into output: UnsafeMutableBufferPointer<UInt8>)
        -> (consumed: Int, produced: Int, result: DecodeStep)
}

enum DecodeStep: Equatable {
    case progress
    /// The compressed stream ended and its integrity check (gzip CRC-32, xz check, bzip2 CRCs) matched.
    case end
    /// No progress with the input given: more is needed, or, when the input has ended, it was truncated.
    case needsInput
    case failure(String)
}

/// A decoder in one of the C shims (CZlib, CLzma, CBzip2). They share one contract: given input and room,
/// report the bytes consumed and produced and a status, 0 progress, 1 end, 2 no progress possible, or a
/// negative failure, which `failure` puts in words.
final class ShimDecoder: Decoder {
    typealias StepFunction = (OpaquePointer, UnsafePointer<UInt8>?, Int, Int32, UnsafeMutablePointer<Int>,
                              UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>) -> Int32
    private let handle: OpaquePointer
    private let stepFunction: StepFunction
    private let close: (OpaquePointer) -> Void
    private let failure: (Int) -> String

    private init(handle: OpaquePointer, step: @escaping StepFunction, close: @escaping (OpaquePointer) -> Void,
                 failure: @escaping (Int) -> String) {
        self.handle = handle
        self.stepFunction = step
        self.close = close
        self.failure = failure
    }

    deinit { close(handle) }

    func step(_ input: UnsafeBufferPointer<UInt8>, inputEnded: Bool, into output: UnsafeMutableBufferPointer<UInt8>)
        -> (consumed: Int, produced: Int, result: DecodeStep) {
        var consumed = 0
        var produced = 0
        let status = Int(stepFunction(handle, input.baseAddress, input.count, inputEnded ? 1 : 0, &consumed,
                                      output.baseAddress, output.count, &produced))
        switch status {
        case 0: return (consumed, produced, .progress)
        case 1: return (consumed, produced, .end)
        case 2: return (consumed, produced, .needsInput)
        default: return (consumed, produced, .failure(failure(status)))
        }
    }

    static func gzip() throws -> ShimDecoder {
        guard let inflater = vd_inflater_open() else { throw ArchiveError("zlib could not start (out of memory)") }
        // zlib tells the end of a gzip member by itself; whether more input follows does not matter to it.
        return ShimDecoder(handle: inflater, step: { vd_inflater_step($0, $1, $2, $4, $5, $6, $7) }, close: vd_inflater_close) {
            "the gzip stream is corrupt (zlib \($0))"
        }
    }

    static func xz(memoryLimit: UInt64) throws -> ShimDecoder {
        guard let decoder = vd_xz_decoder_open(memoryLimit) else { throw ArchiveError("liblzma could not start (out of memory)") }
        return ShimDecoder(handle: decoder, step: vd_xz_decoder_step, close: vd_xz_decoder_close) { status in
            switch status {
            case VD_XZ_CORRUPT: "the xz stream is corrupt (bad data, a failed integrity check, or data after its end)"
            case VD_XZ_MEMORY_LIMIT:
                "the xz stream needs more than \(memoryLimit >> 20) MiB of memory to decode (a dictionary bigger than xz -9 uses); refusing it"
            case VD_XZ_OUT_OF_MEMORY: "liblzma ran out of memory"
            case VD_XZ_NOT_XZ: "the xz stream header is corrupt"
            case VD_XZ_UNSUPPORTED: "the xz stream uses a filter or option this liblzma does not support"
            default: "liblzma failed (internal error \(status))"
            }
        }
    }

    static func bzip2() throws -> ShimDecoder {
        var reason = [CChar](repeating: 0, count: 512)
        guard vd_bzip2_load(&reason, reason.count) == 1 else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ArchiveError("the archive is bzip2-compressed, but \(text)")
        }
        guard let decoder = vd_bzip2_decoder_open() else { throw ArchiveError("libbz2 could not start (out of memory)") }
        return ShimDecoder(handle: decoder, step: vd_bzip2_decoder_step, close: vd_bzip2_decoder_close) { status in
            switch status {
            case VD_BZIP2_CORRUPT: "the bzip2 stream is corrupt (bad data or a failed CRC)"
            case VD_BZIP2_NOT_BZIP2: "the bzip2 stream is corrupt (a bad stream header)"
            case VD_BZIP2_OUT_OF_MEMORY: "libbz2 ran out of memory"
            case VD_BZIP2_TRAILING_DATA: "the bzip2 stream is followed by data that is not bzip2 (corrupt)"
            default: "libbz2 failed (internal error \(status))"
            }
        }
    }
}

/// An uncompressed tar: the bytes are the stream.
final class StoredDecoder: Decoder {
    func step(_ input: UnsafeBufferPointer<UInt8>, inputEnded: Bool, into output: UnsafeMutableBufferPointer<UInt8>)
        -> (consumed: Int, produced: Int, result: DecodeStep) {
        if input.isEmpty { return (0, 0, inputEnded ? .end : .needsInput) }
        let count = min(input.count, output.count)
        output.baseAddress!.update(from: input.baseAddress!, count: count)
        return (count, count, .progress)
    }
}

/// The tar stream of an archive file, decoded on demand, refusing to produce more than `limit` bytes in all
/// or to read much more than that of the file. The format is told from the first bytes.
final class DecompressingStream {
    private let fill: (UnsafeMutableBufferPointer<UInt8>) throws -> Int
    private var decoder: Decoder = StoredDecoder()
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inputStart = 0
    private var inputEnd = 0
    private var sourceEnded = false
    private var sourceBytes = 0
    private var scratch: [UInt8] = []
    private(set) var streamEnded = false
    private(set) var produced = 0
    private(set) var format = Archive.Format.tar
    let limit: Int
    /// Compressed data is essentially never bigger than what it decodes to (incompressible data grows by a
    /// fraction of a percent), so a file much bigger than the limit holds something that decodes to nothing
    /// (xz stream padding, empty bzip2 streams) and would otherwise be read to its end.
    private var sourceLimit: Int { limit + limit / 16 + (1 << 20) }

    /// `expected` pins the format (a bundle must be gzip); nil accepts any format the first bytes show.
    init(expected: Archive.Format?, limit: Int, fill: @escaping (UnsafeMutableBufferPointer<UInt8>) throws -> Int) throws {
        self.limit = limit
        self.fill = fill
        // The format shows in the first bytes; a plain tar shows in its first header, so take a whole block.
        while inputEnd < 512, !sourceEnded { try readSource() }
        let head = Array(input[0..<inputEnd])
        guard let format = Archive.format(of: head) else {
            if expected == .gzip || expected == nil, head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) {
                throw ArchiveError("not a gzip file: it is zstd-compressed, which virt-doctor does not read; `zstd -d` it to a plain tar first")
            }
            if expected == .gzip { throw ArchiveError("not a gzip file (a bundle is a .tar.gz)") }
            throw ArchiveError("not a gzip file, nor an xz, bzip2 or plain tar archive (its first bytes match none of them)")
        }
        if let expected, format != expected {
            throw ArchiveError(expected == .gzip ? "not a gzip file (a bundle is a .tar.gz)" : "not a \(expected.rawValue) file")
        }
        self.format = format
        switch format {
        case .tar: decoder = StoredDecoder()
        case .gzip: decoder = try ShimDecoder.gzip()
        case .xz: decoder = try ShimDecoder.xz(memoryLimit: Archive.xzMemoryLimit)
        case .bzip2: decoder = try ShimDecoder.bzip2()
        }
    }

    /// Moves what is left of the input to the front and reads more behind it (a decoder that needs a few
    /// bytes more than it has, such as the bzip2 decoder between streams, gets them).
    private func readSource() throws {
        if inputStart > 0 {
            let left = inputEnd - inputStart
            if left > 0 { input.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: $0.baseAddress! + inputStart, count: left) } }
            inputStart = 0
            inputEnd = left
        }
        let room = input.count - inputEnd
        guard room > 0 else { return }
        let count = try input.withUnsafeMutableBufferPointer { buffer in
            try fill(UnsafeMutableBufferPointer(rebasing: buffer[inputEnd...]))
        }
        guard count >= 0, count <= room else { throw ArchiveError("the file cannot be read (a read returned \(count) bytes)") }
        if count == 0 { sourceEnded = true }
        inputEnd += count
        sourceBytes += count  // bounded by sourceLimit + 64 KiB: cannot overflow
        if sourceBytes > sourceLimit {
            throw ArchiveError("the file holds more than \(sourceLimit) bytes before the archive ends; refusing it")
        }
    }

    private var streamName: String { format == .tar ? "tar" : "\(format.rawValue) stream" }

    /// Fills the buffer; returns how many bytes it got, fewer only where the stream ends.
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        var filled = 0
        while filled < buffer.count, !streamEnded {
            if inputStart == inputEnd, !sourceEnded { try readSource() }
            let room = min(buffer.count - filled, 1 << 20)
            let inputEnded = sourceEnded
            let (consumed, made, result) = input.withUnsafeBufferPointer { bytes in
                decoder.step(UnsafeBufferPointer(rebasing: bytes[inputStart..<inputEnd]), inputEnded: inputEnded,
                             into: UnsafeMutableBufferPointer(rebasing: buffer[filled..<filled + room]))
            }
            guard consumed >= 0, consumed <= inputEnd - inputStart, made >= 0, made <= room else {
                throw ArchiveError("the \(streamName) decoder misbehaved")
            }
            inputStart += consumed
            filled += made
            produced += made  // at most `limit` + 1 MiB: cannot overflow
            if produced > limit {
                throw ArchiveError("the archive unpacks to more than \(limit) bytes; refusing it (a decompression bomb?)")
            }
            switch result {
            case .progress where consumed > 0 || made > 0: continue
            case .end: streamEnded = true
            case .progress, .needsInput:
                if sourceEnded { throw ArchiveError(format == .tar ? "the archive is truncated" : "the \(streamName) is truncated") }
                // A decoder that cannot progress with a full buffer of input never will.
                guard inputEnd - inputStart < input.count else { throw ArchiveError("the \(streamName) is corrupt") }
                try readSource()
            case .failure(let message): throw ArchiveError(message)
            }
        }
        return filled
    }

    /// One 512-byte tar block; nil where the stream ends cleanly between blocks.
    func readBlock() throws -> [UInt8]? {
        var block = [UInt8](repeating: 0, count: 512)
        let count = try block.withUnsafeMutableBufferPointer { try read(into: $0) }
        if count == 0 { return nil }
        guard count == 512 else { throw ArchiveError("the archive is truncated inside a tar header") }
        return block
    }

    /// A member's data and the padding to the next block.
    func readData(_ size: Int, member: @autoclosure () -> String) throws -> [UInt8] {
        var data = [UInt8](repeating: 0, count: size)
        let count = try data.withUnsafeMutableBufferPointer { try read(into: $0) }
        guard count == size else { throw ArchiveError("\(member()) is cut off: the archive is truncated") }
        try skip((512 - size % 512) % 512, member: member())
        return data
    }

    /// Streams past a member's data and its padding without keeping it.
    func skipData(_ size: Int, member: @autoclosure () -> String) throws {
        // size < Int.max / 2 (callers bound it by the stream limit), so the padded size cannot overflow.
        try skip(size + (512 - size % 512) % 512, member: member())
    }

    private func skip(_ count: Int, member: @autoclosure () -> String) throws {
        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: 1 << 16) }
        var remaining = count
        while remaining > 0 {
            let chunk = min(remaining, scratch.count)
            let got = try scratch.withUnsafeMutableBufferPointer { try read(into: UnsafeMutableBufferPointer(rebasing: $0[0..<chunk])) }
            guard got == chunk else { throw ArchiveError("\(member()) is cut off: the archive is truncated") }
            remaining -= chunk
        }
    }

    /// Decodes what is left after the tar's end, discarding it, so the compressed stream is finished and its
    /// integrity check (gzip CRC-32, xz check and index, bzip2 CRCs) is verified. Bounded like the rest.
    func drain() throws {
        if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: 1 << 16) }
        while !streamEnded {
            let count = try scratch.withUnsafeMutableBufferPointer { try read(into: $0) }
            if count == 0 { break }
        }
    }
}

extension Archive {
    /// The format an archive file's first bytes show (512 of them for a plain tar, whose mark is a valid
    /// first header), or nil. A name is never trusted: sos reports are renamed, bundles are re-compressed.
    public static func format(of head: [UInt8]) -> Format? {
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        // "BZh" and the block size digit.
        if head.count >= 4, head.starts(with: [0x42, 0x5A, 0x68]), (0x31...0x39).contains(head[3]) { return .bzip2 }
        guard head.count >= 512 else { return nil }
        let block = Array(head[0..<512])
        // An all-zero first block is an empty archive, as tar(1) reads it.
        if !block.contains(where: { $0 != 0 }) { return .tar }
        return (try? verifyChecksum(block, member: "")) != nil ? .tar : nil
    }
}
