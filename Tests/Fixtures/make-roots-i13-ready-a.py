#!/usr/bin/env python3
"""Writes the fixture roots of the host-readiness group of issue 13 (`ready-a`: kvm.nested,
host.sysctl-persistence, host.hostname-ip) under Tests/Fixtures/roots/. All text is synthetic, written for
these tests; the helpers come from fixture_common.py. Every root is rewritten from nothing on each run.

Roots:
  ready-nested-off-plain          Intel host, kvm_intel nested=N, a guest without a <cpu> element
  ready-nested-off-passthrough    Intel host, kvm_intel nested=N, one guest on host-passthrough and one
                                  requiring vmx, a third that disables vmx
  ready-nested-on-passthrough     AMD host, kvm_amd nested=1, a guest on host-passthrough and one on host-model
  ready-sysctl-drift              RHEL 9 host: ip_forward 1 now but /etc/sysctl.d/50-hardening.conf sets 0;
                                  bridge-nf-call-ip6tables 1 now but /usr/lib/sysctl.d/00-system.conf sets 0
  ready-sysctl-conf-ignored       Debian 13 host (systemd-sysctl, no 99-sysctl.conf link): ip_forward=1 only in
                                  /etc/sysctl.conf
  ready-sysctl-conf-linked        Debian 12 host with the /etc/sysctl.d/99-sysctl.conf link: ip_forward=1 read
  ready-hostname-ok               kvm-b is 192.0.2.21 in /etc/hosts and on eno1 (fib_trie, if_inet6)
  ready-hostname-debian-loopback  Debian 12 / Proxmox-style pve1 on 127.0.1.1 (the installer's line)
  ready-hostname-two-addresses    kvm-c on two lines, 192.0.2.41 and 198.51.100.41, both on interfaces
  ready-hostname-foreign          kvm-d is 192.0.2.51 in /etc/hosts, but the host was renumbered to .52
  ready-hostname-dns              kvm-e is not in /etc/hosts (resolved by DNS only)
  ready-hostname-sos-ok           extracted sos report: /etc/hostname, /etc/hosts and networking/ip_-d_address
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import *  # noqa: F401,F403 - BASE, w, link, cpuinfo, domain, base_host and the sample texts

PROC_MODULES_KVM_AMD = "kvm_amd 155648 2 - Live 0x0000000000000000\nccp 118784 1 kvm_amd, Live 0x0000000000000000\nkvm 1142784 1 kvm_amd, Live 0x0000000000000000\nirqbypass 16384 1 kvm, Live 0x0000000000000000\n"
AMD_EPYC = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb hw_pstate ssbd ibpb vmmcall fsgsbase bmi1 avx2 smep bmi2 rdseed adx smap clflushopt sha_ni xsaveopt xsavec xgetbv1 xsaves clzero irperf xsaveerptr arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif overflow_recov succor smca"


DEBIAN12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
DEBIAN13 = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nVERSION="13 (trixie)"\nVERSION_CODENAME=trixie\nID=debian\n'
SYSTEMD_SYSCTL_UNIT = """[Unit]
Description=Apply Kernel Variables
Documentation=man:sysctl.d(5) man:systemd-sysctl.service(8)
DefaultDependencies=no
Conflicts=shutdown.target
After=systemd-modules-load.service
Before=sysinit.target shutdown.target
ConditionPathIsReadWrite=/proc/sys/net/

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/lib/systemd/systemd-sysctl
TimeoutSec=90s
"""


def fresh(r):
    """Starts a root from nothing, so a rerun never keeps files of an older version."""
    shutil.rmtree(os.path.join(BASE, r), ignore_errors=True)
    return r


# Per CPU vendor: kernel release, cpuinfo arguments, /proc/modules, KVM module, MAC of eth0.
VENDORS = {
    "intel": ("5.14.0-284.30.1.el9_2.x86_64", ("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL),
              PROC_MODULES_KVM_INTEL, "kvm_intel", "3c:ec:ef:10:20:30"),
    "amd": ("5.14.0-362.8.1.el9_3.x86_64", ("AuthenticAMD", "AMD EPYC 7302P 16-Core Processor", 23, AMD_EPYC),
            PROC_MODULES_KVM_AMD, "kvm_amd", "3c:ec:ef:10:20:31"),
}


def kvm_host(r, nested, vendor="intel", release=None, osrel=RHEL9, nic="eth0"):
    """A KVM host (RHEL 9 unless told) with its vendor's module loaded with the given nested parameter."""
    default_release, cpu, modules, module, mac = VENDORS[vendor]
    base_host(fresh(r), release or default_release, osrel)
    w(r, "proc/cpuinfo", cpuinfo(*cpu, count=4))
    w(r, "proc/modules", modules)
    w(r, f"sys/module/{module}/parameters/nested", nested + "\n")
    w(r, f"sys/class/net/{nic}/address", mac + "\n")


def guest_cpu(name, cpu, iface=IFACE_DEFAULT):
    """A KVM domain with a <cpu> element (none when cpu is empty)."""
    text = domain(name, iface)
    return text.replace("  <os>", f"  {cpu}\n  <os>", 1) if cpu else text


# ================================================================ kvm.nested
r = "ready-nested-off-plain"
kvm_host(r, "N")
w(r, "etc/libvirt/qemu/web01.xml", guest_cpu("web01", ""))

r = "ready-nested-off-passthrough"
kvm_host(r, "N")
w(r, "etc/libvirt/qemu/ci-runner.xml", guest_cpu("ci-runner", "<cpu mode='host-passthrough' check='none' migratable='on'/>"))
w(r, "etc/libvirt/qemu/lab-kvm.xml", guest_cpu("lab-kvm", "<cpu mode='custom' match='exact' check='partial'>\n    <model fallback='allow'>Cascadelake-Server</model>\n    <feature policy='require' name='vmx'/>\n  </cpu>"))
w(r, "etc/libvirt/qemu/db01.xml", guest_cpu("db01", "<cpu mode='host-passthrough' check='none'>\n    <feature policy='disable' name='vmx'/>\n  </cpu>"))

r = "ready-nested-on-passthrough"
kvm_host(r, "1", vendor="amd")
w(r, "etc/libvirt/qemu/devstack.xml", guest_cpu("devstack", "<cpu mode='host-passthrough' check='none' migratable='on'/>"))
w(r, "etc/libvirt/qemu/app01.xml", guest_cpu("app01", "<cpu mode='host-model' check='partial'/>"))
w(r, "etc/libvirt/qemu/app02.xml", guest_cpu("app02", "<cpu mode='custom' match='exact'>\n    <model fallback='forbid'>EPYC-Rome</model>\n    <feature policy='disable' name='svm'/>\n  </cpu>"))


# ================================================================ host.sysctl-persistence
r = "ready-sysctl-drift"
kvm_host(r, "Y")
w(r, "usr/lib/systemd/system/systemd-sysctl.service", SYSTEMD_SYSCTL_UNIT)
w(r, "proc/sys/net/ipv4/ip_forward", "1\n")
w(r, "proc/sys/net/bridge/bridge-nf-call-iptables", "0\n")
w(r, "proc/sys/net/bridge/bridge-nf-call-ip6tables", "1\n")
w(r, "proc/sys/net/bridge/bridge-nf-call-arptables", "0\n")
w(r, "etc/sysctl.d/50-hardening.conf", "# CIS 3.1.1: this host is not a router\nnet.ipv4.ip_forward = 0\nnet.ipv4.conf.all.send_redirects = 0\n")
w(r, "usr/lib/sysctl.d/00-system.conf", "# Disable netfilter on bridges.\nnet.bridge.bridge-nf-call-ip6tables = 0\nnet.bridge.bridge-nf-call-iptables = 0\nnet.bridge.bridge-nf-call-arptables = 0\n")
w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)

DEBIAN_SYSCTL_CONF = """#
# /etc/sysctl.conf - Configuration file for setting system variables
# See /etc/sysctl.d/ for additional system variables.
# See sysctl.conf (5) for information.
#

# Uncomment the next line to enable packet forwarding for IPv4
net.ipv4.ip_forward=1
"""

def debian_host(r, release, osrel):
    kvm_host(r, "Y", release=release, osrel=osrel, nic="eno1")
    w(r, "proc/sys/net/ipv4/ip_forward", "1\n")

r = "ready-sysctl-conf-ignored"
debian_host(r, "6.12.48+deb13-amd64", DEBIAN13)
w(r, "usr/lib/systemd/system/systemd-sysctl.service", SYSTEMD_SYSCTL_UNIT)
w(r, "etc/sysctl.conf", DEBIAN_SYSCTL_CONF)
w(r, "usr/lib/sysctl.d/50-pid-max.conf", "# Raise pid_max on 64-bit systems\nkernel.pid_max = 4194304\n")

r = "ready-sysctl-conf-linked"
debian_host(r, "6.1.0-40-amd64", DEBIAN12)
w(r, "usr/lib/systemd/system/systemd-sysctl.service", SYSTEMD_SYSCTL_UNIT)
w(r, "etc/sysctl.conf", DEBIAN_SYSCTL_CONF)
link(r, "etc/sysctl.d/99-sysctl.conf", "../sysctl.conf")


# ================================================================ host.hostname-ip
HOSTS_LOCALHOST = "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n"


def fib_trie(addresses):
    """/proc/net/fib_trie with the loopback and the given (address, prefix) pairs as LOCAL leaves."""
    out = ["Main:", "  +-- 0.0.0.0/0 3 0 5", "     |-- 0.0.0.0", "        /0 universe UNICAST",
           "     +-- 127.0.0.0/8 2 0 2", "        +-- 127.0.0.0/31 1 0 0", "           |-- 127.0.0.0",
           "              /8 host LOCAL", "           |-- 127.0.0.1", "              /32 host LOCAL",
           "        |-- 127.255.255.255", "           /32 link BROADCAST"]
    for address, prefix in addresses:
        network = ".".join(address.split(".")[:3]) + ".0"
        out += [f"     +-- {network}/{prefix} 2 0 2", f"        |-- {network}", f"           /{prefix} link UNICAST",
                f"        |-- {address}", "           /32 host LOCAL",
                f"        |-- {network[:-1]}255", "           /32 link BROADCAST"]
    text = "\n".join(out) + "\n"
    return text + text.replace("Main:", "Local:", 1)


IF_INET6 = "00000000000000000000000000000001 01 80 10 80       lo\nfe800000000000003eeceffffe102050 02 40 20 80     eno1\n"


def named_host(r, hostname, hosts, addresses, osrel=RHEL9, release="5.14.0-284.30.1.el9_2.x86_64"):
    base_host(fresh(r), release, osrel)
    w(r, "proc/sys/kernel/hostname", hostname + "\n")
    w(r, "etc/hostname", hostname + "\n")
    w(r, "etc/hosts", hosts)
    w(r, "proc/net/fib_trie", fib_trie(addresses))
    w(r, "proc/net/if_inet6", IF_INET6)
    w(r, "sys/class/net/eno1/address", "3c:ec:ef:10:20:50\n")


named_host("ready-hostname-ok", "kvm-b",
           HOSTS_LOCALHOST + "192.0.2.21  kvm-b.example.test kvm-b\n192.0.2.22  kvm-c.example.test kvm-c\n",
           [("192.0.2.21", 24), ("192.168.122.1", 24)])

named_host("ready-hostname-debian-loopback", "pve1",
           "127.0.0.1\tlocalhost\n127.0.1.1\tpve1.example.test\tpve1\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n",
           [("192.0.2.31", 24)], osrel=DEBIAN12, release="6.1.0-40-amd64")

named_host("ready-hostname-two-addresses", "kvm-c",
           HOSTS_LOCALHOST + "192.0.2.41     kvm-c.example.test kvm-c\n198.51.100.41  kvm-c   # storage network, added for NFS exports\n",
           [("192.0.2.41", 24), ("198.51.100.41", 24)])

named_host("ready-hostname-foreign", "kvm-d.example.test",
           HOSTS_LOCALHOST + "192.0.2.51  kvm-d.example.test kvm-d\n",
           [("192.0.2.52", 24)])

named_host("ready-hostname-dns", "kvm-e.example.test", HOSTS_LOCALHOST, [("192.0.2.61", 24)])

r = fresh("ready-hostname-sos-ok")
w(r, "version.txt", "sosreport: 4.5.6\n")
w(r, "sos_reports/manifest.json", "{}\n")
w(r, "etc/hostname", "kvm-f.example.test\n")
w(r, "etc/os-release", RHEL9)
w(r, "etc/hosts", HOSTS_LOCALHOST + "192.0.2.71  kvm-f.example.test kvm-f\n")
w(r, "sos_commands/networking/ip_-d_address", """1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host
       valid_lft forever preferred_lft forever
2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq master ovirtmgmt state UP group default qlen 1000
    link/ether 3c:ec:ef:10:20:70 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 0 minmtu 68 maxmtu 9000
    bridge_slave state forwarding priority 32 cost 4 hairpin off guard off root_block off fastleave off learning on flood on
3: ovirtmgmt: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether 3c:ec:ef:10:20:70 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
    bridge forward_delay 0 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768
    inet 192.0.2.71/24 brd 192.0.2.255 scope global noprefixroute ovirtmgmt
       valid_lft forever preferred_lft forever
    inet6 fe80::3eec:efff:fe10:2070/64 scope link noprefixroute
       valid_lft forever preferred_lft forever
""")
