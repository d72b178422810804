/// Decides from a setting's name whether its value is a secret. Names are split into words (at any
/// non-alphanumeric character and at lower-to-upper case changes), so `vnc_password`, `adminPassword`,
/// `OVESETUP_DB/password`, `ssl_key_pass` and `--passphrase` are all recognised, and `bypass` or `passthrough` not.
enum SecretNames {
    enum Kind {
        case none
        /// The value is a secret whatever it looks like.
        case secret
        /// An authentication setting: a secret, except the mechanism keywords libvirt uses (`auth_tcp = "sasl"`),
        /// which the checks and the support engineer need.
        case authentication
    }

    static let mechanismKeywords: Set<String> = ["none", "sasl", "polkit", "tls", "krb5", "gssapi", "yes", "no", "true", "false",
                                                 "on", "off", "0", "1", "unix", "tcp", "scram-sha-256", "digest-md5"]
    static let keyQualifiers: Set<String> = ["api", "access", "private", "secret", "encryption", "master", "session", "shared",
                                             "preshared", "signing", "pre"]

    static func words<S: Collection>(_ name: S) -> [String] where S.Element == UInt8 {
        var words: [String] = []
        var current: [UInt8] = []
        var previous: UInt8 = 0
        for byte in name {
            let isLetterOrDigit = byte.isASCIIAlphanumeric
            let startsCamelWord = byte >= 65 && byte <= 90 && previous >= 97 && previous <= 122
            if !isLetterOrDigit || startsCamelWord {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
                current = []
            }
            if isLetterOrDigit { current.append(byte | (byte >= 65 && byte <= 90 ? 0x20 : 0)) }
            previous = byte
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    static func classify<S: Collection>(_ name: S) -> Kind where S.Element == UInt8 {
        let parts = Self.words(name)
        var authentication = false
        for (index, word) in parts.enumerated() {
            if word.contains("passw") || word.contains("passphrase") || word.contains("secret") || word.contains("token")
                || word.contains("credential") || word.contains("pwd") || word == "pw" || word == "psk" || word.hasSuffix("psk")
                || (word.hasSuffix("pass") && word != "bypass" && word != "compass")
                || word == "apikey" || word == "privatekey" || word == "passkey" || word == "cookie" || word == "bearer" {
                return .secret
            }
            if word == "key", index > 0, keyQualifiers.contains(parts[index - 1]) { return .secret }
            // NetworkManager keyfiles hold Wi-Fi WEP keys as wep-key0..wep-key3 (issue 12: net reads those files).
            if word.hasPrefix("key"), index > 0, parts[index - 1] == "wep" { return .secret }
            if word.hasPrefix("auth"), word != "author", word != "authors" { authentication = true }
        }
        return authentication ? .authentication : .none
    }

    /// Whether a value found under a name of this kind must be masked.
    static func mustMask<S: Collection>(_ kind: Kind, value: S) -> Bool where S.Element == UInt8 {
        switch kind {
        case .none: return false
        case .secret: return !value.isEmpty && !value.elementsEqual(Redaction.mask)
        case .authentication:
            let text = String(decoding: value, as: UTF8.self).lowercased()
            return !value.isEmpty && !mechanismKeywords.contains(text) && !value.elementsEqual(Redaction.mask)
        }
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool { (self >= 48 && self <= 57) || (self >= 65 && self <= 90) || (self >= 97 && self <= 122) }
    var isASCIILetter: Bool { (self >= 65 && self <= 90) || (self >= 97 && self <= 122) }
    var isHorizontalSpace: Bool { self == 0x20 || self == 0x09 }
    var isLineEnd: Bool { self == 0x0A || self == 0x0D || self == 0 }
    var isWhitespace: Bool { isHorizontalSpace || isLineEnd || self == 0x0B || self == 0x0C }
}

enum Redaction {
    static let mask: [UInt8] = Array("(redacted)".utf8)
    static let keyRemoved: [UInt8] = Array("(private key removed by virt-doctor)".utf8)
}
