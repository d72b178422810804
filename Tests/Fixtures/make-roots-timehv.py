#!/usr/bin/env python3
"""Writes the fixture roots of the `timehv` group (issue 12: time, CPU, hypervisor and resource checks)
under Tests/Fixtures/roots/. All text is synthetic, written for these tests; the generated files are
committed and CI does not run this script. To regenerate a root, delete its directory and run the script.
Audit record times sit around 1795000000 (2026-11-18), the instant ExampleRootTests evaluates at.

Roots:
  timehv-node-clock-set-back     oVirt node: chronyd stopped, clock set back to 2023 in the audit log (time.clock-rollback fail)
  timehv-node-clock-good         oVirt node: chronyd running and synchronised, audit times run forward (pass)
  timehv-node-clock-restored     oVirt node: clock set back for a while, then forward again (pass, restored)
  timehv-node-chronyd-stopped    oVirt node: no time service running, audit log monotone (warn)
  timehv-node-clock-corrected    oVirt node: hardware clock ahead at boot, stepped back by a synchronised chronyd (pass, corrected)
  timehv-amd-cstate-limited      AMD without constant_tsc, processor.max_cstate=1 running and in grub.conf (time.host-cstate pass)
  timehv-amd-cstate-missing      AMD without constant_tsc, no C-state limit (warn)
  timehv-amd-cstate-not-persistent  AMD without constant_tsc, limit on the running command line only (warn)
  timehv-debian-kvm-packages     Debian 12 KVM host: qemu-system-x86, libvirt-daemon-system, virtinst (host.virt-packages pass)
  timehv-debian-no-libvirt       Debian 12: qemu-system-x86 only, libvirt removed with config kept (fail)
  timehv-debian-no-hypervisor    Debian 12: libvirt but no QEMU/KVM or Xen package (fail)
  timehv-xen-initrd-empty        RHEL 5 Xen dom0: default entry's initrd has zero length (hv.grub-entry-integrity fail)
  timehv-xen-entry-complete      RHEL 5 Xen dom0: complete entry, dom0_mem set, only Xen guests (pass)
  timehv-xen-with-kvm-guest      RHEL 5 Xen dom0 with a KVM guest defined and autostarted (hv.single-hypervisor warn)
  timehv-kvm-with-xen-guest      KVM host with an xm-style Xen guest in /etc/xen (hv.single-hypervisor warn)
  timehv-cpu-flags-mixed         four Intel CPUs, two without vmx (cpu.flags-uniform warn)
  timehv-cpu-no-pae              32-bit era CPU without pae (cpu.pae warn)
  timehv-kvm-swap-small          8 GiB RAM, 1 GiB swap, 12 GiB of autostarted guests (res.swap-sizing warn)
  timehv-kvm-swap-enough         8 GiB RAM, 10 GiB swap, the same guests (pass)
  timehv-windows-guests          Windows XP guest with the PM timer removed, Windows Server 2022 without hypervclock (time.windows-pmtimer warn)
  timehv-windows-guests-modern   Windows XP guest with the PM timer, Windows Server 2022 without hypervclock (warn)
  timehv-windows-guests-good     Windows XP guest with the PM timer, Windows Server 2022 with Hyper-V clock (pass)
  timehv-kvm-swap-fits           8 GiB RAM, one 2 GiB guest: no overcommit (res.swap-sizing pass)
"""
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BASE, w, link, cpuinfo, INTEL, AMD_REVF, RHEL9, RHEL5, dpkg_status  # noqa: F401 - shared with make-roots.py

OLD_NOPAE = "fpu vme de pse tsc msr mce cx8 apic sep mtrr pge mca cmov clflush dts acpi mmx fxsr sse sse2 ss tm pbe nx bts est tm2"
GROUP = "root:x:0:\nbin:x:1:\ndisk:x:6:\nkvm:x:36:qemu\nlibvirt:x:977:\nqemu:x:107:\n"
OVIRT_NODE = 'NAME="oVirt Node"\nVERSION="4.5.5"\nID="ovirt-node"\nID_LIKE="rhel fedora"\nVERSION_ID="4.5.5"\nPRETTY_NAME="oVirt Node 4.5.5"\n'
DEBIAN12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n'
PROC_MODULES_KVM_INTEL = "kvm_intel 413696 4 - Live 0x0000000000000000\nkvm 1347584 1 kvm_intel, Live 0x0000000000000000\nirqbypass 16384 1 kvm, Live 0x0000000000000000\n"
PROC_MODULES_KVM_AMD = "kvm_amd 155648 0 - Live 0x0000000000000000\nkvm 1347584 1 kvm_amd, Live 0x0000000000000000\n"

def base_host(r, release, osrel, cmdline_extra=""):
    w(r, "proc/sys/kernel/osrelease", release + "\n")
    w(r, "proc/sys/kernel/hostname", r + "\n")
    w(r, "proc/cmdline", f"BOOT_IMAGE=(hd0,msdos1)/vmlinuz-{release} root=/dev/mapper/rhel-root ro rd.lvm.lv=rhel/root rhgb quiet{cmdline_extra}\n")
    w(r, "etc/os-release" if not osrel.startswith("Red Hat Enterprise Linux Server release") else "etc/redhat-release", osrel)
    w(r, "etc/group", GROUP)
    w(r, "uname-m.txt", "x86_64\n")

def processes(r, items, synchronized=None):
    for pid, comm in items:
        w(r, f"proc/{pid}/comm", comm + "\n")
    if synchronized is not None:
        w(r, "adjtimex.txt", "synchronized=%s\n" % ("yes" if synchronized else "no"))

def audit(records):
    """records: (seconds, serial, type, rest) -> audit.log text."""
    return "".join(f"type={t} msg=audit({s}.{(n * 37) % 1000:03d}:{n}): {rest}\n" for s, n, t, rest in records)

def audit_steady(start, count, step, serial=4000):
    kinds = [("USER_LOGIN", "pid=2211 uid=0 auid=0 ses=12 msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=192.0.2.10 terminal=ssh res=success'"),
             ("CRED_DISP", "pid=2211 uid=0 auid=0 ses=12 msg='op=PAM:setcred grantors=pam_unix acct=\"root\" exe=\"/usr/sbin/sshd\" res=success'"),
             ("SERVICE_START", "pid=1 uid=0 auid=4294967295 ses=4294967295 msg='unit=vdsmd comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" res=success'")]
    return [(start + i * step, serial + i, *kinds[i % len(kinds)]) for i in range(count)]

CHRONYD_STOP = ("SERVICE_STOP", "pid=1 uid=0 auid=4294967295 ses=4294967295 msg='unit=chronyd comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'")
SET_TIME = ("SYSCALL", "arch=c000003e syscall=227 success=yes exit=0 a0=0 items=0 ppid=1 pid=3120 auid=0 uid=0 gid=0 comm=\"systemd-timedat\" exe=\"/usr/lib/systemd/systemd-timedated\" key=\"time-change\"")

def node(r):
    base_host(r, "5.14.0-362.24.1.el9_3.x86_64", OVIRT_NODE)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
    w(r, "etc/chrony.conf", "pool 2.rhel.pool.ntp.org iburst\ndriftfile /var/lib/chrony/drift\nmakestep 1.0 3\nrtcsync\n")

# ---------------------------------------------------------------- time.clock-rollback
r = "timehv-node-clock-set-back"
node(r)
processes(r, [(1, "systemd"), (1187, "vdsmd"), (1204, "libvirtd")], synchronized=False)
recs = audit_steady(1_794_990_000, 12, 600)
recs.append((1_794_997_300, 4100, *CHRONYD_STOP))
# timedatectl set-time "2023-01-01 12:00:00", then the renewal work goes on in 2023.
recs.append((1_672_574_400, 4101, *SET_TIME))
recs += audit_steady(1_672_574_460, 10, 300, serial=4102)
w(r, "var/log/audit/audit.log", audit(recs))

r = "timehv-node-clock-good"
node(r)
processes(r, [(1, "systemd"), (811, "chronyd"), (1187, "vdsmd"), (1204, "libvirtd")], synchronized=True)
w(r, "var/log/audit/audit.log", audit(audit_steady(1_794_990_000, 20, 450)))

r = "timehv-node-clock-restored"
node(r)
processes(r, [(1, "systemd"), (811, "chronyd"), (1187, "vdsmd"), (1204, "libvirtd")], synchronized=True)
recs = audit_steady(1_794_900_000, 6, 600)
recs.append((1_794_904_000, 4100, *CHRONYD_STOP))
recs.append((1_672_574_400, 4101, *SET_TIME))
recs += audit_steady(1_672_574_460, 4, 300, serial=4102)
recs.append((1_794_990_000, 4106, "SERVICE_START", CHRONYD_STOP[1]))
recs += audit_steady(1_794_990_100, 6, 600, serial=4107)
w(r, "var/log/audit/audit.log", audit(recs))

r = "timehv-node-chronyd-stopped"
node(r)
processes(r, [(1, "systemd"), (1187, "vdsmd"), (1204, "libvirtd")])
w(r, "var/log/audit/audit.log", audit(audit_steady(1_794_990_000, 8, 600)))

# ---------------------------------------------------------------- time.host-cstate
def amd_revf(r, running_limit, boot_limit):
    release = "2.6.18-398.el5"
    base_host(r, release, RHEL5, " processor.max_cstate=1" if running_limit else "")
    w(r, "proc/cpuinfo", cpuinfo("AuthenticAMD", "Dual-Core AMD Opteron(tm) Processor 2218", 15, AMD_REVF, count=4, mhz="2600.000"))
    w(r, "proc/modules", PROC_MODULES_KVM_AMD)
    extra = " processor.max_cstate=1" if boot_limit else ""
    w(r, "boot/grub/grub.conf", f"""# grub.conf generated by anaconda
default=0
timeout=5
hiddenmenu
title Red Hat Enterprise Linux Server ({release})
\troot (hd0,0)
\tkernel /vmlinuz-{release} ro root=/dev/VolGroup00/LogVol00 rhgb quiet{extra}
\tinitrd /initrd-{release}.img
""")

amd_revf("timehv-amd-cstate-limited", True, True)
amd_revf("timehv-amd-cstate-missing", False, False)
amd_revf("timehv-amd-cstate-not-persistent", True, False)

# ---------------------------------------------------------------- host.virt-packages
OK = "install ok installed"
DEB_BASE = [("base-files", "12.4+deb12u5", "amd64", OK), ("bash", "5.2.15-2+b2", "amd64", OK),
            ("systemd", "252.22-1~deb12u1", "amd64", OK), ("chrony", "4.3-2+deb12u1", "amd64", OK)]
QEMU = [("qemu-system-x86", "1:7.2+dfsg-7+deb12u5", "amd64", OK), ("qemu-system-common", "1:7.2+dfsg-7+deb12u5", "amd64", OK)]
LIBVIRT = [("libvirt-daemon-system", "9.0.0-4", "amd64", OK), ("libvirt-daemon", "9.0.0-4", "amd64", OK), ("libvirt0", "9.0.0-4", "amd64", OK)]
TOOLS = [("libvirt-clients", "9.0.0-4", "amd64", OK), ("virtinst", "1:4.1.0-2", "all", OK)]

def debian(r, packages):
    base_host(r, "6.1.0-18-amd64", DEBIAN12)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
    w(r, "var/lib/dpkg/status", dpkg_status(packages))

debian("timehv-debian-kvm-packages", DEB_BASE + QEMU + LIBVIRT + TOOLS)
# libvirt removed with its configuration kept: "deinstall ok config-files" is not installed.
debian("timehv-debian-no-libvirt", DEB_BASE + QEMU + [("libvirt-daemon-system", "9.0.0-4", "amd64", "deinstall ok config-files")])
debian("timehv-debian-no-hypervisor", DEB_BASE + LIBVIRT + TOOLS)

# ---------------------------------------------------------------- Xen dom0: hv.grub-entry-integrity, hv.single-hypervisor, hv.dom0-mem
XEN_REL = "2.6.18-398.el5"
XEN_CPU = "fpu tsc msr pae mce cx8 apic mtrr mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm syscall nx lm constant_tsc pni monitor ds_cpl vmx est tm2 ssse3 cx16 xtpr lahf_lm"
XEN_GUEST_PV = 'name = "rhel5-pv"\nmemory = 1024\nmaxmem = 1024\nvcpus = 1\nbootloader = "/usr/bin/pygrub"\ndisk = [ "tap:aio:/var/lib/xen/images/rhel5-pv.img,xvda,w" ]\nvif = [ "mac=00:16:3e:21:43:65,bridge=xenbr0" ]\non_reboot = "restart"\non_crash = "restart"\n'
XEND_CONFIG = "# -*- sh -*-\n(xend-relocation-server no)\n(network-script network-bridge)\n(vif-script vif-bridge)\n(dom0-min-mem 256)\n(dom0-cpus 0)\n(vncpasswd '')\n"

def xen_dom0(r, initrd_text, xen_options=" dom0_mem=2048M"):
    w(r, "proc/sys/kernel/osrelease", XEN_REL + "xen\n")
    w(r, "proc/sys/kernel/hostname", r + "\n")
    w(r, "proc/cmdline", f"ro root=/dev/VolGroup00/LogVol00 rhgb quiet\n")
    w(r, "etc/redhat-release", RHEL5)
    w(r, "uname-m.txt", "x86_64\n")
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5450 @ 3.00GHz", 6, XEN_CPU, count=4, mhz="3000.000"))
    w(r, "proc/xen/capabilities", "control_d\n")
    w(r, "sys/hypervisor/type", "xen\n")
    w(r, "proc/modules", "xennet 28105 0 - Live 0xffffffff88201000\nblkbk 28017 0 - Live 0xffffffff881e4000\n")
    w(r, "boot/grub/grub.conf", f"""# grub.conf generated by anaconda
#
# Note that you do not have to rerun grub after making changes to this file
default=0
timeout=5
hiddenmenu
title Red Hat Enterprise Linux Server ({XEN_REL}xen)
\troot (hd0,0)
\tkernel /xen.gz-{XEN_REL}{xen_options}
\tmodule /vmlinuz-{XEN_REL}xen ro root=/dev/VolGroup00/LogVol00 rhgb quiet
\tmodule /initrd-{XEN_REL}xen.img
title Red Hat Enterprise Linux Server ({XEN_REL})
\troot (hd0,0)
\tkernel /vmlinuz-{XEN_REL} ro root=/dev/VolGroup00/LogVol00 rhgb quiet
\tinitrd /initrd-{XEN_REL}.img
""")
    # The boot partition is mounted at /boot; the images are stand-ins with a size, not real kernels.
    w(r, f"boot/xen.gz-{XEN_REL}", "synthetic xen hypervisor image stand-in\n" * 8)
    w(r, f"boot/vmlinuz-{XEN_REL}xen", "synthetic dom0 kernel image stand-in\n" * 8)
    w(r, f"boot/initrd-{XEN_REL}xen.img", initrd_text)
    w(r, f"boot/vmlinuz-{XEN_REL}", "synthetic kernel image stand-in\n" * 8)
    w(r, f"boot/initrd-{XEN_REL}.img", "synthetic initrd stand-in\n" * 8)
    w(r, "etc/xen/xend-config.sxp", XEND_CONFIG)
    w(r, "etc/xen/rhel5-pv", XEN_GUEST_PV)
    link(r, "etc/xen/auto/rhel5-pv", "../rhel5-pv")

xen_dom0("timehv-xen-entry-complete", "synthetic initrd stand-in\n" * 8)
# The Xen entry was copied by hand and the initrd written as an empty file.
xen_dom0("timehv-xen-initrd-empty", "", xen_options=" dom0_mem=256M com1=115200,8n1")
r = "timehv-xen-with-kvm-guest"
xen_dom0(r, "synthetic initrd stand-in\n" * 8, xen_options="")
w(r, "etc/libvirt/qemu/win2k3-kvm.xml", """<domain type='kvm'>
  <name>win2k3-kvm</name>
  <memory unit='KiB'>1048576</memory>
  <vcpu placement='static'>1</vcpu>
  <os><type arch='x86_64' machine='rhel5.4.0'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/win2k3-kvm.img'/>
      <target dev='hda' bus='ide'/>
    </disk>
  </devices>
</domain>
""")
link(r, "etc/libvirt/qemu/autostart/win2k3-kvm.xml", "../win2k3-kvm.xml")

r = "timehv-kvm-with-xen-guest"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
w(r, "etc/xen/rhel5-pv", XEN_GUEST_PV)

# ---------------------------------------------------------------- cpu.flags-uniform, cpu.pae
r = "timehv-cpu-flags-mixed"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
# The second socket (CPUs 2 and 3) came up with VT switched off in the firmware.
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5-2640 v4 @ 2.40GHz", 6, INTEL, count=4, drop_on=(2, 3), drop=("vmx",)))
w(r, "proc/modules", PROC_MODULES_KVM_INTEL)

r = "timehv-cpu-no-pae"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Pentium(R) M processor 1.73GHz", 6, OLD_NOPAE, count=2, mhz="1733.000"))

# ---------------------------------------------------------------- res.swap-sizing
def kvm_domain(name, kib, extra_devices="", features="", clock="", metadata=""):
    return f"""<domain type='kvm'>
  <name>{name}</name>
  <uuid>6b1d4c2e-0c52-4b7e-9f1a-{sum(map(ord, name)) * 7919 % 10**12:012d}</uuid>{metadata}
  <memory unit='KiB'>{kib}</memory>
  <currentMemory unit='KiB'>{kib}</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type></os>{features}{clock}
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/{name}.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>{extra_devices}
  </devices>
</domain>
"""

def meminfo(total_kib, swap_kib):
    return f"MemTotal:       {total_kib} kB\nMemFree:         {total_kib // 4} kB\nMemAvailable:    {total_kib // 3} kB\nSwapCached:            0 kB\nSwapTotal:       {swap_kib} kB\nSwapFree:        {swap_kib} kB\n"

def swap_host(r, swap_kib, guests):
    base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
    w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
    w(r, "proc/meminfo", meminfo(8 * 1024 * 1024, swap_kib))
    for name, kib in guests:
        w(r, f"etc/libvirt/qemu/{name}.xml", kvm_domain(name, kib))
        link(r, f"etc/libvirt/qemu/autostart/{name}.xml", f"../{name}.xml")

# 8 GiB RAM and 12 GiB of guests: 4 GiB overcommitted, recommended swap 4 + 4 = 8 GiB.
THREE = [("app01", 4 * 1024 * 1024), ("app02", 4 * 1024 * 1024), ("db01", 4 * 1024 * 1024)]
swap_host("timehv-kvm-swap-small", 1024 * 1024, THREE)
swap_host("timehv-kvm-swap-enough", 10 * 1024 * 1024, THREE)
swap_host("timehv-kvm-swap-fits", 2 * 1024 * 1024, [("app01", 2 * 1024 * 1024)])

# ---------------------------------------------------------------- time.windows-pmtimer
def osinfo(os_id):
    return f"""
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="{os_id}"/>
    </libosinfo:libosinfo>
  </metadata>"""

HYPERV = """
  <features>
    <acpi/>
    <apic/>
    <hyperv mode='custom'>
      <relaxed state='on'/>
      <vapic state='on'/>
      <spinlocks state='on' retries='8191'/>
      <vpindex state='on'/>
    </hyperv>
  </features>"""
def clock(*timers):
    return "\n  <clock offset='localtime'>\n" + "".join(f"    {t}\n" for t in timers) + "  </clock>"

RTC = "<timer name='rtc' tickpolicy='catchup'/>"
PIT = "<timer name='pit' tickpolicy='delay'/>"
HPET_NO = "<timer name='hpet' present='no'/>"
PM_NO = "<timer name='pmtimer' present='no'/>"
HV_YES = "<timer name='hypervclock' present='yes'/>"

def windows_host(r, guests):
    base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
    w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
    for name, text in guests:
        w(r, f"etc/libvirt/qemu/{name}.xml", text)

XP_GOOD = kvm_domain("winxp-legacy", 1048576, metadata=osinfo("http://microsoft.com/win/xp"), clock=clock(RTC, PIT, HPET_NO))
XP_BAD = kvm_domain("winxp-legacy", 1048576, metadata=osinfo("http://microsoft.com/win/xp"), clock=clock(RTC, PIT, HPET_NO, PM_NO))
W2022_GOOD = kvm_domain("win2022-app", 8388608, metadata=osinfo("http://microsoft.com/win/2k22"), features=HYPERV, clock=clock(RTC, PIT, HPET_NO, HV_YES))
W2022_BAD = kvm_domain("win2022-app", 8388608, metadata=osinfo("http://microsoft.com/win/2k22"), clock=clock(RTC, PIT, HPET_NO))
LINUX = kvm_domain("web01", 2097152)

windows_host("timehv-windows-guests", [("winxp-legacy", XP_BAD), ("win2022-app", W2022_BAD), ("web01", LINUX)])
windows_host("timehv-windows-guests-modern", [("winxp-legacy", XP_GOOD), ("win2022-app", W2022_BAD), ("web01", LINUX)])
windows_host("timehv-windows-guests-good", [("winxp-legacy", XP_GOOD), ("win2022-app", W2022_GOOD), ("web01", LINUX)])

# The hardware clock was three hours ahead at boot; chronyd stepped it back and keeps it synchronised.
r = "timehv-node-clock-corrected"
node(r)
processes(r, [(1, "systemd"), (811, "chronyd"), (1187, "vdsmd"), (1204, "libvirtd")], synchronized=True)
recs = audit_steady(1_794_980_000 + 3 * 3600, 4, 60)
recs += audit_steady(1_794_980_400, 6, 300, serial=4010)
w(r, "var/log/audit/audit.log", audit(recs))
