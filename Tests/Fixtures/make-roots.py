#!/usr/bin/env python3
"""Writes the host and guest fixture roots under Tests/Fixtures/roots/ (the certificate roots come from
make-certificate-roots.py). Each root is a small directory laid out like /, with a .meta.yaml sidecar
for what git cannot hold (device nodes, unreadable files). All text is synthetic, written for these
tests; the generated files are committed and CI does not run this script. To regenerate one root,
delete its directory and run the script from anywhere. The helpers and sample texts it shares with the
per-area generators (make-roots-<area>.py) are in fixture_common.py.
"""
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import *  # noqa: F401,F403 - BASE, w, link, cpuinfo, domain, base_host and the sample texts

# ---------------------------------------------------------------- 1. a ready KVM host
r = "kvm-intel-host-ready"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
for m in ["kvm", "kvm_intel", "bridge", "irqbypass"]:
    w(r, f"sys/module/{m}/initstate", "live\n")
w(r, "sys/module/kvm_intel/parameters/nested", "Y\n")
w(r, "sys/module/loop/parameters/max_loop", "0\n")
for i in range(8):
    w(r, f"sys/block/loop{i}/size", "0\n")
w(r, "sys/block/loop0/loop/backing_file", "/var/lib/libvirt/images/rhel9.iso\n")
for i in range(4):
    w(r, f"sys/devices/system/cpu/cpu{i}/cpufreq/scaling_governor", "performance\n")
    w(r, f"sys/devices/system/cpu/cpu{i}/cpufreq/scaling_min_freq", "2200000\n")
    w(r, f"sys/devices/system/cpu/cpu{i}/cpufreq/scaling_max_freq", "3200000\n")
w(r, "kvm-probe.txt", KVM_PROBE_OK)
w(r, "var/log/dmesg", "[    0.000000] Linux version 5.14.0-284.30.1.el9_2.x86_64 (mockbuild@x86-vm-07.build.eng.bos.redhat.com)\n[    0.000000] tsc: Detected 2200.000 MHz processor\n[    1.204511] clocksource: Switched to clocksource tsc\n[    9.771230] kvm: Nested Virtualization enabled\n")
w(r, "boot/grub2/grub.cfg", "set default=\"${saved_entry}\"\nload_env\ninsmod blscfg\nblscfg\n")
w(r, "boot/grub2/grubenv", "# GRUB Environment Block\nsaved_entry=4f0c1a2be3d94c3fa2d1e1b7f4d0a9c3-5.14.0-284.30.1.el9_2.x86_64\n" + "#" * 900 + "\n")
w(r, "boot/loader/entries/4f0c1a2be3d94c3fa2d1e1b7f4d0a9c3-5.14.0-284.30.1.el9_2.x86_64.conf",
  "title Red Hat Enterprise Linux (5.14.0-284.30.1.el9_2.x86_64) 9.2 (Plow)\nversion 5.14.0-284.30.1.el9_2.x86_64\nlinux /vmlinuz-5.14.0-284.30.1.el9_2.x86_64\ninitrd /initramfs-5.14.0-284.30.1.el9_2.x86_64.img $tuned_initrd\noptions root=/dev/mapper/rhel-root ro rhgb quiet\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class rhel\n")
w(r, "boot/loader/entries/4f0c1a2be3d94c3fa2d1e1b7f4d0a9c3-0-rescue.conf",
  "title Red Hat Enterprise Linux (0-rescue-4f0c1a2be3d94c3fa2d1e1b7f4d0a9c3) 9.2 (Plow)\nversion 0-rescue-4f0c1a2be3d94c3fa2d1e1b7f4d0a9c3\nlinux /vmlinuz-0-rescue-4f0c1a2be3d94c3fa2d1e1b7f4d0a9c3\ninitrd /initramfs-0-rescue-4f0c1a2be3d94c3fa2d1e1b7f4d0a9c3.img\noptions root=/dev/mapper/rhel-root ro\n")
w(r, "etc/default/grub", 'GRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"\nGRUB_DEFAULT=saved\nGRUB_ENABLE_BLSCFG=true\n')
w(r, "proc/sys/net/ipv4/ip_forward", "1\n")
w(r, "etc/sysctl.d/99-forwarding.conf", "# managed by the host build\nnet.ipv4.ip_forward = 1\n")
w(r, "sys/class/net/eth0/address", "52:54:00:aa:bb:cc\n")
w(r, "sys/class/net/virbr0/bridge/stp_state", "1\n")
w(r, "sys/class/net/virbr0/brif/vnet0/port_no", "0x1\n")
w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)
w(r, "etc/libvirt/qemu/networks/autostart/default.xml", NET_DEFAULT)
w(r, "run/libvirt/network/default.xml", "<networkstatus>\n" + NET_DEFAULT + "</networkstatus>\n")
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, "etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
w(r, "sys/fs/selinux/enforce", "1")
for pid, comm in [(1, "systemd"), (811, "chronyd"), (1204, "libvirtd")]:
    w(r, f"proc/{pid}/comm", comm + "\n")
w(r, "etc/chrony.conf", "pool 2.rhel.pool.ntp.org iburst\n")
w(r, "adjtimex.txt", "synchronized=yes\n")
for unit in ["dmar0", "dmar1"]:
    w(r, f"sys/class/iommu/{unit}/devices/.keep", "")
for group in range(4):
    w(r, f"sys/kernel/iommu_groups/{group}/type", "DMA-FQ\n")
w(r, ".meta.yaml", "# Device nodes git cannot hold.\nfiles:\n" + DEV_KVM + LOOP_CONTROL
  + '  /dev/vhost-net: { type: char, mode: "0600", uid: 0, gid: 0, major: 10, minor: 238 }\n'
  + '  /dev/net/tun: { type: char, mode: "0666", uid: 0, gid: 0, major: 10, minor: 200 }\n')

# ---------------------------------------------------------------- 2. VT-x switched off in firmware
r = "intel-vmx-bios-disabled"
base_host(r, "6.5.6-300.fc39.x86_64", 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=39\nPRETTY_NAME="Fedora Linux 39 (Server Edition)"\n')
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz", 6, INTEL_NOVMX.replace(" ept vpid ept_ad", "").replace(" tpr_shadow flexpriority", ""), count=4))
w(r, "proc/modules", "kvm 1347584 0 - Live 0x0000000000000000\nirqbypass 16384 1 kvm, Live 0x0000000000000000\n")
for m in ["kvm", "irqbypass"]:
    w(r, f"sys/module/{m}/initstate", "live\n")
w(r, "var/log/dmesg", "[    0.000000] Linux version 6.5.6-300.fc39.x86_64\n[    0.031337] x86/cpu: VMX (outside TXT) disabled by BIOS\n[    0.041002] VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU 0\n[   11.202113] kvm_intel: VMX not supported by CPU 0\n")
w(r, "proc/sys/net/ipv4/ip_forward", "0\n")
# /dev was captured (it holds the usual nodes) and has no kvm node: its absence is a finding, not a gap.
w(r, ".meta.yaml", "files:\n" + DEV_NULL)

# ---------------------------------------------------------------- 3. PVM: KVM without vmx/svm inside a VM (like the CI machine)
r = "pvm-nested-kvm"
base_host(r, "6.18.44-fc-v595", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n')
w(r, "proc/cmdline", "console=ttyS0 quiet reboot=k panic=1 nomodule nested_pvm=1\n")
w(r, "proc/cpuinfo", cpuinfo("AuthenticAMD", "AMD EPYC", 25, PVM, count=2))
for m in ["kvm", "kvm_pvm"]:
    w(r, f"sys/module/{m}/parameters/halt_poll_ns" if m == "kvm" else f"sys/module/{m}/parameters/pvm_native", "0\n")
w(r, "kvm-probe.txt", KVM_PROBE_OK)
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, "var/log/dmesg", "[    0.000000] Linux version 6.18.44-fc-v595\n[    0.120000] Hypervisor detected: KVM\n")
w(r, "proc/sys/net/ipv4/ip_forward", "0\n")
w(r, ".meta.yaml", "files:\n" + DEV_KVM.replace('"0666", uid: 0, gid: 36', '"0600", uid: 0, gid: 0'))

# ---------------------------------------------------------------- 4. a KVM guest without nested virtualization
r = "kvm-guest-no-nested"
base_host(r, "5.14.0-362.8.1.el9_3.x86_64", RHEL9)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel Xeon Processor (Cascadelake)", 6, GUEST, count=2))
w(r, "proc/modules", "virtio_net 65536 0 - Live 0x0000000000000000\nvirtio_blk 20480 2 - Live 0x0000000000000000\n")
w(r, "sys/class/dmi/id/sys_vendor", "Red Hat\n")
w(r, "sys/class/dmi/id/product_name", "KVM\n")
w(r, "sys/devices/system/clocksource/clocksource0/current_clocksource", "kvm-clock\n")
w(r, "etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
w(r, "sys/fs/selinux/enforce", "1")
w(r, "var/log/dmesg", "[    0.000000] Hypervisor detected: KVM\n[    0.000000] kvm-clock: Using msrs 4b564d01 and 4b564d00\n")
w(r, ".meta.yaml", "files:\n" + DEV_NULL)

# ---------------------------------------------------------------- 5. old AMD without constant TSC, frequency scaling on
r = "amd-no-constant-tsc-cpufreq"
base_host(r, "2.6.32-754.el6.x86_64", 'PRETTY_NAME="CentOS release 6.10 (Final)"\nID=centos\nVERSION_ID="6.10"\n')
w(r, "proc/cpuinfo", cpuinfo("AuthenticAMD", "Dual-Core AMD Opteron(tm) Processor 2218", 15, AMD_REVF, count=2, mhz="1000.000"))
for i in range(2):
    b = f"sys/devices/system/cpu/cpu{i}/cpufreq/"
    w(r, b + "scaling_governor", "ondemand\n")
    w(r, b + "scaling_min_freq", "1000000\n")
    w(r, b + "scaling_max_freq", "2600000\n")
    w(r, b + "cpuinfo_min_freq", "1000000\n")
    w(r, b + "cpuinfo_max_freq", "2600000\n")
    w(r, b + "scaling_available_frequencies", "2600000 2400000 2200000 2000000 1800000 1000000 \n")
w(r, "etc/sysconfig/cpuspeed", "# cpuspeed settings\nGOVERNOR=\nMIN_SPEED=1000000\nMAX_SPEED=2600000\n")

# ---------------------------------------------------------------- 6. 32-bit CPU without long mode
r = "i686-no-long-mode"
base_host(r, "2.6.18-398.el5PAE", RHEL5)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Pentium(R) 4 CPU 3.00GHz", 15, P4_32, count=2))

# ---------------------------------------------------------------- 7. Xen dom0, grub default points to the plain kernel, loop devices exhausted
r = "xen-dom0-grub-legacy"
w(r, "proc/sys/kernel/osrelease", "2.6.18-371.el5xen\n")
w(r, "etc/redhat-release", RHEL5)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5420 @ 2.50GHz", 6, "fpu tsc msr pae mce cx8 apic mtrr mca cmov pat pse36 clflush acpi mmx fxsr sse sse2 ss ht syscall nx lm constant_tsc pni vmx est ssse3 cx16 sse4_1 lahf_lm", count=2))
w(r, "proc/xen/capabilities", "control_d\n")
w(r, "sys/hypervisor/type", "xen\n")
w(r, "proc/modules", "xennet 28105 0 - Live 0xffffffff88201000\nblkbk 28017 0 - Live 0xffffffff881e4000\nloop 48721 16 - Live 0xffffffff881c7000\n")
w(r, "boot/grub/grub.conf", """# grub.conf generated by anaconda
#
# Note that you do not have to rerun grub after making changes to this file
default=1
timeout=5
splashimage=(hd0,0)/grub/splash.xpm.gz
hiddenmenu
title Red Hat Enterprise Linux Server (2.6.18-371.el5xen)
\troot (hd0,0)
\tkernel /xen.gz-2.6.18-371.el5
\tmodule /vmlinuz-2.6.18-371.el5xen ro root=/dev/VolGroup00/LogVol00 rhgb quiet
\tmodule /initrd-2.6.18-371.el5xen.img
title Red Hat Enterprise Linux Server (2.6.18-371.el5)
\troot (hd0,0)
\tkernel /vmlinuz-2.6.18-371.el5 ro root=/dev/VolGroup00/LogVol00 rhgb quiet
\tinitrd /initrd-2.6.18-371.el5.img
""")
w(r, "sys/module/loop/parameters/max_loop", "8\n")
for i in range(8):
    w(r, f"sys/block/loop{i}/loop/backing_file", f"/var/lib/xen/images/guest{i // 2}-disk{i % 2}.img\n")
w(r, "etc/xen/guest4", "name = \"guest4\"\nmemory = 1024\nbuilder = \"hvm\"\ndisk = [ 'file:/var/lib/xen/images/guest4-disk0.img,hda,w', 'file:/var/lib/xen/images/guest4.iso,hdc:cdrom,r' ]\nvif = [ 'bridge=xenbr0' ]\n")
w(r, "etc/modprobe.conf", "alias eth0 e1000\nalias scsi_hostadapter ata_piix\n")
w(r, "var/log/dmesg", "Linux version 2.6.18-371.el5xen (mockbuild@x86-022.build.eng.bos.redhat.com)\nXen version: 3.1.2-371.el5 (preserve-AD) (dom0)\n")
w(r, "proc/sys/net/ipv4/ip_forward", "0\n")

# ---------------------------------------------------------------- 8. NAT network with forwarding off, bridged guests filtered
r = "net-nat-forwarding-off"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
w(r, "proc/sys/net/ipv4/ip_forward", "0\n")
w(r, "etc/sysctl.conf", "# System default settings live in /usr/lib/sysctl.d/00-system.conf.\nnet.ipv4.ip_forward = 0\n")
for k in ["bridge-nf-call-iptables", "bridge-nf-call-ip6tables", "bridge-nf-call-arptables"]:
    w(r, f"proc/sys/net/bridge/{k}", "1\n")
w(r, "sys/class/net/br0/bridge/stp_state", "0\n")
w(r, "sys/class/net/br0/brif/eno1/port_no", "0x1\n")
w(r, "sys/class/net/virbr0/bridge/stp_state", "1\n")
w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)
w(r, "etc/libvirt/qemu/networks/autostart/default.xml", NET_DEFAULT)
w(r, "run/libvirt/network/default.xml", "<networkstatus>\n" + NET_DEFAULT + "</networkstatus>\n")
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, "etc/libvirt/qemu/db01.xml", domain("db01", IFACE_BRIDGE))

# ---------------------------------------------------------------- 9. default network missing although guests use it; not autostarted elsewhere
r = "net-default-missing"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
w(r, "proc/sys/net/ipv4/ip_forward", "1\n")
w(r, "etc/libvirt/qemu/networks/isolated.xml", "<network>\n  <name>isolated</name>\n  <bridge name='virbr1'/>\n</network>\n")
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))

# ---------------------------------------------------------------- 10. SELinux permissive at run time, enforcing in config
r = "selinux-permissive"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
w(r, "etc/selinux/config", "# This file controls the state of SELinux on the system.\nSELINUX=enforcing\nSELINUXTYPE=targeted\n")
w(r, "sys/fs/selinux/enforce", "0")

# ---------------------------------------------------------------- 11. /dev/kvm not usable by the (non-root) user running the check
r = "kvm-device-permission-denied"
base_host(r, "6.1.0-26-amd64", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=2))
w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
w(r, "kvm-probe.txt", "error=open: Permission denied\n")
w(r, ".meta.yaml", "files:\n  /dev/kvm: { type: char, mode: \"0660\", uid: 0, gid: 36, major: 10, minor: 232 }\nprocess: { uid: 1000, gids: [1000] }\n")

# ---------------------------------------------------------------- 12. a root with nothing readable where it matters
r = "garbage-proc"
w(r, "proc/cpuinfo", "\x00\x01\x02ELF\x7f\x00\x00garbage\x00\x00\x00" * 40)
w(r, "proc/modules", "this is not a module list\n")
w(r, "proc/sys/kernel/osrelease", "\n")
w(r, "proc/sys/net/ipv4/ip_forward", "1\n")
w(r, ".meta.yaml", "files:\n  /var/log/dmesg: { unreadable: true }\n  /etc/selinux/config: { unreadable: true }\n")

# ---------------------------------------------------------------- 13. numbers no real machine has
# Every value here once stopped the tool with an overflow trap; the root must still give a report.
r = "hostile-numbers"
BIG = "9223372036854775807"
HUGE = "99999999999999999999999"
w(r, "proc/cpuinfo", f"processor\t: {HUGE}\nvendor_id\t: GenuineIntel\ncpu MHz\t\t: 1e400\nflags\t\t: fpu vmx lm constant_tsc\n\n"
                     f"processor\t: -1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx lm constant_tsc\n")
w(r, "proc/meminfo", f"MemTotal:       {BIG} kB\nSwapTotal:      {BIG} kB\nSwapFree:       -1 kB\n")
w(r, "proc/stat", f"cpu  {BIG} {BIG} {BIG} {BIG} {BIG} {BIG} {BIG} {BIG} 0 0\ncpu0 1 2 3\nbtime {HUGE}\n")
w(r, "proc/modules", f"kvm_intel {HUGE} -{BIG} - Live 0x0\nkvm {BIG} {BIG} kvm_intel, Live 0x0\n")
w(r, "proc/cmdline", f"ro max_loop=-{BIG} loop.max_loop={HUGE}\n")
w(r, "proc/sys/kernel/osrelease", "5.14.0-hostile\n")
w(r, "proc/sys/net/ipv4/ip_forward", f"{HUGE}\n")
w(r, "sys/module/loop/parameters/max_loop", f"{BIG}\n")
w(r, "sys/module/kvm_intel/parameters/nested", "nan\n")
w(r, "sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq", f"{HUGE}\n")
w(r, "sys/devices/system/cpu/cpu0/cpufreq/scaling_min_freq", f"-{BIG}\n")
w(r, "sys/devices/system/cpu/cpu0/cpufreq/scaling_available_frequencies", f"{BIG} {HUGE} nan inf -1\n")
w(r, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "ondemand\n")
w(r, "etc/sysconfig/cpuspeed", f"MIN_SPEED={HUGE}\nMAX_SPEED=-{BIG}\n")
w(r, "etc/modprobe.d/loop.conf", f"options loop max_loop={BIG}\n")
w(r, "etc/sysctl.d/99-big.conf", f"net.ipv4.ip_forward = {HUGE}\nnet.bridge.bridge-nf-call-iptables = nan\n")
w(r, "boot/grub/grub.conf", f"default={HUGE}\ntimeout={HUGE}\ntitle Linux\n\tkernel /vmlinuz ro\n")
w(r, "etc/libvirt/qemu/tib.xml", "<domain type='kvm'><name>tib</name><memory unit='TiB'>99999999999999</memory><vcpu>4</vcpu></domain>\n")
w(r, "etc/libvirt/qemu/vcpus.xml", f"<domain type='kvm'><name>vcpus</name><memory unit='EiB'>15</memory><vcpu>{HUGE}</vcpu></domain>\n")
w(r, "etc/libvirt/qemu/eib.xml", "<domain type='kvm'><name>eib</name><memory unit='EiB'>15</memory><vcpu>1048576</vcpu></domain>\n")
w(r, "etc/libvirt/qemu/eib2.xml", "<domain type='kvm'><name>eib2</name><currentMemory unit='e'>15</currentMemory><vcpu>1048576</vcpu></domain>\n")
w(r, "etc/libvirt/qemu/autostart/eib.xml", "")
w(r, "etc/libvirt/qemu/autostart/eib2.xml", "")
w(r, "etc/libvirt/qemu/autostart/tib.xml", "")
w(r, "cpuid.txt", f"{HUGE}\n")
w(r, "dmidecode.txt", f"System Information\n\tManufacturer: {HUGE}\n\tProduct Name: -{BIG}\n")
w(r, "uname-m.txt", "x86_64\n")
w(r, "kvm-probe.txt", f"api_version={HUGE}\nKVM_CAP_NR_VCPUS=-{BIG}\n")

# ---------------------------------------------------------------- guests
def device(root, cls_path, dev_path, chain):
    """cls_path: e.g. sys/class/net/eth0; dev_path: sys/devices/...; chain: [(ancestor path, driver path)]"""
    rel = os.path.relpath(os.path.join("/", dev_path), os.path.dirname(os.path.join("/", cls_path)))
    link(root, cls_path, rel)
    for ancestor, driver in chain:
        rel_driver = os.path.relpath(os.path.join("/", driver), os.path.join("/", ancestor))
        link(root, ancestor + "/driver", rel_driver)

def stat_line(user, system, idle, steal):
    return f"cpu  {user} 0 {system} {idle} 120 0 35 {steal} 0 0\ncpu0 {user} 0 {system} {idle} 120 0 35 {steal} 0 0\nintr 1\nctxt 1\nbtime 1700000000\n"

def guest_base(r, model, flags, signature, sys_vendor, product, clocksource=None):
    """The part every guest root shares: a RHEL 9 guest with two vCPUs, its CPUID hypervisor signature,
    DMI vendor and product, and (when given) the clock source as (current, available)."""
    base_host(r, "5.14.0-362.8.1.el9_3.x86_64", RHEL9)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", model, 6, flags, count=2))
    w(r, "cpuid.txt", signature + "\n")
    w(r, "uname-m.txt", "x86_64\n")
    w(r, "sys/class/dmi/id/sys_vendor", sys_vendor + "\n")
    w(r, "sys/class/dmi/id/product_name", product + "\n")
    if clocksource:
        current, available = clocksource
        w(r, "sys/devices/system/clocksource/clocksource0/current_clocksource", current + "\n")
        w(r, "sys/devices/system/clocksource/clocksource0/available_clocksource", available + "\n")

def guest_services(r, processes, stat, chrony=None):
    """Running processes as (pid, comm), /proc/stat from (user, system, idle, steal) ticks, and when
    chrony is given its configuration plus a synchronised kernel clock."""
    for pid, comm in processes:
        w(r, f"proc/{pid}/comm", comm + "\n")
    if chrony:
        w(r, "etc/chrony.conf", chrony)
        w(r, "adjtimex.txt", "synchronized=yes\n")
    w(r, "proc/stat", stat_line(*stat))

# A well set-up KVM guest: virtio everywhere, kvm-clock, chrony synchronised, qemu-guest-agent, little steal.
r = "kvm-guest-virtio-good"
guest_base(r, "Intel Xeon Processor (Icelake)", GUEST, "KVMKVMKVM", "Red Hat", "KVM", ("kvm-clock", "kvm-clock tsc acpi_pm "))
device(r, "sys/class/net/eth0", "sys/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0",
       [("sys/devices/pci0000:00/0000:00:03.0/virtio0", "sys/bus/virtio/drivers/virtio_net"),
        ("sys/devices/pci0000:00/0000:00:03.0", "sys/bus/pci/drivers/virtio-pci")])
device(r, "sys/class/net/lo", "sys/devices/virtual/net/lo", [])
device(r, "sys/block/vda", "sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda",
       [("sys/devices/pci0000:00/0000:00:04.0/virtio1", "sys/bus/virtio/drivers/virtio_blk"),
        ("sys/devices/pci0000:00/0000:00:04.0", "sys/bus/pci/drivers/virtio-pci")])
w(r, "sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/queue/scheduler", "[none] mq-deadline kyber bfq \n")
w(r, "sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/queue/rotational", "1\n")
guest_services(r, [(1, "systemd"), (612, "chronyd"), (640, "qemu-ga"), (700, "sshd")], (52000, 11000, 930000, 700),
               chrony="pool 2.rhel.pool.ntp.org iburst\nmakestep 1.0 3\nrtcsync\n")
w(r, "etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
w(r, "sys/fs/selinux/enforce", "1")
w(r, ".meta.yaml", "files:\n  /dev/virtio-ports/org.qemu.guest_agent.0: { type: char, mode: \"0600\", uid: 0, gid: 0, major: 245, minor: 1 }\n")

# A KVM guest on emulated hardware with every timekeeping and tooling problem.
r = "kvm-guest-emulated-devices"
guest_base(r, "QEMU Virtual CPU version 2.5+", GUEST.replace(" constant_tsc", ""), "KVMKVMKVM", "QEMU",
           "Standard PC (i440FX + PIIX, 1996)", ("hpet", "kvm-clock hpet acpi_pm "))
device(r, "sys/class/net/ens3", "sys/devices/pci0000:00/0000:00:03.0/net/ens3",
       [("sys/devices/pci0000:00/0000:00:03.0", "sys/bus/pci/drivers/e1000")])
device(r, "sys/block/sda", "sys/devices/pci0000:00/0000:00:01.1/ata1/host0/target0:0:0/0:0:0:0/block/sda",
       [("sys/devices/pci0000:00/0000:00:01.1/ata1/host0/target0:0:0/0:0:0:0", "sys/bus/scsi/drivers/sd"),
        ("sys/devices/pci0000:00/0000:00:01.1", "sys/bus/pci/drivers/ata_piix")])
w(r, "sys/devices/pci0000:00/0000:00:01.1/ata1/host0/target0:0:0/0:0:0:0/block/sda/queue/scheduler", "mq-deadline kyber [bfq] none\n")
guest_services(r, [(1, "systemd"), (700, "sshd")], (52000, 11000, 700000, 250000))
w(r, "var/log/dmesg", "[    2.100000] clocksource: timekeeping watchdog on CPU1: Marking clocksource 'tsc' as unstable because the skew is too large\n[    2.100200] clocksource: Switched to clocksource hpet\n")

# A RHEL 5.3 KVM guest without the paravirtual clock and without the prescribed parameters.
r = "rhel5-kvm-guest-no-timing-params"
w(r, "proc/sys/kernel/osrelease", "2.6.18-128.el5\n")
w(r, "etc/redhat-release", "Red Hat Enterprise Linux Server release 5.3 (Tikanga)\n")
w(r, "uname-m.txt", "x86_64\n")
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "QEMU Virtual CPU version 0.9.1", 6, "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm pni hypervisor", count=1))
w(r, "proc/cmdline", "ro root=/dev/VolGroup00/LogVol00 rhgb quiet\n")
w(r, "sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n")
w(r, "sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc acpi_pm jiffies \n")

# The same guest with the parameters the guide prescribes for 5.3 x86_64.
r = "rhel5-kvm-guest-timing-params"
w(r, "proc/sys/kernel/osrelease", "2.6.18-128.el5\n")
w(r, "etc/redhat-release", "Red Hat Enterprise Linux Server release 5.3 (Tikanga)\n")
w(r, "uname-m.txt", "x86_64\n")
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "QEMU Virtual CPU version 0.9.1", 6, "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm pni hypervisor", count=1))
w(r, "proc/cmdline", "ro root=/dev/VolGroup00/LogVol00 rhgb quiet divider=10 notsc\n")

# Garbage where detection evidence belongs.
r = "garbage-detection"
w(r, "cpuid.txt", "\x01\x02\x03 this is not a CPUID signature at all \x7f\n")
w(r, "dmidecode.txt", "\x00\x00\x00\x89PNG\x00\x00binary\x00")
w(r, "uname-m.txt", "x86_64\n")
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel Xeon", 6, GUEST, count=1))

# Detection with evidence this user may not read: the answer must say it may be incomplete.
r = "detection-unreadable-environ"
w(r, "uname-m.txt", "x86_64\n")
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel Xeon", 6, GUEST, count=1))
w(r, "proc/1/environ", "container=podman\0HOME=/\0")
w(r, ".meta.yaml", "files:\n  /proc/1/environ: { unreadable: true }\n")

# ---------------------------------------------------------------- SELinux labels of guest images
def selinux_root(r, images, rules):
    """images: [(guest, path, device, label)]; rules: file_contexts.local lines."""
    base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
    w(r, "etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
    w(r, "sys/fs/selinux/enforce", "1")
    meta = "files:\n"
    guests = {}
    for guest, path, device, label in images:
        guests.setdefault(guest, []).append((path, device))
        w(r, path, "")
        meta += f'  {path}: {{ selinux: "{label}" }}\n'
    for guest, disks in guests.items():
        devices = "".join(f"<disk type='file' device='{device}'><driver name='qemu' type='{'raw' if device == 'cdrom' else 'qcow2'}'/>"
                          f"<source file='{path}'/><target dev='{'sda' if device == 'cdrom' else 'vda'}' bus='{'sata' if device == 'cdrom' else 'virtio'}'/></disk>"
                          for path, device in disks)
        w(r, f"etc/libvirt/qemu/{guest}.xml", f"<domain type='kvm'>\n  <name>{guest}</name>\n  <memory unit='KiB'>2097152</memory>\n  <vcpu>2</vcpu>\n  <devices>\n    {devices}\n  </devices>\n</domain>\n")
    if rules:
        w(r, "etc/selinux/targeted/contexts/files/file_contexts.local", "".join(line + "\n" for line in rules))
    w(r, ".meta.yaml", meta)

selinux_root("selinux-images-good", [
    ("web01", "/var/lib/libvirt/images/web01.qcow2", "disk", "system_u:object_r:svirt_image_t:s0:c12,c417"),
    ("web01", "/var/lib/libvirt/images/rhel-9.2-x86_64-dvd.iso", "cdrom", "system_u:object_r:virt_content_t:s0"),
    ("db01", "/srv/vms/db01.qcow2", "disk", "system_u:object_r:virt_image_t:s0"),
], ["# This file is auto-generated by libsemanage", "/srv/vms(/.*)?    system_u:object_r:virt_image_t:s0"])

selinux_root("selinux-images-mislabeled", [
    ("web01", "/home/admin/vms/web01.qcow2", "disk", "unconfined_u:object_r:user_home_t:s0"),
    ("db01", "/srv/vms/db01.qcow2", "disk", "system_u:object_r:virt_image_t:s0"),
], [])

# ---------------------------------------------------------------- guests on other hypervisors
# Each hypervisor has its own paravirtual drivers; these roots give pvdrv.virtio-usage and the guest
# checks one passing and one failing case beyond KVM. Driver names are the ones sysfs shows under
# /sys/bus/*/drivers on such guests.

# A Xen HVM guest using the PV-on-HVM front-ends: vif (xen-netfront) and vbd (xen-blkfront).
r = "xen-hvm-guest-pv-drivers"
guest_base(r, "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", GUEST, "XenVMMXenVMM", "Xen", "HVM domU", ("xen", "xen tsc hpet acpi_pm "))
w(r, "sys/hypervisor/type", "xen\n")
device(r, "sys/class/net/eth0", "sys/devices/vif-0/net/eth0", [("sys/devices/vif-0", "sys/bus/xen/drivers/vif")])
device(r, "sys/block/xvda", "sys/devices/vbd-768/block/xvda", [("sys/devices/vbd-768", "sys/bus/xen/drivers/vbd")])
w(r, "sys/devices/vbd-768/block/xvda/queue/scheduler", "[none] mq-deadline kyber bfq \n")
guest_services(r, [(1, "systemd"), (612, "chronyd"), (650, "xe-daemon"), (700, "sshd")], (52000, 11000, 930000, 900),
               chrony="pool 2.rhel.pool.ntp.org iburst\n")

# A Hyper-V guest whose NIC is the Legacy Network Adapter (tulip) while its disk is synthetic (storvsc).
r = "hyperv-guest-legacy-nic"
guest_base(r, "Intel(R) Xeon(R) Platinum 8272CL CPU @ 2.60GHz", GUEST, "Microsoft Hv", "Microsoft Corporation", "Virtual Machine",
           ("hyperv_clocksource_tsc_page", "hyperv_clocksource_tsc_page acpi_pm "))
device(r, "sys/class/net/eth0", "sys/devices/pci0000:00/0000:00:0a.0/net/eth0",
       [("sys/devices/pci0000:00/0000:00:0a.0", "sys/bus/pci/drivers/tulip")])
device(r, "sys/block/sda", "sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/f8b3781a-1e82-4818-a1c3-63d806ec15bb/host0/target0:0:0/0:0:0:0/block/sda",
       [("sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/f8b3781a-1e82-4818-a1c3-63d806ec15bb/host0/target0:0:0/0:0:0:0", "sys/bus/scsi/drivers/sd"),
        ("sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/f8b3781a-1e82-4818-a1c3-63d806ec15bb", "sys/bus/vmbus/drivers/hv_storvsc")])
guest_services(r, [(1, "systemd"), (612, "chronyd"), (700, "sshd")], (52000, 11000, 930000, 900),
               chrony="refclock PHC /dev/ptp0 poll 3 dpoll -2 offset 0\n")

# A VMware guest on VMXNET3 and the paravirtual SCSI controller, with open-vm-tools running.
r = "vmware-guest-paravirtual"
guest_base(r, "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", GUEST + " nonstop_tsc", "VMwareVMware", "VMware, Inc.", "VMware Virtual Platform")
device(r, "sys/class/net/ens192", "sys/devices/pci0000:00/0000:00:16.0/0000:0b:00.0/net/ens192",
       [("sys/devices/pci0000:00/0000:00:16.0/0000:0b:00.0", "sys/bus/pci/drivers/vmxnet3")])
device(r, "sys/block/sda", "sys/devices/pci0000:00/0000:00:15.0/0000:03:00.0/host0/target0:0:0/0:0:0:0/block/sda",
       [("sys/devices/pci0000:00/0000:00:15.0/0000:03:00.0/host0/target0:0:0/0:0:0:0", "sys/bus/scsi/drivers/sd"),
        ("sys/devices/pci0000:00/0000:00:15.0/0000:03:00.0", "sys/bus/pci/drivers/vmw_pvscsi")])
guest_services(r, [(1, "systemd"), (612, "chronyd"), (655, "vmtoolsd"), (700, "sshd")], (52000, 11000, 930000, 900),
               chrony="pool 2.rhel.pool.ntp.org iburst\n")
