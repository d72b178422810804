/// The tar layer of `Archive.read(tarGz:)`, for the fuzz targets (Sources/FuzzTargets): mutating gzip bytes
/// rarely gets past zlib's checksum, so the tar bytes are fuzzed on their own and compressed here.
package enum BundleFuzzingEntryPoints {
    package static func readTar(_ tar: [UInt8], limits: Archive.Limits) throws -> [ArchiveMember] {
        try Archive.read(tarGz: Archive.gzip(tar), limits: limits)
    }
}
