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
  migr-dst-oldcpu   kvm-d: an Ivy Bridge Xeon without AVX2, BMI, ADX and the newer cache instructions
  migr-dst-amd      kvm-e: an AMD EPYC host
  migr-dst-nonet    kvm-f: no libvirt network 'default' and no bridge br0
  migr-dst-nonfs    kvm-g: /var/lib/libvirt/images is a local directory, the NFS export is not mounted
  migr-dst-slowlink kvm-h: its only link runs at 100 Mb/s
  migr-dst-macclash kvm-i: its guest app07 uses web01's MAC address
  migr-dst-firewalled kvm-j: firewalld's zone opens SSH but not libvirt's migration ports
  migr-dst-noclock  kvm-k: no time service runs and the kernel clock is not synchronised
  migr-dst-loopback kvm-l: maps its own name to 127.0.1.1 (Debian's installer default)
  migr-xen-src      xen-b: a RHEL 5 Xen dom0 (source of the xend relocation examples)
  migr-dst-xen-reloc xen-c: xend's relocation server on, allowing xen-b

Extracted sos reports of three of them, under Tests/Fixtures/sos/ (the same hosts as sos would have saved
them: /etc and /proc/cpuinfo, /proc/mounts copied, command outputs under sos_commands/, no /sys and no /root):
  migr-src, migr-dst-ready, migr-dst-oldcpu

Every KVM host runs chrony (synchronised), has a 10 Gb/s link eno1 and /etc/hosts naming kvm-a, kvm-b and
kvm-c. kvm-a (root) has an SSH key pair and knows kvm-b's host key; kvm-b accepts that key; kvm-b's
firewalld zone opens SSH and 49152-49215. The keys are synthetic strings, not usable keys.
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import (w, cpuinfo, base_host, dpkg_status, INTEL, PVM, NET_DEFAULT, PROC_MODULES_KVM_INTEL,  # noqa: F401
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


IVY_BRIDGE = " ".join(f for f in INTEL.split() if f not in {
    "fma", "movbe", "avx2", "bmi1", "bmi2", "invpcid", "invpcid_single", "rdseed", "adx", "smap", "clflushopt", "clwb", "xsavec",
    "xgetbv1", "xsaves", "abm", "3dnowprefetch", "intel_pt", "md_clear", "flush_l1d", "ssbd", "ibrs", "ibpb", "stibp", "tsc_adjust"})
EPYC = PVM.replace(" hypervisor", "").replace("vmmcall", "svm npt")
MOUNTS_LOCAL_IMAGES = MOUNTS.replace("nfs01.example.test:/export/images /var/lib/libvirt/images nfs4 rw,relatime,vers=4.2,hard,proto=tcp,sec=sys 0 0\n", "")


SOURCE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISyntheticKeyOfKvmAForTestsOnly0000000000 root@kvm-a"
ZONE_SSH_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<zone>
  <short>Public</short>
  <service name="ssh"/>
  <service name="dhcpv6-client"/>
</zone>
"""
ZONE_MIGRATION = ZONE_SSH_ONLY.replace('  <service name="dhcpv6-client"/>\n', '  <service name="libvirt-tls"/>\n  <port protocol="tcp" port="49152-49215"/>\n')


def kvm_host(r, hostname, osrel, packages, release="6.1.0-18-amd64", cpu=("GenuineIntel", XEON, INTEL), mounts=MOUNTS,
             network=True, bridge=True, link_speed=10000, synchronized=True, hosts_extra=""):
    base_host(r, release, osrel)
    w(r, "proc/sys/kernel/hostname", hostname + "\n")
    w(r, "etc/hostname", hostname + "\n")
    w(r, "etc/hosts", "127.0.0.1\tlocalhost\n192.0.2.11\tkvm-a.example.test kvm-a\n192.0.2.12\tkvm-b.example.test kvm-b\n"
                      "192.0.2.13\tkvm-c.example.test kvm-c\n" + hosts_extra)
    if synchronized:
        w(r, "proc/812/comm", "chronyd\n")
        w(r, "etc/chrony/chrony.conf", "pool 2.debian.pool.ntp.org iburst\n")
    w(r, "adjtimex.txt", f"synchronized={'yes' if synchronized else 'no'}\n")
    w(r, "proc/cpuinfo", cpuinfo(cpu[0], cpu[1], 6 if cpu[0] == "GenuineIntel" else 23, cpu[2], count=4))
    w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
    w(r, "proc/mounts", mounts)
    # The physical link: a NIC has a device link in sysfs (a directory stands in for it here).
    w(r, "sys/class/net/eno1/device/vendor", "0x8086\n")
    w(r, "sys/class/net/eno1/speed", f"{link_speed}\n")
    w(r, "sys/class/net/eno1/address", "3c:ec:ef:00:20:01\n")
    w(r, "var/lib/dpkg/status", dpkg_status(BASE_PACKAGES + packages))
    w(r, "etc/libvirt/qemu.conf", "# all settings at their defaults\n")
    if network:
        w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)
    if bridge:
        w(r, "sys/class/net/br0/bridge/stp_state", "0\n")
        w(r, "sys/class/net/br0/address", "3c:ec:ef:00:10:01\n")
    w(r, ".meta.yaml", "devices:\n" + DEV_NULL + DEV_KVM)


kvm_host("migr-src", "kvm-a", DEBIAN12, BOOKWORM)
w("migr-src", "etc/libvirt/qemu/web01.xml", guest("web01", "5e1f0c2a-0000-4000-8000-000000000001", "52:54:00:a0:00:01", "network", "default",
                                                  "/var/lib/libvirt/images/web01.qcow2", "host-model"))
w("migr-src", "etc/libvirt/qemu/db01.xml", guest("db01", "5e1f0c2a-0000-4000-8000-000000000002", "52:54:00:a0:00:02", "bridge", "br0", "/srv/local/db01.qcow2",
                                                 "host-passthrough"))

w("migr-src", "root/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nsynthetic placeholder, not a key\n-----END OPENSSH PRIVATE KEY-----\n")
w("migr-src", "root/.ssh/id_ed25519.pub", SOURCE_KEY + "\n")
w("migr-src", "root/.ssh/known_hosts", "kvm-b.example.test,192.0.2.12 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISyntheticHostKeyOfKvmB00000000000000\n")

kvm_host("migr-dst-ready", "kvm-b", DEBIAN12, BOOKWORM)
w("migr-dst-ready", "root/.ssh/authorized_keys", 'from="192.0.2.0/24" ' + SOURCE_KEY + "\n")
w("migr-dst-ready", "etc/firewalld/firewalld.conf", "DefaultZone=public\n")
w("migr-dst-ready", "etc/firewalld/zones/public.xml", ZONE_MIGRATION)
kvm_host("migr-dst-older", "kvm-c", DEBIAN11, BULLSEYE, release="5.10.0-28-amd64")

r = "migr-dst-xen"
base_host(r, "2.6.18-398.el5xen", RHEL5)
w(r, "proc/sys/kernel/hostname", "xen-a\n")
w(r, "etc/redhat-release", RHEL5)
w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5450 @ 3.00GHz", 6, XEN_CPU_FLAGS, count=4, mhz="3000.000"))
w(r, "proc/xen/capabilities", "control_d\n")
w(r, "sys/hypervisor/type", "xen\n")

kvm_host("migr-dst-oldcpu", "kvm-d", DEBIAN12, BOOKWORM, cpu=("GenuineIntel", "Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz", IVY_BRIDGE))
kvm_host("migr-dst-amd", "kvm-e", DEBIAN12, BOOKWORM, cpu=("AuthenticAMD", "AMD EPYC 7313 16-Core Processor", EPYC))
kvm_host("migr-dst-nonet", "kvm-f", DEBIAN12, BOOKWORM, network=False, bridge=False)
kvm_host("migr-dst-nonfs", "kvm-g", DEBIAN12, BOOKWORM, mounts=MOUNTS_LOCAL_IMAGES)
kvm_host("migr-dst-slowlink", "kvm-h", DEBIAN12, BOOKWORM, link_speed=100)
kvm_host("migr-dst-macclash", "kvm-i", DEBIAN12, BOOKWORM)
w("migr-dst-macclash", "etc/libvirt/qemu/app07.xml", guest("app07", "5e1f0c2a-0000-4000-8000-000000000007", "52:54:00:a0:00:01", "network", "default",
                                                          "/var/lib/libvirt/images/app07.qcow2", "host-model"))
kvm_host("migr-dst-firewalled", "kvm-j", DEBIAN12, BOOKWORM)
w("migr-dst-firewalled", "etc/firewalld/firewalld.conf", "DefaultZone=public\n")
w("migr-dst-firewalled", "etc/firewalld/zones/public.xml", ZONE_SSH_ONLY)
kvm_host("migr-dst-noclock", "kvm-k", DEBIAN12, BOOKWORM, synchronized=False)
kvm_host("migr-dst-loopback", "kvm-l", DEBIAN12, BOOKWORM, hosts_extra="127.0.1.1\tkvm-l.example.test kvm-l\n")


def xen_dom0(r, hostname, xend_config):
    base_host(r, "2.6.18-398.el5xen", RHEL5)
    w(r, "proc/sys/kernel/hostname", hostname + "\n")
    w(r, "etc/redhat-release", RHEL5)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) CPU E5450 @ 3.00GHz", 6, XEN_CPU_FLAGS, count=4, mhz="3000.000"))
    w(r, "proc/xen/capabilities", "control_d\n")
    w(r, "sys/hypervisor/type", "xen\n")
    w(r, "etc/xen/xend-config.sxp", xend_config)
    w(r, "usr/sbin/xend", "#!/usr/bin/python\n")


xen_dom0("migr-xen-src", "xen-b", "(xend-relocation-server no)\n")
xen_dom0("migr-dst-xen-reloc", "xen-c", "(xend-relocation-server yes)\n(xend-relocation-port 8002)\n(xend-relocation-address '')\n"
                                        "(xend-relocation-hosts-allow '^localhost$ ^xen-b$ ^xen-b\\.example\\.test$')\n")


# ---------------------------------------------------------------- the same hosts as sos reports
SOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sos")


def sos_from_root(name, hostname, packages, mac="3c:ec:ef:00:20:01", bridge=True):
    """An extracted sos report of the fixture root `name`: what sos copies, plus the command outputs."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "roots", name)
    target = os.path.join(SOS, name)
    shutil.rmtree(target, ignore_errors=True)
    for folder in ["etc"]:
        shutil.copytree(os.path.join(source, folder), os.path.join(target, folder))
    for path in ["proc/cpuinfo", "proc/mounts"]:
        os.makedirs(os.path.dirname(os.path.join(target, path)), exist_ok=True)
        shutil.copy(os.path.join(source, path), os.path.join(target, path))

    def s(path, text):
        full = os.path.join(target, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)

    s("version.txt", "sosreport: 4.5.6\n")
    s("sos_commands/host/hostname", hostname + "\n")
    s("sos_commands/date/date_--utc", "Mon Nov 16 09:00:00 UTC 2026\n")
    s("sos_commands/kernel/uname_-a", f"Linux {hostname} 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n")
    s("sos_commands/kernel/lsmod", "Module                  Size  Used by\nkvm_intel             413696  4\nkvm                  1347584  1 kvm_intel\nbridge                417792  0\n")
    rows = "".join(f"ii  {n:<24} {v:<28} {a:<12} synthetic test package\n" for n, v, a, _ in BASE_PACKAGES + packages)
    s("sos_commands/dpkg/dpkg_-l", "Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n"
      "|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n||/ Name                     Version                      Architecture Description\n"
      "+++-========================-============================-============-======================\n" + rows)
    s("sos_commands/process/ps_auxwww", "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
      "root           1  0.0  0.1 167780 11904 ?        Ss   08:00   0:01 /sbin/init\n"
      "_chrony      812  0.0  0.0  18860  3212 ?        S    08:00   0:00 /usr/sbin/chronyd -F 1\n")
    link = (f"2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq {'master br0 ' if bridge else ''}state UP mode DEFAULT group default qlen 1000\n"
            f"    link/ether {mac} brd ff:ff:ff:ff:ff:ff promiscuity 1\n")
    if bridge:
        link += ("    bridge_slave state forwarding priority 32 cost 2\n"
                 "3: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n"
                 "    link/ether 3c:ec:ef:00:10:01 brd ff:ff:ff:ff:ff:ff promiscuity 0\n"
                 "    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768\n")
    s("sos_commands/networking/ip_-d_link", "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n"
      "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0\n" + link)
    s("sos_commands/networking/ethtool_eno1", "Settings for eno1:\n\tSupported ports: [ FIBRE ]\n\tSpeed: 10000Mb/s\n\tDuplex: Full\n\tLink detected: yes\n")


sos_from_root("migr-src", "kvm-a", BOOKWORM)
sos_from_root("migr-dst-ready", "kvm-b", BOOKWORM)
sos_from_root("migr-dst-oldcpu", "kvm-d", BOOKWORM)
