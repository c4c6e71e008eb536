"""A test certificate authority and a server certificate signed by it, for TLS in the
tests (coturn's `turns:` listener): made with the `cryptography` package into a folder,
valid for an hour, naming the server by IP address. Trusting the CA is each client's
business: Python's ssl through SSL_CERT_FILE, Chromium through an NSS database
(`nss_trusting`)."""
import datetime
import ipaddress
import os
import shutil
import subprocess

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def make(folder, ip):
    """(ca.pem, cert.pem, key.pem) in `folder`: a CA, and a certificate for `ip` it signed."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("TLightChat test CA")).issuer_name(_name("TLightChat test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(hours=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(_name(ip)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return (_write(os.path.join(folder, "ca.pem"), ca.public_bytes(pem)),
            _write(os.path.join(folder, "cert.pem"), cert.public_bytes(pem)),
            _write(os.path.join(folder, "key.pem"), key.private_bytes(
                pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())))


def why_no_nss():
    if not shutil.which("certutil"):
        return "Chromium trusts a test CA through an NSS database: needs `certutil` (Debian package libnss3-tools)"
    return None


def nss_trusting(home, ca):
    """A HOME folder whose NSS database (~/.pki/nssdb, where Chromium on Linux reads the
    user's trust anchors) trusts `ca` for TLS servers; returns `home`."""
    db = os.path.join(home, ".pki", "nssdb")
    os.makedirs(db, exist_ok=True)
    subprocess.run(["certutil", "-d", f"sql:{db}", "-N", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-d", f"sql:{db}", "-A", "-t", "C,,", "-n", "tlightchat-test-ca", "-i", ca],
                   check=True, capture_output=True)
    return home
