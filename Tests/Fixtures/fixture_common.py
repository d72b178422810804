"""Helpers and sample texts the fixture-root generators share (make-roots.py and the per-area
make-roots-<area>.py scripts): how a file or link is written under Tests/Fixtures/roots/, a /proc/cpuinfo in
the kernel's layout, a libvirt domain definition, CPU flag sets of real processor families, and the texts a
base host holds. All text is synthetic. Importing it writes nothing.
"""
import os
import textwrap

BASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "roots")

def w(root, path, text):
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)

def cpuinfo(vendor, model, family, flags, count=4, mhz="2400.000", drop_on=(), drop=("vmx", "svm")):
    """drop_on: CPU numbers that lose the flags in `drop` (uneven firmware)."""
    blocks = []
    for i in range(count):
        fl = [f for f in flags.split() if not (i in drop_on and f in drop)]
        blocks.append(textwrap.dedent(f"""\
        processor\t: {i}
        vendor_id\t: {vendor}
        cpu family\t: {family}
        model\t\t: 85
        model name\t: {model}
        stepping\t: 7
        cpu MHz\t\t: {mhz}
        cache size\t: 16384 KB
        physical id\t: 0
        siblings\t: {count}
        core id\t\t: {i}
        cpu cores\t: {count}
        fpu\t\t: yes
        cpuid level\t: 22
        flags\t\t: {' '.join(fl)}
        bogomips\t: 4800.00
        address sizes\t: 46 bits physical, 48 bits virtual
        """))
    return "\n".join(blocks) + "\n"

INTEL = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb invpcid_single ssbd ibrs ibpb stibp tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb intel_pt xsaveopt xsavec xgetbv1 xsaves arat pln pts md_clear flush_l1d"
INTEL_NOVMX = INTEL.replace(" vmx", "")
AMD_REVF = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt rdtscp lm 3dnowext 3dnow rep_good nopl pni cx16 lahf_lm cmp_legacy svm extapic cr8_legacy"
PVM = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext vmmcall fsgsbase bmi1 avx2 smep bmi2 erms rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves arat umip rdpid"
GUEST = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch fsgsbase bmi1 avx2 smep bmi2 erms invpcid xsaveopt arat md_clear"
P4_32 = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe constant_tsc pebs bts pni dtes64 monitor ds_cpl vmx est cid xtpr"

PROC_MODULES_KVM_INTEL = "kvm_intel 413696 4 - Live 0x0000000000000000\nkvm 1347584 1 kvm_intel, Live 0x0000000000000000\nirqbypass 16384 1 kvm, Live 0x0000000000000000\nbridge 417792 0 - Live 0x0000000000000000\n"
NET_DEFAULT = """<network>
  <name>default</name>
  <uuid>8b1e8c3e-2f9a-4d77-9a51-1f0a4c2b7d10</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:3a:91:0c'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
"""
def domain(name, iface, disk="/var/lib/libvirt/images/{n}.qcow2", dtype="kvm", driver="qemu"):
    return f"""<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST.
-->
<domain type='{dtype}'>
  <name>{name}</name>
  <memory unit='KiB'>2097152</memory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='{driver}' type='qcow2'/>
      <source file='{disk.format(n=name)}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    {iface}
  </devices>
</domain>
"""
IFACE_DEFAULT = "<interface type='network'>\n      <mac address='52:54:00:11:22:33'/>\n      <source network='default'/>\n      <model type='virtio'/>\n    </interface>"
IFACE_BRIDGE = "<interface type='bridge'>\n      <mac address='52:54:00:44:55:66'/>\n      <source bridge='br0'/>\n      <model type='virtio'/>\n    </interface>"

DEV_NULL = '  /dev/null: { type: char, mode: "0666", uid: 0, gid: 0, major: 1, minor: 3 }\n'
DEV_KVM = "  /dev/kvm: { type: char, mode: \"0666\", uid: 0, gid: 36, major: 10, minor: 232 }\n"
LOOP_CONTROL = "  /dev/loop-control: { type: char, mode: \"0660\", uid: 0, gid: 6, major: 10, minor: 237 }\n"
KVM_PROBE_OK = "api_version=12\nKVM_CAP_USER_MEMORY=1\nKVM_CAP_SET_TSS_ADDR=1\nKVM_CAP_NR_VCPUS=16\nKVM_CAP_MAX_VCPUS=4096\nKVM_CAP_IRQCHIP=1\nKVM_CAP_EXT_CPUID=1\nKVM_CAP_NESTED_STATE=16384\nKVM_CAP_TSC_CONTROL=1\n"
GROUP = "root:x:0:\nbin:x:1:\ndisk:x:6:\nkvm:x:36:qemu\nlibvirt:x:977:\nqemu:x:107:\nadmin:x:1000:\n"

def base_host(r, release, osrel):
    w(r, "proc/sys/kernel/osrelease", release + "\n")
    w(r, "proc/sys/kernel/hostname", r + "\n")
    w(r, "proc/cmdline", f"BOOT_IMAGE=(hd0,msdos1)/vmlinuz-{release} root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M rd.lvm.lv=rhel/root rhgb quiet\n")
    w(r, "etc/os-release", osrel)
    w(r, "etc/group", GROUP)
    w(r, "sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n")
    w(r, "sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc hpet acpi_pm \n")

RHEL9 = 'NAME="Red Hat Enterprise Linux"\nVERSION="9.2 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.2"\nPRETTY_NAME="Red Hat Enterprise Linux 9.2 (Plow)"\n'
RHEL5 = "Red Hat Enterprise Linux Server release 5.10 (Tikanga)\n"

def link(root, path, target):
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if os.path.lexists(p): os.remove(p)
    os.symlink(target, p)

def dpkg_status(packages):
    """packages: (name, version, arch, status) -> /var/lib/dpkg/status text."""
    out = []
    for name, version, arch, status in packages:
        out.append(f"Package: {name}\nStatus: {status}\nPriority: optional\nSection: admin\nInstalled-Size: 1024\n"
                   f"Maintainer: Debian Maintainers <pkg-maint@example.org>\nArchitecture: {arch}\nVersion: {version}\n"
                   f"Description: {name} (synthetic test entry)\n synthetic description line\n")
    return "\n".join(out)
