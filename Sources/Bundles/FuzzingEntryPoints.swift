/// The tar layer of `Archive.read(tarGz:)`, for the fuzz targets (Sources/FuzzTargets): mutating gzip bytes
/// rarely gets past zlib's checksum, so the tar bytes are fuzzed on their own and compressed here.
package enum BundleFuzzingEntryPoints {
    package static func readTar(_ tar: [UInt8], limits: Archive.Limits) throws -> [ArchiveMember] {
        try Archive.read(tarGz: Archive.gzip(tar), limits: limits)
    }

    /// An archive of `members` in any format, for seeds of the `archive` target made without tar(1).
    package static func archive(_ members: [ArchiveMember], format: Archive.Format) throws -> [UInt8] {
        let tar = try Archive.tar(members, modificationTime: .init(timeIntervalSince1970: 0))
        switch format {
        case .tar: return tar
        case .gzip: return try Archive.gzip(tar)
        case .xz: return try Archive.xz(tar)
        case .bzip2: return try Archive.bzip2(tar)
        }
    }
}
