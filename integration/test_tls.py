"""TLS towards clients (listen.tls) and towards the backend (clusters[].tls), end to end with real
clients: the mariadb CLI, PyMySQL, mysqlclient, node mysql2, and a MariaDB started with TLS.
Certificates come from the openssl CLI (tls_certs.py)."""

import os
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
import urllib.request

import MySQLdb
import pymysql
import pytest

from harness import (Backend, Proxy, RawClient, create_account, free_port, log_lines_since,
                     log_size, metric_samples)
from tls_certs import Certs

HERE = os.path.dirname(os.path.abspath(__file__))
USERS = ("  - {name: app, password: app-secret, backend_user: app, backend_password: app-backend,"
         " roles: [developer, dba]}\n")


def config(backend, port, certs, metrics_port=0, require=False, tls=True, cluster_tls="",
           extra=""):
    listen_tls = (f"  tls: {{cert: {certs.server_cert}, key: {certs.server_key},"
                  f" require: {str(require).lower()}}}\n") if tls else ""
    return (f"listen:\n  address: 127.0.0.1\n  port: {port}\n  threads: 2\n  shutdown_grace: 5s\n"
            f"{listen_tls}"
            f"clusters:\n  - name: local\n    servers: [\"127.0.0.1:{backend.port}\"]\n"
            f"    admin_user: root\n    admin_password: \"\"\n{cluster_tls}"
            f"users:\n{USERS}"
            f"metrics:\n  address: 127.0.0.1\n  port: {metrics_port}\n{extra}")


def scrape(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    return metric_samples(text)


ACCEPTED_TLS = 'shadowproxy_client_connections_total{result="accepted",tls="yes"}'


@pytest.fixture(scope="module")
def certs():
    return Certs()


@pytest.fixture(scope="module")
def backend():
    b = Backend()
    create_account(b, "app", "app-backend")
    create_account(b, "bob", "bob-secret")
    b.sql("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20));"
          "INSERT INTO shop.items VALUES (1, 'apple'), (2, 'pear');"
          "CREATE TABLE shop.blobs (id INT PRIMARY KEY, b LONGBLOB);"
          "CREATE TABLE shop.loaded (id INT PRIMARY KEY, name VARCHAR(20));"
          "SET GLOBAL max_allowed_packet = 64*1024*1024; SET GLOBAL local_infile = 1;")
    yield b
    b.stop()


@pytest.fixture(scope="module")
def proxy(backend, certs):
    port, mport = free_port(), free_port()
    p = Proxy(config(backend, port, certs, metrics_port=mport), port=port)
    p.metrics_port = mport
    yield p
    p.stop()


def cli(port, *args, user="app", password="app-secret", sql="SELECT 1"):
    return subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{port}", f"-u{user}",
                           f"-p{password}", *args, "-e", sql],
                          capture_output=True, text=True, timeout=60)


def tls_version(conn):
    return conn._sock.version() if isinstance(conn._sock, ssl.SSLSocket) else None


def test_cli_verifies_the_proxy_certificate(proxy, certs):
    out = cli(proxy.port, "--ssl", "--ssl-verify-server-cert", f"--ssl-ca={certs.ca}",
              sql="status")
    assert out.returncode == 0, out.stderr
    assert "Cipher in use is" in out.stdout, out.stdout
    out = cli(proxy.port, "--ssl", "--ssl-verify-server-cert", f"--ssl-ca={certs.ca}", "-N",
              sql="SELECT name FROM shop.items ORDER BY id")
    assert out.stdout.split() == ["apple", "pear"]


def test_cli_refuses_a_wrong_ca(proxy, certs):
    out = cli(proxy.port, "--ssl", "--ssl-verify-server-cert", f"--ssl-ca={certs.other_ca}")
    assert out.returncode != 0
    assert "certificate" in out.stderr.lower() or "ssl" in out.stderr.lower(), out.stderr


@pytest.mark.parametrize("user,password", [("app", "app-secret"), ("bob", "bob-secret")])
def test_pymysql_sees_a_tls_socket(proxy, certs, user, password):
    with pymysql.connect(host="127.0.0.1", port=proxy.port, user=user, password=password,
                         ssl={"ca": certs.ca}) as conn:
        assert tls_version(conn) in ("TLSv1.2", "TLSv1.3")
        with conn.cursor() as c:
            c.execute("SELECT CURRENT_USER()")
            assert c.fetchone()[0].startswith(user + "@")


@pytest.mark.parametrize("user,password", [("app", "app-secret"), ("bob", "bob-secret")])
def test_mysqlclient_over_tls(proxy, certs, user, password):
    before = scrape(proxy.metrics_port)[ACCEPTED_TLS]
    conn = MySQLdb.connect(host="127.0.0.1", port=proxy.port, user=user, passwd=password,
                           ssl={"ca": certs.ca})
    c = conn.cursor()
    c.execute("SELECT name FROM shop.items ORDER BY id")
    assert [r[0] for r in c.fetchall()] == ["apple", "pear"]
    conn.close()
    assert scrape(proxy.metrics_port)[ACCEPTED_TLS] == before + 1


def run_node(script):
    out = subprocess.run(["node", "-e", script], cwd=os.path.join(HERE, "node"),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_node_mysql2_over_tls(proxy, certs):
    script = (
        "const mysql = require('mysql2/promise'); const fs = require('fs');"
        "(async () => {"
        f" const c = await mysql.createConnection({{host: '127.0.0.1', port: {proxy.port},"
        "   user: 'app', password: 'app-secret',"
        f"   ssl: {{ca: fs.readFileSync('{certs.ca}')}}}});"
        " const [rows] = await c.execute('SELECT name FROM shop.items WHERE id = ?', [2]);"
        " console.log(JSON.stringify({name: rows[0].name,"
        "   tls: c.connection.stream.getProtocol ? c.connection.stream.getProtocol() : null}));"
        " await c.end(); })().catch(e => { console.error(e); process.exit(1); });")
    out = run_node(script)
    assert '"name":"pear"' in out
    assert '"tls":"TLSv1.' in out, out


JAVA_JAR = "/usr/share/java/mariadb-java-client.jar"


@pytest.mark.skipif(not (shutil.which("java") and os.path.exists(JAVA_JAR)),
                    reason="needs default-jdk-headless and libmariadb-java")
def test_connector_j_verifies_the_proxy_certificate(proxy, certs):
    def run(ca):
        out = subprocess.run(["java", "-cp", JAVA_JAR, os.path.join(HERE, "java", "TlsTest.java"),
                              str(proxy.port), "app", "app-secret", ca],
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout
    before = scrape(proxy.metrics_port)[ACCEPTED_TLS]
    assert "TLS OK 42" in run(certs.ca)
    assert scrape(proxy.metrics_port)[ACCEPTED_TLS] == before + 1
    assert "TLS REFUSED" in run(certs.other_ca)


def test_big_packets_streams_infile_statements_and_change_user_over_tls(proxy, certs, tmp_path):
    conn = pymysql.connect(host="127.0.0.1", port=proxy.port, user="app", password="app-secret",
                           ssl={"ca": certs.ca}, local_infile=True, database="shop")
    c = conn.cursor()
    blob = os.urandom(20 * 1024 * 1024)
    c.execute("REPLACE INTO blobs VALUES (1, %s)", (blob,))
    c.execute("SELECT b FROM blobs WHERE id = 1")
    assert c.fetchone()[0] == blob
    c.execute("SELECT COUNT(*), SUM(LENGTH(x)) FROM (SELECT REPEAT('y', 50) AS x FROM"
              " seq_1_to_200000) t")
    assert c.fetchone() == (200000, 200000 * 50)
    ss = conn.cursor(pymysql.cursors.SSCursor)
    ss.execute("SELECT seq, REPEAT('z', 20) FROM seq_1_to_200000")
    n = sum(1 for _ in ss)
    ss.close()
    assert n == 200000
    data = tmp_path / "rows.tsv"
    data.write_text("".join(f"{i}\tname{i}\n" for i in range(1, 1001)))
    c.execute(f"LOAD DATA LOCAL INFILE '{data}' INTO TABLE loaded")
    c.execute("SELECT COUNT(*) FROM loaded")
    assert c.fetchone()[0] == 1000
    c.execute("SHADOW SYNC HELP")
    assert c.fetchall()
    conn.close()
    # Prepared statements and COM_CHANGE_USER: mysqlclient over TLS.
    m = MySQLdb.connect(host="127.0.0.1", port=proxy.port, user="app", passwd="app-secret",
                        ssl={"ca": certs.ca}, db="shop")
    mc = m.cursor()
    mc.execute("PREPARE s FROM 'SELECT name FROM items WHERE id = ?'")
    mc.execute("SET @i = 1")
    mc.execute("EXECUTE s USING @i")
    assert mc.fetchone()[0] == "apple"
    m.change_user("bob", "bob-secret", "shop")
    mc = m.cursor()
    mc.execute("SELECT CURRENT_USER()")
    assert mc.fetchone()[0].startswith("bob@")
    m.change_user("app", "app-secret", "shop")
    mc = m.cursor()
    mc.execute("SELECT CURRENT_USER()")
    assert mc.fetchone()[0].startswith("app@")
    m.close()


def test_node_prepared_statements_over_tls(proxy, certs):
    script = (
        "const mysql = require('mysql2/promise'); const fs = require('fs');"
        "(async () => {"
        f" const c = await mysql.createConnection({{host: '127.0.0.1', port: {proxy.port},"
        "   user: 'bob', password: 'bob-secret', database: 'shop',"
        f"   ssl: {{ca: fs.readFileSync('{certs.ca}')}}}});"
        " let out = [];"
        " for (const id of [1, 2]) { const [r] = await c.execute("
        "   'SELECT name FROM items WHERE id = ?', [id]); out.push(r[0].name); }"
        " console.log(out.join(',')); await c.end(); })()"
        ".catch(e => { console.error(e); process.exit(1); });")
    assert run_node(script).strip() == "apple,pear"


def client_hello():
    """The first flight of a real TLS client, from Python's ssl module over memory BIOs."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_side=False)
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    return outgoing.read()


def ssl_request(raw):
    """Reads the greeting and sends an SSLRequest (CLIENT_SSL | PROTOCOL_41 | SECURE_CONN...)."""
    g = raw.read_greeting()
    caps = 0x00000200 | 0x00008000 | 0x00080000 | 0x00000800 | 0x00000008
    raw.send_packet(struct.pack("<IIB23x", caps, 1 << 24, 33), seq=1)
    return g


@pytest.mark.parametrize("what", ["garbage", "cut_short"])
def test_bad_tls_handshakes_close_only_their_session(proxy, certs, what):
    good = pymysql.connect(host="127.0.0.1", port=proxy.port, user="app", password="app-secret",
                           ssl={"ca": certs.ca})
    offset = log_size(proxy)
    before = scrape(proxy.metrics_port)['shadowproxy_tls_handshakes_total{result="failed"}']
    raw = RawClient(proxy.port)
    ssl_request(raw)
    if what == "garbage":
        raw.send_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\x00" * 200)
        assert raw.closed_within(10)
    else:
        hello = client_hello()
        raw.send_raw(hello[: len(hello) // 2])
        raw.close()
    deadline = time.time() + 10
    while time.time() < deadline:
        lines = log_lines_since(proxy, offset)
        if any("TLS handshake failed" in l for l in lines):
            break
        time.sleep(0.1)
    assert any("TLS handshake failed" in l and "127.0.0.1" in l for l in lines), lines
    after = scrape(proxy.metrics_port)['shadowproxy_tls_handshakes_total{result="failed"}']
    assert after == before + 1
    with good.cursor() as c:  # the other session did not notice
        c.execute("SELECT 7")
        assert c.fetchone()[0] == 7
    good.close()


def test_a_client_that_stops_mid_handshake_is_closed(proxy, certs):
    raw = RawClient(proxy.port, timeout=20)
    ssl_request(raw)
    hello = client_hello()
    raw.send_raw(hello)  # then never answers the ServerHello
    assert raw.closed_within(15)  # the authentication deadline (10 s)
    with pymysql.connect(host="127.0.0.1", port=proxy.port, user="app", password="app-secret",
                         ssl={"ca": certs.ca}) as conn, conn.cursor() as c:
        c.execute("SELECT 1")


def test_require_refuses_plaintext_with_3159(backend, certs):
    port = free_port()
    p = Proxy(config(backend, port, certs, require=True), port=port)
    try:
        with pytest.raises(pymysql.err.OperationalError) as e:
            pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-secret")
        assert e.value.args[0] == 3159
        with pymysql.connect(host="127.0.0.1", port=port, user="bob", password="bob-secret",
                             ssl={"ca": certs.ca}) as conn:
            assert tls_version(conn)
    finally:
        p.stop()


def test_tls_client_of_a_proxy_without_tls_proceeds_in_plaintext(backend, certs):
    port = free_port()
    p = Proxy(config(backend, port, certs, tls=False), port=port)
    try:
        with pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-secret",
                             ssl={"ca": certs.ca}) as conn:
            assert tls_version(conn) is None
            with conn.cursor() as c:
                c.execute("SELECT 1")
                assert c.fetchone()[0] == 1
    finally:
        p.stop()


def test_sighup_reloads_the_certificate(backend, certs, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(open(certs.server_cert, "rb").read())
    key.write_bytes(open(certs.server_key, "rb").read())
    port = free_port()
    text = config(backend, port, certs).replace(certs.server_cert, str(cert)).replace(
        certs.server_key, str(key))
    p = Proxy(text, port=port)
    try:
        def serial():
            with pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-secret",
                                 ssl={"ca": certs.ca}) as conn:
                return conn._sock.getpeercert()["serialNumber"]
        first = serial()
        new_cert, new_key = certs.issue("reloaded", "localhost", "IP:127.0.0.1,DNS:localhost")
        cert.write_bytes(open(new_cert, "rb").read())
        key.write_bytes(open(new_key, "rb").read())
        p.proc.send_signal(1)
        deadline = time.time() + 10
        while time.time() < deadline and "configuration reloaded" not in p.log():
            time.sleep(0.1)
        assert serial() != first
        # A bad key is refused with a log line; the certificate in use stays.
        offset = log_size(p)
        key.write_text("not a key\n")
        p.proc.send_signal(1)
        deadline = time.time() + 10
        while time.time() < deadline and not log_lines_since(p, offset, level="ERROR"):
            time.sleep(0.1)
        lines = log_lines_since(p, offset, level="ERROR")
        assert any("reload refused" in l and "listen.tls.key" in l for l in lines), lines
        with pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-secret",
                             ssl={"ca": certs.ca}) as conn:
            assert tls_version(conn)
    finally:
        p.stop()


def test_bad_tls_files_are_config_errors(backend, certs, tmp_path):
    from harness import PROXY_BIN
    bad = tmp_path / "bad.yaml"
    bad.write_text(config(backend, free_port(), certs).replace(certs.server_key, certs.ca))
    out = subprocess.run([PROXY_BIN, "--config", str(bad), "--check-config"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "listen.tls.key" in out.stderr, out.stderr
    missing = tmp_path / "missing.yaml"
    missing.write_text(config(backend, free_port(), certs).replace(certs.server_cert,
                                                                   "/nonexistent/cert.pem"))
    out = subprocess.run([PROXY_BIN, "--config", str(missing), "--check-config"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "listen.tls.cert" in out.stderr and "cannot read" in out.stderr, out.stderr


# --- TLS to the backend --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_backend(certs):
    b = Backend(extra_args=(f"--ssl-cert={certs.server_cert}", f"--ssl-key={certs.server_key}",
                            f"--ssl-ca={certs.ca}"))
    create_account(b, "app", "app-backend")
    create_account(b, "bob", "bob-secret")
    b.sql("SET GLOBAL max_allowed_packet = 64*1024*1024")
    yield b
    b.stop()


def backend_tls_version(port, user, password):
    with pymysql.connect(host="127.0.0.1", port=port, user=user, password=password) as conn, \
            conn.cursor() as c:
        c.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
        return c.fetchone()[1]


@pytest.mark.parametrize("mode", ["preferred", "required", "verify_ca", "verify_identity"])
def test_backend_tls_modes(tls_backend, certs, mode):
    port = free_port()
    ca = f", ca: {certs.ca}" if mode.startswith("verify") else ""
    p = Proxy(config(tls_backend, port, certs, tls=False,
                     cluster_tls=f"    tls: {{mode: {mode}{ca}}}\n"), port=port)
    try:
        for user, password in (("app", "app-secret"), ("bob", "bob-secret")):
            assert backend_tls_version(port, user, password).startswith("TLSv1"), (user, mode)
    finally:
        p.stop()


def test_backend_tls_disabled_and_preferred_without_server_tls(backend, certs):
    port = free_port()
    p = Proxy(config(backend, port, certs, tls=False, cluster_tls="    tls: {mode: required}\n"),
              port=port)
    try:
        with pytest.raises(pymysql.err.OperationalError) as e:
            pymysql.connect(host="127.0.0.1", port=port, user="bob", password="bob-secret")
        assert e.value.args[0] == 7030 and "TLS" in e.value.args[1]
    finally:
        p.stop()


def test_backend_verify_identity_with_a_wrong_ca(tls_backend, certs):
    port = free_port()
    p = Proxy(config(tls_backend, port, certs, tls=False,
                     cluster_tls=f"    tls: {{mode: verify_identity, ca: {certs.other_ca}}}\n"),
              port=port)
    try:
        for user, password in (("app", "app-secret"), ("bob", "bob-secret")):
            with pytest.raises(pymysql.err.OperationalError) as e:
                pymysql.connect(host="127.0.0.1", port=port, user=user, password=password)
            assert e.value.args[0] == 7030
            assert "certificate verify failed" in e.value.args[1], e.value.args[1]
    finally:
        p.stop()


def test_tls_on_both_sides_with_a_pass_through_user(tls_backend, certs):
    port = free_port()
    p = Proxy(config(tls_backend, port, certs,
                     cluster_tls=f"    tls: {{mode: verify_identity, ca: {certs.ca}}}\n"),
              port=port)
    try:
        for user, password in (("app", "app-secret"), ("bob", "bob-secret")):
            with pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                                 ssl={"ca": certs.ca}) as conn, conn.cursor() as c:
                assert tls_version(conn)
                c.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
                assert c.fetchone()[1].startswith("TLSv1")
                blob = os.urandom(17 * 1024 * 1024)
                # Named columns: an unnamed one is named after its text, the blob's first bytes,
                # which PyMySQL fails to decode for about 1 random blob in 90.
                c.execute("SELECT LENGTH(%s) AS n, MD5(%s) = MD5(%s) AS same", (blob, blob, blob))
                assert c.fetchone() == (len(blob), 1)
    finally:
        p.stop()


def test_schema_reads_ddl_and_metadb_use_the_cluster_tls(certs):
    """A backend that refuses every plaintext connection: the proxy's own connections (metadb,
    schema reads, shadow DDL) must all be TLS for an analysis and its execution to work."""
    b = Backend(extra_args=(f"--ssl-cert={certs.server_cert}", f"--ssl-key={certs.server_key}",
                            f"--ssl-ca={certs.ca}"))
    p = None
    try:
        create_account(b, "app", "app-backend")
        b.sql("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name TEXT);"
              "SET GLOBAL require_secure_transport = ON;")
        port = free_port()
        p = Proxy(config(b, port, certs, tls=False,
                         cluster_tls=f"    tls: {{mode: verify_identity, ca: {certs.ca}}}\n",
                         extra="shadow_sync:\n  processes:\n    - {name: auto, match: {},"
                               " nodes: []}\n"), port=port)
        with pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-secret",
                             database="shop") as conn, conn.cursor() as c:
            c.execute("SHADOW SYNC CREATE TASK DATABASE shop ALL TABLES EXECUTE IMMEDIATELY")
            task_id = c.fetchone()[0]
            deadline = time.time() + 60
            status = None
            while time.time() < deadline:
                c.execute("SHADOW SYNC SHOW TASKS")
                status = {r[0]: r[6] for r in c.fetchall()}[task_id]
                if status in ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED"):
                    break
                time.sleep(0.2)
            assert status == "EXECUTION_SUCCEEDED", p.log()
            c.execute("SHOW CREATE TABLE items_shadow")
            assert "items_shadow" in c.fetchone()[0]
    finally:
        if p:
            p.stop()
        b.stop()
