#!/usr/bin/env python3
"""Writes the storage fixture roots (issue 12: storage) under Tests/Fixtures/roots/. Each root is laid out like
/, with a .meta.yaml sidecar for what git cannot hold: the apparent size and allocated bytes of sparse images
(`size:`, `allocated:`), SELinux labels and device nodes. Image files hold only a synthetic header (the first
bytes QEMU writes), never image data. statvfs.txt is the recorded statvfs answer per image directory, as
`collect` writes it. All text is synthetic; run from anywhere; it rewrites only the roots listed here.

Roots:
  storage-images-standard         qcow2 + qcow2 + ISO in /var/lib/libvirt/images, fully allocated, room to spare
  storage-sparse-fits             a 40 GiB sparse raw image using 10 GiB, 120 GiB free
  storage-sparse-overcommitted    two thin images that may grow by 40 GiB, 25 GiB free (6%)
  storage-sparse-critical         thin images that may grow by 50 GiB, 12 GiB free (3%)
  storage-format-backing-missing  a qcow2 overlay whose backing file is gone
  storage-format-legacy           a qcow version 1 image (named .img)
  storage-format-aes              a qcow2 image with the legacy AES encryption
  storage-selinux-xattr-good      SELinux enforcing, images on xfs
  storage-selinux-xattr-vfat      an image on a vfat USB disk
  storage-selinux-xattr-nfs       the image directory mounted over NFS, virt_use_nfs off
  storage-selinux-blockdev-good   a logical volume given to a guest, fixed_disk_device_t (sVirt relabels it)
  storage-selinux-blockdev-mislabeled  a logical volume labelled device_t
  storage-blockdev-persistent     guests on /dev/disk/by-id and /dev/mapper names
  storage-blockdev-kernel-names   a guest on /dev/sdc, an iSCSI LUN
  storage-multipath-good          two aliases with complete WWIDs multipath has seen
  storage-multipath-seed-mistakes the seed's multipath examples: "mulitpath", one WWID with three aliases, a cut WWID
  storage-nfs-export-good         /var/lib/libvirt/images exported to one subnet with sync, root_squash
  storage-nfs-export-risky        exported to *.example.test with no_root_squash and async
  storage-selinux-label-scope-broad  file_contexts.local gives virt_image_t to /home
  storage-selinux-xend-disabled   xend_disable_t on
  storage-selinux-permissive-domain  svirt_t made permissive with semanage permissive -a
  storage-xen-disk-lines          a legacy Xen guest in /etc/xen: a file: image outside the image directories, a phy:/dev/sdb disk
"""
import os
import shutil
import struct

BASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "roots")
GiB = 1 << 30
MiB = 1 << 20
ROOTS = []


def w(root, path, text):
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(p, mode) as f:
        f.write(text)


def start(root):
    """Starts a root afresh (only roots of this script are ever removed)."""
    assert root.startswith("storage-")
    shutil.rmtree(os.path.join(BASE, root), ignore_errors=True)
    ROOTS.append(root)


def qcow2(virtual, backing=None, crypt=0, version=3):
    """A qcow2 header (QEMU's layout, big-endian), padded to 512 bytes, the backing file name at 0x200."""
    backing_bytes = backing.encode() if backing else b""
    backing_offset = 0x200 if backing else 0
    header = struct.pack(">4sIQIIQIIQQIIQ", b"QFI\xfb", version, backing_offset, len(backing_bytes), 16, virtual,
                         crypt, 40, 0x30000, 0x10000, 1, 0, 0)
    if version >= 3:
        header += struct.pack(">QQQII", 0, 0, 0, 4, 104)
    header += b"\0" * 8  # end of header extensions
    header = header.ljust(0x200, b"\0") + backing_bytes
    return header.ljust(1024, b"\0")


def qcow1(virtual, crypt=0):
    """A qcow (version 1) header: magic, version, backing offset/size, mtime, size, cluster/l2 bits, crypt."""
    header = struct.pack(">4sIQIIQBBHIQ", b"QFI\xfb", 1, 0, 0, 1262304000, virtual, 12, 9, 0, crypt, 48)
    return header.ljust(1024, b"\0")


def raw_head():
    """The first sector of a raw disk: an MBR boot signature and nothing recognisable as a format."""
    return (b"\xeb\x63\x90" + b"\0" * 507 + b"\x55\xaa").ljust(1024, b"\0")


def iso_head():
    return b"\0" * 1024


RHEL9 = 'NAME="Red Hat Enterprise Linux"\nVERSION="9.2 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.2"\nPRETTY_NAME="Red Hat Enterprise Linux 9.2 (Plow)"\n'
MOUNTS = ("/dev/mapper/rhel-root / xfs rw,seclabel,relatime,attr2,inode64,logbufs=8,logbsize=32k,noquota 0 0\n"
          "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
          "sysfs /sys sysfs rw,seclabel,nosuid,nodev,noexec,relatime 0 0\n"
          "/dev/sda1 /boot xfs rw,seclabel,relatime,attr2,inode64,noquota 0 0\n"
          "/dev/mapper/vg_virt-images /var/lib/libvirt/images xfs rw,seclabel,relatime,attr2,inode64,noquota 0 0\n")


def base_host(r):
    w(r, "proc/sys/kernel/osrelease", "5.14.0-284.30.1.el9_2.x86_64\n")
    w(r, "proc/sys/kernel/hostname", r + "\n")
    w(r, "proc/cmdline", "BOOT_IMAGE=(hd0,msdos1)/vmlinuz-5.14.0-284.30.1.el9_2.x86_64 root=/dev/mapper/rhel-root ro rhgb quiet\n")
    w(r, "etc/os-release", RHEL9)
    w(r, "proc/mounts", MOUNTS)


def domain(name, disks):
    """disks: [(kind, device, source, driver_type)] with kind file or block."""
    xml = []
    for kind, device, source, driver_type in disks:
        attribute = "file" if kind == "file" else "dev"
        target = "sda' bus='sata" if device == "cdrom" else f"vd{chr(ord('a') + len(xml))}' bus='virtio"
        readonly = "\n      <readonly/>" if device == "cdrom" else ""
        xml.append(f"""    <disk type='{kind}' device='{device}'>
      <driver name='qemu' type='{driver_type}'/>
      <source {attribute}='{source}'/>
      <target dev='{target}'/>{readonly}
    </disk>
""")
    return f"""<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST.
-->
<domain type='kvm'>
  <name>{name}</name>
  <memory unit='KiB'>4194304</memory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='pc-q35-rhel9.2.0'>hvm</type></os>
  <devices>
{''.join(xml)}    <interface type='network'>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
"""


def image_root(r, guests, images, spaces, extra_meta=""):
    """guests: {name: [(kind, device, source, driver_type)]}; images: {path: (bytes, apparent, allocated)};
    spaces: {directory: (total, available)}."""
    start(r)
    base_host(r)
    for name, disks in guests.items():
        w(r, f"etc/libvirt/qemu/{name}.xml", domain(name, disks))
    meta = "files:\n"
    for path, (content, apparent, allocated) in images.items():
        w(r, path, content)
        meta += f"  {path}: {{ size: {apparent}, allocated: {allocated} }}\n"
    w(r, ".meta.yaml", meta + extra_meta)
    if spaces:
        w(r, "statvfs.txt", "".join(f"{d}\ttotal={t}\tavail={a}\tfsid=fd0{i}\n" for i, (d, (t, a)) in enumerate(sorted(spaces.items()))))


IMG = "/var/lib/libvirt/images"

# ---------------------------------------------------------------- image location, format, free space
image_root("storage-images-standard",
           {"web01": [("file", "disk", f"{IMG}/web01.qcow2", "qcow2"), ("file", "cdrom", f"{IMG}/rhel-9.2-x86_64-dvd.iso", "raw")],
            "db01": [("file", "disk", f"{IMG}/db01.qcow2", "qcow2")]},
           {f"{IMG}/web01.qcow2": (qcow2(20 * GiB), 20 * GiB + 4 * MiB, 20 * GiB + 4 * MiB),
            f"{IMG}/db01.qcow2": (qcow2(40 * GiB), 40 * GiB + 7 * MiB, 40 * GiB + 7 * MiB),
            f"{IMG}/rhel-9.2-x86_64-dvd.iso": (iso_head(), 9 * GiB, 9 * GiB)},
           {IMG: (200 * GiB, 130 * GiB)})

image_root("storage-sparse-fits",
           {"web01": [("file", "disk", f"{IMG}/web01.img", "raw")]},
           {f"{IMG}/web01.img": (raw_head(), 40 * GiB, 10 * GiB)},
           {IMG: (500 * GiB, 120 * GiB)})

image_root("storage-sparse-overcommitted",
           {"web01": [("file", "disk", f"{IMG}/web01.qcow2", "qcow2")],
            "db01": [("file", "disk", f"{IMG}/db01.img", "raw")]},
           {f"{IMG}/web01.qcow2": (qcow2(60 * GiB), 40 * GiB, 40 * GiB),
            f"{IMG}/db01.img": (raw_head(), 50 * GiB, 30 * GiB)},
           {IMG: (400 * GiB, 25 * GiB)})

image_root("storage-sparse-critical",
           {"web01": [("file", "disk", f"{IMG}/web01.qcow2", "qcow2")],
            "db01": [("file", "disk", f"{IMG}/db01.img", "raw")]},
           {f"{IMG}/web01.qcow2": (qcow2(80 * GiB), 50 * GiB, 50 * GiB),
            f"{IMG}/db01.img": (raw_head(), 100 * GiB, 80 * GiB)},
           {IMG: (400 * GiB, 12 * GiB)})

image_root("storage-format-backing-missing",
           {"web01": [("file", "disk", f"{IMG}/web01-overlay.qcow2", "qcow2")]},
           {f"{IMG}/web01-overlay.qcow2": (qcow2(20 * GiB, backing=f"{IMG}/base/rhel9-base.qcow2"), 2 * GiB, 2 * GiB)},
           {IMG: (200 * GiB, 130 * GiB)})

image_root("storage-format-legacy",
           {"old01": [("file", "disk", f"{IMG}/old01.img", "qcow")]},
           {f"{IMG}/old01.img": (qcow1(8 * GiB), 3 * GiB, 3 * GiB)},
           {IMG: (200 * GiB, 130 * GiB)})

image_root("storage-format-aes",
           {"vault01": [("file", "disk", f"{IMG}/vault01.qcow2", "qcow2")]},
           {f"{IMG}/vault01.qcow2": (qcow2(10 * GiB, crypt=1), 10 * GiB, 10 * GiB)},
           {IMG: (200 * GiB, 130 * GiB)})

# ---------------------------------------------------------------- SELinux: file systems, block devices, rules
def selinux_on(r, booleans=None):
    w(r, "etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
    w(r, "sys/fs/selinux/enforce", "1")
    for name, value in (booleans or {}).items():
        w(r, f"sys/fs/selinux/booleans/{name}", f"{value} {value}")


image_root("storage-selinux-xattr-good",
           {"web01": [("file", "disk", f"{IMG}/web01.qcow2", "qcow2")]},
           {f"{IMG}/web01.qcow2": (qcow2(20 * GiB), 20 * GiB, 20 * GiB)},
           {IMG: (200 * GiB, 130 * GiB)})
selinux_on("storage-selinux-xattr-good", {"virt_use_nfs": 0})

image_root("storage-selinux-xattr-vfat",
           {"lab01": [("file", "disk", "/mnt/usb/lab01.qcow2", "qcow2")]},
           {"/mnt/usb/lab01.qcow2": (qcow2(16 * GiB), 3 * GiB, 3 * GiB)},
           {"/mnt/usb": (64 * GiB, 40 * GiB)})
selinux_on("storage-selinux-xattr-vfat")
w("storage-selinux-xattr-vfat", "proc/mounts", MOUNTS + "/dev/sdb1 /mnt/usb vfat rw,nosuid,nodev,relatime,uid=0,gid=0,fmask=0022,dmask=0022,codepage=437,iocharset=ascii,shortname=mixed,errors=remount-ro 0 0\n")

image_root("storage-selinux-xattr-nfs",
           {"web01": [("file", "disk", f"{IMG}/web01.qcow2", "qcow2")]},
           {f"{IMG}/web01.qcow2": (qcow2(20 * GiB), 20 * GiB, 20 * GiB)},
           {IMG: (2048 * GiB, 900 * GiB)})
selinux_on("storage-selinux-xattr-nfs", {"virt_use_nfs": 0, "virt_use_samba": 0})
w("storage-selinux-xattr-nfs", "proc/mounts", MOUNTS.replace(
    "/dev/mapper/vg_virt-images /var/lib/libvirt/images xfs rw,seclabel,relatime,attr2,inode64,noquota 0 0",
    "storage01.example.test:/exports/images /var/lib/libvirt/images nfs4 rw,relatime,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=192.0.2.21,local_lock=none,addr=192.0.2.5 0 0"))


def block_root(r, guests, devices, selinux=True):
    """guests: {name: [source dev]}; devices: {path: label or None}."""
    start(r)
    base_host(r)
    for name, sources in guests.items():
        w(r, f"etc/libvirt/qemu/{name}.xml", domain(name, [("block", "disk", s, "raw") for s in sources]))
    meta = "files:\n"
    for i, (path, label) in enumerate(devices.items()):
        meta += f'  {path}: {{ type: block, mode: "0660", uid: 0, gid: 6, major: 253, minor: {i + 2}'
        meta += f', selinux: "{label}" }}\n' if label else " }\n"
    w(r, ".meta.yaml", meta)
    if selinux:
        selinux_on(r)


block_root("storage-selinux-blockdev-good", {"web01": ["/dev/vg_guests/web01"]},
           {"/dev/vg_guests/web01": "system_u:object_r:fixed_disk_device_t:s0"})
block_root("storage-selinux-blockdev-mislabeled", {"web01": ["/dev/vg_guests/web01"], "db01": ["/dev/vg_guests/db01"]},
           {"/dev/vg_guests/web01": "system_u:object_r:fixed_disk_device_t:s0",
            "/dev/vg_guests/db01": "system_u:object_r:device_t:s0"})
block_root("storage-blockdev-persistent",
           {"web01": ["/dev/disk/by-id/wwn-0x600a0b800013275100000015427b625e"], "db01": ["/dev/mapper/oramp1"]},
           {"/dev/disk/by-id/wwn-0x600a0b800013275100000015427b625e": None, "/dev/mapper/oramp1": None}, selinux=False)
block_root("storage-blockdev-kernel-names", {"web01": ["/dev/mapper/oramp1"], "db01": ["/dev/sdc"]},
           {"/dev/mapper/oramp1": None, "/dev/sdc": None}, selinux=False)
r = "storage-blockdev-kernel-names"
sdc = "sys/devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sdc"
w(r, sdc + "/size", "209715200\n")
os.makedirs(os.path.join(BASE, r, "sys/block"), exist_ok=True)
os.symlink("../devices/platform/host3/session1/target3:0:0/3:0:0:1/block/sdc", os.path.join(BASE, r, "sys/block/sdc"))
w(r, "etc/udev/rules.d/20-names.rules", 'KERNEL=="sd*", SUBSYSTEM=="block", PROGRAM="/usr/lib/udev/scsi_id -g -u -d /dev/%k", RESULT=="3600a0b800013275100000015427b625e", SYMLINK+="oramp1"\n')

# ---------------------------------------------------------------- multipath
r = "storage-multipath-good"
start(r)
base_host(r)
w(r, "etc/multipath.conf", """defaults {
    user_friendly_names yes
    find_multipaths yes
}

blacklist {
    devnode "^(ram|raw|loop|fd|md|dm-|sr|scd|st)[0-9]*"
}

multipaths {
    multipath {
        wwid  3600a0b800013275100000015427b625e
        alias oramp1
    }
    multipath {
        wwid  3600a0b800013275100000015427b625f
        alias oramp2
    }
}
""")
w(r, "etc/multipath/wwids", "# Multipath wwids, Version : 1.0\n# NOTE: This file is automatically maintained by multipath and multipathd.\n"
  "/3600a0b800013275100000015427b625e/\n/3600a0b800013275100000015427b625f/\n")

r = "storage-multipath-seed-mistakes"
start(r)
base_host(r)
w(r, "etc/multipath.conf", """# Aliases for the Oracle LUNs, copied from the old runbook
defaults {
    user_friendly_names yes
}
multipaths {
    mulitpath {
        wwid  3600a0b80001327510000015427b625e
        alias oramp1
    }
    mulitpath {
        wwid  3600a0b80001327510000015427b6
        alias oramp2
    }
    multipath {
        wwid  3600a0b80001327510000015427b625e
        alias oramp3
    }
    multipath {
        wwid  3600a0b80001327510000015427b625e
        alias oramp4
    }
}
""")

# ---------------------------------------------------------------- NFS exports
for r, line in [("storage-nfs-export-good", "/var/lib/libvirt/images 192.0.2.0/24(rw,sync,root_squash,no_subtree_check)\n"),
                ("storage-nfs-export-risky", "/var/lib/libvirt/images *.example.test(rw,no_root_squash,async)\n")]:
    start(r)
    base_host(r)
    w(r, "etc/exports", "# /etc/exports: shared guest images for migration\n" + line)
    w(r, "etc/libvirt/qemu/web01.xml", domain("web01", [("file", "disk", f"{IMG}/web01.qcow2", "qcow2")]))
    w(r, f"{IMG}/web01.qcow2", qcow2(20 * GiB))

# ---------------------------------------------------------------- SELinux rules and booleans
r = "storage-selinux-label-scope-broad"
start(r)
base_host(r)
selinux_on(r)
w(r, "etc/selinux/targeted/contexts/files/file_contexts.local",
  "# This file is auto-generated by libsemanage\n# Do not edit directly.\n\n/home(/.*)?    system_u:object_r:virt_image_t:s0\n")

r = "storage-selinux-xend-disabled"
start(r)
base_host(r)
selinux_on(r, {"xend_disable_t": 1, "virt_use_nfs": 0})

r = "storage-selinux-permissive-domain"
start(r)
base_host(r)
selinux_on(r)
w(r, "var/lib/selinux/targeted/active/modules/400/permissive_svirt_t/cil", "(typepermissive svirt_t)\n")
w(r, "var/lib/selinux/targeted/active/modules/400/permissive_svirt_t/lang_ext", "cil\n")

# ---------------------------------------------------------------- legacy Xen guest configuration
r = "storage-xen-disk-lines"
start(r)
base_host(r)
w(r, "etc/xen/xend-config.sxp", "(xend-relocation-server no)\n")
w(r, "etc/xen/guest1", """# Xen configuration written by virt-install
name = "guest1"
memory = "1024"
disk = [ 'file:/xen/images/guest1.img,xvda,w',
         'phy:/dev/sdb,xvdb,w',
         'file:/xen/iso/rhel5.iso,hdc:cdrom,r' ]
vif = [ 'mac=00:16:3e:2a:91:0c, bridge=xenbr0' ]
""")
w(r, "xen/images/guest1.img", raw_head())
w(r, "xen/iso/rhel5.iso", iso_head())
w(r, ".meta.yaml", "files:\n  /xen/images/guest1.img: { size: 8589934592, allocated: 8589934592 }\n"
  "  /xen/iso/rhel5.iso: { size: 3221225472, allocated: 3221225472 }\n"
  '  /dev/sdb: { type: block, mode: "0660", uid: 0, gid: 6, major: 8, minor: 16 }\n')

if __name__ == "__main__":
    print("wrote", ", ".join(ROOTS))
