/// The uncompressed tar reader behind `Archive.read(tarGz:)`, for the fuzz targets (Sources/FuzzTargets):
/// mutating gzip bytes rarely gets past zlib's checksum, so the tar layer is also fuzzed on its own.
package enum BundleFuzzingEntryPoints {
    package static func readTar(_ tar: [UInt8], limits: Archive.Limits) throws -> [ArchiveMember] {
        try Archive.read(tar: tar, limits: limits)
    }
}
