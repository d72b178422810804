#!/usr/bin/env python3
"""Writes the fixture roots of the oVirt/HOSTVM operational checks (issue 12, group ovirt) under
Tests/Fixtures/roots/ (run from anywhere). All text is synthetic, written for these tests; the
certificates are throwaway test certificates with fixed dates, judged at --now 2026-06-01T00:00:00Z.
Needs the `cryptography` package. The generated files are committed; CI does not run this script.

Roots (every name starts with `ovirt-`, none with the prefixes make-certificate-roots.py removes):
  ovirt-libvirtd-clean            messages with ordinary libvirtd starts                  -> pass
  ovirt-libvirtd-cert-expired     bundle journal excerpt: vdsmcert expired, start failed  -> fail
  ovirt-libvirtd-cert-expired-sos sos unit journal of libvirtd with the same failure      -> fail
  ovirt-libvirtd-cert-logged      libvirtd.log says expired, nothing about the start      -> fail
  ovirt-libvirtd-recovered        failure, then a start after the renewal                 -> pass
  ovirt-libvirtd-vnc-only         qemu-kvm's VNC certificate error only (not libvirtd)    -> pass
  ovirt-libvirtd-failed-other     libvirtd failed to start for another reason             -> warn
  ovirt-backups-none              a node without backup copies                            -> pass
  ovirt-backups-private           dated VNC backups (key 0600), a .bak and a key by content -> pass
  ovirt-backups-world-readable    the VNC key backup made with plain cp (0644)             -> warn
  ovirt-backups-group-readable    a client key backup readable by group 1000               -> warn
  ovirt-version-node-45           oVirt Node 4.5.5 image, vdsm 4.50 in vdsm.log           -> pass (4.5 rules)
  ovirt-version-hostvm-44         a HOSTVM 4.4 node (synthetic branding)                   -> pass (VNC rule)
  ovirt-version-engine-44         engine with a sos rpm list: ovirt-engine 4.4.10          -> pass (398 days)
  ovirt-version-vdsm-log-43       only vdsm.log, vdsm 4.30                                 -> pass (398 days)
  ovirt-version-mixed             oVirt Node 4.4.10 image, but vdsm 4.50 in vdsm.log        -> warn
  ovirt-version-unknown           oVirt Node image of a version without numbers            -> pass (unknown)
  ovirt-he-global-status          sos `hosted-engine --vm-status` with the banner           -> warn
  ovirt-he-global-agent-log       HA agent log ending in GlobalMaintenance                  -> warn
  ovirt-he-engine-up              HA agent log ending in EngineUp                           -> pass
  ovirt-he-status-off             sos `hosted-engine --vm-status` without the banner         -> pass
  ovirt-he-status-junk            a vm-status file holding something else                   -> error
  ovirt-he-no-status              hosted-engine.conf, but no vm-status output nor agent log  -> skip
  ovirt-pm-recent                 VDSM pair renewed on 2026-05-30, dated backups           -> warn
"""
import datetime
import os
import shutil

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

BASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "roots")
UTC = datetime.timezone.utc
HOST = "virt-host1.example.test"
ROOTS = []


def w(root, path, text):
    if root not in ROOTS:
        ROOTS.append(root)
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb" if isinstance(text, bytes) else "w") as f:
        f.write(text)


def day(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def name(cn, org="example.test"):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


CA_KEY = ec.generate_private_key(ec.SECP256R1())
CA_NAME = name("engine.example.test.24680")


def certificate(start, end, key, cn=HOST, ca=False):
    builder = (x509.CertificateBuilder().subject_name(CA_NAME if ca else name(cn)).issuer_name(CA_NAME)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(day(start)).not_valid_after(day(end)))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
    builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    return builder.sign(CA_KEY, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


CA_PEM = certificate("2021-01-01", "2036-01-01", CA_KEY, ca=True)


def node(root, start="2025-03-01", end="2030-03-01"):
    """An oVirt node: host name, vdsm.conf, the engine CA and one VDSM pair copied to SPICE and the client."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate(start, end, key)
    w(root, "etc/hostname", HOST + "\n")
    w(root, "etc/vdsm/vdsm.conf", "[vars]\nssl = true\n\n[addresses]\nmanagement_port = 54321\n")
    w(root, "etc/pki/vdsm/certs/cacert.pem", CA_PEM)
    w(root, "etc/pki/vdsm/certs/vdsmcert.pem", cert)
    w(root, "etc/pki/vdsm/keys/vdsmkey.pem", key_pem(key))
    w(root, "etc/pki/vdsm/libvirt-spice/server-cert.pem", cert)
    w(root, "etc/pki/vdsm/libvirt-spice/server-key.pem", key_pem(key))
    w(root, "etc/pki/libvirt/clientcert.pem", cert)
    w(root, "etc/pki/libvirt/private/clientkey.pem", key_pem(key))
    return cert, key


# --- ovirt.libvirtd-cert-failure -------------------------------------------------------------------

def iso(t):
    return f"2026-05-{t}+0000 virt-host1.example.test"


STARTED_OK = [
    f"{iso('20T06:01:10')} systemd[1]: Starting Virtualization daemon...",
    f"{iso('20T06:01:11')} libvirtd[1987]: libvirt version: 8.0.0, package: 22.module_el8 (builder@example.test, 2023-01-01-00:00:00, )",
    f"{iso('20T06:01:11')} systemd[1]: Started Virtualization daemon.",
    f"{iso('20T06:01:15')} systemd[1]: Starting Virtual Desktop Server Manager...",
    f"{iso('20T06:01:19')} systemd[1]: Started Virtual Desktop Server Manager.",
]
EXPIRED_START = [
    f"{iso('31T08:14:02')} systemd[1]: Starting Virtualization daemon...",
    f"{iso('31T08:14:02')} libvirtd[2101]: libvirt version: 8.0.0, package: 22.module_el8 (builder@example.test, 2023-01-01-00:00:00, )",
    f"{iso('31T08:14:02')} libvirtd[2101]: The server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired",
    f"{iso('31T08:14:02')} systemd[1]: libvirtd.service: Main process exited, code=exited, status=6/NOTCONFIGURED",
    f"{iso('31T08:14:02')} systemd[1]: libvirtd.service: Failed with result 'exit-code'.",
    f"{iso('31T08:14:02')} systemd[1]: Failed to start Virtualization daemon.",
    f"{iso('31T08:14:03')} systemd[1]: Dependency failed for Virtual Desktop Server Manager.",
    f"{iso('31T08:14:03')} systemd[1]: vdsmd.service: Job vdsmd.service/start failed with result 'dependency'.",
]


def libvirtd_roots():
    r = "ovirt-libvirtd-clean"
    node(r)
    w(r, "var/log/messages", "\n".join(l.replace("+0000 ", " ") for l in STARTED_OK) + "\n")

    # Bundle: collect's journal excerpt (journalctl -o short-iso -u libvirtd -u vdsmd ...).
    r = "ovirt-libvirtd-cert-expired"
    node(r, "2025-04-28", "2026-05-31")
    w(r, "var/log/journal-excerpt.txt", "\n".join(STARTED_OK + EXPIRED_START) + "\n")

    # sos report: the libvirt plugin's unit journal (journalctl --no-pager --unit libvirtd), default format.
    r = "ovirt-libvirtd-cert-expired-sos"
    node(r, "2025-04-28", "2026-05-31")
    w(r, "sos_commands/libvirt/journalctl_--no-pager_--unit_libvirtd",
      "-- Logs begin at Wed 2026-05-20 06:00:58 UTC, end at Sun 2026-05-31 08:20:00 UTC. --\n"
      "May 31 08:14:02 virt-host1.example.test systemd[1]: Starting Virtualization daemon...\n"
      "May 31 08:14:02 virt-host1.example.test libvirtd[2101]: The server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired\n"
      "May 31 08:14:02 virt-host1.example.test systemd[1]: libvirtd.service: Main process exited, code=exited, status=6/NOTCONFIGURED\n"
      "May 31 08:14:02 virt-host1.example.test systemd[1]: Failed to start Virtualization daemon.\n"
      "May 31 08:14:12 virt-host1.example.test systemd[1]: libvirtd.service: Service RestartSec=10s expired, scheduling restart.\n"
      "May 31 08:14:12 virt-host1.example.test systemd[1]: Starting Virtualization daemon...\n"
      "May 31 08:14:12 virt-host1.example.test libvirtd[2133]: The server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired\n"
      "May 31 08:14:12 virt-host1.example.test systemd[1]: Failed to start Virtualization daemon.\n")

    # Only libvirtd's own log file, which never mentions systemd.
    r = "ovirt-libvirtd-cert-logged"
    node(r, "2025-04-28", "2026-05-31")
    w(r, "var/log/libvirt/libvirtd.log",
      "2026-05-31 08:14:02.118+0000: 2101: info : libvirt version: 8.0.0, package: 22.module_el8\n"
      "2026-05-31 08:14:02.118+0000: 2101: info : hostname: virt-host1.example.test\n"
      "2026-05-31 08:14:02.131+0000: 2101: error : virNetTLSContextCheckCertTimes:142 : The server certificate /etc/pki/vdsm/certs/vdsmcert.pem has expired\n")

    # Failed on the 31st; renewed by hand and started again on the 31st in the afternoon.
    r = "ovirt-libvirtd-recovered"
    node(r, "2026-05-30", "2027-05-30")
    w(r, "var/log/messages", "\n".join(l.replace("+0000 ", " ") for l in EXPIRED_START + [
        f"{iso('31T15:40:00')} systemd[1]: Starting Virtualization daemon...",
        f"{iso('31T15:40:01')} systemd[1]: Started Virtualization daemon.",
        f"{iso('31T15:40:05')} systemd[1]: Started Virtual Desktop Server Manager.",
    ]) + "\n")

    # QEMU's console certificate expired (a VM failed to start); libvirtd itself is fine.
    r = "ovirt-libvirtd-vnc-only"
    node(r)
    w(r, "var/log/messages", "\n".join(l.replace("+0000 ", " ") for l in STARTED_OK + [
        f"{iso('31T04:35:56')} vdsm[3011]: WARN VM example.com is down with error. Exit message: internal error: process exited "
        "while connecting to monitor: 2026-05-31T04:35:55.651530Z qemu-kvm:  The server certificate "
        "/etc/pki/vdsm/libvirt-vnc/server-cert.pem has expired.",
    ]) + "\n")

    # libvirtd refused to start over a broken configuration file.
    r = "ovirt-libvirtd-failed-other"
    node(r)
    w(r, "var/log/journal-excerpt.txt", "\n".join(STARTED_OK + [
        f"{iso('31T09:00:00')} systemd[1]: Starting Virtualization daemon...",
        f"{iso('31T09:00:00')} libvirtd[2200]: configuration file syntax error: /etc/libvirt/libvirtd.conf:12: expecting a value",
        f"{iso('31T09:00:00')} systemd[1]: libvirtd.service: Main process exited, code=exited, status=6/NOTCONFIGURED",
        f"{iso('31T09:00:00')} systemd[1]: Failed to start Virtualization daemon.",
    ]) + "\n")


# --- cert.backup-files ------------------------------------------------------------------------------

def vnc_backups(root, key_mode):
    """A HOSTVM node after the VNC renewal of 2025-09-05: copies of the old VNC pair beside the new one."""
    cert, key = node(root)
    old_key = ec.generate_private_key(ec.SECP256R1())
    old = certificate("2024-08-01", "2025-09-03", old_key)
    w(root, "etc/pki/vdsm/libvirt-vnc/server-cert.pem", cert)
    w(root, "etc/pki/vdsm/libvirt-vnc/server-key.pem", key_pem(key))
    w(root, "etc/pki/vdsm/libvirt-vnc/server-cert.pem.backup.20250905", old)
    w(root, "etc/pki/vdsm/libvirt-vnc/server-key.pem.backup.20250905", key_pem(old_key))
    return (f"  /etc/pki/vdsm/libvirt-vnc/server-key.pem.backup.20250905: {{ mode: \"{key_mode}\", uid: 0, gid: 0 }}\n"
            "  /etc/pki/vdsm/libvirt-vnc/server-key.pem: { mode: \"0440\", uid: 36, gid: 36 }\n"
            "  /etc/pki/vdsm/keys/vdsmkey.pem: { mode: \"0440\", uid: 36, gid: 36 }\n")


def backup_roots():
    r = "ovirt-backups-none"
    node(r)

    r = "ovirt-backups-private"
    meta = vnc_backups(r, "0600")
    w(r, "etc/pki/vdsm/certs/vdsmcert.pem.bak", certificate("2024-08-01", "2025-09-03", ec.generate_private_key(ec.SECP256R1())))
    # Named like a certificate, holds a key: found by its content.
    w(r, "etc/pki/vdsm/certs/vdsm-copy.pem.old", key_pem(ec.generate_private_key(ec.SECP256R1())))
    meta += "  /etc/pki/vdsm/certs/vdsm-copy.pem.old: { mode: \"0400\", uid: 0, gid: 0 }\n"
    w(r, ".meta.yaml", "# Modes and owners git cannot hold.\nfiles:\n" + meta)

    r = "ovirt-backups-world-readable"
    w(r, ".meta.yaml", "# Modes and owners git cannot hold.\nfiles:\n" + vnc_backups(r, "0644"))

    r = "ovirt-backups-group-readable"
    node(r)
    w(r, "etc/pki/libvirt/private/clientkey.pem.bak", key_pem(ec.generate_private_key(ec.SECP256R1())))
    w(r, ".meta.yaml", "# Modes and owners git cannot hold.\nfiles:\n"
      "  /etc/pki/libvirt/private/clientkey.pem.bak: { mode: \"0640\", uid: 1000, gid: 1000 }\n")


# --- ovirt.version-inventory -------------------------------------------------------------------------

def os_release(name, version, variant_id="ovirt-node"):
    return (f'NAME="{name}"\nVERSION="{version}"\nID="{variant_id}"\nID_LIKE="rhel fedora centos"\n'
            f'VERSION_ID="{version}"\nPLATFORM_ID="platform:el8"\nPRETTY_NAME="{name} {version}"\n'
            f'VARIANT="{name} {version}"\nVARIANT_ID="{variant_id}"\n')


def vdsm_log(version, kernel="4.18.0-448.el8.x86_64"):
    return ("2026-05-20 06:01:19,870+0000 INFO  (MainThread) [vds] (PID: 3011) I am the actual vdsm "
            f"{version} virt-host1.example.test ({kernel}) (vdsmd:162)\n"
            "2026-05-20 06:01:19,871+0000 INFO  (MainThread) [vds] VDSM will run with cpu affinity: frozenset({1}) (vdsmd:174)\n")


def version_roots():
    r = "ovirt-version-node-45"
    node(r)
    w(r, "etc/os-release", os_release("oVirt Node", "4.5.5"))
    w(r, "var/log/vdsm/vdsm.log", vdsm_log("4.50.5.1-1.el8"))

    r = "ovirt-version-hostvm-44"
    node(r)
    w(r, "etc/os-release", os_release("HOSTVM Node", "4.4.9", "hostvm-node"))
    w(r, "var/log/vdsm/vdsm.log", vdsm_log("4.40.100.2-1.el8"))

    r = "ovirt-version-engine-44"
    w(r, "etc/hostname", "engine.example.test\n")
    w(r, "etc/os-release", 'NAME="CentOS Stream"\nVERSION="8"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="8"\nPRETTY_NAME="CentOS Stream 8"\n')
    w(r, "etc/ovirt-engine/engine.conf.d/10-setup-protocols.conf", "ENGINE_PROXY_ENABLED=false\n")
    w(r, "installed-rpms",
      "ovirt-engine-4.4.10.7-1.el8.noarch                          Tue 15 Mar 2022 10:02:11 AM UTC\n"
      "ovirt-engine-setup-4.4.10.7-1.el8.noarch                    Tue 15 Mar 2022 10:02:09 AM UTC\n"
      "ovirt-engine-backend-4.4.10.7-1.el8.noarch                  Tue 15 Mar 2022 10:02:05 AM UTC\n"
      "postgresql-server-12.9-1.module_el8.5.0+1064+5e4d7b81.x86_64 Tue 15 Mar 2022 09:58:40 AM UTC\n"
      "openssl-1.1.1k-6.el8.x86_64                                 Tue 15 Mar 2022 09:50:00 AM UTC\n")

    r = "ovirt-version-vdsm-log-43"
    node(r)
    w(r, "etc/os-release", 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n')
    w(r, "var/log/vdsm/vdsm.log", vdsm_log("4.30.46-1.el7", "3.10.0-1160.el7.x86_64"))

    r = "ovirt-version-mixed"
    node(r)
    w(r, "etc/os-release", os_release("oVirt Node", "4.4.10"))
    w(r, "var/log/vdsm/vdsm.log", vdsm_log("4.50.3.4-1.el8"))

    r = "ovirt-version-unknown"
    node(r)
    w(r, "etc/os-release", os_release("oVirt Node", "master"))


# --- ovirt.he-global-maintenance ---------------------------------------------------------------------

HE_CONF = "fqdn=engine.example.test\nvm_disk_id=0b1c2d3e-0000-4000-8000-000000000001\ndomainType=nfs\nhost_id=1\n"


def vm_status(state, banner):
    text = ("\n\n--== Host virt-host1.example.test (id: 1) status ==--\n\n"
            "Host ID                            : 1\n"
            "Host timestamp                     : 8812345\n"
            "Score                              : 3400\n"
            'Engine status                      : {"vm": "up", "health": "good", "detail": "Up"}\n'
            "Hostname                           : virt-host1.example.test\n"
            "Local maintenance                  : False\n"
            "stopped                            : False\n"
            "crc32                              : 5a7b9c1d\n"
            "conf_on_shared_storage             : True\n"
            "local_conf_timestamp               : 8812345\n"
            "Status up-to-date                  : True\n"
            "Extra metadata (valid at timestamp):\n"
            "\tmetadata_parse_version=1\n\tmetadata_feature_version=1\n\ttimestamp=8812345\n"
            f"\thost-id=1\n\tscore=3400\n\tvm_conf_refresh_time=8812345\n\tconf_on_shared_storage=True\n"
            f"\tmaintenance=False\n\tstate={state}\n\tstopped=False\n")
    return text + ("\n\n!! Cluster is in GLOBAL MAINTENANCE mode !!\n\n" if banner else "")


def agent_line(time, text):
    return (f"MainThread::INFO::2026-05-{time},123::hosted_engine::534::ovirt_hosted_engine_ha.agent.hosted_engine."
            f"HostedEngine::(_monitoring_loop) {text}")


def he_roots():
    r = "ovirt-he-global-status"
    node(r)
    w(r, "etc/ovirt-hosted-engine/hosted-engine.conf", HE_CONF)
    w(r, "sos_commands/ovirt_hosted_engine/hosted-engine_--vm-status", vm_status("GlobalMaintenance", True))

    r = "ovirt-he-status-off"
    node(r)
    w(r, "etc/ovirt-hosted-engine/hosted-engine.conf", HE_CONF)
    w(r, "sos_commands/ovirt_hosted_engine/hosted-engine_--vm-status", vm_status("EngineUp", False))

    r = "ovirt-he-status-junk"
    node(r)
    w(r, "etc/ovirt-hosted-engine/hosted-engine.conf", HE_CONF)
    w(r, "sos_commands/ovirt_hosted_engine/hosted-engine_--vm-status",
      "\x1b[31mThe hosted engine configuration has not been retrieved from shared storage.\x1b[0m\n%%%% ::::\n")

    r = "ovirt-he-no-status"
    node(r)
    w(r, "etc/ovirt-hosted-engine/hosted-engine.conf", HE_CONF)

    before = [agent_line("27 22:00:01", "Current state EngineUp (score: 3400)"),
              agent_line("27 22:00:01", "Best remote host virt-host2.example.test (id: 2, score: 3400)"),
              agent_line("28 09:12:30", "Current state EngineUp (score: 3400)")]
    r = "ovirt-he-global-agent-log"
    node(r)
    w(r, "etc/ovirt-hosted-engine/hosted-engine.conf", HE_CONF)
    w(r, "var/log/ovirt-hosted-engine-ha/agent.log", "\n".join(before + [
        agent_line("28 09:12:40", "Current state GlobalMaintenance (score: 3400)"),
        agent_line("28 09:12:50", "Current state GlobalMaintenance (score: 3400)"),
        agent_line("31 23:59:50", "Current state GlobalMaintenance (score: 3400)"),
    ]) + "\n")

    r = "ovirt-he-engine-up"
    node(r)
    w(r, "etc/ovirt-hosted-engine/hosted-engine.conf", HE_CONF)
    w(r, "var/log/ovirt-hosted-engine-ha/agent.log", "\n".join(before + [
        agent_line("28 09:12:40", "Current state GlobalMaintenance (score: 3400)"),
        agent_line("28 10:40:00", "Current state EngineUp (score: 3400)"),
    ]) + "\n")


# --- ovirt.power-management --------------------------------------------------------------------------

def pm_roots():
    r = "ovirt-pm-recent"
    cert, key = node(r, "2026-05-30", "2027-05-30")
    old_key = ec.generate_private_key(ec.SECP256R1())
    w(r, "etc/pki/vdsm/certs/vdsmcert.pem.bak.20260530", certificate("2025-04-28", "2026-05-31", old_key))
    w(r, "etc/pki/libvirt/clientcert.pem.bak.20260530", certificate("2025-04-28", "2026-05-31", old_key))


def main():
    for root in os.listdir(BASE):
        if root.startswith(("ovirt-libvirtd-", "ovirt-backups-", "ovirt-version-", "ovirt-he-", "ovirt-pm-")):
            shutil.rmtree(os.path.join(BASE, root))
    libvirtd_roots()
    backup_roots()
    version_roots()
    he_roots()
    pm_roots()


if __name__ == "__main__":
    main()
