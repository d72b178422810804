#!/usr/bin/env python3
"""Writes the extracted-sos-report roots under Tests/Fixtures/sos/ (the plain roots come from make-roots.py).

Each root is laid out the way `tar xf sosreport-<host>-<date>.tar.xz` leaves it: version.txt, command
outputs under sos_commands/<plugin>/<command with spaces as underscores>, and the few files sos copies
(proc/cpuinfo, proc/cmdline, proc/meminfo, etc/os-release, etc/default/grub, etc/sysctl.conf). The output
names are the ones Sources/HostFacts/Evidence/SosReport.swift reads (its Derivation paths); the fuzz target
`sos-report` takes its seeds from these roots and Tests/ReportingTests/ConsistencyTests judges every one.

All text is synthetic, written for these tests (no real report, nothing from ../shared/corpus); each root is
a few KB. The generated files are committed and CI does not run this script. To regenerate, delete
Tests/Fixtures/sos/ and Tests/Fixtures/sos-outside/ and run the script from anywhere.

Roots:
  kvm-host-healthy    Dell server, VT-x on, kvm_intel/kvm/vhost_net loaded, /dev/kvm in the /dev listing,
                      libvirtd running, forwarding on, SELinux enforcing; installed-rpms and the systemd
                      plugin's list-units (one failed unit, marked with a bullet).
  bios-disabled       The same kind of host with VT-x switched off in firmware: no vmx flag, the kernel
                      says "kvm: disabled by bios", kvm_intel is not loaded.
  rhev-guest          A guest of RHEV / oVirt: DMI says Red Hat / RHEV Hypervisor, cpuinfo has the
                      hypervisor flag, lscpu names KVM.
  no-dev-listing      A healthy host whose report lacks block/ls_-lanR_.dev: /dev was never captured, so
                      the /dev/kvm check must skip rather than fail.
  pvm-host            A cloud VM whose kernel runs KVM without hardware VT (kvm_pvm, built in, no module
                      support): no vmx flag, no lsmod output, /dev/kvm listed. Only the device probe could
                      say whether KVM works, so cpu.virt-flags must skip, not fail critically. A Debian
                      userland: the dpkg plugin's `dpkg -l` (installed, removed-with-config and held rows).
  sos-symlink-escape  A hostile report whose command outputs are symbolic links climbing out of the root
                      (to ../sos-outside/, a folder beside sos/ holding marker text). A root is read with
                      links resolved inside it, so the marker must never reach a fact. Absolute links
                      (/etc/shadow) are made at test time in a scratch directory instead: committed, the
                      fuzz seed walk (which follows links on the host) would read the host's file.
"""
import os
import shutil
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "sos")
OUTSIDE = os.path.join(HERE, "sos-outside")


def w(root, path, text):
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


def link(root, path, target):
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if os.path.lexists(p):
        os.remove(p)
    os.symlink(target, p)


def d(text):
    return textwrap.dedent(text).lstrip("\n")


INTEL = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse "
         "sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon pebs bts rep_good nopl xtopology "
         "nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 fma cx16 xtpr pdcm "
         "pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm "
         "3dnowprefetch tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid "
         "rdseed adx smap clflushopt clwb xsaveopt xsavec xgetbv1 xsaves arat pln pts md_clear flush_l1d")
INTEL_NOVMX = " ".join(f for f in INTEL.split() if f not in ("vmx", "tpr_shadow", "flexpriority", "ept", "vpid", "ept_ad"))
GUEST = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss "
         "syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid tsc_known_freq pni "
         "pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand "
         "hypervisor lahf_lm abm 3dnowprefetch fsgsbase bmi1 avx2 smep bmi2 erms invpcid xsaveopt arat md_clear")


def cpuinfo(model, flags, count=2):
    blocks = []
    for i in range(count):
        blocks.append(d(f"""
        processor\t: {i}
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 85
        model name\t: {model}
        stepping\t: 7
        cpu MHz\t\t: 2200.000
        cache size\t: 14080 KB
        physical id\t: 0
        siblings\t: {count}
        core id\t\t: {i}
        cpu cores\t: {count}
        fpu\t\t: yes
        cpuid level\t: 22
        flags\t\t: {flags}
        bogomips\t: 4400.00
        address sizes\t: 46 bits physical, 48 bits virtual
        """))
    return "\n".join(blocks) + "\n"


def lscpu(model, flags, hypervisor=None):
    text = d(f"""
    Architecture:                    x86_64
    CPU op-mode(s):                  32-bit, 64-bit
    Byte Order:                      Little Endian
    CPU(s):                          2
    On-line CPU(s) list:             0,1
    Vendor ID:                       GenuineIntel
    Model name:                      {model}
    CPU family:                      6
    Model:                           85
    Thread(s) per core:              1
    Core(s) per socket:              2
    Socket(s):                       1
    """)
    if hypervisor:
        text += f"Hypervisor vendor:               {hypervisor}\nVirtualization type:             full\n"
    elif "vmx" in flags.split():
        text += "Virtualization:                  VT-x\n"
    return text + f"Flags:                           {flags}\n"


RHEL9 = d("""
NAME="Red Hat Enterprise Linux"
VERSION="9.3 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
""")
RELEASE = "5.14.0-362.8.1.el9_3.x86_64"
MEMINFO = "MemTotal:       65536000 kB\nMemFree:        48123456 kB\nMemAvailable:   60011222 kB\nSwapTotal:       8388604 kB\nSwapFree:        8388604 kB\nHugePages_Total:       0\n"
GRUB = d("""
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"
GRUB_DEFAULT=saved
GRUB_DISABLE_SUBMENU=true
GRUB_TERMINAL_OUTPUT="console"
GRUB_CMDLINE_LINUX="crashkernel=1G-4G:192M,4G-64G:256M rd.lvm.lv=rhel/root rhgb quiet"
GRUB_DISABLE_RECOVERY="true"
GRUB_ENABLE_BLSCFG=true
""")

SYSCTL_COMMON = [
    ("kernel.hostname", None),  # filled per host
    ("kernel.osrelease", RELEASE),
    ("kernel.panic", "0"),
    ("kernel.pid_max", "4194304"),
    ("net.core.somaxconn", "4096"),
    ("net.ipv4.conf.all.forwarding", "1"),
    ("net.ipv4.conf.default.rp_filter", "1"),
    ("net.ipv4.tcp_rmem", "4096\t131072\t6291456"),
    ("vm.swappiness", "60"),
]


def sysctl_a(hostname, forward="1", bridge=True):
    lines = []
    for name, value in SYSCTL_COMMON:
        if name == "kernel.hostname":
            value = hostname
        if name == "net.ipv4.conf.all.forwarding":
            value = forward
        lines.append(f"{name} = {value}")
    lines.append(f"net.ipv4.ip_forward = {forward}")
    if bridge:
        # br_netfilter loaded, bridged guest traffic not sent through iptables: the libvirt default.
        lines += ["net.bridge.bridge-nf-call-arptables = 0", "net.bridge.bridge-nf-call-ip6tables = 0",
                  "net.bridge.bridge-nf-call-iptables = 0"]
    return "\n".join(sorted(lines)) + "\n"


PS_HEADER = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"


def ps(rows):
    out = PS_HEADER
    for user, pid, command in rows:
        out += f"{user:<8} {pid:>7}  0.0  0.1 {(pid * 37) % 900000 + 1000:>6} {(pid * 11) % 90000 + 100:>5} ?        Ss   10:21   0:00 {command}\n"
    return out


PS_BASE = [
    ("root", 1, "/usr/lib/systemd/systemd --switched-root --system --deserialize 31"),
    ("root", 2, "[kthreadd]"),
    ("root", 11, "[kworker/0:1-events]"),
    ("root", 812, "/usr/lib/systemd/systemd-journald"),
    ("root", 1024, "/usr/sbin/sshd -D"),
    ("root", 1190, "sshd: admin [priv]"),
    ("chrony", 903, "/usr/sbin/chronyd -F 2"),
]
PS_HOST = PS_BASE + [
    ("root", 1402, "/usr/sbin/libvirtd --timeout 120"),
    ("root", 1450, "/usr/sbin/virtlogd"),
    ("qemu", 2210, "/usr/libexec/qemu-kvm -name guest=web01,debug-threads=on -S -machine pc-q35-rhel9.2.0,usb=off -accel kvm -m 4096"),
]


def dev_listing(kvm=True, vhost=None):
    """`ls -lanR /dev` as sos stores it: numeric ids, SELinux dots after the modes, a few subdirectories."""
    text = d("""
    /dev:
    total 0
    drwxr-xr-x. 19 0  0      3280 Dec  1 09:14 .
    dr-xr-xr-x. 18 0  0       235 Nov 28 16:02 ..
    crw-r--r--.  1 0  0   10, 235 Dec  1 09:14 autofs
    drwxr-xr-x.  2 0  0       160 Dec  1 09:14 block
    lrwxrwxrwx.  1 0  0        11 Dec  1 09:14 core -> /proc/kcore
    crw-------.  1 0  0    5,   1 Dec  1 09:14 console
    lrwxrwxrwx.  1 0  0        13 Dec  1 09:14 fd -> /proc/self/fd
    crw-rw-rw-.  1 0  0    1,   7 Dec  1 09:14 full
    """)
    if kvm:
        text += "crw-rw-rw-.  1 0 36   10, 232 Dec  1 09:14 kvm\n"
    text += d("""
    crw-rw----.  1 0  6   10, 237 Dec  1 09:14 loop-control
    drwxr-xr-x.  2 0  0        60 Dec  1 09:14 net
    crw-rw-rw-.  1 0  0    1,   3 Dec  1 09:14 null
    brw-rw----.  1 0  6  253,   0 Dec  1 09:14 dm-0
    brw-rw----.  1 0  6    8,   0 Dec  1 09:14 sda
    crw-rw-rw-.  1 0  5    5,   0 Dec  1 09:14 tty
    crw-rw-rw-.  1 0  0    1,   5 Dec  1 09:14 zero
    """)
    if kvm if vhost is None else vhost:  # vhost_net makes its node whether or not KVM loaded
        text += "crw-------.  1 0  0   10, 238 Dec  1 09:14 vhost-net\n"
    if kvm:
        text += "crw-rw-rw-.  1 0 36   10, 241 Dec  1 09:14 vhost-vsock\n"
    text += "\n" + d("""
    /dev/block:
    total 0
    drwxr-xr-x.  2 0 0  160 Dec  1 09:14 .
    drwxr-xr-x. 19 0 0 3280 Dec  1 09:14 ..
    lrwxrwxrwx.  1 0 0    6 Dec  1 09:14 8:0 -> ../sda
    lrwxrwxrwx.  1 0 0    7 Dec  1 09:14 253:0 -> ../dm-0
    
    /dev/net:
    total 0
    drwxr-xr-x.  2 0 0      60 Dec  1 09:14 .
    drwxr-xr-x. 19 0 0    3280 Dec  1 09:14 ..
    crw-rw-rw-.  1 0 0 10, 200 Dec  1 09:14 tun
    """)
    return text


def dmidecode(manufacturer, product, version, serial, bios_vendor, bios_version, chassis="Rack Mount Chassis"):
    return d(f"""
    # dmidecode 3.5
    Getting SMBIOS data from sysfs.
    SMBIOS 3.2.0 present.

    Handle 0x0000, DMI type 0, 26 bytes
    BIOS Information
    \tVendor: {bios_vendor}
    \tVersion: {bios_version}
    \tRelease Date: 04/12/2023
    \tROM Size: 32 MB

    Handle 0x0100, DMI type 1, 27 bytes
    System Information
    \tManufacturer: {manufacturer}
    \tProduct Name: {product}
    \tVersion: {version}
    \tSerial Number: {serial}
    \tUUID: 4c4c4544-0042-3010-8057-b7c04f563432
    \tWake-up Type: Power Switch
    \tFamily: Server

    Handle 0x0300, DMI type 3, 22 bytes
    Chassis Information
    \tManufacturer: {manufacturer}
    \tType: {chassis}
    \tLock: Not Present
    """)


def sestatus(mode):
    return d(f"""
    SELinux status:                 enabled
    SELinuxfs mount:                /sys/fs/selinux
    SELinux root directory:         /etc/selinux
    Loaded policy name:             targeted
    Current mode:                   {mode}
    Mode from config file:          {mode}
    Policy MLS status:              enabled
    Policy deny_unknown status:     allowed
    Memory protection checking:     actual (secure)
    Max kernel policy version:      33
    """)


LSMOD_HOST = d("""
Module                  Size  Used by
vhost_net              36864  1
vhost                  65536  1 vhost_net
vhost_iotlb            16384  1 vhost
tap                    32768  1 vhost_net
tun                    69632  3 vhost_net
br_netfilter           36864  0
bridge                417792  1 br_netfilter
stp                    16384  1 bridge
llc                    16384  2 bridge,stp
kvm_intel             413696  4
kvm                  1347584  1 kvm_intel
irqbypass              16384  1 kvm
xfs                  2043904  2
""")

DMESG_HOST = d("""
[    0.000000] Linux version 5.14.0-362.8.1.el9_3.x86_64 (mockbuild@x86-vm-08.build.example.com) (gcc (GCC) 11.4.1) #1 SMP PREEMPT_DYNAMIC
[    0.000000] Command line: BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-362.8.1.el9_3.x86_64 root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M rd.lvm.lv=rhel/root rhgb quiet
[    0.000000] DMI: Dell Inc. PowerEdge R640/0H28RR, BIOS 2.19.1 04/12/2023
[    0.412311] x86/cpu: User Mode Instruction Prevention (UMIP) activated
[    6.102030] bridge: filtering via arp/ip/ip6tables is no longer available by default. Update your scripts to load br_netfilter if you need this.
[    6.200114] Bridge firewalling registered
[   12.004417] tun: Universal TUN/TAP device driver, 1.6
[   14.311002] virbr0: port 1(vnet0) entered forwarding state
""")


def host_common(r, hostname, flags, lsmod, dmesg, processes, dev=True, forward="1", selinux="enforcing", date="Tue Dec  1 09:30:12 UTC 2026"):
    w(r, "version.txt", "sosreport: 4.5.6\n")
    w(r, "sos_commands/kernel/uname_-a", f"Linux {hostname} {RELEASE} #1 SMP PREEMPT_DYNAMIC Thu Oct 19 22:37:21 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux\n")
    w(r, "sos_commands/host/hostname", hostname + "\n")
    w(r, "sos_commands/kernel/sysctl_-a", sysctl_a(hostname, forward=forward))
    w(r, "sos_commands/kernel/lsmod", lsmod)
    w(r, "sos_commands/kernel/dmesg", dmesg)
    w(r, "sos_commands/process/ps_auxwww", ps(processes))
    if dev:
        w(r, "sos_commands/block/ls_-lanR_.dev", dev_listing(kvm="kvm_intel" in lsmod, vhost="vhost_net" in lsmod))
    w(r, "sos_commands/block/lsblk", "NAME          MAJ:MIN RM   SIZE RO TYPE MOUNTPOINTS\nsda             8:0    0 446.6G  0 disk\n`-rhel-root   253:0    0    70G  0 lvm  /\n")
    w(r, "sos_commands/selinux/sestatus", sestatus(selinux))
    w(r, "sos_commands/date/date_--utc", date + "\n")
    w(r, "sos_commands/processor/lscpu", lscpu("Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", flags))
    w(r, "proc/cpuinfo", cpuinfo("Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", flags))
    w(r, "proc/cmdline", f"BOOT_IMAGE=(hd0,gpt2)/vmlinuz-{RELEASE} root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M rd.lvm.lv=rhel/root rhgb quiet\n")
    w(r, "proc/meminfo", MEMINFO)
    w(r, "etc/os-release", RHEL9)
    w(r, "etc/hostname", hostname + "\n")
    w(r, "etc/default/grub", GRUB)
    w(r, "etc/sysctl.conf", "# sysctl settings are defined through files in\n# /usr/lib/sysctl.d/, /run/sysctl.d/, and /etc/sysctl.d/.\n")
    w(r, "etc/selinux/config", f"SELINUX={selinux}\nSELINUXTYPE=targeted\n")
    top_links(r)


def top_links(r):
    """The links sos puts at the top of a report, pointing at its own outputs (inside the root)."""
    for name, target in [("hostname", "sos_commands/host/hostname"), ("uname", "sos_commands/kernel/uname_-a"),
                         ("lsmod", "sos_commands/kernel/lsmod"), ("ps", "sos_commands/process/ps_auxwww"),
                         ("date", "sos_commands/date/date_--utc"), ("dmidecode", "sos_commands/hardware/dmidecode")]:
        link(r, name, target)


# ---------------------------------------------------------------- 1. a healthy KVM host
r = "kvm-host-healthy"
host_common(r, "kvmhost01.example.com", INTEL, LSMOD_HOST, DMESG_HOST, PS_HOST)
w(r, "sos_commands/hardware/dmidecode", dmidecode("Dell Inc.", "PowerEdge R640", "Not Specified", "7QX0B42", "Dell Inc.", "2.19.1"))
w(r, "etc/sysctl.d/90-forward.conf", "net.ipv4.ip_forward = 1\n")

# The virsh plugin's outputs (libvirt as it answered `virsh -r` at collection time) and `ip -d link`, whose
# bridge details stand in for the /sys/class/net/<bridge>/brif folders sos does not copy.
def domain_xml(name, vcpus, memory_kib, graphics_listen):
    return d(f"""
    <domain type='kvm' id='1'>
      <name>{name}</name>
      <memory unit='KiB'>{memory_kib}</memory>
      <currentMemory unit='KiB'>{memory_kib}</currentMemory>
      <vcpu placement='static'>{vcpus}</vcpu>
      <os><type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type></os>
      <devices>
        <emulator>/usr/libexec/qemu-kvm</emulator>
        <disk type='file' device='disk'>
          <driver name='qemu' type='qcow2'/>
          <source file='/var/lib/libvirt/images/{name}.qcow2'/>
          <target dev='vda' bus='virtio'/>
        </disk>
        <interface type='network'>
          <source network='default' bridge='virbr0'/>
          <model type='virtio'/>
        </interface>
        <graphics type='vnc' port='5900' autoport='yes' listen='{graphics_listen}'>
          <listen type='address' address='{graphics_listen}'/>
        </graphics>
      </devices>
    </domain>
    """)


w(r, "sos_commands/virsh/virsh_-r_list_--all", d("""
     Id   Name    State
    ------------------------
     1    web01   running
     -    db01    shut off

    """))
w(r, "sos_commands/virsh/virsh_-r_dumpxml_web01", domain_xml("web01", 4, 8388608, "127.0.0.1"))
w(r, "sos_commands/virsh/virsh_-r_dumpxml_db01", domain_xml("db01", 8, 16777216, "127.0.0.1"))
w(r, "sos_commands/virsh/virsh_-r_nodeinfo", d("""
    CPU model:           x86_64
    CPU(s):              24
    CPU frequency:       2200 MHz
    CPU socket(s):       1
    Core(s) per socket:  12
    Thread(s) per core:  2
    NUMA cell(s):        1
    Memory size:         65536000 KiB

    """))
w(r, "sos_commands/virsh/virsh_-r_version", d("""
    Compiled against library: libvirt 9.5.0
    Using library: libvirt 9.5.0
    Using API: QEMU 9.5.0
    Running hypervisor: QEMU 8.0.0
    """))
w(r, "sos_commands/virsh/virsh_-r_net-list_--all", d("""
     Name      State    Autostart   Persistent
    --------------------------------------------
     default   active   yes         yes

    """))
w(r, "sos_commands/virsh/virsh_-r_net-dumpxml_default", d("""
    <network>
      <name>default</name>
      <forward mode='nat'/>
      <bridge name='virbr0' stp='on' delay='0'/>
      <ip address='192.168.122.1' netmask='255.255.255.0'/>
    </network>
    """))
w(r, "sos_commands/networking/ip_-s_-d_link", d("""
    1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
        link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0 minmtu 0 maxmtu 0
    2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000
        link/ether 24:6e:96:10:20:30 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 9000
    4: virbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000
        link/ether 52:54:00:8a:11:02 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535
        bridge forward_delay 200 hello_time 200 max_age 2000 ageing_time 30000 stp_state 1 priority 32768 vlan_filtering 0
    5: vnet0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master virbr0 state UNKNOWN mode DEFAULT group default qlen 1000
        link/ether fe:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff promiscuity 1 minmtu 68 maxmtu 65535
        tun type tap pi off vnet_hdr on persist off
        bridge_slave state forwarding priority 32 cost 100 hairpin off guard off root_block off fastleave off
    """))
# `rpm -qa` as sos formats it: name-version-release.arch padded to a column, then the install time.
# gpg-pubkey entries carry no architecture.
RPMS = [
    ("NetworkManager-1.44.0-3.el9.x86_64", "Tue 21 Nov 2023 09:58:40 AM UTC"),
    ("chrony-4.3-1.el9.x86_64", "Tue 21 Nov 2023 09:58:52 AM UTC"),
    ("gpg-pubkey-fd431d51-4ae0493b", "Tue 21 Nov 2023 09:57:12 AM UTC"),
    ("kernel-core-5.14.0-362.8.1.el9_3.x86_64", "Tue 21 Nov 2023 09:59:30 AM UTC"),
    ("libvirt-daemon-kvm-9.5.0-7.el9_3.x86_64", "Tue 21 Nov 2023 10:02:05 AM UTC"),
    ("libvirt-libs-9.5.0-7.el9_3.x86_64", "Tue 21 Nov 2023 10:01:58 AM UTC"),
    ("python3-libvirt-9.5.0-1.el9.x86_64", "Tue 21 Nov 2023 10:02:07 AM UTC"),
    ("qemu-img-8.0.0-16.el9_3.x86_64", "Tue 21 Nov 2023 10:02:01 AM UTC"),
    ("qemu-kvm-8.0.0-16.el9_3.x86_64", "Tue 21 Nov 2023 10:02:11 AM UTC"),
    ("qemu-kvm-core-8.0.0-16.el9_3.x86_64", "Tue 21 Nov 2023 10:02:09 AM UTC"),
    ("tzdata-2023c-1.el9.noarch", "Tue 21 Nov 2023 09:57:40 AM UTC"),
]
w(r, "installed-rpms", "".join(f"{label:<59} {when}\n" for label, when in RPMS))

# `systemctl list-units` as the systemd plugin saves it: header, rows (a failed unit gets a bullet), legend.
UNITS = [
    ("", "chronyd.service", "loaded", "active", "running", "NTP client/server"),
    ("", "dbus-broker.service", "loaded", "active", "running", "D-Bus System Message Bus"),
    ("\u25cf", "kdump.service", "loaded", "failed", "failed", "Crash recovery kernel arming"),
    ("", "libvirtd.service", "loaded", "active", "running", "Virtualization daemon"),
    ("", "libvirtd.socket", "loaded", "active", "running", "Libvirt local socket"),
    ("", "sshd.service", "loaded", "active", "running", "OpenSSH server daemon"),
    ("", "virtlogd.socket", "loaded", "active", "listening", "Virtual machine log manager socket"),
    ("", "multi-user.target", "loaded", "active", "active", "Multi-User System"),
]
LIST_UNITS = "  UNIT                  LOAD   ACTIVE SUB       DESCRIPTION\n"
for mark, unit, load, active, sub, description in UNITS:
    LIST_UNITS += f"{mark or ' '} {unit:<21} {load:<6} {active:<6} {sub:<9} {description}\n"
LIST_UNITS += "\n" + d("""
LOAD   = Whether the unit's definition could be loaded.
ACTIVE = The unit's overall state, summarising SUB.
SUB    = The state as the unit's own type sees it.

8 loaded units listed. Pass --all to see loaded but inactive units, too.
To show all installed unit files use 'systemctl list-unit-files'.
""")
w(r, "sos_commands/systemd/systemctl_list-units", LIST_UNITS)

# ---------------------------------------------------------------- 2. VT-x switched off in firmware
r = "bios-disabled"
LSMOD_NOKVM = "\n".join(l for l in LSMOD_HOST.splitlines() if not l.startswith(("kvm", "irqbypass"))) + "\n"
DMESG_BIOS = DMESG_HOST.replace("DMI: Dell Inc.", "DMI: HPE").replace("PowerEdge R640/0H28RR, BIOS 2.19.1", "ProLiant DL360 Gen10/ProLiant DL360 Gen10, BIOS U32") + d("""
[    0.031337] x86/cpu: VMX (outside TXT) disabled by BIOS
[   11.202113] kvm: disabled by bios
[   11.202398] kvm_intel: VMX not supported by CPU 0
""")
host_common(r, "hv-blade07.example.com", INTEL_NOVMX, LSMOD_NOKVM, DMESG_BIOS, PS_HOST[:-1], date="Tue Dec  1 09:41:55 UTC 2026")
w(r, "sos_commands/hardware/dmidecode", dmidecode("HPE", "ProLiant DL360 Gen10", "Not Specified", "CZJ0123ABC", "HPE", "U32"))

# ---------------------------------------------------------------- 3. a guest of RHEV / oVirt
r = "rhev-guest"
w(r, "version.txt", "sosreport: 4.5.6\n")
w(r, "sos_commands/kernel/uname_-a", f"Linux app-vm12.example.com {RELEASE} #1 SMP PREEMPT_DYNAMIC Thu Oct 19 22:37:21 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux\n")
w(r, "sos_commands/host/hostname", "app-vm12.example.com\n")
w(r, "sos_commands/kernel/sysctl_-a", sysctl_a("app-vm12.example.com", forward="0", bridge=False))
w(r, "sos_commands/kernel/lsmod", d("""
Module                  Size  Used by
virtio_net             73728  0
net_failover           24576  1 virtio_net
failover               16384  1 net_failover
virtio_blk             28672  3
virtio_scsi            28672  0
virtio_balloon         28672  0
virtio_console         40960  1
xfs                  2043904  2
"""))
w(r, "sos_commands/kernel/dmesg", d("""
[    0.000000] Linux version 5.14.0-362.8.1.el9_3.x86_64 (mockbuild@x86-vm-08.build.example.com) #1 SMP PREEMPT_DYNAMIC
[    0.000000] DMI: Red Hat RHEV Hypervisor, BIOS 1.16.1-1.el9 04/01/2014
[    0.000000] Hypervisor detected: KVM
[    0.000000] kvm-clock: Using msrs 4b564d01 and 4b564d00
[    1.204411] virtio_blk virtio2: [vda] 104857600 512-byte logical blocks (53.7 GB/50.0 GiB)
"""))
w(r, "sos_commands/hardware/dmidecode", dmidecode("Red Hat", "RHEV Hypervisor", "7.6-4.el7", "34383234-3738-5a43-4a30-323830353152", "SeaBIOS", "1.16.1-1.el9", chassis="Other"))
w(r, "sos_commands/processor/lscpu", lscpu("Intel Xeon Processor (Cascadelake)", GUEST, hypervisor="KVM"))
w(r, "sos_commands/process/ps_auxwww", ps(PS_BASE + [("root", 980, "/usr/bin/qemu-ga --method=virtio-serial --path=/dev/virtio-ports/org.qemu.guest_agent.0"),
                                                     ("ovirtagent", 985, "/usr/bin/python3 /usr/share/ovirt-guest-agent/ovirt-guest-agent.py")]))
w(r, "sos_commands/block/ls_-lanR_.dev", dev_listing(kvm=False).replace("sda", "vda").replace("8,   0", "252,   0"))
w(r, "sos_commands/selinux/sestatus", sestatus("enforcing"))
w(r, "sos_commands/date/date_--utc", "Tue Dec  1 08:02:40 UTC 2026\n")
w(r, "proc/cpuinfo", cpuinfo("Intel Xeon Processor (Cascadelake)", GUEST))
w(r, "proc/cmdline", f"BOOT_IMAGE=(hd0,msdos1)/vmlinuz-{RELEASE} root=/dev/mapper/rhel-root ro console=ttyS0,115200n8 rd.lvm.lv=rhel/root\n")
w(r, "proc/meminfo", MEMINFO.replace("65536000", "8011360").replace("48123456", "5123456").replace("60011222", "6901222"))
w(r, "etc/os-release", RHEL9)
w(r, "etc/default/grub", GRUB)
w(r, "etc/sysctl.conf", "# sysctl settings are defined through files in /etc/sysctl.d/.\n")
w(r, "etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
top_links(r)

# ---------------------------------------------------------------- 4. /dev never listed
r = "no-dev-listing"
host_common(r, "kvmhost02.example.com", INTEL, LSMOD_HOST, DMESG_HOST, PS_HOST, dev=False, date="Tue Dec  1 10:05:00 UTC 2026")
w(r, "sos_commands/hardware/dmidecode", dmidecode("Dell Inc.", "PowerEdge R650", "Not Specified", "9RZ1C53", "Dell Inc.", "1.10.2"))

# ---------------------------------------------------------------- 4b. KVM without VT (PVM) in a VM
# Shaped like a `sos report` of a Firecracker-style VM with a PVM kernel: the kernel plugin ran, but the kernel
# has no loadable modules (no lsmod output, no /proc/modules); sos copied /sys/module/*/parameters only.
r = "pvm-host"
w(r, "version.txt", "sosreport: 4.0\n")
w(r, "sos_commands/kernel/uname_-a", "Linux pvm-runner-3 6.12.8-pvm #1 SMP PREEMPT_DYNAMIC Mon Nov  2 10:00:00 UTC 2026 x86_64 GNU/Linux\n")
w(r, "sos_commands/kernel/sysctl_-a", sysctl_a("pvm-runner-3"))
w(r, "sos_commands/kernel/dmesg", d("""
[    0.000000] Linux version 6.12.8-pvm (builder@example.com) #1 SMP PREEMPT_DYNAMIC
[    0.000000] Hypervisor detected: KVM
[    0.000000] kvm-clock: Using msrs 4b564d01 and 4b564d00
[    0.512000] kvm_pvm: PVM enabled, running KVM guests without hardware virtualization
"""))
w(r, "sys/module/kvm/parameters/halt_poll_ns", "200000\n")
w(r, "sys/module/kvm_pvm/parameters/nested", "N\n")
w(r, "sos_commands/processor/lscpu", lscpu("Intel Xeon Processor (Cascadelake)", GUEST, hypervisor="KVM"))
w(r, "sos_commands/process/ps_auxwww", ps(PS_BASE))
w(r, "sos_commands/block/ls_-lanR_.dev", dev_listing(kvm=True, vhost=False).replace("sda", "vda").replace("8,   0", "252,   0"))
w(r, "sos_commands/date/date_--utc", "Tue Dec  1 12:00:00 UTC 2026\n")
w(r, "proc/cpuinfo", cpuinfo("Intel Xeon Processor (Cascadelake)", GUEST))
w(r, "proc/cmdline", "console=ttyS0 reboot=k panic=1 root=/dev/vda rw\n")
w(r, "proc/meminfo", MEMINFO)
w(r, "etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n')
# `dpkg -l`: the legend, then rows; only installed ones (ii, and hi: held) are packages on the system.
DEBS = [
    ("ii", "bash", "5.2.15-2+b2", "amd64", "GNU Bourne Again SHell"),
    ("ii", "libc6:amd64", "2.36-9+deb12u4", "amd64", "GNU C Library: Shared libraries"),
    ("ii", "libvirt0:amd64", "9.0.0-4", "amd64", "library for interfacing with different virtualization systems"),
    ("rc", "ntp", "1:4.2.8p15+dfsg-2~deb12u1", "amd64", "Network Time Protocol daemon (removed, configuration kept)"),
    ("hi", "qemu-system-x86", "1:7.2+dfsg-7+deb12u3", "amd64", "QEMU full system emulation binaries (x86), held"),
    ("ii", "tzdata", "2024a-0+deb12u1", "all", "time zone and daylight-saving time data"),
]
DPKG_L = d("""
Desired=Unknown/Install/Remove/Purge/Hold
| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)
||/ Name            Version                         Architecture Description
+++-===============-===============================-============-==============================================
""")
for state, name, version, arch, description in DEBS:
    DPKG_L += f"{state}  {name:<15} {version:<31} {arch:<12} {description}\n"
w(r, "sos_commands/dpkg/dpkg_-l", DPKG_L)

# ---------------------------------------------------------------- 5. outputs that are links out of the root
# The links climb to Tests/Fixtures/sos-outside/ (four levels up from sos_commands/<plugin>/). Inside the
# root they resolve to <root>/sos-outside/..., which does not exist: the facts must show no marker.
r = "sos-symlink-escape"
w(r, "version.txt", "sosreport: 4.5.6\n")
w(r, "sos_commands/kernel/uname_-a", f"Linux escape-test.example.com {RELEASE} #1 SMP PREEMPT_DYNAMIC Thu Oct 19 22:37:21 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux\n")
link(r, "sos_commands/host/hostname", "../../../../sos-outside/hostname")
link(r, "sos_commands/kernel/sysctl_-a", "../../../../sos-outside/sysctl")
link(r, "sos_commands/kernel/lsmod", "../../../../sos-outside/lsmod")
link(r, "sos_commands/kernel/dmesg", "../../../../sos-outside/dmesg")
link(r, "sos_commands/selinux/sestatus", "../../../../../../../../../../sos-outside/sestatus")
w(r, "sos_commands/date/date_--utc", "Tue Dec  1 11:00:00 UTC 2026\n")
# A plain listing, so only no-dev-listing lacks /dev; its headers are fine, the links are the hostile part.
w(r, "sos_commands/block/ls_-lanR_.dev", dev_listing())
w(r, "proc/cpuinfo", cpuinfo("Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", INTEL))
w(r, "etc/os-release", RHEL9)

os.makedirs(OUTSIDE, exist_ok=True)
MARK = "OUTSIDE-MARKER-5c1e"
for name, text in [
    ("hostname", f"{MARK.lower()}.example.com\n"),
    ("sysctl", f"kernel.hostname = {MARK}\nnet.ipv4.ip_forward = 1\nkernel.outside_marker = {MARK}\n"),
    ("lsmod", f"Module                  Size  Used by\n{MARK.replace('-', '_').lower()} 16384 0\nkvm_intel 413696 0\nkvm 1347584 1 kvm_intel\n"),
    ("dmesg", f"[    1.000000] {MARK} kvm: disabled by bios\n"),
    ("sestatus", f"Current mode:                   permissive\n# {MARK}\n"),
]:
    with open(os.path.join(OUTSIDE, name), "w") as f:
        f.write(text)
with open(os.path.join(OUTSIDE, "README.md"), "w") as f:
    f.write("Targets of the links in ../sos/sos-symlink-escape/, which point out of that root. They must never be\n"
            f"read through it: every file here holds {MARK}, and the tests look for it in the facts. Written by\n"
            "../make-sos-roots.py.\n")
