import DoctorCore
import Foundation

/// SELinux types of guest images: every disk of every defined guest and everything in the default image
/// directories, read from the `security.selinux` attribute (or a root's sidecar). Bounded in count and
/// time: a directory of 100,000 images is sampled, and the answer says how much was inspected.
public struct ImageLabels: Codable, Sendable, Equatable {
    public struct Image: Codable, Sendable, Equatable {
        public var path: String
        /// The full context, nil when the file carries no label.
        public var context: String?
        /// The type field (virt_image_t, user_home_t ...).
        public var type: String?
        /// The guest that uses it; nil for a file found in an image directory.
        public var guest: String?
        public var readOnly: Bool
    }

    public var images: [Image]
    /// Files found but not inspected because a limit was reached.
    public var notInspected: Int
    public var limitReason: String?
    /// Image paths of guests that do not exist (a missing disk is another problem; not labelled).
    public var missing: [String]
    /// Rules of file_contexts.local: (path regex, context).
    public var localRules: [LocalRule]
    public var policy: String

    public struct LocalRule: Codable, Sendable, Equatable {
        public var pattern: String
        public var context: String
    }

    public static let imageDirectories = ["/var/lib/libvirt/images", "/var/lib/xen/images"]
    static let maximumImages = 20_000
    static let timeBudget = 5.0

    static func type(of context: String?) -> String? {
        guard let context else { return nil }
        let fields = context.split(separator: ":")
        return fields.count >= 3 ? String(fields[2]) : nil
    }

    static func read(_ store: FactStore) throws(FactError) -> Sourced<ImageLabels> {
        let root = store.root
        // sos copies no guest image (nor any label of one): an image it lacks is not a missing image.
        if root.evidence.kind == .sosReport {
            throw root.liveOnly("the SELinux label of each guest image (a sos report copies no image files)")
        }
        let selinux = try store.get(Facts.selinux)
        let policy = selinux.policyType ?? "targeted"
        var labels = ImageLabels(images: [], notInspected: 0, limitReason: nil, missing: [], localRules: [], policy: policy)
        let started = Date()
        var seen = Set<String>()
        func inspect(_ path: String, guest: String?, readOnly: Bool) {
            guard !seen.contains(path) else { return }
            seen.insert(path)
            if labels.images.count >= maximumImages || Date().timeIntervalSince(started) > timeBudget {
                labels.notInspected += 1
                labels.limitReason = labels.images.count >= maximumImages
                    ? "stopped after \(maximumImages) images" : "stopped after \(Int(timeBudget)) s"
                return
            }
            guard root.exists(path) else { labels.missing.append(path); return }
            let context = root.extendedAttribute(path, name: "security.selinux")
            labels.images.append(Image(path: path, context: context, type: type(of: context), guest: guest, readOnly: readOnly))
        }
        // Guests' disks: from a live libvirt when it answers, else the definition files.
        if let snapshot = try? store.get(Facts.libvirt) {
            for domain in snapshot.domains {
                for disk in domain.disks where disk.type == "file" {
                    if let source = disk.source { inspect(source, guest: domain.name, readOnly: disk.device == "cdrom" || disk.device == "floppy") }
                }
            }
        } else if let inventory = try? store.get(Facts.libvirtDomains) {
            for domain in inventory.domains {
                for disk in domain.disks where disk.type == "file" {
                    if let source = disk.source { inspect(source, guest: domain.name, readOnly: disk.device == "cdrom" || disk.device == "floppy") }
                }
            }
        }
        for directory in imageDirectories {
            for name in (try? root.list(directory)) ?? [] where !name.hasPrefix(".") {
                inspect("\(directory)/\(name)", guest: nil, readOnly: name.hasSuffix(".iso"))
            }
        }
        let localFile = "/etc/selinux/\(policy)/contexts/files/file_contexts.local"
        if let text = try? root.readText(localFile) {
            for line in text.split(separator: "\n") {
                let fields = line.split(whereSeparator: \.isWhitespace)
                guard fields.count >= 2, !fields[0].hasPrefix("#") else { continue }
                labels.localRules.append(LocalRule(pattern: String(fields[0]), context: String(fields.last!)))
            }
        }
        return Sourced(labels, sources: ["security.selinux attributes", localFile])
    }

    /// Whether a file_contexts.local rule covers a path (rules are anchored regular expressions).
    public func localRule(covering path: String) -> LocalRule? {
        localRules.first { rule in
            path.range(of: "^" + rule.pattern + "$", options: .regularExpression) != nil
        }
    }
}

extension Facts {
    public static let imageLabels = FactKey<ImageLabels>("selinux.image-labels", "SELinux types of guest images and the local file-context rules") { store throws(FactError) in
        try ImageLabels.read(store)
    }
}
