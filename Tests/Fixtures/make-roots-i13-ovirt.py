#!/usr/bin/env python3
"""Writes the fixture roots of the issue-13 oVirt/HOSTVM checks (group `ovirt`: ovirt.vdsm-configured,
ovirt.he-state) under Tests/Fixtures/roots/ (run from anywhere). All text is synthetic, written for these
tests after the formats vdsm and ovirt-hosted-engine-ha write; the generated files are committed and CI does
not run this script. Every root's name starts with `ov-`; the script rewrites only those.

Roots:
  ov-vdsm-configured        oVirt Node 4.5.5, vdsm 4.50.5.1: every section and revision current      -> pass
  ov-vdsm-unversioned       /etc/vdsm/vdsm.conf only (no package list, no vdsm.log), markers present   -> pass
  ov-vdsm-libvirt-missing   qemu.conf replaced by the package's (no vdsm section), sanlock.conf bare  -> fail
  ov-vdsm-stale             vdsm 4.50.5.1 with the files of a 4.30 host (section 4.30.0, multipath 2.0,
                            lvmlocal revision 4)                                                     -> fail
  ov-vdsm-private-old       multipath.conf marked "# VDSM PRIVATE" at revision 1.9, the rest current  -> warn
  ov-he-healthy             bundle recording of `hosted-engine --vm-status --json`: two live hosts,
                            the engine VM up on host 1, agent log at 3400                            -> pass
  ov-he-stale               sos plain --vm-status: host 2 "unknown stale-data"                       -> warn
  ov-he-penalized           agent log: score 1800 after network and free-memory penalties            -> warn
  ov-he-local-maintenance   agent log: LocalMaintenance (score 0)                                    -> warn
  ov-he-engine-down         sos --vm-status --json: the engine VM down on both hosts, no maintenance -> fail
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BASE, w  # noqa: E402

HOST = "virt-host1.example.test"
HOST_UUID = "4c4c4544-0042-3610-8052-b4c04f4e3732"
ROOTS = []


def wr(root, path, text):
    if root not in ROOTS:
        ROOTS.append(root)
    w(root, path, text)


def os_release(name="oVirt Node", version="4.5.5", variant_id="ovirt-node"):
    return (f'NAME="{name}"\nVERSION="{version}"\nID="{variant_id}"\nID_LIKE="rhel fedora centos"\n'
            f'VERSION_ID="{version}"\nPLATFORM_ID="platform:el8"\nPRETTY_NAME="{name} {version}"\n'
            f'VARIANT="{name} {version}"\nVARIANT_ID="{variant_id}"\n')


def vdsm_log(version):
    return ("2026-05-20 06:01:19,870+0000 INFO  (MainThread) [vds] (PID: 3011) I am the actual vdsm "
            f"{version} {HOST} (4.18.0-526.el8.x86_64) (vdsmd:162)\n")


def node(r, vdsm="4.50.5.1-1.el8", osrel=True):
    wr(r, "etc/hostname", HOST + "\n")
    wr(r, "proc/sys/kernel/osrelease", "4.18.0-526.el8.x86_64\n")
    wr(r, "etc/vdsm/vdsm.conf", "[vars]\nssl = true\n\n[addresses]\nmanagement_port = 54321\n")
    if osrel:
        wr(r, "etc/os-release", os_release())
    if vdsm:
        wr(r, "var/log/vdsm/vdsm.log", vdsm_log(vdsm))


# --- ovirt.vdsm-configured -----------------------------------------------------------------------------
# The texts follow what vdsm writes: configfile.ConfigFile._writeEntries (sorted key=value lines between
# the section lines), mpathconf._CONF_DATA's first lines, static/usr/share/vdsm/lvmlocal.conf's header,
# sanlockconf.dump.

LIBVIRTD_STOCK = ("# Master libvirt daemon configuration file\n#\n#listen_tls = 0\n#listen_tcp = 1\n"
                  "#unix_sock_group = \"libvirt\"\n#auth_unix_rw = \"polkit\"\n#log_level = 3\n")
QEMU_STOCK = ("# Master configuration file for the QEMU driver.\n#\n#vnc_listen = \"0.0.0.0\"\n#spice_tls = 1\n"
              "#user = \"qemu\"\n#group = \"qemu\"\n#dynamic_ownership = 1\n#lock_manager = \"lockd\"\n")
QEMU_SANLOCK_STOCK = "# The sanlock lock manager plugin\n#\n#auto_disk_leases = 1\n#require_lease_for_disks = 1\n"
SYSCONFIG_STOCK = "# Override the default config file\n#LIBVIRTD_CONFIG=/etc/libvirt/libvirtd.conf\n"


def section(version, entries):
    body = "".join(f"{k}={v}\n" for k, v in sorted(entries.items()))
    return (f"## beginning of configuration section by vdsm-{version}\n{body}"
            f"## end of configuration section by vdsm-{version}\n")


LIBVIRTD_ENTRIES = {"auth_unix_rw": '"sasl"', "ca_file": '"/etc/pki/vdsm/certs/cacert.pem"',
                    "cert_file": '"/etc/pki/vdsm/certs/vdsmcert.pem"', "host_uuid": '"0b5d7c1e-2f4a-4e51-9c3b-7d2a1f6e8a90"',
                    "keepalive_interval": "-1", "key_file": '"/etc/pki/vdsm/keys/vdsmkey.pem"'}
QEMU_ENTRIES = {"dynamic_ownership": "1", "group": '"qemu"', "lock_manager": '"sanlock"', "max_core": '"unlimited"',
                "migrate_tls_x509_cert_dir": '"/etc/pki/vdsm/libvirt-migrate"', "remote_display_port_max": "6923",
                "remote_display_port_min": "5900", "save_image_format": '"raw"', "spice_tls": "1",
                "spice_tls_x509_cert_dir": '"/etc/pki/vdsm/libvirt-spice"', "user": '"qemu"'}
QEMU_SANLOCK_ENTRIES = {"auto_disk_leases": "0", "require_lease_for_disks": "0"}
SYSCONFIG_ENTRIES = {"DAEMON_COREFILE_LIMIT": "unlimited", "LIBVIRTD_ARGS": ""}


def multipath(tag, private=False):
    second = "# VDSM PRIVATE\n" if private else "\n"
    return (f"{tag}\n{second}# This file is managed by vdsm.\n#\n# The recommended way to add configuration for your storage is to add a\n"
            "# drop-in configuration file in \"/etc/multipath/conf.d/<mydevice>.conf\".\n\n"
            "defaults {\n    polling_interval            5\n    no_path_retry               16\n"
            "    user_friendly_names         no\n    flush_on_last_del           yes\n    fast_io_fail_tmo            5\n"
            "    dev_loss_tmo                30\n    max_fds                     4096\n}\n\n"
            "blacklist {\n        protocol \"(scsi:adt|scsi:sbp)\"\n}\n\noverrides {\n      no_path_retry            16\n}\n")


def lvmlocal(revision, private="NO"):
    return ("# Vdsm local lvm configuration.\n#\n# Options:\n#   revision    used by vdsm during upgrade to determine file revision\n"
            "#   private     if set to YES, vdsm will never upgrade this file\n#\n"
            f"#REVISION: {revision}\n#PRIVATE: {private}\n\ndevices {{\n    hints = \"none\"\n    scan_lvs = 0\n}}\n")


LVM_STOCK = ("# This is a local configuration file template.\n#\n# Refer to 'man lvm.conf' for information about the file layout.\n\n"
             "local {\n\t# system_id = \"\"\n\t# host_id = 0\n}\n")


def sanlock(workers=True):
    return f"# Configuration for vdsm\nour_host_name = {HOST_UUID}\n" + ("max_worker_threads = 50\n" if workers else "")


def vdsm_files(r, version="4.40.0", mp="# VDSM REVISION 2.2", mp_private=False, lvm=7, qemu=True, workers=True):
    wr(r, "etc/libvirt/libvirtd.conf", LIBVIRTD_STOCK + section(version, LIBVIRTD_ENTRIES))
    wr(r, "etc/libvirt/qemu.conf", QEMU_STOCK + (section(version, QEMU_ENTRIES) if qemu else ""))
    wr(r, "etc/libvirt/qemu-sanlock.conf", QEMU_SANLOCK_STOCK + section(version, QEMU_SANLOCK_ENTRIES))
    wr(r, "etc/sysconfig/libvirtd", SYSCONFIG_STOCK + section(version, SYSCONFIG_ENTRIES))
    wr(r, "etc/multipath.conf", multipath(mp, mp_private))
    wr(r, "etc/lvm/lvmlocal.conf", lvmlocal(lvm) if lvm is not None else LVM_STOCK)
    wr(r, "etc/sanlock/sanlock.conf", sanlock(workers))


def vdsm_roots():
    r = "ov-vdsm-configured"
    node(r)
    vdsm_files(r)

    r = "ov-vdsm-unversioned"
    node(r, vdsm=None, osrel=False)
    vdsm_files(r)

    r = "ov-vdsm-libvirt-missing"
    node(r)
    vdsm_files(r, qemu=False, workers=False)

    r = "ov-vdsm-stale"
    node(r)
    vdsm_files(r, version="4.30.0", mp="# VDSM REVISION 2.0", lvm=4)

    r = "ov-vdsm-private-old"
    node(r)
    vdsm_files(r, mp="# VDSM REVISION 1.9", mp_private=True)


# --- ovirt.he-state ------------------------------------------------------------------------------------
# Formats: ovirt-hosted-engine-setup vm_status.py (plain rows "{key:35}: {value}", JSON with engine-status
# decoded), ovirt-hosted-engine-ha agent.log lines (hosted_engine.py, states.py).

HE_CONF = "fqdn=engine.example.test\nvm_disk_id=0b1c2d3e-0000-4000-8000-000000000001\ndomainType=nfs\nhost_id=1\ngateway=192.0.2.1\nnetwork_test=ping\n"
HOSTS = {1: "virt-host1.example.test", 2: "virt-host2.example.test"}


def extra(host_id, score, state, ts):
    return (f"metadata_parse_version=1\nmetadata_feature_version=1\ntimestamp={ts}\nhost-id={host_id}\nscore={score}\n"
            f"vm_conf_refresh_time={ts}\nconf_on_shared_storage=True\nmaintenance=False\nstate={state}\nstopped=False\n")


def host_stats(host_id, score=3400, vm="up", health="good", detail="Up", state="EngineUp", live=True, maint=False, ts=8812345):
    return {"conf_on_shared_storage": True, "live-data": live, "extra": extra(host_id, score, state, ts), "hostname": HOSTS[host_id],
            "host-id": host_id, "engine-status": {"vm": vm, "health": health, "detail": detail, **({"reason": "vm not running on this host"} if vm != "up" else {})},
            "score": score, "stopped": False, "maintenance": maint, "crc32": f"{0x5a7b9c10 + host_id:08x}", "local_conf_timestamp": ts, "host-ts": ts}


def vm_status_json(hosts, global_maintenance=False):
    data = {str(h["host-id"]): h for h in hosts}
    data["global_maintenance"] = global_maintenance
    return json.dumps(data) + "\n"


def vm_status_plain(hosts):
    out = []
    for h in hosts:
        out.append(f"\n\n--== Host {h['hostname']} (id: {h['host-id']}) status ==--\n")
        order = [("Host ID", h["host-id"]), ("Host timestamp", h["host-ts"]), ("Score", h["score"])]
        status = json.dumps({k: v for k, v in h["engine-status"].items()})
        order.append(("Engine status", status if h["live-data"] else "unknown stale-data"))
        order += [("Hostname", h["hostname"]), ("Local maintenance", h["maintenance"]), ("stopped", h["stopped"]),
                  ("crc32", h["crc32"]), ("conf_on_shared_storage", h["conf_on_shared_storage"]),
                  ("local_conf_timestamp", h["local_conf_timestamp"]), ("Status up-to-date", h["live-data"])]
        out += [f"{k:35}: {v}" for k, v in order]
        out.append(f"{'Extra metadata (valid at timestamp)':35}:")
        out += ["\t" + line for line in h["extra"].splitlines()]
    return "\n".join(out) + "\n"


def agent(time, where, text, level="INFO"):
    return f"MainThread::{level}::2026-05-{time},123::{where}::(_monitoring_loop) {text}" if where.startswith("hosted_engine") else \
        f"MainThread::{level}::2026-05-{time},123::{where}::(score) {text}"


LOOP = "hosted_engine::534::ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine"
STATES = "states::132::ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine"


def he_node(r):
    node(r)
    wr(r, "etc/ovirt-hosted-engine/hosted-engine.conf", HE_CONF)


def he_roots():
    r = "ov-he-healthy"
    he_node(r)
    wr(r, "hosted-engine-vm-status.json", vm_status_json([host_stats(1), host_stats(2, vm="down", detail="unknown", state="EngineDown")]))
    wr(r, "var/log/ovirt-hosted-engine-ha/agent.log", "\n".join([
        agent("31 23:59:40", LOOP, "Current state EngineUp (score: 3400)"),
        agent("31 23:59:40", LOOP, "Best remote host virt-host2.example.test (id: 2, score: 3400)"),
        agent("31 23:59:50", LOOP, "Current state EngineUp (score: 3400)")]) + "\n")

    r = "ov-he-stale"
    he_node(r)
    wr(r, "sos_commands/ovirt_hosted_engine/hosted-engine_--vm-status",
       vm_status_plain([host_stats(1), host_stats(2, vm="unknown", health="unknown", detail="unknown", state="EngineDown", live=False, ts=8790001)]))

    r = "ov-he-penalized"
    he_node(r)
    wr(r, "var/log/ovirt-hosted-engine-ha/agent.log", "\n".join([
        agent("31 10:00:00", LOOP, "Current state EngineDown (score: 3400)"),
        agent("31 10:00:10", STATES, "Penalizing score by 1600 due to network status"),
        agent("31 10:00:10", STATES, "Penalizing score by 400 due to free memory 3788MB (+ 16384MB allowed for the VM)"),
        agent("31 10:00:10", LOOP, "Current state EngineDown (score: 1400)"),
        agent("31 10:00:20", LOOP, "Current state EngineDown (score: 1400)"),
        agent("31 10:01:10", STATES, "Penalizing score by 1600 due to network status"),
        agent("31 10:01:10", LOOP, "Current state EngineDown (score: 1800)"),
        agent("31 10:01:20", LOOP, "Best remote host virt-host2.example.test (id: 2, score: 3400)"),
        agent("31 10:01:20", LOOP, "Current state EngineDown (score: 1800)")]) + "\n")

    r = "ov-he-local-maintenance"
    he_node(r)
    wr(r, "var/log/ovirt-hosted-engine-ha/agent.log", "\n".join([
        agent("31 09:00:00", LOOP, "Current state EngineDown (score: 3400)"),
        agent("31 09:05:00", STATES, "Score is 0 due to local maintenance mode"),
        agent("31 09:05:00", LOOP, "Current state LocalMaintenance (score: 0)"),
        agent("31 09:05:10", LOOP, "Current state LocalMaintenance (score: 0)")]) + "\n")

    r = "ov-he-engine-down"
    he_node(r)
    wr(r, "sos_commands/ovirt_hosted_engine/hosted-engine_--vm-status_--json",
       vm_status_json([host_stats(1, vm="down_unexpected", health="bad", detail="Down", state="EngineUnexpectedlyDown", score=0),
                       host_stats(2, vm="down", health="bad", detail="unknown", state="EngineDown")]))


def main():
    for root in os.listdir(BASE):
        if root.startswith("ov-"):
            shutil.rmtree(os.path.join(BASE, root))
    vdsm_roots()
    he_roots()


if __name__ == "__main__":
    main()
