import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

@Suite struct HostRootTests {
    @Test func readsFilesRelativeToTheRoot() throws {
        let scratch = ScratchRoot()
        scratch.write("proc/cmdline", "ro quiet\n")
        #expect(try scratch.root.readText("/proc/cmdline") == "ro quiet\n")
        #expect(throws: FactError.absent("/proc/missing")) { try scratch.root.readText("/proc/missing") }
    }

    @Test func absoluteSymlinksStayInsideTheRoot() throws {
        let scratch = ScratchRoot()
        scratch.write("boot/grub2/grub.cfg", "inside\n")
        // On a real disk /etc/grub2.cfg -> /boot/grub2/grub.cfg; it must not escape to the host's /boot.
        scratch.link("etc/grub2.cfg", to: "/boot/grub2/grub.cfg")
        scratch.link("etc/escape", to: "../../../../../../etc/hostname")
        #expect(try scratch.root.readText("/etc/grub2.cfg") == "inside\n")
        #expect(throws: FactError.absent("/etc/escape")) { try scratch.root.readText("/etc/escape") }
    }

    @Test func symlinkLoopsAreReportedNotFollowedForever() {
        let scratch = ScratchRoot()
        scratch.link("a", to: "b")
        scratch.link("b", to: "a")
        #expect(throws: FactError.self) { try scratch.root.readText("/a") }
    }

    @Test func sidecarDeclaresDeviceNodesAndUnreadableFiles() throws {
        let scratch = ScratchRoot()
        scratch.write("var/log/dmesg", "secret\n")
        scratch.write(".meta.yaml", """
            files:
              /dev/kvm: { type: char, mode: "0660", uid: 0, gid: 36, major: 10, minor: 232 }
              /var/log/dmesg: { unreadable: true }
              /var/lib/libvirt/images/a.qcow2: { selinux: "system_u:object_r:virt_image_t:s0" }
            process: { uid: 1000, gids: [1000] }
            """)
        let root = scratch.root
        let kvm = try root.fileInfo("/dev/kvm")
        #expect(kvm.kind == .charDevice)
        #expect(kvm.modeOctal == "0660")
        #expect(kvm.major == 10 && kvm.minor == 232)
        #expect(try root.list("/dev") == ["kvm"])
        #expect(throws: FactError.permissionDenied("/var/log/dmesg")) { try root.readText("/var/log/dmesg") }
        #expect(root.extendedAttribute("/var/lib/libvirt/images/a.qcow2", name: "security.selinux") == "system_u:object_r:virt_image_t:s0")
        #expect(ProcessIdentity.current(root).uid == 1000)
        #expect(try !root.list("/").contains(".meta.yaml"))
    }

    @Test func brokenSidecarIsAClearError() {
        let scratch = ScratchRoot()
        scratch.write(".meta.yaml", "files: [this is: not a map\n")
        #expect {
            _ = try HostRoot(directory: scratch.path)
        } throws: { error in
            guard case FactError.unparsable(let source, _) = error else { return false }
            return source.hasSuffix(".meta.yaml")
        }
    }

    @Test func refusesHugeFiles() {
        let scratch = ScratchRoot()
        scratch.write("proc/cpuinfo", String(repeating: "x", count: 5000))
        #expect(throws: FactError.tooLarge(source: "/proc/cpuinfo", limit: 1000)) {
            try scratch.root.readText("/proc/cpuinfo", limit: 1000)
        }
    }

    @Test func aFileIsNotARoot() {
        let scratch = ScratchRoot()
        scratch.write("file", "x")
        #expect(throws: FactError.self) { try HostRoot(directory: scratch.path + "/file") }
        #expect(throws: FactError.absent(scratch.path + "/nowhere")) { try HostRoot(directory: scratch.path + "/nowhere") }
    }

    @Test func deadlineTurnsAHangIntoATimeout() {
        #expect(throws: FactError.timedOut(what: "a sleeping call", seconds: 0.2)) {
            try withDeadline(seconds: 0.2, what: "a sleeping call") { () -> Int in
                Thread.sleep(forTimeInterval: 5)
                return 1
            }
        }
        #expect(throws: Never.self) { _ = try withDeadline(seconds: 5, what: "a quick call") { 42 } }
    }
}

@Suite struct DeadlineTests {
    /// A probe with its own deadline inside a check's deadline runs on its own worker: waiting for the busy
    /// outer worker would stall until the inner deadline expired.
    @Test func nestedDeadlinesDoNotWaitForEachOther() throws {
        let started = Date()
        let value = try withDeadline(seconds: 5, what: "outer") { () -> Int in
            (try? withDeadline(seconds: 3, what: "inner") { 7 }) ?? -1
        }
        #expect(value == 7)
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func workAfterAHangStillRuns() throws {
        #expect(throws: FactError.self) {
            try withDeadline(seconds: 0.2, what: "hang") { () -> Int in Thread.sleep(forTimeInterval: 3); return 0 }
        }
        #expect(try withDeadline(seconds: 2, what: "after") { 1 } == 1)
    }
}
