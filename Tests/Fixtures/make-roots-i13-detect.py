#!/usr/bin/env python3
"""Writes the fixture roots of the detection group (issue 13) under Tests/Fixtures/roots/: confidential
guests as virt-what-cvm names them, KVM guests offered Hyper-V enlightenments, and the systems only
systemd-detect-virt names. All text is synthetic, written for these tests; the helpers come from
fixture_common.py. Each run rewrites every root from nothing.

cpuid.txt holds what CPUID said: plain lines are the hypervisor signatures of leaves 0x40000000,
0x40000100, ...; "0x<leaf>: eax=... ebx=... ecx=... edx=..." lines keep other leaves; "msr 0xc0010131: ..."
keeps AMD's SEV_STATUS register.

Roots:
  detect-sev-snp-cpuid        KVM guest on AMD EPYC: leaf 0x8000001F offers SEV, SEV_STATUS = 7 (SNP)
  detect-sev-es-dmesg         KVM guest whose kernel log says "AMD SEV SEV-ES" (no CPUID leaves recorded)
  detect-sev-cpuinfo          KVM guest with the sev and hypervisor flags only
  detect-sev-inactive         KVM guest on AMD: leaf 0x8000001F offers SEV, SEV_STATUS = 0 (not a confidential guest)
  detect-tdx-cpuid            KVM guest on Intel: leaf 0x21 says "IntelTDX    "
  detect-tdx-devnode          guest with /dev/tdx_guest and the tdx_guest flag
  detect-azure-snp-hcl        Azure confidential VM: Hyper-V isolation type SNP behind the paravisor
  detect-kvm-hv-enlightened   KVM guest with Hyper-V enlightenments: "Microsoft Hv" at 0x40000000, KVMKVMKVM above
  detect-kvm-hv-lscpu         the same guest seen by a sos report: lscpu says Microsoft, DMI says QEMU
  detect-bochs                the Bochs emulator: DMI "Bochs", no hypervisor signature
  detect-qnx                  QNX hypervisor guest (CPUID "QNXQVMBSQG")
  detect-acrn                 ACRN guest (CPUID "ACRNACRNACRN")
  detect-apple                Apple Virtualization framework guest (arm64, DMI "Apple Virtualization")
  detect-lxc-libvirt          libvirt LXC container (container=lxc-libvirt)
  detect-podman-containerenv  podman container known only by /run/.containerenv
  detect-rkt                  rkt container (/run/systemd/container: rkt)
  detect-proot                proot: this process is traced by proot
  detect-pouch                pouch container (container=pouch)
"""
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import *  # noqa: F401,F403 - BASE, w, cpuinfo, base_host and the sample texts


def fresh(r):
    """Starts a root from nothing, so a rerun never keeps files of an older version."""
    shutil.rmtree(os.path.join(BASE, r), ignore_errors=True)


def regs(text):
    """A 12-byte vendor string as CPUID returns it in ebx, edx, ecx (leaf 0, leaf 0x21)."""
    b = text.encode().ljust(12, b"\0")
    ebx, edx, ecx = struct.unpack("<3I", b)
    return ebx, ecx, edx


def leaf(number, eax, ebx, ecx, edx):
    return f"0x{number:08x}: eax=0x{eax:08x} ebx=0x{ebx:08x} ecx=0x{ecx:08x} edx=0x{edx:08x}\n"


def vendor_leaf(vendor, maximum=0x21):
    ebx, ecx, edx = regs(vendor)
    return leaf(0, maximum, ebx, ecx, edx)


def hv_leaf(signature, maximum):
    ebx, ecx, edx = struct.unpack("<3I", signature.encode().ljust(12, b"\0"))
    return leaf(0x40000000, maximum, ebx, ecx, edx)


HYPERVISOR_BIT = 0x80000000
LEAF1_GUEST = leaf(1, 0x00A00F11, 0x00020800, 0xFEDA3203 | HYPERVISOR_BIT, 0x178BFBFF)
LEAF1_INTEL_GUEST = leaf(1, 0x000806F8, 0x00010800, 0xFFFA3223 | HYPERVISOR_BIT, 0x1F8BFBFF)
EPYC = "EPYC-Milan"
AMD_GUEST = GUEST + " sev sev_es sev_snp"
QEMU_DMI = ("Handle 0x0000, DMI type 0, 24 bytes\nBIOS Information\n\tVendor: EFI Development Kit II / OVMF\n"
            "\tVersion: 0.0.0\n\nHandle 0x0100, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: QEMU\n"
            "\tProduct Name: Standard PC (Q35 + ICH9, 2009)\n\tVersion: pc-q35-8.2\n")
RELEASE = "5.14.0-427.13.1.el9_4.x86_64"


def guest(r, cpu_flags=GUEST, vendor="AuthenticAMD", model="AMD EPYC-Milan Processor", dmi=QEMU_DMI):
    fresh(r)
    base_host(r, RELEASE, RHEL9)
    w(r, "proc/cpuinfo", cpuinfo(vendor, model, 25, cpu_flags, count=2))
    w(r, "uname-m.txt", "x86_64\n")
    if dmi is not None:
        w(r, "dmidecode.txt", dmi)


# ---------------------------------------------------------------- confidential guests
r = "detect-sev-snp-cpuid"
guest(r, AMD_GUEST)
w(r, "cpuid.txt", "KVMKVMKVM\n" + vendor_leaf("AuthenticAMD", 0x10) + LEAF1_GUEST
  + leaf(0x8000001F, 0x0001B0FB, 0x00000173, 0x000001FD, 0) + "msr 0xc0010131: 0x0000000000000007\n")

r = "detect-sev-es-dmesg"
guest(r, GUEST)
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, "var/log/dmesg", "[    0.000000] Linux version 5.14.0-427.13.1.el9_4.x86_64\n"
  "[    0.000000] Hypervisor detected: KVM\n"
  "[    0.150431] Memory Encryption Features active: AMD SEV SEV-ES\n"
  "[    0.151002] SEV: Status: SEV SEV-ES\n")

r = "detect-sev-cpuinfo"
guest(r, GUEST + " sev")
w(r, "cpuid.txt", "KVMKVMKVM\n")

r = "detect-sev-inactive"
guest(r, GUEST)
w(r, "cpuid.txt", "KVMKVMKVM\n" + vendor_leaf("AuthenticAMD", 0x10) + LEAF1_GUEST
  + leaf(0x8000001F, 0x0001B0FB, 0x00000173, 0x000001FD, 0) + "msr 0xc0010131: 0x0000000000000000\n")

r = "detect-tdx-cpuid"
guest(r, GUEST, vendor="GenuineIntel", model="Intel(R) Xeon(R) Platinum 8480+")
tdx_ebx, tdx_ecx, tdx_edx = regs("IntelTDX    ")
w(r, "cpuid.txt", "KVMKVMKVM\n" + vendor_leaf("GenuineIntel", 0x23) + LEAF1_INTEL_GUEST
  + leaf(0x21, 0, tdx_ebx, tdx_ecx, tdx_edx))

r = "detect-tdx-devnode"
guest(r, GUEST + " tdx_guest", vendor="GenuineIntel", model="Intel(R) Xeon(R) Platinum 8480+")
w(r, "cpuid.txt", "KVMKVMKVM\n")
w(r, ".meta.yaml", "# Device nodes git cannot hold.\nfiles:\n"
  '  /dev/tdx_guest: { type: char, mode: "0600", uid: 0, gid: 0, major: 10, minor: 124 }\n')

r = "detect-azure-snp-hcl"
guest(r, GUEST, dmi="Handle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: Microsoft Corporation\n"
      "\tProduct Name: Virtual Machine\n\tVersion: 7.0\n")
# Azure hides leaf 0x8000001F's SEV bit; Hyper-V's features leaf says "isolated" (bit 22), not the root
# partition (bit 12), and the isolation leaf says type 2 (SEV-SNP).
w(r, "cpuid.txt", "Microsoft Hv\n" + vendor_leaf("AuthenticAMD", 0x10) + LEAF1_GUEST
  + hv_leaf("Microsoft Hv", 0x4000000C) + leaf(0x40000003, 0x00002E7F, 0x00400000, 0x00000002, 0x0EED7B2)
  + leaf(0x4000000C, 0, 0x00000002, 0, 0) + leaf(0x8000001F, 0, 0, 0, 0))

# ---------------------------------------------------------------- KVM with Hyper-V enlightenments
r = "detect-kvm-hv-enlightened"
guest(r, GUEST)
w(r, "cpuid.txt", "Microsoft Hv\nKVMKVMKVM\n")

r = "detect-kvm-hv-lscpu"
guest(r, GUEST)
w(r, "lscpu.txt", "Architecture:        x86_64\nCPU(s):              2\nVendor ID:           AuthenticAMD\n"
  "Hypervisor vendor:   Microsoft\nVirtualization type: full\n")

# ---------------------------------------------------------------- what only systemd-detect-virt names
r = "detect-bochs"
guest(r, INTEL_NOVMX, vendor="GenuineIntel", model="Intel(R) Core(TM) i7 CPU",
      dmi="Handle 0x0000, DMI type 0, 24 bytes\nBIOS Information\n\tVendor: The Bochs Project\n\tVersion: Bochs\n\n"
          "Handle 0x0100, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: Bochs\n\tProduct Name: Bochs\n")
w(r, "cpuid.txt", "\n")

r = "detect-qnx"
guest(r, GUEST, vendor="GenuineIntel", model="Intel(R) Atom(TM) x6425E", dmi=None)
w(r, "cpuid.txt", "QNXQVMBSQG\n")

r = "detect-acrn"
guest(r, GUEST, vendor="GenuineIntel", model="Intel(R) Core(TM) i7-8665U", dmi=None)
w(r, "cpuid.txt", "ACRNACRNACRN\n")

r = "detect-apple"
fresh(r)
base_host(r, "6.8.0-45-generic", 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\n')
w(r, "uname-m.txt", "aarch64\n")
w(r, "proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics\n"
  "CPU implementer\t: 0x61\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0x000\nCPU revision\t: 0\n\n")
w(r, "dmidecode.txt", "Handle 0x0000, DMI type 0, 26 bytes\nBIOS Information\n\tVendor: Apple Inc.\n\tVersion: 2075.1.13\n\n"
  "Handle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: Apple Inc.\n"
  "\tProduct Name: Apple Virtualization Generic Platform\n\tVersion: 1\n")


def container(r, environ=None):
    fresh(r)
    w(r, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Gold 6248", 6, INTEL, count=2))
    w(r, "proc/self/status", "Name:\tvirt-doctor\nState:\tR (running)\nPid:\t57\nPPid:\t1\nTracerPid:\t0\n")
    w(r, "cpuid.txt", "\n")
    if environ is not None:
        w(r, "proc/1/environ", "\0".join(environ) + "\0")


container("detect-lxc-libvirt", ["PATH=/bin:/usr/bin", "container=lxc-libvirt", "LIBVIRT_LXC_UUID=6f0e2c4a-91d5-4c11-b0a8-3f1d2e6c7b90"])

r = "detect-podman-containerenv"
container(r, ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "HOSTNAME=web1"])
w(r, "run/.containerenv", 'engine="podman-4.9.4"\nname="web1"\nrootless=1\n')

r = "detect-rkt"
container(r)
w(r, "run/systemd/container", "rkt\n")

r = "detect-proot"
container(r)
w(r, "proc/self/status", "Name:\tvirt-doctor\nState:\tR (running)\nPid:\t4311\nPPid:\t4310\nTracerPid:\t4242\n")
w(r, "proc/4242/comm", "proot\n")

container("detect-pouch", ["PATH=/usr/bin:/bin", "container=pouch"])
