#!/usr/bin/env python3
"""Writes the fixture roots of the issue-13 `vhv` group (parity with virt-host-validate) under
Tests/Fixtures/roots/. All text is synthetic, written for these tests; the generated files are committed and
CI does not run this script. To regenerate a root, delete its directory and run the script from anywhere.

Roots:
  vhv-ppc64le-kvm-hv              POWER9 bare-metal (PowerNV) host, ppc64le, kvm_hv loaded (kvm.modules-loaded pass)
  vhv-ppc64le-kvm-pr-only         POWER9 PowerVM LPAR (pSeries), only kvm_pr beside kvm (kvm.modules-loaded fail)
  vhv-cgroup-v2-ready             cgroup2 at /sys/fs/cgroup offering cpuset cpu io memory (kvm.cgroup-controllers pass)
  vhv-cgroup-v1-ready             RHEL 7-style cgroup v1, every controller mounted and enabled (pass)
  vhv-cgroup-v1-memory-disabled   cgroup v1 with cgroup_disable=memory: memory disabled in /proc/cgroups (warn)
  vhv-cgroup-v2-no-cpuset         cgroup v2 whose kernel offers no cpuset controller (warn)
  vhv-cgroup-legacy-forced        hybrid layout forced by systemd.unified_cgroup_hierarchy=0 (warn)
  vhv-sev-snp-host                AMD EPYC host: SEV, SEV-ES and SEV-SNP on in kvm_amd, /dev/sev present (kvm.secure-guest pass)
  vhv-sev-firmware-off            AMD EPYC with SEV in CPUID 0x8000001F but no sev flags: firmware left it off (warn)
  vhv-sev-kernel-off              AMD EPYC with the sev flags, kvm_amd sev=N (warn)
  vhv-s390-prot-virt-off          IBM z15 LPAR with the ultravisor, started without prot_virt=1 (warn)
  vhv-iommu-intel-no-dmar         Intel host whose ACPI tables hold no DMAR: VT-d off in the firmware (iommu.enabled warn)
  vhv-iommu-amd-ivrs-kernel-off   AMD host with an IVRS table, amd_iommu=off on the command line (warn)
  vhv-iommu-guest-no-viommu       Intel VM (hypervisor flag, nested KVM) whose virtual firmware has no DMAR (warn)
  vhv-iommu-arm-smmu-active       arm64 server with IORT and an active SMMUv3 (iommu.enabled pass)
  vhv-iommu-arm-smmu-no-driver    arm64 server with IORT, no SMMU unit: the driver is missing (warn)
and, under Tests/Fixtures/sos/:
  vhv-amd-sev-host                a sos report of an AMD SEV-SNP host on cgroup v2 (kvm.secure-guest and
                                  kvm.cgroup-controllers pass from what sos copies)
"""
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BASE, w, cpuinfo, base_host, INTEL, RHEL9, PROC_MODULES_KVM_INTEL, DEV_NULL, DEV_KVM, KVM_PROBE_OK  # noqa: F401

RHEL7 = 'NAME="Red Hat Enterprise Linux Server"\nVERSION="7.9 (Maipo)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="7.9"\nPRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"\n'
UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\nID=ubuntu\nID_LIKE=debian\n'
EPYC = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx "
        "mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni "
        "pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm "
        "cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core "
        "perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 "
        "avx2 smep bmi2 erms invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves "
        "cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd amd_ppin arat npt lbrv "
        "svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload "
        "vgif v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca fsrm")
EPYC_SEV = EPYC + " sme sev sev_es sev_snp"
PROC_MODULES_KVM_AMD = "kvm_amd 208896 0 - Live 0x0000000000000000\nccp 126976 1 kvm_amd, Live 0x0000000000000000\nkvm 1339392 1 kvm_amd, Live 0x0000000000000000\nirqbypass 12288 1 kvm, Live 0x0000000000000000\n"
# CPUID 0x8000001F of an EPYC 9004 (Genoa): SME, SEV, page flush, SEV-ES, SEV-SNP ...; 1006 encrypted guests.
CPUID_SEV = "eax=0x0101fd3f ebx=0x00004173 ecx=0x000003ee edx=0x00000001\n"

def power_cpuinfo(platform, model, machine, mmu, firmware=None, count=4):
    blocks = [f"processor\t: {i}\ncpu\t\t: POWER9 (architected), altivec supported\nclock\t\t: 3800.000000MHz\nrevision\t: 2.2 (pvr 004e 1202)\n"
              for i in range(count)]
    tail = f"timebase\t: 512000000\nplatform\t: {platform}\nmodel\t\t: {model}\nmachine\t\t: {machine}\n"
    if firmware:
        tail += f"firmware\t: {firmware}\n"
    tail += f"MMU\t\t: {mmu}\n"
    return "\n".join(blocks) + "\n" + tail

def arm_cpuinfo(count=4):
    return "\n".join(
        f"processor\t: {i}\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n"
        "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n" for i in range(count)) + "\n"

S390_CPUINFO = textwrap.dedent("""\
    vendor_id       : IBM/S390
    # processors    : 4
    bogomips per cpu: 3241.00
    max thread id   : 0
    features\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx vxd vxe gs vxe2 vxp sort dflt sie
    facilities      : 0 1 2 3 4 6 7 8 9 10 12 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 30 31 32 33 34 35 36 37 38 40 41 42 43 44 45 47 48 49 50 51 52 53 54 57 58 59 60 61 64 65 69 70 71 72 73 74 75 76 77 78 80 81 82 129 130 131 133 134 135 138 139 146 147 148 150 151 152 155 156 158 168
    processor 0: version = FF,  identification = 0133E8,  machine = 8561
    processor 1: version = FF,  identification = 0133E8,  machine = 8561
    processor 2: version = FF,  identification = 0133E8,  machine = 8561
    processor 3: version = FF,  identification = 0133E8,  machine = 8561
    """)

# /proc/sysinfo of a z15 LPAR running Linux directly (no z/VM level below it).
S390_LPAR_SYSINFO = textwrap.dedent("""\
    Manufacturer:         IBM
    Type:                 8561
    Model:                716              T01
    Sequence Code:        0000000000012345
    Plant:                02
    Model Capacity:       716              00000000
    CPUs Total:           71
    CPUs Configured:      0
    CPUs Standby:         0
    CPUs Reserved:        71

    LPAR Number:          12
    LPAR Characteristics: Shared
    LPAR Name:            KVMHOST1
    LPAR CPUs Total:      16
    LPAR CPUs Configured: 8
    LPAR CPUs Standby:    8
    LPAR CPUs Reserved:   0
    LPAR CPUs Dedicated:  0
    LPAR CPUs Shared:     8
    """)

MOUNTS_HEAD = ("sysfs /sys sysfs rw,seclabel,nosuid,nodev,noexec,relatime 0 0\n"
               "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
               "devtmpfs /dev devtmpfs rw,seclabel,nosuid,size=4096k,nr_inodes=8192000,mode=755 0 0\n")
MOUNTS_TAIL = "/dev/mapper/rhel-root / xfs rw,seclabel,relatime,attr2,inode64,logbufs=8,logbsize=32k,noquota 0 0\n/dev/sda1 /boot xfs rw,seclabel,relatime 0 0\n"
MOUNTS_V2 = MOUNTS_HEAD + "cgroup2 /sys/fs/cgroup cgroup2 rw,seclabel,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n" + MOUNTS_TAIL
V1_CONTROLLERS = [("systemd", "xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd"), ("cpu,cpuacct", "cpu,cpuacct"),
                  ("cpuset", "cpuset"), ("memory", "memory"), ("devices", "devices"), ("blkio", "blkio"), ("freezer", "freezer"),
                  ("net_cls,net_prio", "net_prio,net_cls"), ("perf_event", "perf_event"), ("hugetlb", "hugetlb"), ("pids", "pids")]

def v1_mounts(skip=(), unified=None):
    lines = MOUNTS_HEAD + "tmpfs /sys/fs/cgroup tmpfs ro,seclabel,nosuid,nodev,noexec,mode=755 0 0\n"
    if unified:
        lines += f"cgroup2 {unified} cgroup2 rw,seclabel,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n"
    for directory, options in V1_CONTROLLERS:
        if directory in skip:
            continue
        lines += f"cgroup /sys/fs/cgroup/{directory} cgroup rw,seclabel,nosuid,nodev,noexec,relatime,{options} 0 0\n"
    return lines + MOUNTS_TAIL

def proc_cgroups(disabled=()):
    rows = [("cpuset", 4, 1), ("cpu", 2, 84), ("cpuacct", 2, 84), ("blkio", 10, 84), ("memory", 5, 120), ("devices", 6, 84),
            ("freezer", 8, 1), ("net_cls", 3, 1), ("perf_event", 7, 1), ("net_prio", 3, 1), ("hugetlb", 9, 1), ("pids", 11, 90)]
    out = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
    for name, hierarchy, count in rows:
        if name in disabled:
            out += f"{name}\t0\t1\t0\n"
        else:
            out += f"{name}\t{hierarchy}\t{count}\t1\n"
    return out

def kvm_host(r, release="5.14.0-427.13.1.el9_4.x86_64", osrel=RHEL9, cpu=None, modules=PROC_MODULES_KVM_INTEL, machine="x86_64"):
    base_host(r, release, osrel)
    w(r, "proc/cpuinfo", cpu or cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 6, INTEL))
    w(r, "proc/modules", modules)
    w(r, "uname-m.txt", machine + "\n")

def cmdline(r, release, extra):
    w(r, "proc/cmdline", f"BOOT_IMAGE=(hd0,msdos1)/vmlinuz-{release} root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M rd.lvm.lv=rhel/root rhgb quiet {extra}\n")

def acpi_tables(r, names):
    for name in names:
        # Real tables are binary and readable by root only; the checks list the directory, never read them.
        w(r, f"sys/firmware/acpi/tables/{name}", name + " (synthetic placeholder)\n")

# --- ppc64 kvm_hv (kvm.modules-loaded) ---------------------------------------------------------------------

r = "vhv-ppc64le-kvm-hv"
kvm_host(r, release="5.14.0-427.13.1.el9_4.ppc64le", cpu=power_cpuinfo("PowerNV", "9006-22P", "PowerNV 9006-22P", "Radix", firmware="OPAL"),
         modules="kvm_hv 180224 0 - Live 0xc008000004d10000\nkvm 319488 1 kvm_hv, Live 0xc008000004c40000\n", machine="ppc64le")

r = "vhv-ppc64le-kvm-pr-only"
kvm_host(r, release="5.14.0-427.13.1.el9_4.ppc64le", cpu=power_cpuinfo("pSeries", "IBM,9009-42A", "CHRP IBM,9009-42A", "Hash"),
         modules="kvm_pr 139264 0 - Live 0xc008000004d10000\nkvm 319488 1 kvm_pr, Live 0xc008000004c40000\n", machine="ppc64le")

# --- cgroup controllers (kvm.cgroup-controllers) ------------------------------------------------------------

r = "vhv-cgroup-v2-ready"
kvm_host(r)
w(r, "proc/self/mounts", MOUNTS_V2)
w(r, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
w(r, "sys/fs/cgroup/cgroup.subtree_control", "cpuset cpu io memory pids\n")

r = "vhv-cgroup-v1-ready"
kvm_host(r, release="3.10.0-1160.119.1.el7.x86_64", osrel=RHEL7)
w(r, "proc/mounts", v1_mounts())
w(r, "proc/cgroups", proc_cgroups())

r = "vhv-cgroup-v1-memory-disabled"
kvm_host(r, release="3.10.0-1160.119.1.el7.x86_64", osrel=RHEL7)
cmdline(r, "3.10.0-1160.119.1.el7.x86_64", "cgroup_disable=memory")
w(r, "proc/mounts", v1_mounts(skip=("memory",)))
w(r, "proc/cgroups", proc_cgroups(disabled=("memory",)))

r = "vhv-cgroup-v2-no-cpuset"
kvm_host(r, release="6.8.0-45-generic", osrel=UBUNTU)
w(r, "proc/self/mounts", MOUNTS_V2)
w(r, "sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n")
w(r, "sys/fs/cgroup/cgroup.subtree_control", "cpu io memory pids\n")

r = "vhv-cgroup-legacy-forced"
kvm_host(r)
cmdline(r, "5.14.0-427.13.1.el9_4.x86_64", "systemd.unified_cgroup_hierarchy=0")
w(r, "proc/self/mounts", v1_mounts(unified="/sys/fs/cgroup/unified"))
w(r, "proc/cgroups", proc_cgroups())
w(r, "sys/fs/cgroup/unified/cgroup.controllers", "\n")

# --- confidential guests (kvm.secure-guest) -----------------------------------------------------------------

def amd_host(r, flags, sev, sev_es, sev_snp, dev_sev, cpuid=CPUID_SEV):
    kvm_host(r, cpu=cpuinfo("AuthenticAMD", "AMD EPYC 9354 32-Core Processor", 25, flags), modules=PROC_MODULES_KVM_AMD)
    for name, value in (("sev", sev), ("sev_es", sev_es), ("sev_snp", sev_snp)):
        w(r, f"sys/module/kvm_amd/parameters/{name}", value + "\n")
    w(r, "sys/module/kvm_amd/parameters/nested", "1\n")
    if cpuid:
        w(r, "cpuid-8000001f.txt", cpuid)
    files = DEV_NULL + DEV_KVM
    if dev_sev:
        files += '  /dev/sev: { type: char, mode: "0600", uid: 107, gid: 107, major: 10, minor: 124 }\n'
    w(r, ".meta.yaml", "files:\n" + files)

amd_host("vhv-sev-snp-host", EPYC_SEV, "Y", "Y", "Y", dev_sev=True)
amd_host("vhv-sev-firmware-off", EPYC, "N", "N", "N", dev_sev=False)
amd_host("vhv-sev-kernel-off", EPYC_SEV, "N", "N", "N", dev_sev=True)

r = "vhv-s390-prot-virt-off"
kvm_host(r, release="5.14.0-427.13.1.el9_4.s390x", cpu=S390_CPUINFO, modules="kvm 552960 0 - Live 0x000003ff80180000\n", machine="s390x")
w(r, "proc/cmdline", "root=/dev/mapper/rhel-root crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M rd.lvm.lv=rhel/root cio_ignore=all,!condev rd.znet=qeth,0.0.bdf0,0.0.bdf1,0.0.bdf2,layer2=1,portno=0\n")
w(r, "proc/sysinfo", S390_LPAR_SYSINFO)
# KVM works in the LPAR (the usual way to run KVM on IBM Z), so the run picks the host profile.
w(r, ".meta.yaml", "files:\n" + DEV_NULL + DEV_KVM)
w(r, "kvm-probe.txt", KVM_PROBE_OK)
w(r, "sys/firmware/uv/prot_virt_host", "0\n")
w(r, "sys/firmware/uv/query/facilities", "0x0000000000000000\n")

# --- IOMMU firmware tables (iommu.enabled) ------------------------------------------------------------------

BASE_TABLES = ["APIC", "DSDT", "FACP", "FACS", "HPET", "MCFG", "SPCR", "SSDT1", "SSDT2", "WSMT"]

r = "vhv-iommu-intel-no-dmar"
kvm_host(r)
acpi_tables(r, BASE_TABLES)

r = "vhv-iommu-amd-ivrs-kernel-off"
kvm_host(r, cpu=cpuinfo("AuthenticAMD", "AMD EPYC 7313 16-Core Processor", 25, EPYC), modules=PROC_MODULES_KVM_AMD)
cmdline(r, "5.14.0-427.13.1.el9_4.x86_64", "amd_iommu=off")
acpi_tables(r, BASE_TABLES + ["IVRS"])

r = "vhv-iommu-guest-no-viommu"
kvm_host(r, cpu=cpuinfo("GenuineIntel", "Intel Xeon Processor (Icelake)", 6, INTEL + " hypervisor"))
acpi_tables(r, BASE_TABLES)

ARM_MODULES = "kvm 1343488 0 - Live 0xffff800079a00000\n"
r = "vhv-iommu-arm-smmu-active"
kvm_host(r, release="5.14.0-427.13.1.el9_4.aarch64", cpu=arm_cpuinfo(), modules=ARM_MODULES, machine="aarch64")
acpi_tables(r, ["APIC", "DSDT", "FACP", "GTDT", "IORT", "MCFG", "PPTT", "SPCR"])
w(r, "sys/class/iommu/smmu3.0x0000000009050000/devices/.keep", "")
for group in range(3):
    w(r, f"sys/kernel/iommu_groups/{group}/type", "DMA\n")

r = "vhv-iommu-arm-smmu-no-driver"
kvm_host(r, release="5.14.0-427.13.1.el9_4.aarch64", cpu=arm_cpuinfo(), modules=ARM_MODULES, machine="aarch64")
acpi_tables(r, ["APIC", "DSDT", "FACP", "GTDT", "IORT", "MCFG", "PPTT", "SPCR"])

print("vhv roots written under", BASE)

# --- a sos report of an AMD SEV-SNP host on cgroup v2 (Tests/Fixtures/sos) ----------------------------------
# What sos 4.x copies for these checks: proc/mounts (filesys), sys/fs/cgroup (cgroups), sys/module/*/parameters
# (kernel), and the /dev listing (block) that stands in for /dev/sev. CPUID 0x8000001F is never in a sos report.

SOS = os.path.join(os.path.dirname(BASE), "sos")

def s(root, path, text):
    p = os.path.join(SOS, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)

r = "vhv-amd-sev-host"
s(r, "version.txt", "sosreport: 4.5.6\n")
s(r, "sos_commands/host/hostname", "sevhost01.example.com\n")
s(r, "sos_commands/date/date_--utc", "Tue Dec  1 10:00:00 UTC 2026\n")
s(r, "sos_commands/kernel/uname_-a", "Linux sevhost01.example.com 5.14.0-427.13.1.el9_4.x86_64 #1 SMP PREEMPT_DYNAMIC Wed Apr 10 10:29:16 EDT 2024 x86_64 x86_64 x86_64 GNU/Linux\n")
s(r, "sos_commands/kernel/lsmod", "Module                  Size  Used by\nkvm_amd               208896  0\nccp                   126976  1 kvm_amd\nkvm                  1339392  1 kvm_amd\nirqbypass              12288  1 kvm\n")
s(r, "sos_commands/block/ls_-lanR_.dev", textwrap.dedent("""\
    /dev:
    total 0
    drwxr-xr-x. 19 0   0      3280 Dec  1 09:14 .
    dr-xr-xr-x. 18 0   0       235 Nov 28 16:02 ..
    crw-rw-rw-.  1 0  36   10, 232 Dec  1 09:14 kvm
    drwxr-xr-x.  2 0   0        60 Dec  1 09:14 net
    crw-rw-rw-.  1 0   0    1,   3 Dec  1 09:14 null
    crw-------.  1 107 107 10, 124 Dec  1 09:14 sev
    crw-------.  1 0   0   10, 238 Dec  1 09:14 vhost-net
    """))
s(r, "etc/os-release", RHEL9)
s(r, "proc/cpuinfo", cpuinfo("AuthenticAMD", "AMD EPYC 9354 32-Core Processor", 25, EPYC_SEV))
s(r, "proc/cmdline", "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-427.13.1.el9_4.x86_64 root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M rd.lvm.lv=rhel/root\n")
s(r, "proc/mounts", MOUNTS_V2)
s(r, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
s(r, "sys/fs/cgroup/cgroup.subtree_control", "cpuset cpu io memory pids\n")
for name in ("sev", "sev_es", "sev_snp"):
    s(r, f"sys/module/kvm_amd/parameters/{name}", "Y\n")
s(r, "sys/module/kvm_amd/parameters/nested", "1\n")
