import DoctorCore
import Foundation
@testable import HostFacts
import Testing

/// The sidecar a bundle carries is written by encoding the type that reads it: whatever a customer's paths and
/// labels hold (quotes, colons, `#`, braces, non-ASCII, a newline), reading it back gives the same metadata.
@Suite struct SidecarRoundTripTests {
    @Test func awkwardPathsAndLabelsRoundTrip() throws {
        let original = RootMetadata(
            files: [
                "/var/lib/libvirt/images/it's \"quoted\".qcow2": .init(selinux: "system_u:object_r:svirt_image_t:s0:c1,c2"),
                "/var/lib/libvirt/images/a: b # not a comment.img": .init(unreadable: true),
                "/var/lib/libvirt/images/{braces} [and] &anchors *aliases.raw": .init(selinux: "x:y:z"),
                "/var/lib/libvirt/images/диск-ВМ.qcow2": .init(mode: "0600", uid: 107, gid: 107),
                "/var/lib/libvirt/images/line\nbreak.img": .init(absent: true),
                "/dev/kvm": .init(type: .charDevice, mode: "0660", uid: 0, gid: 36, major: 10, minor: 232),
            ],
            process: .init(uid: 1000, gids: [1000, 36]))
        let text = original.encoded()
        let decoded = try RootMetadata.decode(text, source: "test sidecar")
        #expect(decoded == original)
    }

    @Test func anEmptySidecarRoundTrips() throws {
        #expect(try RootMetadata.decode(RootMetadata().encoded(), source: "empty") == RootMetadata())
    }
}
