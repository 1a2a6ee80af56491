"""caching_sha2_password for users configured in the proxy (docs/auth-caching-sha2.md). Without
TLS: the full authentication over RSA (the client asks for the proxy's public key and sends the
password RSA-OAEP encrypted), then the fast one from the proxy's cache, wrong passwords refused
with 1045, the refusal without RSA keys, MySQL 8 "$A$005$" hashes. Over TLS (listen.tls, no RSA
keys): the full authentication with the clear password, then the fast one. PyMySQL and node
mysql2."""

import os
import subprocess
import tempfile

import pymysql
import pytest

from harness import SRC, Proxy, Stack, default_config, free_port
from tls_certs import Certs

NODE_DIR = os.path.join(SRC, "integration", "node")

# A published MySQL 8 authentication_string (hashcat's mode 7401 example) of the password
# "hashcat", in the 0x-hex form SHOW CREATE USER prints.
SHA2_HASH_OF_HASHCAT = "0x" + (
    b"$A$005$".hex() + "F9CC98CE08892924F50A213B6BC571A2C11778C5" +
    "625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F")

USERS = (
    "  - {name: sha, password: sha-secret, backend_user: app, backend_password: app-secret,\n"
    "     auth_plugin: caching_sha2_password}\n"
    "  - {name: sha_node, password: node-secret, backend_user: app, backend_password: app-secret,\n"
    "     auth_plugin: caching_sha2_password}\n"
    "  - {name: sha_hash, password_hash: \"" + SHA2_HASH_OF_HASHCAT + "\", backend_user: app,\n"
    "     backend_password: app-secret}\n"
    "  - {name: native_hash, password_hash: \"*14E65567ABDB5135D0CFD9A70B3032C179A49EE7\",\n"
    "     backend_user: app, backend_password: app-secret}\n")


def make_keys(directory):
    private = os.path.join(directory, "private_key.pem")
    public = os.path.join(directory, "public_key.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", private], check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", private, "-pubout", "-out", public], check=True,
                   capture_output=True)
    return private, public


@pytest.fixture(scope="module")
def keys():
    d = tempfile.mkdtemp(prefix="sp-rsa-")
    return make_keys(d)


def config_with_keys(stack_backend, port, keys):
    text = default_config(stack_backend, port, users=USERS)
    return text.replace("listen:\n", f"listen:\n  rsa_private_key: {keys[0]}\n"
                                     f"  rsa_public_key: {keys[1]}\n", 1)


def config_with_tls(stack_backend, port, certs):
    text = default_config(stack_backend, port, users=USERS)
    return text.replace("listen:\n", f"listen:\n  tls: {{cert: {certs.server_cert},"
                                     f" key: {certs.server_key}}}\n", 1)


@pytest.fixture(scope="module")
def certs():
    return Certs()


@pytest.fixture(scope="module")
def stack(keys, certs):
    s = Stack(users=USERS)  # a proxy without RSA keys, for test_without_rsa_keys...
    s.keyed = s.tls = None
    try:
        s.keyed_port = free_port()
        s.keyed = Proxy(config_with_keys(s.backend, s.keyed_port, keys), port=s.keyed_port)
        s.tls_port = free_port()  # listen.tls, no RSA keys; its own (empty) cache
        s.tls = Proxy(config_with_tls(s.backend, s.tls_port, certs), port=s.tls_port)
        yield s
    finally:
        for p in (s.tls, s.keyed):
            if p:
                p.stop()
        s.stop()


def connect(port, user, password, **kw):
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                           connect_timeout=10, **kw)


def current_user(conn):
    with conn.cursor() as c:
        c.execute("SELECT CURRENT_USER()")
        return c.fetchone()[0]


def test_pymysql_full_auth_over_rsa_then_fast_auth(stack):
    # A wrong password first: refused after the full authentication, never cached.
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack.keyed_port, "sha", "wrong")
    assert e.value.args[0] == 1045
    # First login: the proxy's cache is empty, so the full authentication: PyMySQL asks for the
    # public key (and keeps it on the connection), sends the encrypted password.
    first = connect(stack.keyed_port, "sha", "sha-secret")
    assert first.server_public_key and b"BEGIN PUBLIC KEY" in first.server_public_key
    assert current_user(first).startswith("app@")  # logged in with the backend credentials
    first.close()
    # Second login: fast authentication from the cache, no key asked for.
    second = connect(stack.keyed_port, "sha", "sha-secret")
    assert not second.server_public_key
    assert current_user(second).startswith("app@")
    second.close()
    # A wrong password now: the fast path fails, the full one refuses it.
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack.keyed_port, "sha", "sha-secret2")
    assert e.value.args[0] == 1045
    assert "Access denied for user 'sha'@" in e.value.args[1]


def test_mysql8_hash_user_authenticates_with_caching_sha2(stack):
    # A "$A$005$" password_hash can only verify caching_sha2_password: the native answer of
    # PyMySQL is switched to it.
    conn = connect(stack.keyed_port, "sha_hash", "hashcat")
    assert conn.server_public_key  # full authentication
    conn.close()
    conn = connect(stack.keyed_port, "sha_hash", "hashcat")
    assert not conn.server_public_key  # fast
    conn.close()
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack.keyed_port, "sha_hash", "hashcat!")
    assert e.value.args[0] == 1045


def test_native_hash_user_still_uses_native_password(stack):
    conn = connect(stack.keyed_port, "native_hash", "secret")
    assert current_user(conn).startswith("app@")
    conn.close()


def test_without_rsa_keys_full_auth_is_refused_with_a_hint_to_use_tls(stack):
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack.port, "sha", "sha-secret")
    assert e.value.args[0] == 1045
    assert "TLS" in e.value.args[1]


def run_node_script(*args):
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR,
                       check=True, timeout=300)
    out = subprocess.run(["node", "mysql2_caching_sha2.js", *map(str, args)], cwd=NODE_DIR,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_node_mysql2_full_then_fast(stack):
    out = run_node_script(stack.keyed_port, "sha_node", "node-secret")
    assert "mysql2 caching_sha2 OK first=full second=fast keys_asked=1" in out


# --- over TLS: the full authentication takes the clear password; no RSA keys needed -------------

@pytest.fixture
def sent_auth_data(monkeypatch):
    """What PyMySQL sends after its first answer (AuthSwitchResponse / full-auth packets)."""
    sent = []
    roundtrip = pymysql._auth._roundtrip

    def recording(conn, data):
        sent.append(bytes(data))
        return roundtrip(conn, data)

    monkeypatch.setattr(pymysql._auth, "_roundtrip", recording)
    return sent


def test_pymysql_full_auth_over_tls_with_the_clear_password_then_fast_auth(stack, certs,
                                                                           sent_auth_data):
    tls = {"ssl": {"ca": certs.ca}}
    # Nothing cached yet, no RSA keys: without TLS the full authentication cannot happen.
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack.tls_port, "sha", "sha-secret")
    assert e.value.args[0] == 1045 and "TLS" in e.value.args[1]
    # Over TLS a wrong clear password is refused (and not cached).
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack.tls_port, "sha", "wrong", **tls)
    assert e.value.args[0] == 1045
    assert "Access denied for user 'sha'@" in e.value.args[1]
    # The full authentication: 0x04, and PyMySQL sends the password in clear over TLS.
    del sent_auth_data[:]
    first = connect(stack.tls_port, "sha", "sha-secret", **tls)
    assert first._sock.version() in ("TLSv1.2", "TLSv1.3")
    assert b"sha-secret\0" in sent_auth_data
    assert not first.server_public_key
    assert current_user(first).startswith("app@")
    first.close()
    # Cached: the fast authentication, no password sent.
    del sent_auth_data[:]
    second = connect(stack.tls_port, "sha", "sha-secret", **tls)
    assert b"sha-secret\0" not in sent_auth_data
    assert current_user(second).startswith("app@")
    second.close()
    # The fast authentication needs no TLS either.
    plain = connect(stack.tls_port, "sha", "sha-secret")
    assert current_user(plain).startswith("app@")
    plain.close()


def test_node_mysql2_full_then_fast_over_tls(stack, certs):
    out = run_node_script(stack.tls_port, "sha_node", "node-secret", certs.ca)
    assert "mysql2 caching_sha2 OK first=full second=fast keys_asked=0" in out
