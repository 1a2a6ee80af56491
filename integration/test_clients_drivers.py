"""The relay with other real clients (SPEC.md §3): mysqlclient (MySQLdb) incl. COM_CHANGE_USER,
node mysql2 (prepared statements) and mariadb (pipelining, batch), JDBC with server-side prepared
statements and a batch, the mariadb CLI, and pass-through authentication of a backend account
that is not in the config."""

import os
import shutil
import subprocess

import MySQLdb
import pymysql
import pytest

from harness import SRC, Stack, create_account

NODE_DIR = os.path.join(SRC, "integration", "node")
JAVA_JAR = "/usr/share/java/mariadb-java-client.jar"


@pytest.fixture(scope="module")
def stack():
    s = Stack()
    s.backend.sql("CREATE DATABASE IF NOT EXISTS drv")
    # Backend-only accounts: not in the proxy's config, so the backend authenticates them.
    create_account(s.backend, "pt_user", "pt-pass", grants="ALL PRIVILEGES ON drv.*")
    create_account(s.backend, "pt_other", "other-pass", grants="SELECT ON drv.*")
    yield s
    s.stop()


def current_user(conn):
    cur = conn.cursor()
    cur.execute("SELECT CURRENT_USER(), DATABASE()")
    row = cur.fetchone()
    cur.close()
    return row


# --- mysqlclient ----------------------------------------------------------------------------

def test_mysqldb_queries_and_types(stack):
    conn = MySQLdb.connect(host="127.0.0.1", port=stack.port, user="app", passwd="app-secret",
                           db="drv", charset="utf8mb4")
    try:
        cur = conn.cursor()
        cur.execute("SELECT CAST('3.14' AS DECIMAL(5,2)), %s, NULL, 18446744073709551615",
                    ("🦄 ✓",))
        d, s, n, u = cur.fetchone()
        assert str(d) == "3.14" and s == "🦄 ✓" and n is None and u == 18446744073709551615
        cur.execute("SELECT seq FROM seq_1_to_1000")
        assert len(cur.fetchall()) == 1000
        conn.ping()  # COM_PING
        direct = MySQLdb.connect(host="127.0.0.1", port=stack.backend.port, user="root", passwd="")
        assert conn.get_server_info() == direct.get_server_info()
        direct.close()
    finally:
        conn.close()


def test_mysqldb_change_user_between_configured_and_passthrough(stack):
    conn = MySQLdb.connect(host="127.0.0.1", port=stack.port, user="app", passwd="app-secret",
                           db="drv")
    try:
        cur = conn.cursor()
        cur.execute("SET @before = 1")
        cur.close()
        # Configured user -> backend-only account: authenticated by the backend.
        conn.change_user("pt_user", "pt-pass", "drv")
        user, db = current_user(conn)
        assert user.startswith("pt_user@") and db == "drv"
        cur = conn.cursor()
        cur.execute("SELECT @before")  # COM_CHANGE_USER resets the session
        assert cur.fetchone() == (None,)
        cur.close()
        # Backend-only -> another backend-only account.
        conn.change_user("pt_other", "other-pass", "")
        assert current_user(conn)[0].startswith("pt_other@")
        # -> the configured user again: authenticated by the proxy.
        conn.change_user("app", "app-secret", "drv")
        assert current_user(conn)[0].startswith("app@")
        # A wrong password is refused with 1045.
        with pytest.raises(MySQLdb.OperationalError) as e:
            conn.change_user("pt_user", "not-the-password", "")
        assert e.value.args[0] == 1045
    finally:
        conn.close()
    # The proxy still serves new sessions.
    conn = MySQLdb.connect(host="127.0.0.1", port=stack.port, user="app", passwd="app-secret")
    assert current_user(conn)[0].startswith("app@")
    conn.close()


# --- pass-through authentication ---------------------------------------------------------------

def test_passthrough_account_logs_in_with_backend_password(stack):
    conn = pymysql.connect(host="127.0.0.1", port=stack.port, user="pt_user", password="pt-pass",
                           database="drv")
    try:
        user, db = current_user(conn)
        assert user.startswith("pt_user@") and db == "drv"
        conn.select_db("drv")  # COM_INIT_DB
        with conn.cursor() as c:
            c.execute("CREATE TABLE IF NOT EXISTS pt (id INT)")
            c.execute("INSERT INTO pt VALUES (1)")
            conn.commit()
            with pytest.raises(pymysql.err.OperationalError) as e:  # no rights outside drv
                c.execute("CREATE DATABASE not_allowed")
            assert e.value.args[0] in (1044, 1227)
        with pytest.raises(pymysql.err.OperationalError) as e:
            conn.select_db("mysql")
        assert e.value.args[0] == 1044
    finally:
        conn.close()


def test_passthrough_wrong_password_is_1045(stack):
    with pytest.raises(pymysql.err.OperationalError) as e:
        pymysql.connect(host="127.0.0.1", port=stack.port, user="pt_user", password="nope")
    assert e.value.args[0] == 1045
    assert "Access denied for user 'pt_user'@" in e.value.args[1]


# --- node ------------------------------------------------------------------------------------

def run_node(stack, script):
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR,
                       check=True, timeout=300)
    out = subprocess.run(["node", script, str(stack.port), "app", "app-secret", "drv"],
                         cwd=NODE_DIR, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_node_mysql2_prepared_statements(stack):
    assert "mysql2 OK" in run_node(stack, "mysql2_prepared.js")


def test_node_mariadb_pipelining_and_batch(stack):
    assert "mariadb OK" in run_node(stack, "mariadb_pipelining.js")


# --- JDBC ------------------------------------------------------------------------------------

@pytest.mark.skipif(not (shutil.which("java") and os.path.exists(JAVA_JAR)),
                    reason="needs default-jdk-headless and libmariadb-java")
def test_jdbc_server_prepared_statements_and_batch(stack):
    out = subprocess.run(
        ["java", "-cp", JAVA_JAR, os.path.join(SRC, "integration", "java", "Test.java"),
         str(stack.port), "app", "app-secret", "drv"],
        capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "JDBC OK" in out.stdout


# --- the mariadb CLI -------------------------------------------------------------------------

def cli(stack, sql, *args, user="app", password="app-secret"):
    return subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{stack.port}",
                           f"-u{user}", f"-p{password}", *args],
                          input=sql, capture_output=True, text=True, timeout=60)


def test_cli_batch_use_and_errors(stack):
    out = cli(stack, "USE drv;\nSELECT DATABASE();\nCREATE TABLE IF NOT EXISTS cli_t (a INT);\n"
                     "INSERT INTO cli_t VALUES (7),(8);\nSELECT SUM(a) FROM cli_t;\n", "-N", "-B")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["drv", "15"]
    out = cli(stack, "SELECT 1;\nSELECT * FROM drv.no_such_table;\nSELECT 2;\n", "-N", "-B")
    assert out.returncode == 1
    assert out.stdout.split() == ["1"]  # the batch stops at the error
    assert "ERROR 1146 (42S02)" in out.stderr and "no_such_table" in out.stderr
    out = cli(stack, "SELECT 1;\n", user="app", password="wrong")
    assert out.returncode == 1
    assert "ERROR 1045 (28000)" in out.stderr
    out = cli(stack, "SELECT CURRENT_USER();\n", "-N", "-B", user="pt_user", password="pt-pass")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("pt_user@")
    out = cli(stack, "", "-e", "SELECT @@version_comment; SHOW DATABASES LIKE 'drv'", "-N")
    assert out.returncode == 0, out.stderr
    assert "drv" in out.stdout
