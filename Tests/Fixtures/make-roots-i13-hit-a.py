#!/usr/bin/env python3
"""Writes the fixture roots of the hit-a group (issue 13: what users hit on the libvirt side) under
Tests/Fixtures/roots/: emulated guests for dom.accel, libvirt's QEMU capabilities cache for
kvm.capabilities-stale, and taint lines in guest logs for dom.tainted. All text is synthetic, written for
these tests in the layout libvirt and QEMU use; the helpers come from fixture_common.py. Rerunning the script
rewrites these roots from nothing and touches no other root.

Roots:
  ha-accel-tcg-running   KVM works; web01 is type 'qemu' and runs with -accel tcg, db01 runs with KVM
  ha-accel-tcg-mixed     KVM works; web01 runs with -accel tcg, app02 is type 'qemu' and not running
  ha-accel-qemu-defined  KVM works; app01 is defined as type 'qemu' and not running
  ha-accel-no-kvm        no KVM module and no /dev/kvm; test01 is type 'qemu'; the cache lacks KVM (rightly)
  ha-accel-foreign-arch  KVM works; arm01 is an aarch64 guest (machine virt), which only emulation can run
  ha-caps-fresh          KVM works; the cached capabilities of qemu-kvm list KVM
  ha-caps-stale          KVM works; the x86_64 cache was written without KVM; libvirtd.log has the error
  ha-caps-logged         KVM works; no cache on disk, libvirtd.log has the error
  ha-tainted-none        two guest logs without taint lines
  ha-tainted-guests      web01 tainted custom-argv and host-cpu, db01 high-privileges and deprecated-config,
                         junk bytes and an overlong line in a third log

Extracted sos reports (under Tests/Fixtures/sos/, listed in SosReportRootTests):
  ha-sos-emulated        web01 runs with -accel tcg (ps auxwww), its status XML and a tainted log copied by
                         the libvirt plugin; no capabilities cache (sos never copies /var/cache)
  ha-sos-caps-qemu-only  virsh -r capabilities offers x86_64 guests of type qemu only, kvm_intel loaded
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import *  # noqa: F401,F403 - BASE, w, cpuinfo, domain, base_host and the sample texts

RELEASE = "5.14.0-284.30.1.el9_2.x86_64"
CACHE = "var/cache/libvirt/qemu/capabilities"

def ha_host(r, kvm=True):
    """A RHEL 9 host with an Intel CPU; with kvm, the modules are loaded and /dev/kvm answers. The root is
    started from nothing, so a rerun never keeps files of an older version."""
    shutil.rmtree(os.path.join(BASE, r), ignore_errors=True)
    base_host(r, RELEASE, RHEL9)
    w(r, "uname-m.txt", "x86_64\n")
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
    w(r, "proc/1/comm", "systemd\n")
    w(r, "proc/1/cmdline", "/usr/lib/systemd/systemd\0--switched-root\0--system\0")
    if kvm:
        w(r, "proc/modules", PROC_MODULES_KVM_INTEL)
        w(r, "kvm-probe.txt", KVM_PROBE_OK)
        w(r, ".meta.yaml", "# Device nodes git cannot hold.\nfiles:\n" + DEV_NULL + DEV_KVM)
    else:
        w(r, "proc/modules", "bridge 417792 0 - Live 0x0000000000000000\nstp 16384 1 bridge, Live 0x0000000000000000\n")
        w(r, ".meta.yaml", "# Device nodes git cannot hold: no /dev/kvm.\nfiles:\n" + DEV_NULL)

def status_xml(name, dtype, pid, dom_id):
    """libvirt's status file of a running guest (/run/libvirt/qemu/<name>.xml), trimmed."""
    return f"""<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:
  virsh edit {name}
or other application using the libvirt API.
-->

<domstatus state='running' reason='booted' pid='{pid}'>
  <monitor path='/var/lib/libvirt/qemu/domain-{dom_id}-{name}/monitor.sock' type='unix'/>
  <namespaces>
    <mount/>
  </namespaces>
  <vcpus>
    <vcpu id='0' pid='{pid + 7}'/>
    <vcpu id='1' pid='{pid + 8}'/>
  </vcpus>
  <qemuCaps>
    <flag name='kvm'/>
  </qemuCaps>
  <domain type='{dtype}' id='{dom_id}'>
    <name>{name}</name>
    <memory unit='KiB'>2097152</memory>
    <vcpu placement='static'>2</vcpu>
    <os>
      <type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type>
    </os>
  </domain>
</domstatus>
"""

def qemu_cmdline(name, accel, dom_id):
    """The argv libvirt gives QEMU, NUL-separated as /proc/<pid>/cmdline holds it."""
    args = ["/usr/libexec/qemu-kvm", "-name", f"guest={name},debug-threads=on", "-S",
            "-object", f'{{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain-{dom_id}-{name}/master-key.aes"}}',
            "-machine", "pc-q35-rhel9.2.0,usb=off,dump-guest-core=off,memory-backend=pc.ram",
            "-accel", accel, "-cpu", "qemu64" if accel == "tcg" else "host,migratable=on",
            "-m", "size=2097152k", "-smp", "2,sockets=2,cores=1,threads=1",
            "-uuid", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "-no-user-config", "-nodefaults",
            "-chardev", "socket,id=charmonitor,fd=31,server=on,wait=off", "-mon", "chardev=charmonitor,id=monitor,mode=control",
            "-rtc", "base=utc", "-no-shutdown", "-boot", "strict=on", "-msg", "timestamp=on"]
    return "\0".join(args) + "\0"

def running_guest(r, pid, name, dtype, accel, dom_id):
    w(r, f"run/libvirt/qemu/{name}.xml", status_xml(name, dtype, pid, dom_id))
    w(r, f"run/libvirt/qemu/{name}.pid", f"{pid}")
    w(r, f"proc/{pid}/comm", "qemu-kvm\n")
    w(r, f"proc/{pid}/cmdline", qemu_cmdline(name, accel, dom_id))

def caps_cache(arch, emulator, kvm):
    """A libvirt QEMU capabilities cache file (<qemuCaps>), trimmed to the parts around the KVM markers."""
    kvm_flag = "  <flag name='kvm'/>\n" if kvm else ""
    kvm_sections = ""
    if kvm:
        kvm_sections = f"""  <hostCPU type='kvm' model='base' migratability='yes'>
    <property name='vendor' type='string' value='GenuineIntel'/>
    <property name='vmx' type='boolean' value='true' migratable='yes'/>
  </hostCPU>
  <cpu type='kvm' name='Cascadelake-Server' typename='Cascadelake-Server-x86_64' usable='yes'/>
  <machine type='kvm' name='pc-q35-rhel9.2.0' alias='q35' hotplugCpus='yes' maxCpus='4096' defaultCPU='qemu64-x86_64-cpu' numaMemSupported='yes' defaultRAMid='pc.ram' acpi='yes'/>
"""
    return f"""<qemuCaps>
  <emulator>{emulator}</emulator>
  <qemuctime>1700000000</qemuctime>
  <selfctime>1700000100</selfctime>
  <selfvers>9000000</selfvers>
  <usedQMP/>
{kvm_flag}  <flag name='sdl'/>
  <flag name='vnc'/>
  <flag name='virtio-scsi-pci'/>
  <flag name='kvm-pit-lost-tick-policy'/>
  <flag name='tcg'/>
  <version>7002000</version>
  <microcodeVersion>43100285</microcodeVersion>
  <package>qemu-kvm-7.2.0-14.el9</package>
  <arch>{arch}</arch>
{kvm_sections}  <hostCPU type='tcg' model='base' migratability='yes'>
    <property name='vendor' type='string' value='AuthenticAMD'/>
  </hostCPU>
  <cpu type='tcg' name='qemu64' typename='qemu64-x86_64-cpu' usable='yes'/>
  <machine type='tcg' name='pc-q35-rhel9.2.0' alias='q35' hotplugCpus='yes' maxCpus='4096' defaultCPU='qemu64-x86_64-cpu' numaMemSupported='yes' defaultRAMid='pc.ram' acpi='yes'/>
</qemuCaps>
"""

def guest_log(name, dom_id, taints=(), hostname="host"):
    """A guest log of /var/log/libvirt/qemu: the start banner, the command line, the taint lines."""
    lines = [f"2026-11-30 09:12:44.318+0000: starting up libvirt version: 9.0.0, package: 10.el9 (Red Hat), qemu version: 7.2.0qemu-kvm-7.2.0-14.el9, kernel: {RELEASE}, hostname: {hostname}",
             "LC_ALL=C \\", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \\", f"HOME=/var/lib/libvirt/qemu/domain-{dom_id}-{name} \\",
             "/usr/libexec/qemu-kvm \\", f"-name guest={name},debug-threads=on \\", "-S \\",
             "-machine pc-q35-rhel9.2.0,usb=off,dump-guest-core=off,memory-backend=pc.ram \\", "-accel kvm \\", "-msg timestamp=on"]
    for taint in taints:
        lines.append(f"2026-11-30 09:12:44.319+0000: Domain id={dom_id} is tainted: {taint}")
    lines.append("char device redirected to /dev/pts/1 (label charserial0)")
    lines.append("2026-11-30T09:12:45.101384Z qemu-kvm: warning: host doesn't support requested feature: CPUID.07H:EDX.arch-capabilities [bit 29]")
    return "\n".join(lines) + "\n"

CAPS_ERROR = "2026-11-28 08:01:13.402+0000: 1520: error : virCapabilitiesDomainDataLookupInternal:717 : invalid argument: could not find capabilities for domaintype=kvm \n"
LIBVIRTD_START = "2026-11-28 08:00:58.117+0000: 1520: info : libvirt version: 9.0.0, package: 10.el9 (Red Hat)\n2026-11-28 08:00:58.117+0000: 1520: info : hostname: host\n"

# ---------------------------------------------------------------- dom.accel
r = "ha-accel-tcg-running"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT, dtype="qemu"))
w(r, "etc/libvirt/qemu/db01.xml", domain("db01", IFACE_DEFAULT))
running_guest(r, 4242, "web01", "qemu", "tcg", 1)
running_guest(r, 4311, "db01", "kvm", "kvm", 2)
w(r, f"{CACHE}/3c76bc41d59c0c7314b1ae8e63f4f765d2cf16abaeea081b3ca1f5d8732f7bb1.xml", caps_cache("x86_64", "/usr/libexec/qemu-kvm", True))

r = "ha-accel-tcg-mixed"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT, dtype="qemu"))
w(r, "etc/libvirt/qemu/app02.xml", domain("app02", IFACE_DEFAULT, dtype="qemu"))
running_guest(r, 4242, "web01", "qemu", "tcg", 1)

r = "ha-accel-qemu-defined"
ha_host(r)
w(r, "etc/libvirt/qemu/app01.xml", domain("app01", IFACE_DEFAULT, dtype="qemu"))
w(r, "etc/libvirt/qemu/db01.xml", domain("db01", IFACE_DEFAULT))
running_guest(r, 4311, "db01", "kvm", "kvm", 2)

r = "ha-accel-no-kvm"
ha_host(r, kvm=False)
w(r, "etc/libvirt/qemu/test01.xml", domain("test01", IFACE_DEFAULT, dtype="qemu"))
w(r, f"{CACHE}/3c76bc41d59c0c7314b1ae8e63f4f765d2cf16abaeea081b3ca1f5d8732f7bb1.xml", caps_cache("x86_64", "/usr/libexec/qemu-kvm", False))

r = "ha-accel-foreign-arch"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, "etc/libvirt/qemu/arm01.xml", domain("arm01", IFACE_DEFAULT, dtype="qemu")
  .replace("arch='x86_64' machine='pc-q35-rhel9.2.0'", "arch='aarch64' machine='virt'"))

# ---------------------------------------------------------------- kvm.capabilities-stale
r = "ha-caps-fresh"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, f"{CACHE}/3c76bc41d59c0c7314b1ae8e63f4f765d2cf16abaeea081b3ca1f5d8732f7bb1.xml", caps_cache("x86_64", "/usr/libexec/qemu-kvm", True))
w(r, "var/log/libvirt/libvirtd.log", LIBVIRTD_START)

r = "ha-caps-stale"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, f"{CACHE}/3c76bc41d59c0c7314b1ae8e63f4f765d2cf16abaeea081b3ca1f5d8732f7bb1.xml", caps_cache("x86_64", "/usr/libexec/qemu-kvm", False))
# An emulator of another architecture never has KVM here; it is not part of the judgement.
w(r, f"{CACHE}/9a0e6d0f2b5c4e1d8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e.xml",
  caps_cache("aarch64", "/usr/bin/qemu-system-aarch64", False))
w(r, "var/log/libvirt/libvirtd.log", LIBVIRTD_START + CAPS_ERROR)

r = "ha-caps-logged"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, "var/log/libvirt/libvirtd.log", LIBVIRTD_START + CAPS_ERROR)

# ---------------------------------------------------------------- dom.tainted
r = "ha-tainted-none"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, "etc/libvirt/qemu/db01.xml", domain("db01", IFACE_DEFAULT))
w(r, "var/log/libvirt/qemu/web01.log", guest_log("web01", 1, hostname=r))
w(r, "var/log/libvirt/qemu/db01.log", guest_log("db01", 2, hostname=r))

r = "ha-tainted-guests"
ha_host(r)
w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
w(r, "etc/libvirt/qemu/db01.xml", domain("db01", IFACE_DEFAULT))
w(r, "var/log/libvirt/qemu/web01.log", guest_log("web01", 3, ["custom-argv", "host-cpu", "custom-argv"], hostname=r))
w(r, "var/log/libvirt/qemu/db01.log", guest_log("db01", 4, ["high-privileges", "deprecated-config (machine type 'pc-i440fx-rhel7.6.0')"], hostname=r))
# Hostile: junk bytes, an overlong line with the marker (skipped), no valid taint.
p = os.path.join(BASE, r, "var/log/libvirt/qemu/junk.log")
with open(p, "wb") as f:
    f.write(bytes(range(256)) * 4 + b"\nDomain id=9 is tainted: " + b"x" * 9000 + b"\nDomain id=\xff is tainted: \n")

# ---------------------------------------------------------------- an extracted sos report (Tests/Fixtures/sos)
# ha-sos-emulated: what sos keeps of the ha-accel-tcg-running situation: the libvirt plugin's copies of
# /etc/libvirt/qemu, /var/run/libvirt/qemu (status XML) and /var/log/libvirt/qemu (a tainted guest log), the
# process plugin's ps auxwww with web01's `-accel tcg`, lsmod and the /dev listing with /dev/kvm. sos never
# copies /var/cache/libvirt, so kvm.capabilities-stale must skip there rather than judge.
SOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sos")

def sos_w(root, path, text):
    p = os.path.join(SOS, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)

r = "ha-sos-emulated"
shutil.rmtree(os.path.join(SOS, r), ignore_errors=True)
sos_w(r, "version.txt", "sosreport: 4.5.6\n")
sos_w(r, "sos_commands/kernel/uname_-a", f"Linux hasos01.example.com {RELEASE} #1 SMP PREEMPT_DYNAMIC Thu Oct 19 22:37:21 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux\n")
sos_w(r, "sos_commands/host/hostname", "hasos01.example.com\n")
sos_w(r, "sos_commands/date/date_--utc", "Tue Dec  1 09:30:12 UTC 2026\n")
sos_w(r, "sos_commands/kernel/lsmod", "Module                  Size  Used by\nkvm_intel             413696  4\nkvm                  1347584  1 kvm_intel\nirqbypass              16384  1 kvm\n")
sos_w(r, "sos_commands/block/ls_-lanR_.dev", "/dev:\ntotal 0\ndrwxr-xr-x. 19 0  0      3280 Dec  1 09:14 .\n"
      "crw-rw-rw-.  1 0  0    1,   3 Dec  1 09:14 null\ncrw-rw-rw-.  1 0 36   10, 232 Dec  1 09:14 kvm\n")
sos_w(r, "sos_commands/process/ps_auxwww",
      "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
      "root           1  0.0  0.1   1037   111 ?        Ss   10:21   0:00 /usr/lib/systemd/systemd --switched-root --system --deserialize 31\n"
      "qemu        4242 98.1  6.2 4650000 2100000 ?     Sl   10:22 812:44 /usr/libexec/qemu-kvm -name guest=web01,debug-threads=on -S -machine pc-q35-rhel9.2.0,usb=off,dump-guest-core=off -accel tcg -cpu qemu64 -m 2048\n")
sos_w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 6, INTEL, count=4))
sos_w(r, "proc/cmdline", f"BOOT_IMAGE=(hd0,msdos1)/vmlinuz-{RELEASE} root=/dev/mapper/rhel-root ro\n")
sos_w(r, "etc/os-release", RHEL9)
sos_w(r, "etc/hostname", "hasos01.example.com\n")
sos_w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT, dtype="qemu"))
sos_w(r, "var/run/libvirt/qemu/web01.xml", status_xml("web01", "qemu", 4242, 1))
sos_w(r, "var/log/libvirt/qemu/web01.log", guest_log("web01", 1, ["custom-argv"], hostname="hasos01.example.com"))

# ha-sos-caps-qemu-only: the virsh plugin's `virsh -r capabilities` offers only type 'qemu' guests for x86_64
# while kvm_intel is loaded and /dev/kvm is listed: the live form of kvm.capabilities-stale.
r = "ha-sos-caps-qemu-only"
shutil.rmtree(os.path.join(SOS, r), ignore_errors=True)
for path in ["version.txt", "sos_commands/kernel/lsmod", "sos_commands/block/ls_-lanR_.dev", "sos_commands/date/date_--utc", "proc/cpuinfo", "proc/cmdline", "etc/os-release"]:
    with open(os.path.join(SOS, "ha-sos-emulated", path)) as f:
        sos_w(r, path, f.read())
sos_w(r, "sos_commands/kernel/uname_-a", f"Linux hasos02.example.com {RELEASE} #1 SMP PREEMPT_DYNAMIC Thu Oct 19 22:37:21 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux\n")
sos_w(r, "sos_commands/host/hostname", "hasos02.example.com\n")
sos_w(r, "etc/hostname", "hasos02.example.com\n")
sos_w(r, "etc/libvirt/qemu/web01.xml", domain("web01", IFACE_DEFAULT))
sos_w(r, "sos_commands/virsh/virsh_-r_list_--all", " Id   Name    State\n------------------------\n -    web01   shut off\n\n")
sos_w(r, "sos_commands/virsh/virsh_-r_version", "Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.0\n")
sos_w(r, "sos_commands/virsh/virsh_-r_dumpxml_web01", domain("web01", IFACE_DEFAULT))
sos_w(r, "sos_commands/virsh/virsh_-r_capabilities", """<capabilities>

  <host>
    <uuid>4c4c4544-0042-3510-8052-b4c04f4e4d32</uuid>
    <cpu>
      <arch>x86_64</arch>
      <model>Cascadelake-Server</model>
      <vendor>Intel</vendor>
    </cpu>
  </host>

  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/usr/libexec/qemu-kvm</emulator>
      <machine maxCpus='4096'>pc-q35-rhel9.2.0</machine>
      <machine canonical='pc-q35-rhel9.2.0' maxCpus='4096'>q35</machine>
      <domain type='qemu'/>
    </arch>
    <features>
      <acpi default='on' toggle='yes'/>
      <apic default='on' toggle='no'/>
    </features>
  </guest>

</capabilities>
""")
