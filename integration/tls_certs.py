"""Test certificates made with the openssl CLI: a CA, a server certificate it signed for
127.0.0.1 / localhost, and an unrelated CA (for "wrong CA" tests)."""

import os
import subprocess
import tempfile


def _run(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Certs:
    def __init__(self, directory=None):
        self.dir = directory or tempfile.mkdtemp(prefix="sp-tls-")
        d = self.dir
        for name in ("ca", "other-ca"):
            _run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", f"/CN=shadowproxy test {name}", "-keyout", f"{name}.key",
                 "-out", f"{name}.pem", cwd=d)
        self.server_cert, self.server_key = self.issue("server", "localhost",
                                                       "IP:127.0.0.1,DNS:localhost")
        self.ca = os.path.join(d, "ca.pem")
        self.other_ca = os.path.join(d, "other-ca.pem")

    def issue(self, name, cn, san, ca="ca"):
        """A key and a certificate signed by `ca` with subjectAltName `san`; returns paths."""
        d = self.dir
        with open(os.path.join(d, f"{name}.ext"), "w") as f:
            f.write(f"subjectAltName={san}\n")
        _run("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
        _run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
             cwd=d)
        return os.path.join(d, f"{name}.pem"), os.path.join(d, f"{name}.key")
