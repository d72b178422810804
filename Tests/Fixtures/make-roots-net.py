#!/usr/bin/env python3
"""Writes the fixture roots of the issue-12 network checks under Tests/Fixtures/roots/ (group `net`).
All text is synthetic, written for these tests; the generated files are committed and CI does not run this
script. To regenerate one root, delete its directory and run the script from anywhere.

Roots:
  net-bridge-ifcfg-good      RHEL 7 host, ifcfg-br0 (TYPE=Bridge) with eth0 as its port, NM_CONTROLLED=no,
                             a guest on br0; everything agrees (net.bridge-ifcfg, net.networkmanager-bridge pass)
  net-bridge-ifcfg-typo      CentOS 6 host with NetworkManager running: TYPE=bridge in lower case, an HWADDR
                             that is not the NIC's, DEVICE differing from the file name, no NM_CONTROLLED=no
  net-bridge-guest-missing   br0 up without its configured port eth0, a guest on a bridge br1 that does not
                             exist, an ifcfg file pointing at an undefined bridge br9
  net-mac-duplicate          two cloned libvirt guests sharing a MAC, two Xen guest files sharing one, and a
                             guest carrying the MAC of the host's NIC eno1
  net-virbr0-physical        the physical NIC eno2 enslaved to virbr0, now and by ifcfg-eno2
  net-nm-modern-bridge       RHEL 8 host whose ifcfg bridge NetworkManager manages (supported there)
  net-bridge-wireless        a laptop whose br0 has the Wi-Fi interface wlp3s0 as its port
  net-xen-network-script     RHEL 5 Xen dom0 with (network-script network-bridge) and an ifcfg bridge br0
  net-nat-rules-present      default network active, a sos-style iptables-save with libvirt's chains and rules
  net-nat-rules-flushed      default network active, the saved ruleset holds only the distribution's rules
  net-bridge-mtu-mismatch    MTU=9000 in ifcfg-eth0 only: eth0 runs at 9000 while br0 stays at 1500
"""
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BASE, w, domain, NET_DEFAULT, RHEL9  # noqa: F401 - shared with make-roots.py

def iface_bridge(mac, bridge):
    return f"<interface type='bridge'>\n      <mac address='{mac}'/>\n      <source bridge='{bridge}'/>\n      <model type='virtio'/>\n    </interface>"

def iface_network(mac, network="default"):
    return f"<interface type='network'>\n      <mac address='{mac}'/>\n      <source network='{network}'/>\n      <model type='virtio'/>\n    </interface>"

def base_host(r, release, osrel):
    w(r, "proc/sys/kernel/osrelease", release + "\n")
    w(r, "proc/sys/kernel/hostname", r + "\n")
    w(r, "etc/os-release", osrel)
    w(r, "proc/sys/net/ipv4/ip_forward", "1\n")

def nic(r, name, mac, bus="0000:03:00.0", driver="e1000e", wireless=False, mtu=1500):
    """A physical NIC: address, mtu and a device directory (sysfs links it to its PCI function)."""
    w(r, f"sys/class/net/{name}/address", mac + "\n")
    w(r, f"sys/class/net/{name}/mtu", f"{mtu}\n")
    w(r, f"sys/class/net/{name}/device/vendor", "0x8086\n")
    w(r, f"sys/class/net/{name}/device/uevent", f"DRIVER={driver}\nPCI_SLOT_NAME={bus}\n")
    if wireless:
        w(r, f"sys/class/net/{name}/phy80211/name", "phy0\n")
        w(r, f"sys/class/net/{name}/wireless/.keep", "")

def tap(r, name, mac):
    w(r, f"sys/class/net/{name}/address", mac + "\n")
    w(r, f"sys/class/net/{name}/mtu", "1500\n")
    w(r, f"sys/class/net/{name}/tun_flags", "0x1002\n")

def bridge(r, name, mac, ports, stp="0", mtu=1500):
    w(r, f"sys/class/net/{name}/address", mac + "\n")
    w(r, f"sys/class/net/{name}/mtu", f"{mtu}\n")
    w(r, f"sys/class/net/{name}/bridge/stp_state", stp + "\n")
    for i, port in enumerate(ports):
        w(r, f"sys/class/net/{name}/brif/{port}/port_no", f"0x{i + 1}\n")
    if not ports:
        os.makedirs(os.path.join(BASE, r, f"sys/class/net/{name}/brif"), exist_ok=True)
        w(r, f"sys/class/net/{name}/brif/.keep", "")

def ifcfg(r, name, text):
    w(r, f"etc/sysconfig/network-scripts/ifcfg-{name}", textwrap.dedent(text))

def lo(r):
    w(r, "sys/class/net/lo/address", "00:00:00:00:00:00\n")
    w(r, "sys/class/net/lo/mtu", "65536\n")

def procs(r, names):
    for pid, comm in names:
        w(r, f"proc/{pid}/comm", comm + "\n")

RHEL7 = 'NAME="Red Hat Enterprise Linux Server"\nVERSION="7.9 (Maipo)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="7.9"\nPRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"\n'
CENTOS6 = "CentOS release 6.10 (Final)\n"

# ---------------------------------------------------------------- a correct legacy bridge
r = "net-bridge-ifcfg-good"
base_host(r, "3.10.0-1160.el7.x86_64", RHEL7)
lo(r)
nic(r, "eth0", "00:1a:4b:10:20:30")
tap(r, "vnet0", "fe:54:00:5e:01:01")
bridge(r, "br0", "00:1a:4b:10:20:30", ["eth0", "vnet0"])
ifcfg(r, "lo", "DEVICE=lo\nIPADDR=127.0.0.1\nNETMASK=255.0.0.0\nONBOOT=yes\nNAME=loopback\n")
ifcfg(r, "br0", """\
    DEVICE=br0
    TYPE=Bridge
    BOOTPROTO=dhcp
    ONBOOT=yes
    DELAY=0
    NM_CONTROLLED=no
    """)
ifcfg(r, "eth0", """\
    # Intel Corporation 82574L Gigabit Network Connection
    DEVICE=eth0
    HWADDR=00:1A:4B:10:20:30
    ONBOOT=yes
    BRIDGE=br0
    NM_CONTROLLED=no
    """)
ifcfg(r, "eth0.bak", "DEVICE=eth0\nHWADDR=00:00:00:00:00:01\nONBOOT=yes\nBOOTPROTO=dhcp\n")
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", iface_bridge("52:54:00:5e:01:01", "br0")))
procs(r, [(1, "systemd"), (1204, "libvirtd"), (902, "NetworkManager")])

# ---------------------------------------------------------------- typing mistakes in ifcfg files
r = "net-bridge-ifcfg-typo"
w(r, "proc/sys/kernel/osrelease", "2.6.32-754.el6.x86_64\n")
w(r, "proc/sys/kernel/hostname", r + "\n")
w(r, "etc/redhat-release", CENTOS6)
lo(r)
nic(r, "eth0", "00:1a:4b:10:20:30")
nic(r, "eth1", "00:1a:4b:10:20:31", bus="0000:03:00.1")
ifcfg(r, "br0", """\
    DEVICE=br0
    TYPE=bridge
    BOOTPROTO=static
    IPADDR=10.0.0.21
    NETMASK=255.255.255.0
    ONBOOT=yes
    """)
ifcfg(r, "eth0", """\
    DEVICE=eth0
    HWADDR="52:54:00:99:99:99"
    ONBOOT=yes
    BRIDGE=br0
    """)
ifcfg(r, "eth1", """\
    DEVICE=eth2
    HWADDR=00:1a:4b:10:20:31
    ONBOOT=no
    BOOTPROTO=dhcp
    """)
procs(r, [(1, "init"), (1450, "NetworkManager"), (1602, "libvirtd")])

# ---------------------------------------------------------------- guests on bridges that are gone or empty
r = "net-bridge-guest-missing"
base_host(r, "3.10.0-1160.el7.x86_64", RHEL7)
lo(r)
nic(r, "eth0", "00:1a:4b:10:20:30")
nic(r, "eth3", "00:1a:4b:10:20:33", bus="0000:04:00.0")
tap(r, "vnet0", "fe:54:00:5e:02:01")
bridge(r, "br0", "fe:54:00:5e:02:01", ["vnet0"])
ifcfg(r, "br0", "DEVICE=br0\nTYPE=Bridge\nBOOTPROTO=dhcp\nONBOOT=yes\nDELAY=0\n")
ifcfg(r, "eth0", "DEVICE=eth0\nHWADDR=00:1a:4b:10:20:30\nONBOOT=yes\nBRIDGE=br0\n")
ifcfg(r, "eth3", "DEVICE=eth3\nONBOOT=yes\nBRIDGE=br9\n")
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", iface_bridge("52:54:00:5e:02:01", "br0")))
w(r, "etc/libvirt/qemu/app01.xml", domain("app01", iface_bridge("52:54:00:5e:02:02", "br1")))

# ---------------------------------------------------------------- colliding MAC addresses
r = "net-mac-duplicate"
base_host(r, "5.14.0-284.30.1.el9_2.x86_64", RHEL9)
lo(r)
nic(r, "eno1", "52:54:00:0a:0b:0c")
bridge(r, "virbr0", "52:54:00:3a:91:0c", [], stp="1")
w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", iface_network("52:54:00:11:22:33")))
# web02 was made by copying web01.xml and changing the name only.
w(r, "etc/libvirt/qemu/web02.xml", domain("web02", iface_network("52:54:00:11:22:33")))
w(r, "etc/libvirt/qemu/db01.xml", domain("db01", iface_network("52:54:00:0A:0B:0C")))
w(r, "etc/libvirt/qemu/generated.xml", domain("generated", "<interface type='network'>\n      <source network='default'/>\n    </interface>"))
w(r, "etc/xen/xenweb", 'name = "xenweb"\nmemory = 512\nbootloader = "/usr/bin/pygrub"\ndisk = [ "tap:aio:/var/lib/xen/images/xenweb.img,xvda,w" ]\nvif = [ "mac=00:16:3e:2a:00:07, bridge=xenbr0" ]\n')
w(r, "etc/xen/xenweb-copy", 'name = "xenweb-copy"\nmemory = 512\ndisk = [ "tap:aio:/var/lib/xen/images/xenweb-copy.img,xvda,w" ]\nvif = [ "mac=00:16:3E:2A:00:07, bridge=xenbr0",\n        "bridge=xenbr1" ]\n')
w(r, "etc/xen/xend-config.sxp", "(xend-relocation-server no)\n(network-script network-bridge)\n(vif-script vif-bridge)\n")

# ---------------------------------------------------------------- a physical NIC on virbr0
r = "net-virbr0-physical"
base_host(r, "3.10.0-1160.el7.x86_64", RHEL7)
lo(r)
nic(r, "eno1", "00:1a:4b:10:20:40")
nic(r, "eno2", "00:1a:4b:10:20:41", bus="0000:03:00.1")
tap(r, "vnet0", "fe:54:00:11:22:33")
bridge(r, "virbr0", "52:54:00:3a:91:0c", ["eno2", "vnet0"], stp="1")
ifcfg(r, "eno1", "DEVICE=eno1\nHWADDR=00:1a:4b:10:20:40\nBOOTPROTO=dhcp\nONBOOT=yes\n")
ifcfg(r, "eno2", "DEVICE=eno2\nHWADDR=00:1a:4b:10:20:41\nONBOOT=yes\nBRIDGE=virbr0\n")
w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)
w(r, "etc/libvirt/qemu/networks/autostart/default.xml", NET_DEFAULT)
w(r, "run/libvirt/network/default.xml", "<networkstatus>\n" + NET_DEFAULT + "</networkstatus>\n")
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", iface_network("52:54:00:11:22:33")))

# ---------------------------------------------------------------- NetworkManager managing an ifcfg bridge where it can
r = "net-nm-modern-bridge"
base_host(r, "4.18.0-513.5.1.el8_9.x86_64", 'NAME="Red Hat Enterprise Linux"\nVERSION="8.9 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.9"\nPRETTY_NAME="Red Hat Enterprise Linux 8.9 (Ootpa)"\n')
lo(r)
nic(r, "ens1f0", "00:1a:4b:10:20:50")
bridge(r, "br0", "00:1a:4b:10:20:50", ["ens1f0"])
ifcfg(r, "br0", "STP=yes\nTYPE=Bridge\nBOOTPROTO=dhcp\nNAME=br0\nDEVICE=br0\nONBOOT=yes\n")
ifcfg(r, "ens1f0", "TYPE=Ethernet\nNAME=ens1f0\nDEVICE=ens1f0\nONBOOT=yes\nBRIDGE=br0\n")
procs(r, [(1, "systemd"), (1021, "NetworkManager"), (1300, "libvirtd")])

# ---------------------------------------------------------------- a bridge over Wi-Fi
r = "net-bridge-wireless"
base_host(r, "6.5.6-300.fc39.x86_64", 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=39\nPRETTY_NAME="Fedora Linux 39 (Workstation Edition)"\n')
lo(r)
nic(r, "wlp3s0", "3c:58:c2:aa:01:02", bus="0000:03:00.0", driver="iwlwifi", wireless=True)
tap(r, "vnet0", "fe:54:00:77:00:01")
bridge(r, "br0", "3c:58:c2:aa:01:02", ["vnet0", "wlp3s0"])
w(r, "etc/NetworkManager/system-connections/br0.nmconnection", "[connection]\nid=br0\ntype=bridge\ninterface-name=br0\n\n[bridge]\nstp=false\n\n[ipv4]\nmethod=auto\n")
w(r, "etc/NetworkManager/system-connections/wifi-port.nmconnection", "[connection]\nid=wifi-port\ntype=802-11-wireless\ninterface-name=wlp3s0\nmaster=br0\nslave-type=bridge\n\n[wifi]\nssid=office\n")
w(r, "etc/libvirt/qemu/dev01.xml", domain("dev01", iface_bridge("52:54:00:77:00:01", "br0")))
procs(r, [(1, "systemd"), (880, "NetworkManager")])

# ---------------------------------------------------------------- Xen's bridge script next to an ifcfg bridge
r = "net-xen-network-script"
w(r, "proc/sys/kernel/osrelease", "2.6.18-371.el5xen\n")
w(r, "proc/sys/kernel/hostname", r + "\n")
w(r, "etc/redhat-release", "Red Hat Enterprise Linux Server release 5.10 (Tikanga)\n")
w(r, "proc/xen/capabilities", "control_d\n")
w(r, "sys/hypervisor/type", "xen\n")
lo(r)
nic(r, "eth0", "00:1a:4b:10:20:60")
bridge(r, "br0", "00:1a:4b:10:20:60", ["eth0"])
ifcfg(r, "br0", "DEVICE=br0\nTYPE=Bridge\nBOOTPROTO=dhcp\nONBOOT=yes\nDELAY=0\n")
ifcfg(r, "eth0", "DEVICE=eth0\nHWADDR=00:1a:4b:10:20:60\nONBOOT=yes\nBRIDGE=br0\n")
w(r, "etc/xen/xend-config.sxp", """# -*- sh -*-
# Xend configuration file.
(xend-http-server no)
(xend-unix-server yes)
(xend-relocation-server no)
# To bridge network traffic, like this:
#
# dom0: ----------------- bridge -> real eth0 -> the network
#
(network-script network-bridge)
#(network-script /bin/true)
(vif-script vif-bridge)
(dom0-min-mem 256)
""")
w(r, "etc/xen/web05", 'name = "web05"\nmemory = 1024\nvif = [ "mac=00:16:3e:10:20:05, bridge=br0" ]\n')

# ---------------------------------------------------------------- libvirt's NAT rules, present and flushed
IPTABLES_LIBVIRT = """# Generated by iptables-save v1.8.5 on Tue Nov 14 09:12:01 2023
*mangle
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:LIBVIRT_PRT - [0:0]
-A POSTROUTING -j LIBVIRT_PRT
-A LIBVIRT_PRT -o virbr0 -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:LIBVIRT_PRT - [0:0]
-A POSTROUTING -j LIBVIRT_PRT
-A LIBVIRT_PRT -s 192.168.122.0/24 -d 224.0.0.0/24 -j RETURN
-A LIBVIRT_PRT -s 192.168.122.0/24 -d 255.255.255.255/32 -j RETURN
-A LIBVIRT_PRT -s 192.168.122.0/24 ! -d 192.168.122.0/24 -p tcp -j MASQUERADE --to-ports 1024-65535
-A LIBVIRT_PRT -s 192.168.122.0/24 ! -d 192.168.122.0/24 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:LIBVIRT_INP - [0:0]
:LIBVIRT_FWI - [0:0]
:LIBVIRT_FWO - [0:0]
-A INPUT -j LIBVIRT_INP
-A FORWARD -j LIBVIRT_FWI
-A FORWARD -j LIBVIRT_FWO
-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 53 -j ACCEPT
-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 67 -j ACCEPT
-A LIBVIRT_FWI -d 192.168.122.0/24 -o virbr0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A LIBVIRT_FWO -s 192.168.122.0/24 -i virbr0 -j ACCEPT
COMMIT
"""
IPTABLES_FLUSHED = """# Generated by iptables-save v1.8.5 on Tue Nov 14 09:40:17 2023
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -j REJECT --reject-with icmp-host-prohibited
COMMIT
"""
for r, rules in [("net-nat-rules-present", IPTABLES_LIBVIRT), ("net-nat-rules-flushed", IPTABLES_FLUSHED)]:
    base_host(r, "4.18.0-513.5.1.el8_9.x86_64", 'NAME="Red Hat Enterprise Linux"\nVERSION="8.9 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.9"\nPRETTY_NAME="Red Hat Enterprise Linux 8.9 (Ootpa)"\n')
    lo(r)
    nic(r, "eno1", "00:1a:4b:10:20:70")
    tap(r, "vnet0", "fe:54:00:11:22:33")
    bridge(r, "virbr0", "52:54:00:3a:91:0c", ["vnet0"], stp="1")
    w(r, "etc/libvirt/qemu/networks/default.xml", NET_DEFAULT)
    w(r, "etc/libvirt/qemu/networks/autostart/default.xml", NET_DEFAULT)
    w(r, "run/libvirt/network/default.xml", "<networkstatus>\n" + NET_DEFAULT + "</networkstatus>\n")
    w(r, "etc/libvirt/qemu/web01.xml", domain("web01", iface_network("52:54:00:11:22:33")))
    w(r, "sos_commands/firewall_tables/iptables-save", rules)

# ---------------------------------------------------------------- jumbo frames on the NIC only
r = "net-bridge-mtu-mismatch"
base_host(r, "3.10.0-1160.el7.x86_64", RHEL7)
lo(r)
nic(r, "eth0", "00:1a:4b:10:20:80", mtu=9000)
tap(r, "vnet0", "fe:54:00:5e:08:01")
bridge(r, "br0", "00:1a:4b:10:20:80", ["eth0", "vnet0"])
ifcfg(r, "br0", "DEVICE=br0\nTYPE=Bridge\nBOOTPROTO=static\nIPADDR=10.0.8.5\nPREFIX=24\nONBOOT=yes\nDELAY=0\n")
ifcfg(r, "eth0", "DEVICE=eth0\nHWADDR=00:1a:4b:10:20:80\nONBOOT=yes\nBRIDGE=br0\nMTU=9000\n")
w(r, "etc/libvirt/qemu/nfs01.xml", domain("nfs01", iface_bridge("52:54:00:5e:08:01", "br0")))
