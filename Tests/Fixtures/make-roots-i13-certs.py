#!/usr/bin/env python3
"""Generates the fixture roots of issue 13's certificate checks (run from the repository root):

  ce-keystrength-rsa1024-sha1        a node whose VDSM certificate has a 1024-bit RSA key, signed with SHA-1
  ce-keystrength-sha1-root-ca        a node whose engine CA signed itself with SHA-1 (a trust anchor: accepted)
                                     while the certificates it issued use SHA-256 and 2048-bit keys
  ce-node-complete                   every certificate host deployment writes (VDSM, SPICE, VNC, libvirt client,
                                     libvirt-migrate, OVN, vmconsole); nothing pending
  ce-node-missing-migrate-vmconsole  no libvirt-migrate pair, and ovirt-vmconsole installed without its host certificate
  ce-node-missing-spice              the SPICE server certificate deleted
  ce-pending-leftover                a complete node with vdsmkey.pending.pem and libvirt-migrate/server-key.pending.pem
  ce-engine-internal-ok              engine certificates signed by the engine CA; apache.p12 and engine.p12 (OpenSSL 3
                                     PBES2/AES, password mypass) hold the same certificates; websocket-proxy.p12 uses
                                     the legacy 3DES encryption, which is not read
  ce-engine-third-party-apache       apache.cer from a commercial CA; apache.p12 still holds the engine-CA one
  ce-engine-keystore-differs         apache.cer renewed by the engine CA, apache.p12 left with the previous certificate

The certificate helpers come from make-certificate-roots.py (python `cryptography`). That library refuses
SHA-1 signatures, so `resign_sha1` signs a certificate's TBS again with SHA-1 and swaps the algorithm OID.
Keys are throwaway test keys; dates are fixed. The generated files are committed; CI does not run this.
"""
import importlib.util
import os
import shutil
import subprocess
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_certificate_roots", os.path.join(HERE, "make-certificate-roots.py"))
mcr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mcr)

BASE = mcr.BASE
PREFIX = "ce-"
ENGINE = "engine.example.test"


def der_length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def der(tag, body):
    return bytes([tag]) + der_length(len(body)) + body


def der_split(data):
    """The tag, the header length and the total length of the DER element at the start of `data`."""
    first = data[1]
    if first < 0x80:
        return 2, 2 + first
    count = first & 0x7F
    length = int.from_bytes(data[2:2 + count], "big")
    return 2 + count, 2 + count + length


SHA256_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")
SHA1_RSA = bytes.fromhex("300d06092a864886f70d0101050500")


def resign_sha1(cert, signing_key):
    """The same certificate, signed with sha1WithRSAEncryption by `signing_key` (an RSA key)."""
    data = cert.public_bytes(serialization.Encoding.DER)
    header, _ = der_split(data)
    inner = data[header:]
    tbs_header, tbs_end = der_split(inner)
    tbs = inner[:tbs_end]
    assert SHA256_RSA in tbs, "resign_sha1 expects an RSA SHA-256 certificate"
    tbs = tbs.replace(SHA256_RSA, SHA1_RSA, 1)
    signature = signing_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    blob = der(0x30, tbs + SHA1_RSA + der(0x03, b"\x00" + signature))
    return x509.load_der_x509_certificate(blob)


def write(root, path, data):
    mcr.write(root, path, data)


def ssh_host_certificate(root):
    """ovirt-vmconsole's host key, the engine's SSH CA and the host certificate it signed (ssh-keygen)."""
    with tempfile.TemporaryDirectory() as tmp:
        ca = os.path.join(tmp, "ca")
        host = os.path.join(tmp, "host-ssh_host_rsa")
        for key in (ca, host):
            subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "", "-f", key], check=True)
        subprocess.run(["ssh-keygen", "-q", "-s", ca, "-h", "-I", mcr.HOST, "-n", mcr.HOST,
                        "-V", "20250301000000:20300301000000", host + ".pub"], check=True, stderr=subprocess.DEVNULL)
        write(root, "etc/pki/ovirt-vmconsole/ca.pub", open(ca + ".pub").read())
        write(root, "etc/pki/ovirt-vmconsole/host-ssh_host_rsa", open(host).read())
        write(root, "etc/pki/ovirt-vmconsole/host-ssh_host_rsa-cert.pub", open(host + "-cert.pub").read())
    write(root, "etc/ovirt-vmconsole/ovirt-vmconsole-host/ovirt-vmconsole-host.conf.d/.keep", "")


def complete_node(root):
    """A node with every certificate ovirt-engine's host deployment writes."""
    mcr.node(root, "2025-03-01", "2030-03-01")
    for name in ("server", "client"):
        key = mcr.new_key("rsa")
        cert = mcr.certificate(mcr.name(mcr.HOST), mcr.CA.subject, key.public_key(),
                               mcr.CA_KEY, "2025-03-01", "2030-03-01", san=[mcr.HOST])
        write(root, f"etc/pki/vdsm/libvirt-migrate/{name}-cert.pem", mcr.pem(cert))
        write(root, f"etc/pki/vdsm/libvirt-migrate/{name}-key.pem", mcr.key_pem(key))
    write(root, "etc/pki/vdsm/libvirt-migrate/ca-cert.pem", mcr.pem(mcr.CA))
    ovn_key = mcr.new_key("rsa")
    ovn = mcr.certificate(mcr.name(mcr.HOST), mcr.CA.subject, ovn_key.public_key(), mcr.CA_KEY, "2025-03-01", "2030-03-01", san=[mcr.HOST])
    write(root, "etc/pki/vdsm/ovn/ovn-cert.pem", mcr.pem(ovn))
    write(root, "etc/pki/vdsm/ovn/ovn-key.pem", mcr.key_pem(ovn_key))
    write(root, "etc/pki/vdsm/ovn/ca-cert.pem", mcr.pem(mcr.CA))
    ssh_host_certificate(root)


def p12(key, cert, legacy=False):
    if legacy:
        encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                      .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).kdf_rounds(2048).build(b"mypass"))
    else:
        encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                      .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).kdf_rounds(2048).build(b"mypass"))
    return pkcs12.serialize_key_and_certificates(b"1", key, cert, None, encryption)


def engine(root, apache_issuer=None, apache_keystore_cert=None):
    """An engine with apache, websocket-proxy and engine certificates and their keystores.

    apache_issuer: (certificate, key) of another CA that signed apache.cer. apache_keystore_cert: "previous"
    to leave apache.p12 with an earlier certificate of the engine CA.
    """
    ca_key = mcr.new_key("rsa")
    ca = mcr.certificate(mcr.name(ENGINE + ".54321"), mcr.name(ENGINE + ".54321"), ca_key.public_key(), ca_key,
                         "2021-01-01", "2036-01-01", ca=True)
    write(root, "etc/hostname", ENGINE + "\n")
    write(root, "etc/ovirt-engine/engine.conf.d/10-setup-protocols.conf", "ENGINE_PROXY_ENABLED=false\n")
    write(root, "etc/pki/ovirt-engine/ca.pem", mcr.pem(ca))
    write(root, "etc/pki/ovirt-engine/apache-ca.pem", mcr.pem(apache_issuer[0] if apache_issuer else ca))
    issued = {}
    for name in ("apache", "websocket-proxy", "engine"):
        key = mcr.new_key("rsa")
        cert = mcr.certificate(mcr.name(ENGINE), ca.subject, key.public_key(), ca_key, "2026-02-05", "2027-03-10", san=[ENGINE])
        issued[name] = (cert, key)
    previous_key = mcr.new_key("rsa")
    previous = mcr.certificate(mcr.name(ENGINE), ca.subject, previous_key.public_key(), ca_key, "2025-01-05", "2026-02-07", san=[ENGINE])
    if apache_issuer:
        other_cert, other_key = apache_issuer
        key = mcr.new_key("rsa")
        cert = mcr.certificate(mcr.name(ENGINE, org="Example Corp"), other_cert.subject, key.public_key(), other_key,
                               "2026-01-15", "2027-02-15", san=[ENGINE])
        write(root, "etc/pki/ovirt-engine/certs/apache.cer", mcr.pem(cert))
        write(root, "etc/pki/ovirt-engine/keys/apache.key.nopass", mcr.key_pem(key))
        # The documented replacement leaves the keystore with the engine CA's certificate.
        write(root, "etc/pki/ovirt-engine/keys/apache.p12", p12(*reversed(issued["apache"])))
    else:
        cert, key = issued["apache"]
        write(root, "etc/pki/ovirt-engine/certs/apache.cer", mcr.pem(cert))
        write(root, "etc/pki/ovirt-engine/keys/apache.key.nopass", mcr.key_pem(key))
        held = (previous_key, previous) if apache_keystore_cert == "previous" else (key, cert)
        write(root, "etc/pki/ovirt-engine/keys/apache.p12", p12(*held))
    cert, key = issued["websocket-proxy"]
    write(root, "etc/pki/ovirt-engine/certs/websocket-proxy.cer", mcr.pem(cert))
    write(root, "etc/pki/ovirt-engine/keys/websocket-proxy.key.nopass", mcr.key_pem(key))
    write(root, "etc/pki/ovirt-engine/keys/websocket-proxy.p12", p12(key, cert, legacy=True))
    cert, key = issued["engine"]
    write(root, "etc/pki/ovirt-engine/certs/engine.cer", mcr.pem(cert))
    write(root, "etc/pki/ovirt-engine/keys/engine.p12", p12(key, cert))


def main():
    for root in os.listdir(BASE):
        if root.startswith(PREFIX):
            shutil.rmtree(os.path.join(BASE, root))

    # cert.key-strength
    root = "ce-keystrength-rsa1024-sha1"
    mcr.node(root, "2025-03-01", "2030-03-01")
    weak_key = rsa.generate_private_key(65537, 1024)
    weak = resign_sha1(mcr.certificate(mcr.name(mcr.HOST), mcr.CA.subject, weak_key.public_key(), mcr.CA_KEY,
                                       "2025-03-01", "2030-03-01", san=[mcr.HOST]), mcr.CA_KEY)
    for path in ("etc/pki/vdsm/certs/vdsmcert.pem", "etc/pki/vdsm/libvirt-spice/server-cert.pem",
                 "etc/pki/libvirt/clientcert.pem", "etc/pki/vdsm/libvirt-vnc/server-cert.pem"):
        write(root, path, mcr.pem(weak))
    for path in ("etc/pki/vdsm/keys/vdsmkey.pem", "etc/pki/vdsm/libvirt-spice/server-key.pem",
                 "etc/pki/libvirt/private/clientkey.pem", "etc/pki/vdsm/libvirt-vnc/server-key.pem"):
        write(root, path, mcr.key_pem(weak_key))

    root = "ce-keystrength-sha1-root-ca"
    old_ca_key = mcr.new_key("rsa")
    old_ca = resign_sha1(mcr.certificate(mcr.name("engine.example.test.11111"), mcr.name("engine.example.test.11111"),
                                         old_ca_key.public_key(), old_ca_key, "2016-01-01", "2036-01-01", ca=True), old_ca_key)
    saved = (mcr.CA, mcr.CA_KEY)
    mcr.CA, mcr.CA_KEY = old_ca, old_ca_key
    try:
        mcr.node(root, "2025-03-01", "2030-03-01", ca=old_ca)
    finally:
        mcr.CA, mcr.CA_KEY = saved

    # cert.inventory-complete and cert.pending-enroll
    complete_node("ce-node-complete")

    root = "ce-node-missing-migrate-vmconsole"
    mcr.node(root, "2025-03-01", "2030-03-01")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "", "-f", os.path.join(tmp, "ca")], check=True)
        write(root, "etc/pki/ovirt-vmconsole/ca.pub", open(os.path.join(tmp, "ca.pub")).read())

    root = "ce-node-missing-spice"
    mcr.node(root, "2025-03-01", "2030-03-01")
    os.remove(os.path.join(BASE, root, "etc/pki/vdsm/libvirt-spice/server-cert.pem"))

    root = "ce-pending-leftover"
    complete_node(root)
    write(root, "etc/pki/vdsm/keys/vdsmkey.pending.pem", mcr.key_pem(mcr.new_key("rsa")))
    write(root, "etc/pki/vdsm/libvirt-migrate/server-key.pending.pem", mcr.key_pem(mcr.new_key("rsa")))

    # cert.engine-internal
    engine("ce-engine-internal-ok")
    commercial_key = mcr.new_key("rsa")
    commercial = mcr.certificate(mcr.name("Example Commercial CA", org="Example Trust"), mcr.name("Example Commercial CA", org="Example Trust"),
                                 commercial_key.public_key(), commercial_key, "2020-01-01", "2035-01-01", ca=True)
    engine("ce-engine-third-party-apache", apache_issuer=(commercial, commercial_key))
    engine("ce-engine-keystore-differs", apache_keystore_cert="previous")


if __name__ == "__main__":
    main()
