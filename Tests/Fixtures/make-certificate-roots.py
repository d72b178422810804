#!/usr/bin/env python3
"""Generates the certificate fixture roots under Tests/Fixtures/roots/ (run from the repository root).

Every certificate has fixed dates, and the check examples evaluate them at a fixed instant
(--now 2026-06-01T00:00:00Z), so no test depends on today's date. The keys are throwaway test keys.
Needs the `cryptography` package (pip install cryptography). The generated files are committed; CI does
not run this script.
"""
import datetime
import os
import shutil

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

BASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "roots")
UTC = datetime.timezone.utc
HOST = "virt-host1.example.test"


def day(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def name(cn, org="example.test"):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def new_key(kind="ec"):
    return rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())


def certificate(subject, issuer_name, public_key, signing_key, start, end, san=None, ca=False, serial=None):
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(public_key)
               .serial_number(serial or x509.random_serial_number()).not_valid_before(day(start)).not_valid_after(day(end)))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
    builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def write(root, path, data, mode=None):
    full = os.path.join(BASE, root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)


CA_KEY = new_key("rsa")
CA = certificate(name("engine.example.test.12345"), name("engine.example.test.12345"), CA_KEY.public_key(), CA_KEY,
                 "2021-01-01", "2036-01-01", ca=True)


def node(root, start, end, san=(HOST,), cn=HOST, key_kind="rsa", vnc=None, ca=CA):
    """A node whose VDSM certificate is copied to SPICE, the libvirt client and VNC (or VNC gets `vnc`)."""
    key = new_key(key_kind)
    cert = certificate(name(cn), ca.subject, key.public_key(), CA_KEY, start, end, san=list(san) if san else None)
    write(root, "etc/hostname", HOST + "\n")
    write(root, "proc/sys/kernel/hostname", HOST + "\n")
    write(root, "etc/vdsm/vdsm.conf", "[vars]\nssl = true\n\n[addresses]\nmanagement_port = 54321\n")
    write(root, "etc/pki/vdsm/certs/cacert.pem", pem(ca))
    write(root, "etc/pki/vdsm/certs/vdsmcert.pem", pem(cert))
    write(root, "etc/pki/vdsm/keys/vdsmkey.pem", key_pem(key))
    write(root, "etc/pki/vdsm/libvirt-spice/server-cert.pem", pem(cert))
    write(root, "etc/pki/vdsm/libvirt-spice/server-key.pem", key_pem(key))
    write(root, "etc/pki/libvirt/clientcert.pem", pem(cert))
    write(root, "etc/pki/libvirt/private/clientkey.pem", key_pem(key))
    vnc_cert, vnc_key = vnc if vnc else (cert, key)
    write(root, "etc/pki/vdsm/libvirt-vnc/server-cert.pem", pem(vnc_cert))
    write(root, "etc/pki/vdsm/libvirt-vnc/server-key.pem", key_pem(vnc_key))
    write(root, "etc/libvirt/qemu.conf", 'spice_tls = 1\nspice_tls_x509_cert_dir = "/etc/pki/vdsm/libvirt-spice"\n'
          'vnc_tls = 1\nvnc_tls_x509_cert_dir = "/etc/pki/vdsm/libvirt-vnc"\n')
    return cert, key


def main():
    for root in os.listdir(BASE):
        if root.startswith(("ovirt-node-certs", "ovirt-engine-certs", "libvirt-tls-")):
            shutil.rmtree(os.path.join(BASE, root))

    # Five-year oVirt 4.5 certificates, all copies identical, far from expiry.
    node("ovirt-node-certs-valid", "2025-03-01", "2030-03-01")
    # 398-day certificate that expired the day before the examples' instant.
    node("ovirt-node-certs-expired", "2025-04-28", "2026-05-31")
    # 44 days left: inside oVirt's 60-day renewal window.
    node("ovirt-node-certs-renewal-window", "2025-06-12", "2026-07-15")
    # 10 days left: too late to cycle every host through maintenance.
    node("ovirt-node-certs-ten-days", "2025-05-07", "2026-06-11")
    # The recovery procedure renewed VDSM, SPICE and the libvirt client by hand (365 days, no SAN) but
    # forgot the VNC copy, which is the old, expired certificate.
    old_key = new_key("rsa")
    old = certificate(name(HOST), CA.subject, old_key.public_key(), CA_KEY, "2025-04-28", "2026-05-31", san=[HOST])
    node("ovirt-node-certs-vnc-stale", "2026-05-30", "2027-05-30", san=None, vnc=(old, old_key))
    # VNC copy of the certificate is right, its key belongs to another certificate.
    cert, _ = node("ovirt-node-certs-key-mismatch", "2025-03-01", "2030-03-01", key_kind="ec")
    write("ovirt-node-certs-key-mismatch", "etc/pki/vdsm/libvirt-vnc/server-key.pem", key_pem(new_key("ec")))
    # Issued "in the future": the clock is behind, or the certificate was signed on a host ahead of time.
    node("ovirt-node-certs-not-yet-valid", "2026-06-15", "2031-06-15")
    # Issued for another host name.
    node("ovirt-node-certs-wrong-subject", "2025-03-01", "2030-03-01", cn="virt-host7.example.test", san=("virt-host7.example.test",))
    # A VDSM certificate cut off in the middle of its base64.
    node("ovirt-node-certs-truncated", "2025-03-01", "2030-03-01")
    text = open(os.path.join(BASE, "ovirt-node-certs-truncated/etc/pki/vdsm/certs/vdsmcert.pem")).read()
    write("ovirt-node-certs-truncated", "etc/pki/vdsm/certs/vdsmcert.pem", text[: len(text) // 2])

    # Engines: web certificate inside the renewal window, CA fine; and a CA with less than a year left.
    for root, ca_end, apache_end in [("ovirt-engine-certs-renewal-window", "2036-01-01", "2026-07-10"),
                                     ("ovirt-engine-certs-ca-expiring", "2027-01-01", "2027-03-01"),
                                     ("ovirt-engine-certs-valid", "2036-01-01", "2027-03-01")]:
        ca_key = new_key("rsa")
        ca = certificate(name("engine.example.test.54321"), name("engine.example.test.54321"), ca_key.public_key(), ca_key,
                         "2021-01-01", ca_end, ca=True)
        apache_key = new_key("rsa")
        apache = certificate(name("engine.example.test"), ca.subject, apache_key.public_key(), ca_key,
                             "2026-02-05", apache_end, san=["engine.example.test"])
        engine_key = new_key("rsa")
        engine = certificate(name("engine.example.test"), ca.subject, engine_key.public_key(), ca_key,
                             "2025-01-01", "2030-01-01", san=["engine.example.test"])
        write(root, "etc/hostname", "engine.example.test\n")
        write(root, "etc/ovirt-engine/engine.conf.d/10-setup-protocols.conf", "ENGINE_PROXY_ENABLED=false\n")
        write(root, "etc/pki/ovirt-engine/ca.pem", pem(ca))
        write(root, "etc/pki/ovirt-engine/apache-ca.pem", pem(ca))
        write(root, "etc/pki/ovirt-engine/certs/apache.cer", pem(apache))
        write(root, "etc/pki/ovirt-engine/keys/apache.key.nopass", key_pem(apache_key))
        write(root, "etc/pki/ovirt-engine/certs/engine.cer", pem(engine))

    # Plain libvirt TLS: the VNC directory named in qemu.conf holds an expired server certificate.
    for root, vnc_end in [("libvirt-tls-vnc-expired", "2026-04-01"), ("libvirt-tls-valid", "2029-04-01")]:
        ca_key = new_key("ec")
        ca = certificate(name("Example CA", "example.org"), name("Example CA", "example.org"), ca_key.public_key(), ca_key,
                         "2024-01-01", "2034-01-01", ca=True)
        server_key = new_key("ec")
        server = certificate(name("kvm1.example.org", "example.org"), ca.subject, server_key.public_key(), ca_key,
                             "2025-04-01", "2028-04-01", san=["kvm1.example.org"])
        vnc_key = new_key("ec")
        vnc = certificate(name("kvm1.example.org", "example.org"), ca.subject, vnc_key.public_key(), ca_key,
                          "2025-04-01", vnc_end, san=["kvm1.example.org"])
        write(root, "etc/hostname", "kvm1.example.org\n")
        write(root, "etc/pki/CA/cacert.pem", pem(ca))
        write(root, "etc/pki/libvirt/servercert.pem", pem(server))
        write(root, "etc/pki/libvirt/private/serverkey.pem", key_pem(server_key))
        write(root, "etc/pki/libvirt-vnc/ca-cert.pem", pem(ca))
        write(root, "etc/pki/libvirt-vnc/server-cert.pem", pem(vnc))
        write(root, "etc/pki/libvirt-vnc/server-key.pem", key_pem(vnc_key))
        write(root, "etc/libvirt/qemu.conf", 'vnc_listen = "0.0.0.0"\nvnc_tls = 1\nvnc_tls_x509_cert_dir = "/etc/pki/libvirt-vnc"\n')
        write(root, "etc/libvirt/libvirtd.conf", 'listen_tls = 1\ncert_file = "/etc/pki/libvirt/servercert.pem"\n'
              'key_file = "/etc/pki/libvirt/private/serverkey.pem"\nca_file = "/etc/pki/CA/cacert.pem"\n')


if __name__ == "__main__":
    main()
