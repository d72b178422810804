import DoctorCore
import HostFacts

/// What the storage checks share (issue 12: storage).
enum StorageSupport {
    /// "40 GiB", "512 MiB", "1.5 TiB": binary units, one decimal below 10.
    static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var amount = Double(max(0, value))
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(Int(amount)) B" }
        let rounded = amount < 10 ? (amount * 10).rounded() / 10 : amount.rounded()
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return "\(text) \(units[unit])"
    }

    /// Directories where the policy and the tools expect guest images.
    static let standardDirectories = GuestImages.imageDirectories

    static func isStandard(_ path: String) -> Bool {
        standardDirectories.contains { path.hasPrefix($0 + "/") }
    }

    static func list(_ items: [String], limit: Int = 5) -> String {
        let shown = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? shown + ", …" : shown
    }
}

extension SELinuxSupport {
    /// The type field of a context ("system_u:object_r:virt_image_t:s0" -> "virt_image_t").
    static func type(of context: String?) -> String? {
        guard let context else { return nil }
        let fields = context.split(separator: ":")
        return fields.count >= 3 ? String(fields[2]) : nil
    }
}
