/// Why a fact has no value. A fact that cannot be read is still an answer: the check that needs it becomes
/// a skip (the thing is simply not there) or an error (it is there but could not be read or understood).
public enum FactError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The file or object does not exist in this root.
    case absent(String)
    /// It exists but this user may not read it (run as root, or the check says what it needs).
    case permissionDenied(String)
    /// It was read, but its content is not what the parser expects.
    case unparsable(source: String, detail: String)
    /// Larger than the tool will read; a sane /proc or /etc file never is.
    case tooLarge(source: String, limit: Int)
    /// A live probe did not answer in time.
    case timedOut(what: String, seconds: Double)
    /// Only the live machine can answer (an ioctl, uname), and this run reads a directory root.
    case notLive(String)
    /// Any other I/O failure, with the system's message.
    case io(source: String, detail: String)
    /// The evidence this run reads (a sos report, a copied tree) never held it: unknown, not absent.
    /// `source` names the kind of evidence ("sos report", "directory root").
    case notCaptured(what: String, source: String)

    public var description: String {
        switch self {
        case .absent(let path): "\(path) is not present"
        // Root can be refused too (a container's /proc/1, a security module), so the hint names both causes.
        case .permissionDenied(let path): "permission denied reading \(path) (run as root to include it; as root, a container or security policy is refusing it)"
        case .unparsable(let source, let detail): "\(source) could not be parsed: \(detail)"
        case .tooLarge(let source, let limit): "\(source) is larger than \(limit) bytes; refusing to read it"
        case .timedOut(let what, let seconds): "\(what) did not answer within \(formatSeconds(seconds)) s"
        case .notLive(let what): "\(what) can only be probed on the live machine, not in a directory root"
        case .io(let source, let detail): "\(source): \(detail)"
        case .notCaptured(let what, let source):
            "\(what) was not captured in this \(source): run `virt-doctor check` on the host, or send a bundle made there with `virt-doctor collect`"
        }
    }

    /// True when the evidence could not tell (a live-only probe in a copy, a region never collected).
    public var isUnknownFromEvidence: Bool {
        switch self {
        case .notLive, .notCaptured: true
        default: false
        }
    }

    public var isPermissionDenied: Bool {
        if case .permissionDenied = self { return true }
        return false
    }

    /// Absent things make a check not applicable; everything else is an error the user should see.
    public var findingStatus: Status {
        switch self {
        case .absent, .notLive, .notCaptured: .skip
        default: .error
        }
    }
}

private func formatSeconds(_ seconds: Double) -> String {
    // Int(seconds) traps for NaN, infinity and values beyond Int's range; those print as Double does.
    guard let whole = Int(exactly: seconds) else { return String(seconds) }
    return String(whole)
}
