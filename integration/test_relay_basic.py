"""End-to-end smoke test of the relay (SPEC.md §1, §3): a real MariaDB, the built proxy, real
clients (mariadb CLI, PyMySQL). Configured user (password checked by the proxy) and pass-through
user, errors relayed, multi-results, LOAD DATA LOCAL INFILE, 16 MiB+ packets, SHADOW SYNC seam,
backend death, signals."""

import os
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.request

import pymysql
import pytest
from pymysql.constants import CLIENT

from harness import Backend, Proxy, default_config, free_port

USERS = ("  - {name: app, password: app-secret, backend_user: app, backend_password: app-backend,"
         " roles: [developer]}\n")


@pytest.fixture(scope="module")
def backend():
    b = Backend()
    b.sql("CREATE USER app@'%' IDENTIFIED BY 'app-backend'; GRANT ALL ON *.* TO app@'%';"
          "CREATE USER bob@'%' IDENTIFIED BY 'bob-secret'; GRANT ALL ON *.* TO bob@'%';"
          "CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20));"
          "INSERT INTO shop.items VALUES (1, 'apple'), (2, 'pear');"
          "CREATE TABLE shop.blobs (id INT PRIMARY KEY, b LONGBLOB);"
          "SET GLOBAL max_allowed_packet = 64*1024*1024;")
    yield b
    b.stop()


@pytest.fixture(scope="module")
def proxy(backend):
    port = free_port()
    p = Proxy(default_config(backend, port, users=USERS), port=port)
    yield p
    p.stop()


def test_cli_batch_query(proxy):
    out = subprocess.run(
        ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{proxy.port}", "-uapp", "-papp-secret",
         "-N", "-B", "-e", "SELECT 1+1; SELECT name FROM shop.items ORDER BY id"],
        capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "apple", "pear"]


def test_select_use_and_errors_relayed(proxy):
    conn = proxy.connect(user="root", password="")
    cur = conn.cursor()
    cur.execute("SELECT VERSION()")
    assert "MariaDB" in cur.fetchone()[0]
    cur.execute("USE shop")
    cur.execute("SELECT DATABASE(), COUNT(*) FROM items")
    assert cur.fetchone() == ("shop", 2)
    with pytest.raises(pymysql.err.ProgrammingError) as e:
        cur.execute("SELEC 1")
    assert e.value.args[0] == 1064
    with pytest.raises(pymysql.err.ProgrammingError) as e:
        cur.execute("SELECT * FROM no_such_table")
    assert e.value.args[0] == 1146
    cur.execute("SELECT 42")  # the session survives errors
    assert cur.fetchone() == (42,)
    conn.close()


def test_configured_and_passthrough_users_log_in(proxy):
    app = proxy.connect(user="app", password="app-secret", database="shop")
    cur = app.cursor()
    cur.execute("SELECT CURRENT_USER(), DATABASE()")
    assert cur.fetchone() == ("app@%", "shop")
    app.close()
    bob = proxy.connect(user="bob", password="bob-secret")
    cur = bob.cursor()
    cur.execute("SELECT CURRENT_USER()")
    assert cur.fetchone() == ("bob@%",)
    bob.close()


@pytest.mark.parametrize("user", ["app", "bob", "nobody"])
def test_wrong_password_is_1045(proxy, user):
    with pytest.raises(pymysql.err.OperationalError) as e:
        proxy.connect(user=user, password="wrong")
    assert e.value.args[0] == 1045
    assert "Access denied for user '%s'" % user in e.value.args[1]


def test_configured_user_with_backend_password_is_refused(proxy):
    # The backend password is not the proxy password: the proxy checks its own.
    with pytest.raises(pymysql.err.OperationalError) as e:
        proxy.connect(user="app", password="app-backend")
    assert e.value.args[0] == 1045


def test_shadow_sync_help_answered_by_proxy(proxy):
    conn = proxy.connect()
    cur = conn.cursor()
    cur.execute("  /* hint */ shadow   SYNC HELP")
    rows = cur.fetchall()
    assert len(rows) > 0
    assert any("ANALYZE" in str(r) for r in rows)
    cur.execute("SELECT 7")  # relay continues after an intercepted statement
    assert cur.fetchone() == (7,)
    conn.close()


def test_prepared_shadow_sync_is_an_error_not_a_hang(proxy):
    conn = proxy.connect()
    conn._execute_command(0x16, "SHADOW SYNC HELP")  # COM_STMT_PREPARE
    with pytest.raises(pymysql.err.MySQLError) as e:
        conn._read_packet()
    assert e.value.args[0] == 1295
    cur = conn.cursor()
    cur.execute("SELECT 8")
    assert cur.fetchone() == (8,)
    conn.close()


def test_multi_statement_multi_result(proxy):
    conn = proxy.connect(client_flag=CLIENT.MULTI_STATEMENTS)
    cur = conn.cursor()
    cur.execute("SELECT 1; SELECT 2, 3; DO 0; SELECT 'x'")
    assert cur.fetchall() == ((1,),)
    assert cur.nextset()
    assert cur.fetchall() == ((2, 3),)
    assert cur.nextset()
    assert cur.nextset()
    assert cur.fetchall() == (("x",),)
    assert not cur.nextset()
    cur.execute("SELECT 9")
    assert cur.fetchone() == (9,)
    conn.close()


def test_load_data_local_infile_and_big_packets(proxy, tmp_path):
    conn = proxy.connect(local_infile=True, database="shop", max_allowed_packet=64 * 1024 * 1024)
    cur = conn.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS loaded (id INT, name VARCHAR(20))")
    data = tmp_path / "rows.tsv"
    data.write_text("".join(f"{i}\tname{i}\n" for i in range(5000)))
    cur.execute(f"LOAD DATA LOCAL INFILE '{data}' INTO TABLE loaded")
    cur.execute("SELECT COUNT(*), MAX(id) FROM loaded")
    assert cur.fetchone() == (5000, 4999)
    big = os.urandom(17 * 1024 * 1024)  # more than one 16 MiB packet each way
    cur.execute("INSERT INTO blobs VALUES (1, %s)", (big,))
    conn.commit()
    cur.execute("SELECT b, LENGTH(b) FROM blobs WHERE id = 1")
    got, length = cur.fetchone()
    assert length == len(big) and got == big
    conn.close()


def test_garbage_and_truncated_clients_do_not_hurt_others(proxy):
    # Garbage before the handshake, a truncated login, a huge length header with no body.
    for payload in (b"GET / HTTP/1.0\r\n\r\n" * 10, b"\x50\x00\x00\x01\x85\xa6",
                    b"\xff\xff\xff\x01"):
        s = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        s.recv(1024)  # the greeting
        s.sendall(payload)
        s.settimeout(5)
        try:
            while s.recv(4096):
                pass
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
    conn = proxy.connect()
    cur = conn.cursor()
    cur.execute("SELECT 5")
    assert cur.fetchone() == (5,)
    conn.close()
    assert "WARN" in proxy.log()


def test_backend_death_gives_an_error_not_a_hang(tmp_path):
    b = Backend()
    port, metrics_port = free_port(), free_port()
    p = Proxy(default_config(b, port, metrics_port, users=USERS), port=port)
    server = f'shadowproxy_backend_errors_total{{cluster="local",server="127.0.0.1:{b.port}"}}'

    def backend_errors():
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(server + " "):
                    return float(line.split()[-1])
        return 0.0

    try:
        conn = p.connect(user="root", password="", read_timeout=30)
        errors = []

        def slow():
            try:
                conn.cursor().execute("SELECT SLEEP(20)")
            except pymysql.err.MySQLError as e:
                errors.append(e)

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(1)
        os.kill(b.pid, signal.SIGKILL)
        t.join(timeout=10)
        assert not t.is_alive(), "client hung after the backend died"
        assert errors and errors[0].args[0] == 2013
        lost = backend_errors()
        assert lost >= 1  # the lost connection
        # New sessions get a clear error while the cluster has no live server.
        with pytest.raises(pymysql.err.OperationalError) as e:
            p.connect(user="root", password="", connect_timeout=10)
        assert e.value.args[0] in (7030, 2013)
        if e.value.args[0] == 7030:  # names the server that did not answer
            assert f"127.0.0.1:{b.port}" in e.value.args[1], e.value.args
            assert backend_errors() > lost  # the failed connect counts too
        assert p.proc.poll() is None
    finally:
        p.stop()
        b.stop()


def test_signals_reload_and_graceful_stop(backend):
    port = free_port()
    p = Proxy(default_config(backend, port, users=USERS), port=port)
    try:
        with pytest.raises(pymysql.err.OperationalError):
            p.connect(user="carol", password="carol-pw")
        conn = p.connect()  # stays open across the reload
        with open(p.config_path) as f:
            text = f.read()
        good = text.replace(
            "users:\n", "users:\n  - {name: carol, password: carol-pw, backend_user: app,"
            " backend_password: app-backend}\n")
        with open(p.config_path, "w") as f:
            f.write(good)
        p.proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        carol = p.connect(user="carol", password="carol-pw")
        carol.close()
        with open(p.config_path, "w") as f:
            f.write(good.replace("port: %d" % port, "port: nonsense"))
        p.proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert "reload refused" in p.log()
        p.connect(user="carol", password="carol-pw").close()  # the old config stays
        cur = conn.cursor()
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
        conn.close()
        assert p.stop() == 0
    finally:
        p.stop()


def test_change_user_both_paths(proxy):
    import MySQLdb
    c = MySQLdb.connect(host="127.0.0.1", port=proxy.port, user="bob", password="bob-secret",
                        database="shop")
    cur = c.cursor()
    cur.execute("SELECT CURRENT_USER(), DATABASE()")
    assert cur.fetchone() == ("bob@%", "shop")
    c.change_user("app", "app-secret", "mysql")  # verified by the proxy, backend as app
    cur = c.cursor()
    cur.execute("SELECT CURRENT_USER(), DATABASE()")
    assert cur.fetchone() == ("app@%", "mysql")
    with pytest.raises(MySQLdb.OperationalError) as e:
        c.change_user("app", "wrong", "shop")
    assert e.value.args[0] == 1045
    c.close()
    c = MySQLdb.connect(host="127.0.0.1", port=proxy.port, user="app", password="app-secret")
    c.change_user("bob", "bob-secret", "shop")  # relayed, the backend authenticates
    cur = c.cursor()
    cur.execute("SELECT CURRENT_USER(), DATABASE()")
    assert cur.fetchone() == ("bob@%", "shop")
    c.close()


def test_sigterm_lets_the_statement_in_flight_finish(backend):
    port = free_port()
    p = Proxy(default_config(backend, port, users=USERS), port=port)
    try:
        busy = p.connect()
        idle = p.connect()
        result = []

        def slow():
            cur = busy.cursor()
            cur.execute("SELECT SLEEP(2), 'done'")
            result.append(cur.fetchone())

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.5)
        started = time.time()
        p.proc.send_signal(signal.SIGTERM)
        t.join(timeout=10)
        assert result == [(0, "done")]
        assert p.proc.wait(timeout=10) == 0
        assert time.time() - started < 5
        with pytest.raises(pymysql.err.MySQLError):
            idle.cursor().execute("SELECT 1")
    finally:
        p.stop()
