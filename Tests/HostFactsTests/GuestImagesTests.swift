import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// issue 12 (storage): the image header, mount table, statvfs recording, multipath.conf and exports parsers,
/// on realistic input and on junk: every input gives a value or a FactError, never a trap.
@Suite struct GuestImagesTests {
    static let junk: [UInt8] = Array("\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t{{{ }}} \\\\ \\0".utf8)

    static func be32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xff) } }
    static func be64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8((value >> (56 - 8 * $0)) & 0xff) } }

    /// A qcow2 v3 header as qemu-img writes it, backing file name at 0x200.
    static func qcow2(virtual: UInt64, backing: String? = nil, crypt: UInt32 = 0) -> [UInt8] {
        let name = Array((backing ?? "").utf8)
        var bytes: [UInt8] = [0x51, 0x46, 0x49, 0xfb] + be32(3) + be64(backing == nil ? 0 : 0x200) + be32(UInt32(name.count))
        bytes += be32(16) + be64(virtual) + be32(crypt) + be32(40) + be64(0x30000) + be64(0x10000) + be32(1) + be32(0) + be64(0)
        bytes += [UInt8](repeating: 0, count: 0x200 - bytes.count) + name
        return bytes + [UInt8](repeating: 0, count: 512)
    }

    @Test func qcow2HeaderGivesSizeEncryptionAndBackingFile() {
        let header = ImageHeader.parse(Self.qcow2(virtual: 20 << 30, backing: "/var/lib/libvirt/images/base.qcow2"))
        #expect(header.format == "qcow2")
        #expect(header.version == 3)
        #expect(header.virtualSize == 20 << 30)
        #expect(header.encryption == "none")
        #expect(header.backingFile == "/var/lib/libvirt/images/base.qcow2")
        #expect(ImageHeader.parse(Self.qcow2(virtual: 1 << 30, crypt: 1)).encryption == "aes")
        #expect(ImageHeader.parse(Self.qcow2(virtual: 1 << 30, crypt: 2)).encryption == "luks")
    }

    @Test func qcowVersionOneKeepsEncryptionAtItsOwnOffset() {
        var bytes: [UInt8] = [0x51, 0x46, 0x49, 0xfb] + Self.be32(1) + Self.be64(0) + Self.be32(0) + Self.be32(0) + Self.be64(8 << 30)
        bytes += [12, 9, 0, 0] + Self.be32(1) + Self.be64(48)
        let header = ImageHeader.parse(bytes)
        #expect(header.format == "qcow")
        #expect(header.virtualSize == 8 << 30)
        #expect(header.encryption == "aes")
    }

    @Test func otherSignaturesAndRaw() {
        #expect(ImageHeader.parse(Array("KDMV".utf8) + [1, 0, 0, 0]).format == "vmdk")
        #expect(ImageHeader.parse(Array("conectix".utf8)).format == "vpc")
        #expect(ImageHeader.parse([UInt8](repeating: 0, count: 64) + [0x7f, 0x10, 0xda, 0xbe]).format == "vdi")
        #expect(ImageHeader.parse([0xeb, 0x63, 0x90] + [UInt8](repeating: 0, count: 509)).format == "raw")
        #expect(ImageHeader.parse([]).format == "raw")
    }

    @Test func truncatedAndHostileHeadersNeverTrap() {
        let full = Self.qcow2(virtual: 1 << 40, backing: "base.qcow2")
        for length in 0..<min(full.count, 600) { _ = ImageHeader.parse(Array(full.prefix(length))) }
        // A backing offset and length pointing far outside the bytes read.
        var hostile = full
        hostile.replaceSubrange(8..<16, with: Self.be64(UInt64.max))
        hostile.replaceSubrange(16..<20, with: Self.be32(UInt32.max))
        hostile.replaceSubrange(24..<32, with: Self.be64(UInt64.max))
        let header = ImageHeader.parse(hostile)
        #expect(header.backingFile == "")
        #expect(header.virtualSize == nil)
        _ = ImageHeader.parse(Self.junk)
        _ = ImageHeader.parse([0x51, 0x46, 0x49, 0xfb])
    }

    @Test func mountsParseEscapesAndFindTheHoldingMount() {
        let text = """
            /dev/mapper/rhel-root / xfs rw,seclabel,relatime 0 0
            storage01:/exports/images /var/lib/libvirt/images nfs4 rw,relatime,vers=4.2 0 0
            /dev/sdb1 /mnt/usb\\040stick vfat rw,relatime 0 0
            """
        let mounts = MountEntry.parse(text)
        #expect(mounts.count == 3)
        #expect(mounts[2].mountPoint == "/mnt/usb stick")
        #expect(MountEntry.holding("/var/lib/libvirt/images/a.qcow2", in: mounts)?.type == "nfs4")
        #expect(MountEntry.holding("/var/lib/libvirt/imagesX/a", in: mounts)?.mountPoint == "/")
        #expect(MountEntry.holding("/mnt/usb stick/vm.img", in: mounts)?.type == "vfat")
        #expect(MountEntry.parse(String(decoding: Self.junk, as: UTF8.self)).isEmpty)
        _ = MountEntry.parse("a /b c d\\9 \\777\\ \\04 0 0\n")
    }

    @Test func spaceRecordingRoundTripsAndRefusesJunk() throws {
        let images = GuestImages(images: [], blockDisks: [], mounts: nil,
                                 spaces: [FileSystemSpace(directory: "/var/lib/libvirt/images", totalBytes: 400 << 30, availableBytes: 25 << 30, id: "fd00")],
                                 notInspected: 0, limitReason: nil)
        let text = try #require(images.recordedText)
        #expect(try GuestImages.parseSpaces(text, source: "t") == images.spaces)
        #expect(throws: FactError.self) { try GuestImages.parseSpaces(String(decoding: Self.junk, as: UTF8.self), source: "t") }
        #expect(throws: FactError.self) { try GuestImages.parseSpaces("/x\ttotal=-1\tavail=99999999999999999999999\n", source: "t") }
    }

    @Test func spaceRecordingIsReadFromARoot() throws {
        let root = ScratchRoot()
        root.write("statvfs.txt", "/var/lib/libvirt/images\ttotal=1000\tavail=10\tfsid=1\n")
        root.write("var/lib/libvirt/images/a.img", String(repeating: "\u{0}", count: 600))
        let images = try FactStore(root: root.root).get(Facts.guestImages)
        #expect(images.images.map(\.path) == ["/var/lib/libvirt/images/a.img"])
        #expect(images.images.first?.header?.format == "raw")
        #expect(images.space(for: images.images[0])?.availableBytes == 10)
    }

    @Test func multipathConfigSectionsAndStrayBraces() {
        let text = """
            defaults {
                user_friendly_names yes   # comment
            }
            multipaths {
                mulitpath {
                    wwid  3600a0b80001327510000015427b625e
                    alias "oramp1"
                }
            }
            }
            """
        let config = MultipathConfig.parse(text, file: "/etc/multipath.conf")
        #expect(config.sections.map(\.name) == ["defaults", "multipaths", "mulitpath"])
        #expect(config.sections[2].parents == ["multipaths"])
        #expect(config.sections[2].settings["alias"] == "oramp1")
        #expect(config.strayLines == [10])
        let junk = MultipathConfig.parse(String(decoding: Self.junk, as: UTF8.self) + String(repeating: "a {\n", count: 100), file: "j")
        #expect(junk.unclosed <= 16)
    }

    @Test func exportsWithContinuationsAndDefaults() {
        let text = "# exports\n/var/lib/libvirt/images *.example.test(rw,no_root_squash,async) \\\n   192.0.2.0/24(rw,sync)\n\"/srv/nfs\" (ro)\nnot-a-path x\n"
        let exports = NFSExport.parse(text)
        #expect(exports.count == 2)
        #expect(exports[0].clients.map(\.host) == ["*.example.test", "192.0.2.0/24"])
        #expect(exports[0].clients[0].options.contains("no_root_squash"))
        #expect(exports[1].path == "/srv/nfs")
        #expect(exports[1].clients.first?.host == "*")
        _ = NFSExport.parse(String(decoding: Self.junk, as: UTF8.self))
    }
}

extension GuestImagesTests {
    /// The statvfs recording a bundle carries gives a root the same free space the live reader saw.
    @Test func statvfsRecordingReplays() throws {
        let source = ScratchRoot()
        source.write("statvfs.txt", "/var/lib/libvirt/images\ttotal=429496729600\tavail=26843545600\tfsid=fd00\n")
        source.write("var/lib/libvirt/images/a.qcow2", bytes: Self.qcow2(virtual: 60 << 30))
        let original = try FactStore(root: source.root).get(Facts.guestImages)
        let recording = try #require(LiveRecordings.all.first { $0.file == GuestImages.spaceRecording })
        let text = try #require(recording.write(LiveRecordingContext(store: FactStore(root: source.root))))
        let copy = ScratchRoot()
        copy.write("statvfs.txt", text)
        copy.write("var/lib/libvirt/images/a.qcow2", bytes: Self.qcow2(virtual: 60 << 30))
        let replayed = try FactStore(root: copy.root).get(Facts.guestImages)
        #expect(replayed.spaces == original.spaces)
        #expect(replayed.images.first?.header?.virtualSize == 60 << 30)
    }
}

extension GuestImagesTests {
    /// A bundle carries a big image as an empty file with its sizes in the sidecar; the header recording then
    /// gives the same format, virtual size and backing file the image's own bytes gave.
    @Test func headerRecordingReplaysForEmptyImageFiles() throws {
        let source = ScratchRoot()
        let path = "var/lib/libvirt/images/web01.qcow2"
        source.write(path, bytes: Self.qcow2(virtual: 60 << 30, backing: "base.qcow2"))
        source.write("var/lib/libvirt/images/base.qcow2", bytes: Self.qcow2(virtual: 60 << 30))
        let original = try FactStore(root: source.root).get(Facts.guestImages)
        let recording = try #require(LiveRecordings.all.first { $0.file == GuestImages.headerRecording })
        let text = try #require(recording.write(LiveRecordingContext(store: FactStore(root: source.root))))
        let copy = ScratchRoot()
        copy.write("image-headers.txt", text)
        copy.write(path, "")
        copy.write("var/lib/libvirt/images/base.qcow2", "")
        copy.write(".meta.yaml", "files:\n  /\(path): { size: 1073741824, allocated: 1073741824 }\n  /var/lib/libvirt/images/base.qcow2: { size: 4096, allocated: 4096 }\n")
        let replayed = try FactStore(root: copy.root).get(Facts.guestImages)
        let image = try #require(replayed.images.first { $0.path == "/" + path })
        #expect(image.header == original.images.first { $0.path == "/" + path }?.header)
        #expect(image.header?.virtualSize == 60 << 30)
        #expect(image.backingExists == true)
        #expect(image.apparentBytes == 1 << 30)
        #expect(throws: FactError.self) { try GuestImages.parseHeaders("junk without a path\n", source: "t") }
        #expect(try GuestImages.parseHeaders("/a\tformat=qcow2\tversion=99999999999999999999\tvirtual=-5\n", source: "t")["/a"]?.version == nil)
    }
}

extension GuestImagesTests {
    /// stat's st_blocks on a real sparse file: 1 GiB apparent, almost nothing allocated; statvfs answers
    /// for a directory that exists (values not compared with this machine's, only with each other).
    @Test func sparseFileAndStatvfsOnThisMachine() throws {
        let root = ScratchRoot()
        root.write("var/lib/libvirt/images/thin.img", bytes: Self.qcow2(virtual: 4 << 30))
        let handle = try #require(FileHandle(forWritingAtPath: root.path + "/var/lib/libvirt/images/thin.img"))
        try handle.truncate(atOffset: 1 << 30)
        try handle.close()
        let sizes = root.root.allocation("/var/lib/libvirt/images/thin.img")
        #expect(sizes.apparent == 1 << 30)
        #expect((sizes.allocated ?? Int.max) < 1 << 30)
        let spaces = try #require(try HostRoot.live.fileSystemSpaces(for: [root.path]))
        #expect(spaces.count == 1)
        #expect(spaces.allSatisfy { $0.availableBytes <= $0.totalBytes && $0.totalBytes > 0 })
    }
}

extension GuestImagesTests {
    @Test func xenDiskLinesAcrossLinesAndJunk() {
        let text = """
            name = "guest1"
            # disk = [ 'file:/old.img,xvda,w' ]
            disk = [ 'file:/xen/images/guest1.img,xvda,w',
                     "phy:/dev/sdb,xvdb,w", 'tap:aio:/xen/images/data.img,xvdc,w',
                     'file:/xen/iso/rhel5.iso,hdc:cdrom,r' ]
            """
        let config = XenDiskLines.parse(text)
        #expect(config.name == "guest1")
        #expect(config.disks.map(\.source) == ["/xen/images/guest1.img", "/dev/sdb", "/xen/images/data.img", "/xen/iso/rhel5.iso"])
        #expect(config.disks.map(\.type) == ["file", "block", "file", "file"])
        #expect(config.disks.last?.device == "cdrom")
        #expect(XenDiskLines.parse(String(decoding: Self.junk, as: UTF8.self)).disks.isEmpty)
        #expect(XenDiskLines.parse("disk = [ '''''' 'file:' \"phy:relative\" ").disks.isEmpty)
        #expect(XenDiskLines.parse("disk = [" + String(repeating: "'file:/a,xvda,w',", count: 1000) + "]").disks.count == 256)
    }
}
