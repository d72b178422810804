#!/usr/bin/env python3
"""Writes the `remote-` fixture roots (issue 12: remote management, TLS, console exposure, host hardening)
under Tests/Fixtures/roots/. All text is synthetic and the keys are throwaway test keys made here; the
checks evaluate certificates at a fixed instant (--now 2026-06-01T00:00:00Z). The generated files are
committed; CI does not run this script. Needs the `cryptography` package. Run it from anywhere; it
rewrites every remote- root.

Roots:
  remote-hardened      TLS listener with a complete PKI (key 0600), no plain TCP, firewalld enabled with
                       the public zone, only needed services, no no_verify, root's .ssh 0700/0600, nc
                       installed, only system accounts, complete ~/.pki/libvirt-vnc client set
  remote-exposed       listen_tls and listen_tcp with auth_tcp "none" and --listen, CA file missing,
                       tls_no_verify_certificate and no_verify=1 URIs, no firewall, vsftpd/httpd/telnet
                       enabled, root's .ssh 0755/0644, no netcat or virt-ssh-helper, two login users,
                       an incomplete ~/.pki/libvirt-vnc
  remote-tls-expired   TLS socket unit enabled, server certificate expired on 2026-04-01
  remote-tls-open-key  TLS listener with a valid PKI whose private key is mode 0644
  remote-tcp-sasl      plain TCP on 0.0.0.0 with SASL; iptables rules saved but iptables.service not enabled
  remote-tcp-loopback  plain TCP bound to 127.0.0.1 only; nftables rules with policy drop, nftables enabled
  remote-ovirt-vdsm-tls oVirt node whose libvirtd.conf points at VDSM's certificate and key (vdsm:kvm 0440),
                       listen_tls through libvirtd-tls.socket, listen_tcp 0 with auth_tcp "sasl"
  remote-xen-vnc-good  Xen dom0 with (vnc-tls 1), (vnc-x509-verify 1) and a complete /etc/xen/vnc
  remote-xen-vnc-broken Xen dom0 with (vnc-tls 1) and no server key; (vnc-x509-verify 0)
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
ROOTS = ["remote-hardened", "remote-exposed", "remote-tls-expired", "remote-tls-open-key", "remote-tcp-sasl",
         "remote-tcp-loopback", "remote-ovirt-vdsm-tls", "remote-xen-vnc-good", "remote-xen-vnc-broken"]


def w(root, path, text):
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb" if isinstance(text, bytes) else "w") as f:
        f.write(text)


def link(root, path, target):
    p = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)


# ---------------------------------------------------------------- certificates
def day(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def name(cn, org="example.org"):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


def certificate(subject, issuer_name, public_key, signing_key, start, end, san=None, ca=False):
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(public_key)
               .serial_number(x509.random_serial_number()).not_valid_before(day(start)).not_valid_after(day(end)))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
    builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def pki(host, server_end="2029-04-01"):
    """A CA, a server certificate for `host` and a client certificate, all signed by the CA."""
    ca_key = new_key()
    ca = certificate(name("Example Virtualization CA"), name("Example Virtualization CA"), ca_key.public_key(), ca_key,
                     "2024-01-01", "2034-01-01", ca=True)
    server_key = new_key()
    server = certificate(name(host), ca.subject, server_key.public_key(), ca_key, "2025-04-01", server_end, san=[host])
    client_key = new_key()
    client = certificate(name("admin"), ca.subject, client_key.public_key(), ca_key, "2025-04-01", "2029-04-01")
    return ca, (server, server_key), (client, client_key)


# ---------------------------------------------------------------- host pieces
RHEL9 = 'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n'
TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
TCP6_HEADER = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
PASSWD_SYSTEM = """root:x:0:0:root:/root:/bin/bash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
qemu:x:107:107:qemu user:/:/sbin/nologin
sshd:x:74:74:Privilege-separated SSH:/usr/share/empty.sshd:/sbin/nologin
chrony:x:992:987:chrony system user:/var/lib/chrony:/sbin/nologin
nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin
"""
LOGIN_DEFS = "MAIL_DIR\t/var/spool/mail\nPASS_MAX_DAYS\t99999\nUID_MIN                  1000\nUID_MAX                 60000\nSYS_UID_MIN               201\n"
SSHD_CONFIG = "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin prohibit-password\nAuthorizedKeysFile\t.ssh/authorized_keys\nSubsystem\tsftp\t/usr/libexec/openssh/sftp-server\n"
AUTHORIZED = "# keys of the virtualization admins\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake admin@workstation.example.org\n"
LIBVIRTD_CONF_HEAD = "# Master libvirt daemon configuration file\n#\n#listen_tls = 0\n#listen_tcp = 1\n#tls_port = \"16514\"\n#auth_tcp = \"sasl\"\n"


def proc_tcp(listeners):
    """listeners: (ip, port) for IPv4; written in the kernel's little-endian hex."""
    lines = [TCP_HEADER]
    for i, (ip, port) in enumerate(listeners):
        a = "".join(f"{int(o):02X}" for o in reversed(ip.split(".")))
        lines.append(f"{i:4d}: {a}:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {21890 + i} 1 0000000000000000 100 0 0 10 0\n")
    # An established connection, which is not a listener.
    lines.append(f"{len(listeners):4d}: 0A00000A:0016 0B00000A:D431 01 00000000:00000000 02:0009F1C2 00000000     0        0 31337 4 0000000000000000 20 4 29 10 -1\n")
    return "".join(lines)


def proc_tcp6(ports):
    lines = [TCP6_HEADER]
    for i, port in enumerate(ports):
        lines.append(f"{i:4d}: 00000000000000000000000000000000:{port:04X} 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {22890 + i} 1 0000000000000000 100 0 0 10 0\n")
    return "".join(lines)


def host(r, hostname):
    w(r, "etc/hostname", hostname + "\n")
    w(r, "proc/sys/kernel/hostname", hostname + "\n")
    w(r, "etc/os-release", RHEL9)
    w(r, "etc/passwd", PASSWD_SYSTEM)
    w(r, "etc/login.defs", LOGIN_DEFS)
    w(r, "etc/ssh/sshd_config", SSHD_CONFIG)
    w(r, "usr/bin/ssh", "")


def enable(r, unit, target="multi-user.target"):
    link(r, f"etc/systemd/system/{target}.wants/{unit}", f"/usr/lib/systemd/system/{unit}")


def server_pki(r, hostname, server_end="2029-04-01"):
    ca, (server, server_key), (client, client_key) = pki(hostname, server_end)
    w(r, "etc/pki/CA/cacert.pem", pem(ca))
    w(r, "etc/pki/libvirt/servercert.pem", pem(server))
    w(r, "etc/pki/libvirt/private/serverkey.pem", key_pem(server_key))
    w(r, "etc/pki/libvirt/clientcert.pem", pem(client))
    w(r, "etc/pki/libvirt/private/clientkey.pem", key_pem(client_key))
    return ca, (client, client_key)


KEY_MODES = ('  /etc/pki/libvirt/private/serverkey.pem: { mode: "0600", uid: 0, gid: 0 }\n'
             '  /etc/pki/libvirt/private/clientkey.pem: { mode: "0600", uid: 0, gid: 0 }\n')
SSH_TIGHT = ('  /root/.ssh: { type: directory, mode: "0700", uid: 0, gid: 0 }\n'
             '  /root/.ssh/authorized_keys: { mode: "0600", uid: 0, gid: 0 }\n')


def main():
    for root in ROOTS:
        shutil.rmtree(os.path.join(BASE, root), ignore_errors=True)

    # ------------------------------------------------------------ remote-hardened
    r = "remote-hardened"
    host(r, "kvm1.example.org")
    ca, (client, client_key) = server_pki(r, "kvm1.example.org")
    w(r, "etc/libvirt/libvirtd.conf", LIBVIRTD_CONF_HEAD + 'listen_tcp = 0\nauth_tls = "none"\n'
      'ca_file = "/etc/pki/CA/cacert.pem"\ncert_file = "/etc/pki/libvirt/servercert.pem"\nkey_file = "/etc/pki/libvirt/private/serverkey.pem"\n')
    w(r, "etc/libvirt/libvirt.conf", '# uri_default = "qemu+tls://kvm2.example.org/system?no_verify=1"   (old test setting, kept for reference)\n'
      'uri_aliases = [\n  "kvm2=qemu+tls://kvm2.example.org/system",\n  "kvm3=qemu+ssh://root@kvm3.example.org/system",\n]\n')
    w(r, "etc/cron.d/vm-inventory", "SHELL=/bin/bash\n15 3 * * * root virsh -c qemu+tls://kvm2.example.org/system list --all > /var/log/kvm2-guests.txt\n")
    for unit in ["libvirtd.service", "firewalld.service", "chronyd.service", "sshd.service"]:
        enable(r, unit)
    for unit in ["libvirtd.socket", "libvirtd-ro.socket", "libvirtd-tls.socket"]:
        enable(r, unit, "sockets.target")
    link(r, "etc/systemd/system/libvirtd-tcp.socket", "/dev/null")
    for pid, comm in [(1, "systemd"), (702, "firewalld"), (811, "chronyd"), (930, "sshd"), (1204, "libvirtd")]:
        w(r, f"proc/{pid}/comm", comm + "\n")
    w(r, "proc/net/tcp", proc_tcp([("0.0.0.0", 22), ("0.0.0.0", 16514), ("127.0.0.1", 25)]))
    w(r, "proc/net/tcp6", proc_tcp6([22, 16514]))
    w(r, "etc/firewalld/firewalld.conf", "# firewalld config file\nDefaultZone=public\nCleanupOnExit=yes\nFirewallBackend=nftables\n")
    w(r, "etc/firewalld/zones/public.xml", '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n'
      '  <service name="ssh"/>\n  <service name="libvirt-tls"/>\n  <port port="49152-49215" protocol="tcp"/>\n</zone>\n')
    w(r, "usr/lib/firewalld/zones/public.xml", '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n</zone>\n')
    w(r, "root/.ssh/authorized_keys", AUTHORIZED)
    w(r, "usr/bin/nc", "")
    w(r, "usr/bin/virt-ssh-helper", "")
    w(r, "root/.pki/libvirt-vnc/ca-cert.pem", pem(ca))
    w(r, "root/.pki/libvirt-vnc/clientcert.pem", pem(client))
    w(r, "root/.pki/libvirt-vnc/clientkey.pem", key_pem(client_key))
    w(r, ".meta.yaml", "# Modes git cannot hold.\nfiles:\n" + KEY_MODES + SSH_TIGHT
      + '  /root/.pki/libvirt-vnc/clientkey.pem: { mode: "0600", uid: 0, gid: 0 }\n')

    # ------------------------------------------------------------ remote-exposed
    r = "remote-exposed"
    host(r, "lab7.example.org")
    server_pki(r, "lab7.example.org")
    os.remove(os.path.join(BASE, r, "etc/pki/CA/cacert.pem"))
    w(r, "etc/libvirt/libvirtd.conf", LIBVIRTD_CONF_HEAD + 'listen_tls = 1\nlisten_tcp = 1\nauth_tcp = "none"\n'
      'tls_no_verify_certificate = 1\n')
    w(r, "etc/sysconfig/libvirtd", '# Listen for TCP/IP connections\nLIBVIRTD_ARGS="--listen"\n')
    w(r, "etc/libvirt/libvirt.conf", 'uri_aliases = [\n  "lab8=qemu+tls://lab8.example.org/system?no_verify=1",\n]\n')
    w(r, "etc/cron.d/vm-backup", "# nightly guest backup\n30 1 * * * root /usr/local/bin/backup-guests.sh\n")
    w(r, "usr/local/bin/backup-guests.sh", "#!/bin/sh\nURI='qemu+tls://lab9.example.org/system?no_verify=1&pkipath=/root/pki'\n"
      "for g in $(virsh -c \"$URI\" list --name); do virsh -c \"$URI\" backup-begin \"$g\"; done\n")
    for unit in ["libvirtd.service", "vsftpd.service", "httpd.service", "chronyd.service", "sshd.service"]:
        enable(r, unit)
    enable(r, "telnet.socket", "sockets.target")
    for pid, comm in [(1, "systemd"), (811, "chronyd"), (930, "sshd"), (1204, "libvirtd"), (1301, "vsftpd"), (1402, "httpd")]:
        w(r, f"proc/{pid}/comm", comm + "\n")
    w(r, "proc/net/tcp", proc_tcp([("0.0.0.0", 22), ("0.0.0.0", 16509), ("0.0.0.0", 16514), ("0.0.0.0", 21), ("0.0.0.0", 80), ("0.0.0.0", 23)]))
    w(r, "root/.ssh/authorized_keys", AUTHORIZED)
    w(r, "etc/passwd", PASSWD_SYSTEM + "alice:x:1000:1000:Alice Example:/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/zsh\n"
      "backup:x:1002:1002::/home/backup:/sbin/nologin\n")
    w(r, "home/alice/.pki/libvirt-vnc/clientcert.pem", pem(client))
    w(r, ".meta.yaml", "# Modes git cannot hold.\nfiles:\n" + KEY_MODES
      + '  /root/.ssh: { type: directory, mode: "0755", uid: 0, gid: 0 }\n'
      + '  /root/.ssh/authorized_keys: { mode: "0644", uid: 0, gid: 0 }\n')

    # ------------------------------------------------------------ remote-tls-expired
    r = "remote-tls-expired"
    host(r, "kvm4.example.org")
    server_pki(r, "kvm4.example.org", server_end="2026-04-01")
    w(r, "etc/libvirt/libvirtd.conf", LIBVIRTD_CONF_HEAD)
    enable(r, "virtproxyd-tls.socket", "sockets.target")
    w(r, ".meta.yaml", "files:\n" + KEY_MODES)

    # ------------------------------------------------------------ remote-tls-open-key
    r = "remote-tls-open-key"
    host(r, "kvm5.example.org")
    server_pki(r, "kvm5.example.org")
    w(r, "etc/libvirt/libvirtd.conf", LIBVIRTD_CONF_HEAD + "listen_tls = 1\n")
    w(r, "etc/sysconfig/libvirtd", 'LIBVIRTD_ARGS="--listen"\n')
    w(r, "proc/net/tcp", proc_tcp([("0.0.0.0", 22), ("0.0.0.0", 16514)]))
    w(r, ".meta.yaml", "files:\n" + KEY_MODES.replace('serverkey.pem: { mode: "0600"', 'serverkey.pem: { mode: "0644"'))

    # ------------------------------------------------------------ remote-tcp-sasl
    r = "remote-tcp-sasl"
    host(r, "kvm6.example.org")
    w(r, "etc/libvirt/libvirtd.conf", LIBVIRTD_CONF_HEAD + 'listen_tls = 0\nlisten_tcp = 1\nauth_tcp = "sasl"\n')
    w(r, "etc/default/libvirtd", 'libvirtd_opts="--listen"\nLIBVIRTD_ARGS="--listen"\n')
    w(r, "proc/net/tcp", proc_tcp([("0.0.0.0", 22), ("0.0.0.0", 16509)]))
    w(r, "etc/iptables/rules.v4", "# Generated by iptables-save v1.8.9 on Mon Mar  2 10:00:00 2026\n*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
      "-A INPUT -p tcp -m tcp --dport 16509 -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n# Completed on Mon Mar  2 10:00:00 2026\n")
    for unit in ["libvirtd.service", "ssh.service"]:
        enable(r, unit)

    # ------------------------------------------------------------ remote-tcp-loopback
    r = "remote-tcp-loopback"
    host(r, "kvm7.example.org")
    w(r, "etc/libvirt/libvirtd.conf", LIBVIRTD_CONF_HEAD + 'listen_tls = 0\nlisten_tcp = 1\nlisten_addr = "127.0.0.1"\nauth_tcp = "none"\n')
    w(r, "etc/sysconfig/libvirtd", 'LIBVIRTD_ARGS="--listen"\n')
    w(r, "proc/net/tcp", proc_tcp([("0.0.0.0", 22), ("127.0.0.1", 16509)]))
    w(r, "etc/sysconfig/nftables.conf", '# Uncomment the include statement here to load the default config sample\ninclude "/etc/nftables/main.nft"\n')
    w(r, "etc/nftables/main.nft", "#!/usr/sbin/nft -f\n# host firewall\ntable inet filter {\n"
      "  chain input {\n    type filter hook input priority 0; policy drop;\n    ct state established,related accept\n"
      "    iif lo accept\n    tcp dport 22 accept   # ssh\n    ip protocol icmp accept\n  }\n"
      "  chain forward {\n    type filter hook forward priority 0; policy accept;\n  }\n}\n")
    for unit in ["libvirtd.service", "nftables.service", "sshd.service"]:
        enable(r, unit)

    # ------------------------------------------------------------ remote-ovirt-vdsm-tls
    r = "remote-ovirt-vdsm-tls"
    host(r, "virt-host1.example.test")
    ca, (server, server_key), _ = pki("virt-host1.example.test")
    w(r, "etc/pki/vdsm/certs/cacert.pem", pem(ca))
    w(r, "etc/pki/vdsm/certs/vdsmcert.pem", pem(server))
    w(r, "etc/pki/vdsm/keys/vdsmkey.pem", key_pem(server_key))
    w(r, "etc/libvirt/libvirtd.conf", "## beginning of configuration section by vdsm-4.50.3.4\nauth_unix_rw=\"sasl\"\n"
      "ca_file=\"/etc/pki/vdsm/certs/cacert.pem\"\ncert_file=\"/etc/pki/vdsm/certs/vdsmcert.pem\"\n"
      "key_file=\"/etc/pki/vdsm/keys/vdsmkey.pem\"\nlisten_addr=\"0.0.0.0\"\nlisten_tcp=0\nauth_tcp=\"sasl\"\n"
      "## end of configuration section by vdsm-4.50.3.4\n")
    enable(r, "libvirtd-tls.socket", "sockets.target")
    enable(r, "vdsmd.service")
    w(r, ".meta.yaml", 'files:\n  /etc/pki/vdsm/keys/vdsmkey.pem: { mode: "0440", uid: 36, gid: 36 }\n')

    # ------------------------------------------------------------ Xen dom0 VNC TLS
    for r, complete in [("remote-xen-vnc-good", True), ("remote-xen-vnc-broken", False)]:
        host(r, "dom0.example.org")
        ca, (server, server_key), _ = pki("dom0.example.org")
        w(r, "proc/xen/capabilities", "control_d\n")
        w(r, "sys/hypervisor/type", "xen\n")
        w(r, "etc/xen/xend-config.sxp", "# -*- sh -*-\n# Xend configuration file.\n(xend-http-server no)\n(xend-relocation-server no)\n"
          "(network-script network-bridge)\n(vif-script vif-bridge)\n(dom0-min-mem 256)\n(vnc-listen '0.0.0.0')\n"
          f"(vncpasswd '')\n(vnc-tls 1)\n(vnc-x509-cert-dir /etc/xen/vnc)\n(vnc-x509-verify {1 if complete else 0})\n#(vnc-x509-verify 1)\n")
        w(r, "etc/xen/vnc/ca-cert.pem", pem(ca))
        w(r, "etc/xen/vnc/server-cert.pem", pem(server))
        if complete:
            w(r, "etc/xen/vnc/server-key.pem", key_pem(server_key))
            w(r, ".meta.yaml", 'files:\n  /etc/xen/vnc/server-key.pem: { mode: "0600", uid: 0, gid: 0 }\n')


if __name__ == "__main__":
    main()
