import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// Numbers from a customer's disk can be anything. Each of these used to stop the process with an
/// overflow trap ("Illegal instruction"); now each becomes a value or an `unparsable` fact.
@Suite struct HostileNumberTests {
    static let intMax = "9223372036854775807"

    @Test func libvirtUnitsFollowVirScaleInteger() throws {
        func kib(_ value: String, _ unit: String?) throws -> Int { try LibvirtUnits.kibibytes(value, unit: unit, source: "test") }
        #expect(try kib("4", nil) == 4)
        #expect(try kib("4", "k") == 4)
        #expect(try kib("4", "KiB") == 4)
        #expect(try kib("2048", "b") == 2)
        #expect(try kib("2048", "bytes") == 2)
        #expect(try kib("1025", "bytes") == 2, "libvirt rounds bytes up to whole KiB")
        #expect(try kib("1024", "KB") == 1000)
        #expect(try kib("1", "M") == 1024)
        #expect(try kib("1", "m") == 1024, "units are case-insensitive: m is MiB")
        #expect(try kib("1", "mib") == 1024)
        #expect(try kib("1", "MB") == 1_000_000 / 1024 + 1)
        #expect(try kib("1", "G") == 1 << 20)
        #expect(try kib("1", "TB") == 976_562_500)
        #expect(try kib("1", "T") == 1 << 30)
        #expect(try kib("1", "TiB") == 1 << 30)
        #expect(try kib("1", "PB") == 976_562_500_000)
        #expect(try kib("1", "PiB") == 1 << 40)
        #expect(try kib("1", "P") == 1 << 40)
        #expect(try kib("1", "EiB") == 1 << 50)
        #expect(try kib("15", "EiB") == 15 << 50)
        #expect(try kib("1", "EB") == 976_562_500_000_000)
        #expect(throws: FactError.self) { try kib("1", "XiB") }
        #expect(throws: FactError.self) { try kib("1", "KBB") }
        #expect(throws: FactError.self) { try kib("-1", "KiB") }
        #expect(throws: FactError.self) { try kib("nan", "KiB") }
        #expect(throws: FactError.self) { try kib("99999999999999", "TiB") }
        #expect(throws: FactError.self) { try kib("16", "EiB") }
        #expect(throws: FactError.self) { try kib("99999999999999999999999", nil) }
    }

    @Test func hugeDomainMemoryMakesOnlyThatDefinitionUnreadable() throws {
        let scratch = ScratchRoot()
        scratch.write("etc/libvirt/qemu/huge.xml", "<domain type='kvm'><name>huge</name><memory unit='TiB'>99999999999999</memory></domain>")
        scratch.write("etc/libvirt/qemu/many.xml", "<domain type='kvm'><name>many</name><vcpu>99999999999999999999</vcpu></domain>")
        scratch.write("etc/libvirt/qemu/ok.xml", "<domain type='kvm'><name>ok</name><memory unit='PiB'>1</memory><vcpu>4</vcpu></domain>")
        let inventory = try FactStore(root: scratch.root).get(Facts.libvirtDomains)
        #expect(inventory.domains.map(\.name) == ["ok"])
        #expect(inventory.domains.first?.memoryKiB == 1 << 40)
        #expect(inventory.unreadable["/etc/libvirt/qemu/huge.xml"]?.contains("larger than 16 EiB") == true)
        #expect(inventory.unreadable["/etc/libvirt/qemu/many.xml"]?.contains("<vcpu>") == true)
    }

    @Test func meminfoNearIntMaxIsUnparsable() {
        let text = "MemTotal: \(Self.intMax) kB\nSwapTotal: \(Self.intMax) kB\nSwapFree: 0 kB\n"
        #expect(throws: FactError.self) { try MemoryInfo.parse(text) }
        #expect(throws: FactError.self) { try MemoryInfo.parse("MemTotal: -5 kB\n") }
        #expect(throws: FactError.self) { try MemoryInfo.parse("MemTotal: 99999999999999999999999 kB\n") }
        let largest = LibvirtUnits.maximumKiB
        let info = try? MemoryInfo.parse("MemTotal: \(largest) kB\nSwapTotal: \(largest) kB\n")
        #expect(info?.memTotalKiB == largest)
    }

    @Test func procStatWithHugeOrNegativeTicksIsUnparsable() throws {
        let huge = Array(repeating: Self.intMax, count: 10).joined(separator: " ")
        #expect(throws: FactError.self) { try StealTime.parse("cpu  \(huge)\n") }
        #expect(throws: FactError.self) { try StealTime.parse("cpu  1 2 3 4 5 6 7 -8 0 0\n") }
        #expect(throws: FactError.self) { try StealTime.parse("cpu  1 2 3 4 5 6 7 99999999999999999999 0 0\n") }
        let steal = try StealTime.parse("cpu  100 0 100 700 0 0 0 100 0 0\n")
        #expect(steal.totalTicks == 1000 && steal.percent == 10)
    }

    @Test func hostileMaxLoopIsNoSetting() throws {
        let scratch = ScratchRoot()
        scratch.write("proc/cmdline", "ro max_loop=-9223372036854775808\n")
        scratch.write("sys/module/loop/parameters/max_loop", "99999999999999999999999\n")
        scratch.write("etc/modprobe.d/loop.conf", "options loop max_loop=\(Self.intMax)\n")
        scratch.write("sys/block/loop0/loop/backing_file", "/var/lib/a.img\n")
        let loop = try FactStore(root: scratch.root).get(Facts.loopDevices)
        #expect(loop.configuredMaxLoop == nil)
        #expect(loop.maxLoop == nil)
    }

    @Test func checkedNumbersReportInsteadOfTrapping() {
        #expect(CheckedNumbers.sum([Int.max, 1]) == nil)
        #expect(CheckedNumbers.sum([1, 2, 3]) == 6)
        #expect(CheckedNumbers.saturatingSum([Int.max, Int.max]) == Int.max)
        #expect(CheckedNumbers.saturatingAdd(Int.min, -1) == Int.min)
        #expect(CheckedNumbers.saturatingMultiply(Int.max, 2) == Int.max)
        #expect(CheckedNumbers.integer(Double.nan) == nil)
        #expect(CheckedNumbers.integer(Double.infinity) == nil)
        #expect(CheckedNumbers.integer(1e300) == nil)
        #expect(CheckedNumbers.integer(9_223_372_036_854_775_808.0) == nil)
        #expect(CheckedNumbers.integer(-9_223_372_036_854_775_808.0) == Int.min)
        #expect(CheckedNumbers.clampedInteger(-1e300) == Int.min)
        #expect(CheckedNumbers.integer("12", in: 0...10) == nil)
    }

    @Test func timeoutDescriptionsNeverTrap() {
        #expect(FactError.timedOut(what: "x", seconds: 1e300).description.contains("1e+300"))
        #expect(FactError.timedOut(what: "x", seconds: .infinity).description.contains("inf"))
        #expect(FactError.timedOut(what: "x", seconds: 10).description == "x did not answer within 10 s")
    }

    @Test func deadlineWithNonsenseSecondsDoesNotTrapOrHang() throws {
        // NaN waits not at all: the answer or a timeout, but no trap and no endless wait.
        _ = try? withDeadline(seconds: .nan, what: "t") { 1 }
        #expect(try withDeadline(seconds: .infinity, what: "t") { 2 } == 2)
        #expect(try withDeadline(seconds: 1e300, what: "t") { 3 } == 3)
    }

    /// Every fact of a root full of hostile numbers is answered; nothing traps.
    @Test func everyFactOfTheHostileNumbersRootIsAnswered() throws {
        let store = FactStore(root: try HostRoot(directory: Paths.fixtureRoot("hostile-numbers")))
        for fact in Facts.all {
            let record = fact.record(store)
            #expect(record.available ? record.value != nil : record.unavailableReason?.isEmpty == false, "\(fact.name)")
        }
        #expect(throws: FactError.self) { try store.get(Facts.memory) }
        #expect(throws: FactError.self) { try store.get(Facts.stealTime) }
    }
}
