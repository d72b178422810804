#!/usr/bin/env python3
"""Writes the fixture roots of the host-readiness group "ready-b" (issue 13) under Tests/Fixtures/roots/:
host.reboot-pending, dom.machine-type and libvirt.daemon-model. All text is synthetic, written for these
tests; the helpers come from fixture_common.py. Running the script rewrites exactly these roots.

Roots:
  rb-kernel-current          RHEL 9.4 host running its newest kernel; an older one and the rescue image in /boot
  rb-kernel-newer            RHEL 9.3 kernel running while 5.14.0-427.13.1.el9_4 is installed
  rb-qemu-replaced           RHEL 9 host whose qemu-kvm processes run a deleted executable and a deleted library
  rb-debian-reboot-required  Debian 12 host with /run/reboot-required after a libc6 update (cloud kernel installed too)
  rb-machine-current         Ubuntu 24.04 host, QEMU 8.2, guests on pc-q35-8.2 and pc-i440fx-6.2
  rb-machine-removed         Debian 13 host, QEMU 10.0, a guest still on pc-i440fx-2.3 (and one on 2.11)
  rb-machine-deprecated      Debian host, QEMU 9.2, a guest on pc-i440fx-2.9
  rb-machine-rhel6           RHEL 9 host (no package list) with a guest on rhel6.6.0
  rb-daemon-modular          Fedora-style host: virtqemud and the other modular daemons enabled
  rb-daemon-monolithic       Debian host: libvirtd.service and its sockets enabled
  rb-daemon-both             upgraded host: libvirtd.service and virtqemud.service both enabled
  rb-daemon-mixed            libvirtd.service with virtqemud's sockets enabled
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import *  # noqa: F401,F403 - BASE, w, link, cpuinfo, domain, base_host, dpkg_status and sample texts

DEBIAN12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n'
DEBIAN13 = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nVERSION="13 (trixie)"\nID=debian\n'
UBUNTU2404 = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'
FEDORA40 = 'NAME="Fedora Linux"\nVERSION="40 (Server Edition)"\nID=fedora\nVERSION_ID=40\nPRETTY_NAME="Fedora Linux 40 (Server Edition)"\n'
RHEL94 = 'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n'

EL9_OLD = "5.14.0-362.8.1.el9_3.x86_64"
EL9_NEW = "5.14.0-427.13.1.el9_4.x86_64"
QEMU_MAPS = """55d0c8a00000-55d0c8c4b000 r--p 00000000 fd:00 1837561                    /usr/libexec/qemu-kvm
55d0c8c4b000-55d0c9500000 r-xp 0024b000 fd:00 1837561                    /usr/libexec/qemu-kvm
7f3a1c000000-7f3a1c021000 rw-p 00000000 00:00 0
7f3a20a00000-7f3a20a28000 r--p 00000000 fd:00 1574012                    /usr/lib64/libc.so.6
7f3a21000000-7f3a21010000 r--p 00000000 00:01 3072                       /memfd:qemu-ram (deleted)
7f3a21200000-7f3a21245000 r-xp 00000000 fd:00 1574990                    /usr/lib64/libgnutls.so.30.37.1 (deleted)
7ffd5a6e1000-7ffd5a702000 rw-p 00000000 00:00 0                          [stack]
"""


def fresh(r):
    """Starts a root from nothing, so a rerun never keeps files of an older version."""
    shutil.rmtree(os.path.join(BASE, r), ignore_errors=True)
    return r


def kvm_host(r, release, osrel):
    """A KVM host with an Intel CPU and the KVM modules loaded."""
    base_host(fresh(r), release, osrel)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
    w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
    w(r, "proc/meminfo", "MemTotal:       65536000 kB\nMemFree:        30000000 kB\nSwapTotal:       8388604 kB\nSwapFree:        8388604 kB\n")
    w(r, ".meta.yaml", "files:\n" + DEV_NULL + DEV_KVM)


def kernels(r, releases, boot=True):
    """Installed kernels: /boot images and /lib/modules directories with modules.dep."""
    for release in releases:
        if boot:
            w(r, f"boot/vmlinuz-{release}", "synthetic kernel image\n")
            w(r, f"boot/config-{release}", "CONFIG_KVM=m\n")
        w(r, f"lib/modules/{release}/modules.dep", "kernel/arch/x86/kvm/kvm.ko.xz:\n")


def process(r, pid, comm, exe, maps=None):
    w(r, f"proc/{pid}/comm", comm + "\n")
    link(r, f"proc/{pid}/exe", exe)
    if maps is not None:
        w(r, f"proc/{pid}/maps", maps)


def guest(r, name, machine, dtype="kvm"):
    text = domain(name, IFACE_DEFAULT, dtype=dtype).replace("machine='pc-q35-rhel9.2.0'", f"machine='{machine}'")
    w(r, f"etc/libvirt/qemu/{name}.xml", text)


def enable(r, target, unit):
    link(r, f"etc/systemd/system/{target}.wants/{unit}", f"/usr/lib/systemd/system/{unit}")


# ================================================================ host.reboot-pending

r = "rb-kernel-current"
kvm_host(r, EL9_NEW, RHEL94)
kernels(r, [EL9_OLD, EL9_NEW])
w(r, "boot/vmlinuz-0-rescue-6f0a1c2d3e4b4f5a8b9c0d1e2f3a4b5c", "synthetic rescue image\n")
w(r, f"boot/.vmlinuz-{EL9_NEW}.hmac", "synthetic hmac\n")
process(r, 1, "systemd", "/usr/lib/systemd/systemd")
process(r, 4242, "qemu-kvm", "/usr/libexec/qemu-kvm", QEMU_MAPS.replace(" (deleted)\n", "\n"))

r = "rb-kernel-newer"
kvm_host(r, EL9_OLD, RHEL94)
kernels(r, [EL9_OLD, EL9_NEW])
process(r, 1, "systemd", "/usr/lib/systemd/systemd")

r = "rb-qemu-replaced"
kvm_host(r, EL9_NEW, RHEL94)
kernels(r, [EL9_NEW])
process(r, 1, "systemd", "/usr/lib/systemd/systemd")
process(r, 4242, "qemu-kvm", "/usr/libexec/qemu-kvm (deleted)")
process(r, 4310, "qemu-kvm", "/usr/libexec/qemu-kvm", QEMU_MAPS)
process(r, 5120, "virtqemud", "/usr/sbin/virtqemud")

r = "rb-debian-reboot-required"
kvm_host(r, "6.1.0-18-amd64", DEBIAN12)
kernels(r, ["6.1.0-17-amd64", "6.1.0-18-amd64"])
w(r, "var/lib/dpkg/status", dpkg_status([
    ("linux-image-6.1.0-17-amd64", "6.1.69-1", "amd64", "install ok installed"),
    ("linux-image-6.1.0-18-amd64", "6.1.76-1", "amd64", "install ok installed"),
    ("linux-image-6.1.0-18-cloud-amd64", "6.1.76-1", "amd64", "install ok installed"),
    ("linux-image-amd64", "6.1.76-1", "amd64", "install ok installed"),
    ("libc6", "2.36-9+deb12u4", "amd64", "install ok installed"),
    ("qemu-system-x86", "1:7.2+dfsg-7+deb12u5", "amd64", "install ok installed"),
]))
w(r, "run/reboot-required", "*** System restart required ***\n")
w(r, "run/reboot-required.pkgs", "linux-image-6.1.0-18-amd64\nlibc6\nlibc6\n")
process(r, 1, "systemd", "/usr/lib/systemd/systemd")

# ================================================================ dom.machine-type

r = "rb-machine-current"
kvm_host(r, "6.8.0-45-generic", UBUNTU2404)
w(r, "var/lib/dpkg/status", dpkg_status([
    ("qemu-system-x86", "1:8.2.2+ds-0ubuntu1.2", "amd64", "install ok installed"),
    ("libvirt-daemon-system", "10.0.0-2ubuntu8.3", "amd64", "install ok installed"),
]))
guest(r, "web01", "pc-q35-8.2")
guest(r, "db01", "pc-i440fx-6.2")
guest(r, "build01", "q35")

r = "rb-machine-removed"
kvm_host(r, "6.12.38+deb13-amd64", DEBIAN13)
w(r, "var/lib/dpkg/status", dpkg_status([
    ("qemu-system-x86", "1:10.0.2+ds-2", "amd64", "install ok installed"),
    ("libvirt-daemon-system", "11.3.0-3", "amd64", "install ok installed"),
]))
guest(r, "web01", "pc-i440fx-2.3")
guest(r, "app02", "pc-i440fx-2.11")
guest(r, "new01", "pc-q35-10.0")

r = "rb-machine-deprecated"
kvm_host(r, "6.12.9-amd64", DEBIAN13)
w(r, "var/lib/dpkg/status", dpkg_status([
    ("qemu-system-x86", "1:9.2.0+ds-1", "amd64", "install ok installed"),
    ("libvirt-daemon-system", "10.10.0-3", "amd64", "install ok installed"),
]))
guest(r, "app01", "pc-i440fx-2.9")
guest(r, "web02", "pc-q35-9.2")

r = "rb-machine-rhel6"
kvm_host(r, EL9_NEW, RHEL94)
guest(r, "legacy01", "rhel6.6.0")
guest(r, "app01", "pc-q35-rhel9.4.0")

# ================================================================ libvirt.daemon-model

MODULAR = ["virtqemud", "virtnetworkd", "virtstoraged", "virtnodedevd", "virtsecretd", "virtinterfaced", "virtnwfilterd"]

r = "rb-daemon-modular"
kvm_host(r, "6.8.5-301.fc40.x86_64", FEDORA40)
for daemon in MODULAR:
    enable(r, "multi-user.target", f"{daemon}.service")
    for socket in ("", "-ro", "-admin"):
        enable(r, "sockets.target", f"{daemon}{socket}.socket")
enable(r, "sockets.target", "virtproxyd.socket")
enable(r, "sockets.target", "virtlogd.socket")
link(r, "etc/systemd/system/libvirtd.service", "/dev/null")

r = "rb-daemon-monolithic"
kvm_host(r, "6.1.0-18-amd64", DEBIAN12)
enable(r, "multi-user.target", "libvirtd.service")
for socket in ("libvirtd.socket", "libvirtd-ro.socket", "libvirtd-admin.socket", "virtlogd.socket", "virtlockd.socket"):
    enable(r, "sockets.target", socket)

r = "rb-daemon-both"
kvm_host(r, EL9_NEW, RHEL94)
enable(r, "multi-user.target", "libvirtd.service")
enable(r, "multi-user.target", "virtqemud.service")
for socket in ("libvirtd.socket", "libvirtd-ro.socket", "virtqemud.socket", "virtqemud-ro.socket", "virtqemud-admin.socket"):
    enable(r, "sockets.target", socket)

r = "rb-daemon-mixed"
kvm_host(r, EL9_NEW, RHEL94)
enable(r, "multi-user.target", "libvirtd.service")
for socket in ("virtqemud.socket", "virtqemud-ro.socket"):
    enable(r, "sockets.target", socket)
