import DoctorCore
import HostFacts

/// What the image-label checks share.
enum SELinuxSupport {
    /// Types QEMU may use under sVirt: images, labelled per guest at start, read-only media; Xen's own type.
    static let imageTypes: Set<String> = ["virt_image_t", "svirt_image_t", "virt_content_t", "xen_image_t", "svirt_tcg_t"]

    static func directory(of path: String) -> String {
        let parts = path.split(separator: "/")
        return "/" + parts.dropLast().joined(separator: "/")
    }
}
