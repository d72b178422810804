#!/usr/bin/env python3
"""Writes the fixture roots of the migration checks (virt-doctor migrate) under Tests/Fixtures/roots/.
All text is synthetic, written for these tests; the generated files are committed and CI does not run this
script. To regenerate, delete the migr-* directories and run the script from anywhere.

A migration example names a source root and a destination root. The source is always migr-src; each
destination differs from it in one way, so a finding's status has one reason.

Roots:
  migr-src          Debian 12 KVM host kvm-a (Xeon Silver 4214): QEMU 7.2, libvirt 9.0; guests web01 (network
                    'default', host-model CPU, disk on the NFS mount /var/lib/libvirt/images) and db01 (bridge
                    br0, host-passthrough CPU, disk on the local XFS /srv/local)
  migr-dst-ready    kvm-b: the same release, CPU, networks, bridge and NFS mount
  migr-dst-older    kvm-c: Debian 11 with QEMU 5.2 and libvirt 7.0, older than the source
  migr-dst-xen      xen-a: a RHEL 5 Xen dom0
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import (w, cpuinfo, base_host, dpkg_status, INTEL, NET_DEFAULT, PROC_MODULES_KVM_INTEL,  # noqa: F401
                            DEV_NULL, DEV_KVM, RHEL5)

DEBIAN12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n'
DEBIAN11 = 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION="11 (bullseye)"\nID=debian\n'
OK = "install ok installed"
BASE_PACKAGES = [("base-files", "12.4+deb12u5", "amd64", OK), ("systemd", "252.22-1~deb12u1", "amd64", OK), ("chrony", "4.3-2+deb12u1", "amd64", OK)]
BOOKWORM = [("qemu-system-x86", "1:7.2+dfsg-7+deb12u5", "amd64", OK), ("libvirt-daemon-system", "9.0.0-4", "amd64", OK),
            ("libvirt0", "9.0.0-4", "amd64", OK)]
BULLSEYE = [("qemu-system-x86", "1:5.2+dfsg-11+deb11u3", "amd64", OK), ("libvirt-daemon-system", "7.0.0-3", "amd64", OK),
            ("libvirt0", "7.0.0-3", "amd64", OK)]
XEON = "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz"
XEN_CPU_FLAGS = "fpu tsc msr pae mce cx8 apic mtrr mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm syscall nx lm constant_tsc pni monitor ds_cpl vmx est tm2 ssse3 cx16 xtpr lahf_lm"


def guest(name, uuid, mac, iface_type, iface_source, disk, cpu_mode):
    source_attr = "network" if iface_type == "network" else "bridge"
    return f"""<domain type='kvm'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='KiB'>8388608</memory>
  <vcpu placement='static'>4</vcpu>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
  <cpu mode='{cpu_mode}' check='partial'/>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='{iface_type}'>
      <mac address='{mac}'/>
      <source {source_attr}='{iface_source}'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
"""


MOUNTS = """/dev/mapper/vg-root / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
nfs01.example.test:/export/images /var/lib/libvirt/images nfs4 rw,relatime,vers=4.2,hard,proto=tcp,sec=sys 0 0
/dev/sdb1 /srv/local xfs rw,relatime 0 0
"""


def kvm_host(r, hostname, osrel, packages, release="6.1.0-18-amd64"):
    base_host(r, release, osrel)
    w(r, "proc/sys/kernel/hostname", hostname + "\n")
    w(r, "etc/hostname", hostname + "\n")
    w(r, "etc/hosts", "127.0.0.1\tlocalhost\n192.0.2.11\tkvm-a.example.test kvm-a\n192.0.2.12\tkvm-b.example.test kvm-b\n"
                      "192.0.2.13\tkvm-c.example.test kvm-c\n")
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", XEON, 6, INTEL, count=4))
    w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
    w(r, "proc/mounts", MOUNTS)
    w(r, "var/lib/dpkg/status", dpkg_status(BASE_PACKAGES + packages))
    w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)
    w(r, "sys/class/net/br0/bridge/stp_state", "0\n")
    w(r, "sys/class/net/br0/address", "3c:ec:ef:00:10:01\n")
    w(r, ".meta.yaml", "devices:\n" + DEV_NULL + DEV_KVM)


kvm_host("migr-src", "kvm-a", DEBIAN12, BOOKWORM)
w("migr-src", "etc/libvirt/qemu/web01.xml", guest("web01", "5e1f0c2a-0000-4000-8000-000000000001", "52:54:00:a0:00:01", "network", "default",
                                                  "/var/lib/libvirt/images/web01.qcow2", "host-model"))
w("migr-src", "etc/libvirt/qemu/db01.xml", guest("db01", "5e1f0c2a-0000-4000-8000-000000000002", "52:54:00:a0:00:02", "bridge", "br0", "/srv/local/db01.qcow2",
                                                 "host-passthrough"))

kvm_host("migr-dst-ready", "kvm-b", DEBIAN12, BOOKWORM)
kvm_host("migr-dst-older", "kvm-c", DEBIAN11, BULLSEYE, release="5.10.0-28-amd64")

r = "migr-dst-xen"
base_host(r, "2.6.18-398.el5xen", RHEL5)
w(r, "proc/sys/kernel/hostname", "xen-a\n")
w(r, "etc/redhat-release", RHEL5)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5450 @ 3.00GHz", 6, XEN_CPU_FLAGS, count=4, mhz="3000.000"))
w(r, "proc/xen/capabilities", "control_d\n")
w(r, "sys/hypervisor/type", "xen\n")
