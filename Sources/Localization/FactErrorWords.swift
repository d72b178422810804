import DoctorCore

extension FactError {
    /// The reason in the reader's language; paths and the system's own messages stay as they are.
    /// English reads exactly as `description`, which logs and JSON consumers of older reports know.
    public func describe(_ strings: Strings) -> String {
        switch self {
        case .absent(let path): strings("fact_error_absent", ["path": path])
        case .permissionDenied(let path): strings("fact_error_permission_denied", ["path": path])
        case .unparsable(let source, let detail): strings("fact_error_unparsable", ["source": source, "detail": detail])
        case .tooLarge(let source, let limit): strings("fact_error_too_large", ["source": source, "limit": String(limit)])
        case .timedOut(let what, let seconds):
            strings("fact_error_timed_out", ["what": what, "seconds": Int(exactly: seconds).map(String.init) ?? String(seconds)])
        case .notLive(let what): strings("fact_error_not_live", ["what": what])
        case .io(let source, let detail): strings("fact_error_io", ["source": source, "detail": detail])
        case .notCaptured(let what, let source):
            strings("fact_error_not_captured", ["what": what, "source": strings("evidence_noun_" + source.replacingOccurrences(of: " ", with: "_"))])
        }
    }
}
