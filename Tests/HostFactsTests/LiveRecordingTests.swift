import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// Each live-only recording is written by its table entry and read back by its fact's reader with the same
/// answer, so `collect` and `analyze` cannot disagree about a file's format.
@Suite struct LiveRecordingTests {
    static func recording(_ file: String) throws -> LiveRecording {
        try #require(LiveRecordings.all.first { $0.file == file })
    }

    /// Writes what the entry makes of `source`'s facts into `copy`, and returns the store of `copy`.
    static func replay(_ file: String, from source: ScratchRoot, into copy: ScratchRoot = ScratchRoot()) throws -> (ScratchRoot, FactStore) {
        let text = try #require(try recording(file).write(LiveRecordingContext(store: FactStore(root: source.root))), "\(file): nothing recorded")
        copy.write(String(file.dropFirst()), text)
        return (copy, FactStore(root: copy.root))
    }

    @Test func everyRecordingNamesAListedFactAndAFileAtTheTop() {
        let listed = Set(Facts.all.map(\.name))
        for recording in LiveRecordings.all {
            #expect(listed.contains(recording.readBy), "\(recording.file) is read by \(recording.readBy), which facts does not list")
            #expect(recording.file.hasPrefix("/") && !recording.file.dropFirst().contains("/"))
        }
        #expect(Set(LiveRecordings.all.map(\.file)).count == LiveRecordings.all.count)
    }

    @Test(arguments: ["api_version=12\nKVM_CAP_MAX_VCPUS=710\nKVM_CAP_USER_MEMORY=1\n", "error=open: Permission denied\n"])
    func kvmProbeRoundTrips(_ text: String) throws {
        let source = ScratchRoot()
        source.write("kvm-probe.txt", text)
        let original = try FactStore(root: source.root).get(Facts.kvmAPI)
        let (copy, replayed) = try Self.replay("/kvm-probe.txt", from: source)
        #expect(try replayed.get(Facts.kvmAPI) == original, "\(copy.path)")
    }

    @Test(arguments: [true, false])
    func clockSynchronizationRoundTrips(_ synchronized: Bool) throws {
        let source = ScratchRoot()
        source.write("adjtimex.txt", TimeSync.recordedText(synchronized: synchronized))
        source.write("etc/chrony.conf", "server ntp.example\n")
        #expect(try FactStore(root: source.root).get(Facts.timeSync).kernelSynchronized == synchronized)
        let copy = ScratchRoot()
        copy.write("etc/chrony.conf", "server ntp.example\n")
        let (_, replayed) = try Self.replay("/adjtimex.txt", from: source, into: copy)
        #expect(try replayed.get(Facts.timeSync).kernelSynchronized == synchronized)
    }

    @Test func machineAndCPUIDRoundTrip() throws {
        let source = ScratchRoot()
        source.write("uname-m.txt", "aarch64\n")
        source.write("cpuid.txt", "KVMKVMKVM\n")
        let (machineCopy, machine) = try Self.replay("/uname-m.txt", from: source)
        #expect(try machine.get(Facts.machine) == "aarch64", "\(machineCopy.path)")
        let (cpuidCopy, cpuid) = try Self.replay("/cpuid.txt", from: source)
        #expect(DetectionInputs.gather(cpuid.root).cpuidSignature == "KVMKVMKVM", "\(cpuidCopy.path)")
    }
}
