import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

/// The parsers behind the issue-13 virt-host-validate parity checks: /proc/cgroups, cgroup.controllers and the
/// mount table's cgroup layout; kvm module booleans and the CPUID 0x8000001F recording; the ACPI table listing
/// and device-tree compatible strings. Real text as the kernel prints it, and junk.
@Suite struct VhvFactsTests {
    static let junk = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t#\n= = =\n"

    // MARK: cgroups

    /// /proc/cgroups of a RHEL 7 host booted with cgroup_disable=memory (kernel 3.10 layout).
    @Test func procCgroupsRHEL7() throws {
        let text = """
            #subsys_name\thierarchy\tnum_cgroups\tenabled
            cpuset\t4\t1\t1
            cpu\t2\t84\t1
            cpuacct\t2\t84\t1
            memory\t0\t1\t0
            devices\t6\t84\t1
            freezer\t8\t1\t1
            net_cls\t3\t1\t1
            blkio\t10\t84\t1
            perf_event\t7\t1\t1
            hugetlb\t9\t1\t1
            pids\t11\t90\t1
            net_prio\t3\t1\t1

            """
        let rows = try CgroupControllers.parseProcCgroups(text)
        #expect(rows.count == 12)
        #expect(rows.first { $0.name == "memory" }?.enabled == false)
        #expect(rows.first { $0.name == "cpu" }?.hierarchy == 2)
        #expect(rows.filter(\.enabled).count == 11)
    }

    @Test func procCgroupsJunkAndHugeNumbers() {
        #expect(throws: FactError.self) { try CgroupControllers.parseProcCgroups(Self.junk) }
        #expect(throws: FactError.self) { try CgroupControllers.parseProcCgroups("") }
        // Rows with overflowing numbers, an enabled column other than 0/1, or the wrong field count are skipped.
        let hostile = "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t99999999999999999999999\t1\t1\nmemory\t1\t1\t7\nio 1 1\ncpuset\t1\t1\t1\n"
        let rows = try? CgroupControllers.parseProcCgroups(hostile)
        #expect(rows?.map(\.name) == ["cpuset"])
        // Truncated in the middle of the header: nothing usable.
        #expect(throws: FactError.self) { try CgroupControllers.parseProcCgroups("#subsys_name\thierar") }
    }

    @Test func controllerLists() {
        #expect(CgroupControllers.parseControllerList("cpuset cpu io memory hugetlb pids rdma misc\n") ==
                ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"])
        #expect(CgroupControllers.parseControllerList("\n").isEmpty)
        #expect(CgroupControllers.parseControllerList(Self.junk).allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } })
        #expect(CgroupControllers.parseControllerList(String(repeating: "memory ", count: 100_000)).count <= 600)
    }

    /// Mount tables of the three layouts, as systemd sets them up (Fedora/RHEL 9, RHEL 8 hybrid, RHEL 7).
    @Test func mountLayouts() {
        let unified = MountEntry.parse("""
            sysfs /sys sysfs rw,seclabel,nosuid,nodev,noexec,relatime 0 0
            cgroup2 /sys/fs/cgroup cgroup2 rw,seclabel,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
            """)
        let u = CgroupControllers.fromMounts(unified)
        #expect(u.layout == .unified)
        #expect(u.unifiedMount == "/sys/fs/cgroup")
        #expect(u.v1Mounted.isEmpty)

        let hybrid = MountEntry.parse("""
            tmpfs /sys/fs/cgroup tmpfs ro,seclabel,nosuid,nodev,noexec,mode=755 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,seclabel,nosuid,nodev,noexec,relatime,nsdelegate 0 0
            cgroup /sys/fs/cgroup/systemd cgroup rw,seclabel,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0
            cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,seclabel,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
            cgroup /sys/fs/cgroup/memory cgroup rw,seclabel,nosuid,nodev,noexec,relatime,memory 0 0
            """)
        let h = CgroupControllers.fromMounts(hybrid)
        #expect(h.layout == .hybrid)
        #expect(h.unifiedMount == "/sys/fs/cgroup/unified")
        #expect(h.v1Mounted == ["cpu", "cpuacct", "memory"])

        let legacy = MountEntry.parse("cgroup /sys/fs/cgroup/blkio cgroup rw,nosuid,nodev,noexec,relatime,blkio 0 0\n")
        #expect(CgroupControllers.fromMounts(legacy).layout == .legacy)
        #expect(CgroupControllers.fromMounts(MountEntry.parse(Self.junk)).layout == CgroupControllers.Layout.none)
    }

    // MARK: confidential guests

    @Test func moduleBooleans() {
        #expect(SecureGuestSupport.parseFlag("Y\n") == true)
        #expect(SecureGuestSupport.parseFlag("1\n") == true)   // kvm_amd before 5.x printed an int
        #expect(SecureGuestSupport.parseFlag("N\n") == false)
        #expect(SecureGuestSupport.parseFlag("0") == false)
        #expect(SecureGuestSupport.parseFlag("") == nil)
        #expect(SecureGuestSupport.parseFlag("YES PLEASE") == nil)
        #expect(SecureGuestSupport.parseFlag(Self.junk) == nil)
        #expect(SecureGuestSupport.parseFlag(String(repeating: "Y", count: 1 << 20)) == nil)
    }

    /// CPUID 0x8000001F of an EPYC 9004 (SME, SEV, SEV-ES, SEV-SNP) round-trips through the recording.
    @Test func memoryEncryptionLeaf() throws {
        let leaf = try SecureGuestSupport.MemoryEncryptionLeaf.parse("eax=0x0101fd3f ebx=0x00004173 ecx=0x000003ee edx=0x00000001\n")
        #expect(leaf.sme && leaf.sev && leaf.sevES && leaf.sevSNP)
        #expect(leaf.guestSlots == 1006)
        #expect(try SecureGuestSupport.MemoryEncryptionLeaf.parse(leaf.recordedText) == leaf)
        // An EPYC 7001 (Naples): SME and SEV, no SEV-ES or SNP.
        let naples = try SecureGuestSupport.MemoryEncryptionLeaf.parse("eax=0x00000007 ebx=0x0000016f ecx=0x0000000f edx=0x00000001")
        #expect(naples.sev && !naples.sevES && !naples.sevSNP)
    }

    @Test func memoryEncryptionLeafJunk() {
        typealias Leaf = SecureGuestSupport.MemoryEncryptionLeaf
        #expect(throws: FactError.self) { try Leaf.parse(Self.junk) }
        #expect(throws: FactError.self) { try Leaf.parse("") }
        #expect(throws: FactError.self) { try Leaf.parse("eax=0x1ffffffff ebx=0 ecx=0 edx=0") }   // 33 bits
        #expect(throws: FactError.self) { try Leaf.parse("eax=0x0101fd3f ebx=0x00004173") }     // truncated
        #expect(throws: FactError.self) { try Leaf.parse("eax=zz ebx=0 ecx=0 edx=0") }
    }

    /// A sos report holds what these facts read: proc/mounts, sys/fs/cgroup, the kvm_amd parameters, and the
    /// /dev listing for /dev/sev; CPUID is never in it.
    @Test func sosReportAnswers() throws {
        let store = FactStore(root: try EvidenceOpening.open(directory: Paths.sosFixture("vhv-amd-sev-host")))
        let cgroups = try store.get(Facts.cgroupControllers)
        #expect(cgroups.layout == .unified)
        #expect(cgroups.v2Controllers == ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"])
        let secure = try store.get(Facts.secureGuestSupport)
        #expect(secure.sev == true && secure.sevES == true && secure.sevSNP == true)
        #expect(secure.sevDevice == true)
        #expect(secure.memoryEncryption == nil)
    }

    // MARK: IOMMU firmware

    /// A listing of /sys/firmware/acpi/tables on an Intel server (numbered SSDTs, a dynamic folder).
    @Test func acpiTables() {
        let intel = ["APIC", "BERT", "DMAR", "DSDT", "FACP", "FACS", "HEST", "HPET", "MCFG", "SSDT1", "SSDT2", "data", "dynamic"]
        #expect(IOMMUFirmware.iommuTables(in: intel) == ["DMAR"])
        #expect(IOMMUFirmware.iommuTables(in: ["APIC", "IVRS", "IVRS2"]) == ["IVRS"])
        #expect(IOMMUFirmware.iommuTables(in: ["IORT", "GTDT", "DMARX", "IVRSdata"]) == ["IORT"])
        #expect(IOMMUFirmware.iommuTables(in: []).isEmpty)
        #expect(IOMMUFirmware.iommuTables(in: Self.junk.split(separator: "\n").map(String.init)).isEmpty)
    }

    @Test func deviceTreeCompatible() {
        #expect(IOMMUFirmware.isSMMUCompatible(Array("arm,smmu-v3\u{0}".utf8)))
        #expect(IOMMUFirmware.isSMMUCompatible(Array("qcom,sdm845-smmu-500\u{0}arm,mmu-500\u{0}".utf8)))
        #expect(!IOMMUFirmware.isSMMUCompatible(Array("arm,gic-v3\u{0}".utf8)))
        #expect(!IOMMUFirmware.isSMMUCompatible([]))
        #expect(!IOMMUFirmware.isSMMUCompatible(Array(Self.junk.utf8)))
    }
}
