#!/usr/bin/env python3
"""Writes the fixture roots of the guest group (issue 12) under Tests/Fixtures/roots/: guest definitions on
hosts and guest-side state for guest.hypervisor-mismatch, guest.clone-identity, pvdrv.windows-virtio-boot,
guest.smartd, dom.autostart, guest.name-format, guest.xenbus-no-driver, guest.pv-hwclock, pvdrv.pci-slots,
xen.xend-running and xen.xend-config. All text is synthetic, written for these tests; the helpers come
from fixture_common.py. To regenerate a root, delete its directory and run the script.

Roots:
  guest-xen-defs-on-kvm          KVM host holding a Xen PV xm configuration and a libxl domain
  guest-kvm-defs-on-xen          Xen dom0 holding a KVM domain
  guest-clone-host-duplicates    KVM host where app02 was copied from app01: same UUID and MAC
  guest-clone-xen-stale          Xen dom0 with a copied config naming bridge xenbr1 and a missing image; base autostarts
  guest-clone-guest-stale        CentOS 6 KVM guest keeping the template's HWADDR and HOSTNAME
  guest-windows-virtio-no-media  Windows guest booting from virtio, no virtio-win media anywhere
  guest-windows-virtio-media     Windows guest on virtio with virtio-win.iso installed and attached
  guest-windows-ide-only         Windows XP guest on IDE and rtl8139 (i440fx)
  guest-smartd-running           KVM guest with smartd running and enabled
  guest-smartd-enabled           Debian KVM guest with smartmontools enabled but not running
  guest-autostart-overcommitted  three autostarted 8 GiB guests on a 16 GB host
  guest-autostart-dangling       autostart link left by a guest deleted by hand
  guest-name-awkward             guest names with blanks, parentheses and '$'
  guest-xen-pv-missing-frontend  Xen PV guest with XENBUS "no driver" lines, no front-ends, hwclock res=failed
  guest-xen-pv-ok                Xen PV guest whose front-ends loaded after the XENBUS lines
  guest-pci-slots-full           i440fx guest with 27 slots of bus 0 taken
  xen-xend-stopped               RHEL 5 dom0 with xend configured, not running, not enabled
  xen-xend-exposed               dom0 running xend with the HTTP server on and relocation open
  xen-dom0-xl                    dom0 using the xl toolstack only
"""
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import *  # noqa: F401,F403 - BASE, w, link, cpuinfo, domain, base_host and the sample texts

# ================================================================ guest group roots
import shutil

def fresh(r):
    """Starts a root from nothing, so a rerun never keeps files of an older version."""
    shutil.rmtree(os.path.join(BASE, r), ignore_errors=True)
    return r

def kvm_host(r):
    """A RHEL 9 KVM host with an Intel CPU, KVM modules loaded and eth0."""
    base_host(fresh(r), "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
    w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
    w(r, "proc/meminfo", "MemTotal:       65536000 kB\nMemFree:        30000000 kB\nSwapTotal:       8388604 kB\nSwapFree:        8388604 kB\n")
    w(r, "sys/class/net/eth0/address", "3c:ec:ef:10:20:30\n")
    w(r, "sys/class/net/virbr0/bridge/stp_state", "1\n")
    w(r, "sys/class/net/br0/bridge/stp_state", "0\n")
    w(r, "sys/class/net/br0/brif/eth0/port_no", "0x1\n")
    w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)

def xen_dom0(r):
    """A RHEL 5 Xen dom0 (kernel-xen running, /proc/xen/capabilities says control_d)."""
    fresh(r)
    w(r, "proc/sys/kernel/osrelease", "2.6.18-371.el5xen\n")
    w(r, "proc/sys/kernel/hostname", r + "\n")
    w(r, "etc/redhat-release", RHEL5)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5420 @ 2.50GHz", 6, "fpu tsc msr pae mce cx8 apic mtrr mca cmov pat pse36 clflush acpi mmx fxsr sse sse2 ss ht syscall nx lm constant_tsc pni vmx est ssse3 cx16 sse4_1 lahf_lm", count=2))
    w(r, "proc/xen/capabilities", "control_d\n")
    w(r, "sys/hypervisor/type", "xen\n")
    w(r, "proc/modules", "xennet 28105 0 - Live 0xffffffff88201000\nblkbk 28017 0 - Live 0xffffffff881e4000\nloop 48721 16 - Live 0xffffffff881c7000\n")
    w(r, "sys/class/net/xenbr0/bridge/stp_state", "0\n")
    w(r, "sys/class/net/xenbr0/brif/peth0/port_no", "0x1\n")
    w(r, "sys/class/net/eth0/address", "00:1e:c9:aa:10:01\n")

def dom(name, uuid, ifaces=(), disks=(), dtype="kvm", machine="pc-q35-rhel9.2.0", ostype="hvm", extra_os="", features="",
        metadata="", bootloader="", extra_devices="", title=""):
    """A libvirt domain XML. ifaces: [(type, source, mac, model)]; disks: [(device, source, target, bus, boot_order)]."""
    devs = []
    for device, source, target, bus, order in disks:
        boot = f"\n      <boot order='{order}'/>" if order else ""
        src = f"\n      <source file='{source}'/>" if source else ""
        devs.append(f"""    <disk type='file' device='{device}'>
      <driver name='qemu' type='{'raw' if device != 'disk' else 'qcow2'}'/>{src}
      <target dev='{target}' bus='{bus}'/>{boot}
    </disk>""")
    for itype, source, mac, model in ifaces:
        attr = "network" if itype == "network" else "bridge"
        devs.append(f"""    <interface type='{itype}'>
      <mac address='{mac}'/>
      <source {attr}='{source}'/>
      <model type='{model}'/>
    </interface>""")
    title_xml = f"\n  <title>{title}</title>" if title else ""
    loader = f"\n  <bootloader>{bootloader}</bootloader>" if bootloader else ""
    meta = f"\n  <metadata>\n{metadata}\n  </metadata>" if metadata else ""
    feats = f"\n  <features>\n    <acpi/>\n    <apic/>{features}\n  </features>"
    machine_attr = f" machine='{machine}'" if machine else ""
    return f"""<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:
  virsh edit {name}
or other application using the libvirt API.
-->

<domain type='{dtype}'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>{title_xml}{meta}
  <memory unit='KiB'>4194304</memory>
  <currentMemory unit='KiB'>4194304</currentMemory>
  <vcpu placement='static'>2</vcpu>{loader}
  <os>
    <type arch='x86_64'{machine_attr}>{ostype}</type>{extra_os}
  </os>{feats}
  <devices>
{chr(10).join(devs)}{extra_devices}
  </devices>
</domain>
"""

# ---------------------------------------------------------------- guest.hypervisor-mismatch
r = "guest-xen-defs-on-kvm"
kvm_host(r)
w(r, "etc/libvirt/qemu/web01.xml", dom("web01", "6f1c2a4e-8b0d-4e5f-9a1b-2c3d4e5f6a01",
  [("network", "default", "52:54:00:11:22:01", "virtio")], [("disk", "/var/lib/libvirt/images/web01.qcow2", "vda", "virtio", None)]))
w(r, "etc/libvirt/libxl/oldhvm.xml", dom("oldhvm", "6f1c2a4e-8b0d-4e5f-9a1b-2c3d4e5f6a02",
  [("bridge", "xenbr0", "00:16:3e:00:00:02", "netfront")], [("disk", "/var/lib/xen/images/oldhvm.img", "hda", "ide", None)],
  dtype="xen", machine="xenfv"))
w(r, "etc/xen/legacy-pv", textwrap.dedent("""\
    # Xen PV guest copied from the old dom0
    name = "legacy-pv"
    uuid = "3a9d5e1c-7b2f-4c8d-9e0a-1b2c3d4e5f60"
    maxmem = 1024
    memory = 1024
    vcpus = 1
    bootloader = "/usr/bin/pygrub"
    on_poweroff = "destroy"
    on_reboot = "restart"
    on_crash = "restart"
    vfb = [ "type=vnc,vncunused=1,keymap=en-us" ]
    disk = [ "tap:aio:/var/lib/xen/images/legacy-pv.img,xvda,w" ]
    vif = [ "mac=00:16:3e:4f:1a:22,bridge=xenbr0,script=vif-bridge" ]
    """))
w(r, "etc/xen/xend-config.sxp", "(xend-relocation-server no)\n")

r = "guest-kvm-defs-on-xen"
xen_dom0(r)
w(r, "etc/xen/guest4", "name = \"guest4\"\nmemory = 1024\nbuilder = \"hvm\"\ndisk = [ 'file:/var/lib/xen/images/guest4-disk0.img,hda,w', 'file:/var/lib/xen/images/guest4.iso,hdc:cdrom,r' ]\nvif = [ 'bridge=xenbr0' ]\n")
w(r, "etc/libvirt/qemu/db01.xml", dom("db01", "0b7e6c2d-1f3a-4b5c-8d9e-0f1a2b3c4d5e",
  [("bridge", "br0", "52:54:00:44:55:01", "virtio")], [("disk", "/var/lib/libvirt/images/db01.qcow2", "vda", "virtio", None)]))

# ---------------------------------------------------------------- guest.clone-identity
r = "guest-clone-host-duplicates"
kvm_host(r)
for name, mac in [("app01", "52:54:00:6a:10:01"), ("app02", "52:54:00:6a:10:01")]:
    # app02 was made by copying app01.xml and changing only the name and the image.
    w(r, f"etc/libvirt/qemu/{name}.xml", dom(name, "9c1f3e2a-5b7d-4f60-8a19-2b3c4d5e6f70",
      [("network", "default", mac, "virtio")], [("disk", f"/var/lib/libvirt/images/{name}.qcow2", "vda", "virtio", None)]))
w(r, "etc/libvirt/qemu/db01.xml", dom("db01", "2d4f6a8c-0e1f-4a3b-8c5d-6e7f8a9b0c1d",
  [("bridge", "br0", "52:54:00:6a:20:01", "virtio")], [("disk", "/var/lib/libvirt/images/db01.qcow2", "vda", "virtio", None)]))

r = "guest-clone-xen-stale"
xen_dom0(r)
w(r, "var/lib/xen/images/base.img", "")
w(r, "etc/xen/base", 'name = "base"\nuuid = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"\nmemory = 512\nbootloader = "/usr/bin/pygrub"\n'
  "disk = [ 'file:/var/lib/xen/images/base.img,xvda,w' ]\nvif = [ 'mac=00:16:3e:21:43:65,bridge=xenbr0' ]\n")
w(r, "etc/xen/copied", '# copied from dom0 xen-old, bridge and image not adapted yet\nname = "copied"\n'
  'uuid = "7a8b9c0d-1e2f-4a3b-b4c5-d6e7f8a9b0c1"\nmemory = 512\nbootloader = "/usr/bin/pygrub"\n'
  "disk = [ 'file:/var/lib/xen/images/copied.img,xvda,w' ]\nvif = [ 'mac=00:16:3e:21:43:66,bridge=xenbr1' ]\n")
link(r, "etc/xen/auto/base", "/etc/xen/base")

r = "guest-clone-guest-stale"
fresh(r)
base_host(r, "2.6.32-754.el6.x86_64", 'PRETTY_NAME="CentOS release 6.10 (Final)"\nID=centos\nVERSION_ID="6.10"\n')
w(r, "proc/sys/kernel/hostname", "app07.example.test\n")
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, "uname-m.txt", "x86_64\n")
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel Xeon Processor (Cascadelake)", 6, GUEST, count=2))
w(r, "sys/class/dmi/id/sys_vendor", "Red Hat\n")
w(r, "sys/class/dmi/id/product_name", "KVM\n")
w(r, "sys/class/net/eth0/address", "52:54:00:0f:00:99\n")
w(r, "etc/sysconfig/network", "NETWORKING=yes\nHOSTNAME=template.example.test\nGATEWAY=192.0.2.1\n")
w(r, "etc/sysconfig/network-scripts/ifcfg-eth0", 'DEVICE="eth0"\nBOOTPROTO=static\nHWADDR="52:54:00:0F:00:01"\nIPADDR=192.0.2.50\nNETMASK=255.255.255.0\nONBOOT=yes\n')
w(r, "etc/sysconfig/network-scripts/ifcfg-lo", "DEVICE=lo\nIPADDR=127.0.0.1\nONBOOT=yes\n")

# ---------------------------------------------------------------- pvdrv.windows-virtio-boot
WIN_OSINFO = "    <libosinfo:libosinfo xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n      <libosinfo:os id=\"http://microsoft.com/win/2k19\"/>\n    </libosinfo:libosinfo>"
HYPERV = "\n    <hyperv mode='custom'>\n      <relaxed state='on'/>\n      <vapic state='on'/>\n      <spinlocks state='on' retries='8191'/>\n    </hyperv>"

r = "guest-windows-virtio-no-media"
kvm_host(r)
# Switched to virtio by hand after import; no virtio-win package on the host and no driver CD attached.
w(r, "etc/libvirt/qemu/win2k19.xml", dom("win2k19", "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d",
  [("network", "default", "52:54:00:7a:00:01", "virtio")],
  [("disk", "/var/lib/libvirt/images/win2k19.qcow2", "vda", "virtio", None),
   ("cdrom", None, "sda", "sata", None)],
  machine="pc-q35-rhel9.2.0", metadata=WIN_OSINFO, features=HYPERV))
w(r, "etc/libvirt/qemu/web01.xml", dom("web01", "6f1c2a4e-8b0d-4e5f-9a1b-2c3d4e5f6a01",
  [("network", "default", "52:54:00:11:22:01", "virtio")], [("disk", "/var/lib/libvirt/images/web01.qcow2", "vda", "virtio", None)]))

r = "guest-windows-virtio-media"
kvm_host(r)
w(r, "usr/share/virtio-win/virtio-win.iso", "")
w(r, "usr/share/virtio-win/virtio-win_amd64.vfd", "")
w(r, "etc/libvirt/qemu/win10.xml", dom("win10", "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
  [("network", "default", "52:54:00:7a:00:02", "virtio")],
  [("disk", "/var/lib/libvirt/images/win10.qcow2", "vda", "virtio", 1),
   ("cdrom", "/usr/share/virtio-win/virtio-win.iso", "sda", "sata", None)],
  metadata=WIN_OSINFO.replace("2k19", "10"), features=HYPERV))

r = "guest-windows-ide-only"
kvm_host(r)
w(r, "etc/libvirt/qemu/winxp.xml", dom("winxp", "6d7e8f9a-0b1c-4d2e-9f3a-4b5c6d7e8f9a",
  [("network", "default", "52:54:00:7a:00:03", "rtl8139")],
  [("disk", "/var/lib/libvirt/images/winxp.img", "hda", "ide", None)],
  machine="pc-i440fx-rhel7.6.0", title="Windows XP build agent"))

# ---------------------------------------------------------------- guest.smartd
def kvm_guest(r, processes):
    """A RHEL 9 KVM guest (CPUID and DMI say KVM) with the given (pid, comm) processes."""
    base_host(fresh(r), "5.14.0-362.8.1.el9_3.x86_64", RHEL9)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel Xeon Processor (Icelake)", 6, GUEST, count=2))
    w(r, "cpuid.txt", "KVMKVMKVM\n")
    w(r, "uname-m.txt", "x86_64\n")
    w(r, "sys/class/dmi/id/sys_vendor", "Red Hat\n")
    w(r, "sys/class/dmi/id/product_name", "KVM\n")
    for pid, comm in processes:
        w(r, f"proc/{pid}/comm", comm + "\n")

r = "guest-smartd-running"
kvm_guest(r, [(1, "systemd"), (612, "chronyd"), (655, "smartd"), (700, "sshd")])
link(r, "etc/systemd/system/multi-user.target.wants/smartd.service", "/usr/lib/systemd/system/smartd.service")
link(r, "etc/systemd/system/multi-user.target.wants/sshd.service", "/usr/lib/systemd/system/sshd.service")

r = "guest-smartd-enabled"
fresh(r)
base_host(r, "6.1.0-26-amd64", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel Xeon Processor (Icelake)", 6, GUEST, count=2))
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, "uname-m.txt", "x86_64\n")
w(r, "sys/class/dmi/id/sys_vendor", "QEMU\n")
w(r, "sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n")
for pid, comm in [(1, "systemd"), (430, "systemd-timesyn"), (700, "sshd")]:
    w(r, f"proc/{pid}/comm", comm + "\n")
# smartd failed at start (no SMART-capable disk) but stays enabled.
link(r, "etc/systemd/system/multi-user.target.wants/smartmontools.service", "/lib/systemd/system/smartmontools.service")

# ---------------------------------------------------------------- dom.autostart
r = "guest-autostart-overcommitted"
kvm_host(r)
w(r, "proc/meminfo", "MemTotal:       16384000 kB\nMemFree:         9000000 kB\nSwapTotal:       2097148 kB\nSwapFree:        2097148 kB\n")
for i, name in enumerate(["erp01", "erp02", "erp03"]):
    xml = dom(name, f"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c{i:02d}", [("network", "default", f"52:54:00:0a:00:{i:02x}", "virtio")],
              [("disk", f"/var/lib/libvirt/images/{name}.qcow2", "vda", "virtio", None)])
    xml = xml.replace("<memory unit='KiB'>4194304</memory>", "<memory unit='GiB'>8</memory>").replace("<currentMemory unit='KiB'>4194304</currentMemory>\n", "")
    w(r, f"etc/libvirt/qemu/{name}.xml", xml)
    link(r, f"etc/libvirt/qemu/autostart/{name}.xml", f"/etc/libvirt/qemu/{name}.xml")
w(r, "etc/libvirt/qemu/test01.xml", dom("test01", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4cff", [("network", "default", "52:54:00:0a:00:ff", "virtio")],
  [("disk", "/var/lib/libvirt/images/test01.qcow2", "vda", "virtio", None)]))

r = "guest-autostart-dangling"
kvm_host(r)
w(r, "etc/libvirt/qemu/web01.xml", dom("web01", "6f1c2a4e-8b0d-4e5f-9a1b-2c3d4e5f6a01",
  [("network", "default", "52:54:00:11:22:01", "virtio")], [("disk", "/var/lib/libvirt/images/web01.qcow2", "vda", "virtio", None)]))
link(r, "etc/libvirt/qemu/autostart/web01.xml", "/etc/libvirt/qemu/web01.xml")
# old01.xml was deleted by hand instead of `virsh undefine`, which would have removed the link too.
link(r, "etc/libvirt/qemu/autostart/old01.xml", "/etc/libvirt/qemu/old01.xml")

# ---------------------------------------------------------------- guest.name-format
r = "guest-name-awkward"
kvm_host(r)
for file, name, n in [("Finance DB (old)", "Finance DB (old)", 1), ("web$1", "web$1", 2), ("build_agent-02.lab", "build_agent-02.lab", 3)]:
    w(r, f"etc/libvirt/qemu/{file}.xml", dom(name, f"7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d{n:02d}",
      [("network", "default", f"52:54:00:0b:00:{n:02x}", "virtio")], [("disk", f"/var/lib/libvirt/images/guest{n}.qcow2", "vda", "virtio", None)]))

# ---------------------------------------------------------------- guest.xenbus-no-driver, guest.pv-hwclock
def xen_pv_guest(r, modules):
    """A RHEL 5 Xen paravirtualized guest: /proc/xen without control_d, /sys/hypervisor/type xen."""
    fresh(r)
    w(r, "proc/sys/kernel/osrelease", "2.6.18-371.el5xen\n")
    w(r, "proc/sys/kernel/hostname", r + "\n")
    w(r, "etc/redhat-release", RHEL5)
    w(r, "uname-m.txt", "x86_64\n")
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5420 @ 2.50GHz", 6, "fpu tsc msr pae mce cx8 apic mtrr mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx lm constant_tsc pni ssse3 cx16 lahf_lm", count=1))
    w(r, "proc/xen/capabilities", "")
    w(r, "sys/hypervisor/type", "xen\n")
    w(r, "proc/modules", "".join(f"{m} 28105 0 - Live 0xffffffff88201000\n" for m in modules))
    w(r, "proc/1/comm", "init\n")

XENBUS_BOOT = ("Linux version 2.6.18-371.el5xen (mockbuild@x86-022.build.eng.bos.redhat.com)\n"
               "Xen reported: 2493.748 MHz processor.\n"
               "XENBUS: Device with no driver: device/vbd/51712\n"
               "XENBUS: Device with no driver: device/vif/0\n")

r = "guest-xen-pv-missing-frontend"
# A PV guest booted with a custom kernel whose initrd lacks the front-ends.
xen_pv_guest(r, ["ext3", "jbd", "dm_mod"])
w(r, "var/log/dmesg", XENBUS_BOOT + "VFS: Cannot open root device \"xvda1\" or unknown-block(0,0)\n")
w(r, "var/log/messages", "Mar  3 10:12:01 pvguest kernel: audit(1709460721.512:3): user pid=2372 uid=0 auid=4294967295 "
  "subj=system_u:system_r:hwclock_t:s0 msg='changing system time: exe=\"/sbin/hwclock\" (hostname=?, addr=?, terminal=? res=failed)'\n")

r = "guest-xen-pv-ok"
xen_pv_guest(r, ["xennet", "xenblk", "xen_netfront", "xen_blkfront", "ext3", "jbd"])
w(r, "var/log/dmesg", XENBUS_BOOT + "Registering block device major 202\n xvda: xvda1 xvda2\nnetfront: Initialising virtual ethernet driver.\n")
w(r, "var/log/messages", "Mar  3 10:12:05 pvguest ntpd[2401]: synchronized to 192.0.2.10, stratum 2\n")

# ---------------------------------------------------------------- pvdrv.pci-slots
r = "guest-pci-slots-full"
kvm_host(r)
def pci_disk(i, slot):
    return (f"\n    <disk type='block' device='disk'>\n      <driver name='qemu' type='raw' cache='none'/>\n"
            f"      <source dev='/dev/mapper/lun{i:02d}'/>\n      <target dev='vd{chr(0x61 + i) if i < 26 else 'a' + chr(0x61 + i - 26)}' bus='virtio'/>\n"
            f"      <address type='pci' domain='0x0000' bus='0x00' slot='{slot:#04x}' function='0x0'/>\n    </disk>")
# A storage gateway on the old machine type with one virtio disk per LUN: slots 3..27 for disks, 2 for video, 28 for the NIC.
extra = "".join(pci_disk(i, 3 + i) for i in range(25))
extra += ("\n    <interface type='bridge'>\n      <mac address='52:54:00:0c:00:01'/>\n      <source bridge='br0'/>\n      <model type='virtio'/>\n"
          "      <address type='pci' domain='0x0000' bus='0x00' slot='0x1c' function='0x0'/>\n    </interface>"
          "\n    <controller type='pci' index='0' model='pci-root'/>"
          "\n    <controller type='usb' index='0' model='piix3-uhci'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>\n    </controller>"
          "\n    <video>\n      <model type='cirrus' vram='16384' heads='1' primary='yes'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n    </video>")
w(r, "etc/libvirt/qemu/storage01.xml", dom("storage01", "8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f", [], [], machine="pc-i440fx-rhel7.6.0", extra_devices=extra))
w(r, "etc/libvirt/qemu/web01.xml", dom("web01", "6f1c2a4e-8b0d-4e5f-9a1b-2c3d4e5f6a01",
  [("network", "default", "52:54:00:11:22:01", "virtio")], [("disk", "/var/lib/libvirt/images/web01.qcow2", "vda", "virtio", None)], machine="pc-i440fx-rhel7.6.0"))

# ---------------------------------------------------------------- xen.xend-running, xen.xend-config
XEND_DEFAULTS = """# -*- sh -*-
#
# Xend configuration file.
#
(logfile /var/log/xen/xend.log)
(xend-unix-server yes)
(xend-unix-path /var/lib/xend/xend-socket)
(network-script 'network-bridge netdev=eth0')
(vif-script vif-bridge)
(dom0-min-mem 256)
(dom0-cpus 0)
(vncpasswd '')
"""

r = "xen-xend-stopped"
xen_dom0(r)
w(r, "usr/sbin/xend", "#!/usr/bin/python\n# synthetic stand-in for the xend launcher\n")
w(r, "etc/xen/xend-config.sxp", XEND_DEFAULTS + "(xend-http-server no)\n(xend-relocation-server no)\n(xend-relocation-hosts-allow '')\n")
for pid, comm in [(1, "init"), (2301, "xenstored"), (2310, "xenconsoled"), (2500, "sshd")]:
    w(r, f"proc/{pid}/comm", comm + "\n")
link(r, "etc/rc.d/rc3.d/S98xendomains", "../init.d/xendomains")
link(r, "etc/rc.d/rc3.d/K01xend", "../init.d/xend")

r = "xen-xend-exposed"
xen_dom0(r)
w(r, "usr/sbin/xend", "#!/usr/bin/python\n# synthetic stand-in for the xend launcher\n")
w(r, "etc/xen/xend-config.sxp", XEND_DEFAULTS + textwrap.dedent("""\
    (xend-http-server yes)
    (xend-port            8000)
    (xend-address '')
    (xend-relocation-server yes)
    (xend-relocation-port 8002)
    (xend-relocation-address '')
    (xend-relocation-hosts-allow '')
    (loglevel DEBUG)
    """))
for pid, comm in [(1, "init"), (2301, "xenstored"), (2310, "xenconsoled"), (2344, "xend"), (2500, "sshd")]:
    w(r, f"proc/{pid}/comm", comm + "\n")
link(r, "etc/rc.d/rc3.d/S98xend", "../init.d/xend")

r = "xen-dom0-xl"
xen_dom0(r)
w(r, "proc/sys/kernel/osrelease", "6.1.0-26-amd64\n")
w(r, "etc/xen/xl.conf", "# Xen xl toolstack configuration\nautoballoon=\"off\"\n")
for pid, comm in [(1, "systemd"), (410, "oxenstored"), (430, "xenconsoled"), (700, "sshd")]:
    w(r, f"proc/{pid}/comm", comm + "\n")
