"""Edge cases of the relay, end to end (a real MariaDB, the built proxy, real clients).

1. A connection the server kills in the middle of a statement: session B holds
   LOCK TABLE t WRITE, session A runs ALTER TABLE t ADD COLUMN (waits for the metadata lock),
   a third session runs KILL <A>. MariaDB shuts A's socket down (THD::awake → vio_shutdown), so
   a direct client gets 2013 (or 1927 ER_CONNECTION_KILLED should the ERR win the race). Through
   the proxy the client must get the same, never 2027 "Received malformed packet": MariaDB
   Connector/C >= 3.3.9 (the mariadb CLI, mysqlclient) rejects an ERR packet *from the server*
   whose code is in a client-only range (2000-2999, 5000-5999) and reports CR_MALFORMED_PACKET
   instead - and the proxy ends the cut-off response with a forged ERR 2013 (CR_SERVER_LOST).
   test_killed_statement_bytes logs both legs at the byte level and checks exactly that.
2. A prepared LOAD DATA LOCAL INFILE: MariaDB answers COM_STMT_EXECUTE with the LOCAL INFILE
   request (0xFB), the client streams the file, the server sends OK.

Every case runs directly against MariaDB too (must pass: proves the test is right) and through
the proxy. Run: cd build && ctest -R test_relay_edges --output-on-failure
(or SHADOWPROXY_BIN=... /usr/bin/python3 -m pytest -v integration/test_relay_edges.py)."""

import json
import os
import re
import socket
import subprocess
import threading
import time

import MySQLdb
import pymysql
import pytest

from harness import SRC, Proxy, RawClient, Stack, default_config, free_port

NODE_DIR = os.path.join(SRC, "integration", "node")
DB = "edges"
USER, PASSWORD = "app", "app-secret"  # on the backend (create_account) and in the proxy config
WAIT = 60.0  # generous: a 2-core machine running other test files at the same time

CLIENT_ONLY_CODES = (range(2000, 3000), range(5000, 6000))  # CR_* and CER_* (Connector/C)


@pytest.fixture(scope="module")
def stack():
    s = Stack(backend_args=("--local-infile=1",))
    s.backend.sql(f"CREATE DATABASE {DB}")
    yield s
    s.stop()


def target_port(stack, via):
    return stack.backend.port if via == "direct" else stack.port


# --- a byte-logging TCP relay ----------------------------------------------------------------

class HexRelay:
    """Listens on a free port and relays every connection to `target`, recording each chunk (and
    each EOF as b"") with its direction: "c2s" (towards target) or "s2c" (from target)."""

    def __init__(self, target):
        self.target = target
        self.events = []  # (time, connection number, direction, bytes)
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.socks = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=10)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.count += 1
                n = self.count
                self.socks += [client, server]
            threading.Thread(target=self._pump, args=(client, server, n, "c2s"),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, n, "s2c"),
                             daemon=True).start()

    def _pump(self, src, dst, n, direction):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            with self.lock:
                self.events.append((time.time(), n, direction, data))
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            try:
                dst.sendall(data)
            except OSError:
                return

    def stream(self, n, direction):
        """All bytes of connection `n` in `direction`, and whether that side reached EOF."""
        with self.lock:
            chunks = [e[3] for e in self.events if e[1] == n and e[2] == direction]
        return b"".join(chunks), bool(chunks) and chunks[-1] == b""

    def wait_eof(self, n, direction, timeout=WAIT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.stream(n, direction)[1]:
                return True
            time.sleep(0.05)
        return False

    def answer_to(self, n, command):
        """What connection `n` received from the target after the chunk that carried the
        `command` text went to it (None if it never did)."""
        with self.lock:
            events = [e for e in self.events if e[1] == n]
        sent = next((e[0] for e in events if e[2] == "c2s" and command in e[3]), None)
        if sent is None:
            return None
        return b"".join(e[3] for e in events if e[2] == "s2c" and e[0] >= sent)

    def close(self):
        self.sock.close()
        with self.lock:
            for s in self.socks:
                s.close()


def split_packets(data):
    """[(payload length, seq, payload)]; a partial packet at the end is ('partial', bytes)."""
    out, i = [], 0
    while i + 4 <= len(data):
        length = int.from_bytes(data[i:i + 3], "little")
        if i + 4 + length > len(data):
            break
        out.append((length, data[i + 3], data[i + 4:i + 4 + length]))
        i += 4 + length
    if i < len(data):
        out.append(("partial", data[i:]))
    return out


def describe(data):
    lines = []
    for p in split_packets(data):
        if p[0] == "partial":
            lines.append(f"  PARTIAL {len(p[1])} bytes: {p[1][:32].hex(' ')}")
        else:
            lines.append(f"  len={p[0]} seq={p[1]} payload[:48]={p[2][:48].hex(' ')}  "
                         f"{p[2][:64]!r}")
    return "\n".join(lines) or "  (nothing)"


def after_command(data, command_prefix):
    """The packets after the first one whose payload starts with `command_prefix`."""
    packets = split_packets(data)
    for i, p in enumerate(packets):
        if p[0] != "partial" and p[2].startswith(command_prefix):
            return packets[i + 1:]
    return []


# --- 1. a connection killed by the server mid-statement ---------------------------------------

def admin(stack):
    return stack.backend.connect(database=DB, autocommit=True, read_timeout=WAIT)


def wait_for_mdl_wait(conn, table, conn_id=None, timeout=WAIT):
    """Polls the processlist until the ALTER on `table` waits for its metadata lock; returns the
    id of the connection running it."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        cur = conn.cursor()
        cur.execute("SELECT ID, STATE FROM information_schema.PROCESSLIST "
                    "WHERE INFO LIKE %s AND COMMAND = 'Query'",
                    (f"ALTER TABLE {table} ADD COLUMN%",))
        rows = cur.fetchall()
        cur.close()
        for cid, state in rows:
            last = (cid, state)
            if (conn_id is None or cid == conn_id) and "metadata lock" in (state or ""):
                return cid
        time.sleep(0.05)
    raise AssertionError(f"the ALTER on {table} never waited for the metadata lock: {last}")


def fresh_table(stack, name):
    stack.backend.sql(f"DROP TABLE IF EXISTS {DB}.{name}; CREATE TABLE {DB}.{name} (a INT);"
                      f"INSERT INTO {DB}.{name} VALUES (1);")


class Holder:
    """Session B: holds LOCK TABLE ... WRITE directly on the backend until closed."""

    def __init__(self, stack, table):
        self.conn = admin(stack)
        self.conn.cursor().execute(f"LOCK TABLE {table} WRITE")

    def close(self):
        try:
            self.conn.cursor().execute("UNLOCK TABLES")
        finally:
            self.conn.close()


def killed_alter_python(stack, via, client, table):
    """Runs the ALTER from PyMySQL or MySQLdb, kills it; returns the client's error code."""
    port = target_port(stack, via)
    if client == "pymysql":
        a = pymysql.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD,
                            database=DB, connect_timeout=30, read_timeout=120)
        errors = (pymysql.err.MySQLError,)
    else:
        a = MySQLdb.connect(host="127.0.0.1", port=port, user=USER, passwd=PASSWORD, db=DB,
                            connect_timeout=30, read_timeout=120)
        errors = (MySQLdb.MySQLError,)
    cur = a.cursor()
    cur.execute("SELECT CONNECTION_ID()")
    a_id = int(cur.fetchone()[0])
    cur.close()
    outcome = []

    def alter():
        try:
            c = a.cursor()
            c.execute(f"ALTER TABLE {table} ADD COLUMN b INT")
            outcome.append(("no error", None))
        except errors as e:
            outcome.append((e.args[0], e.args[1] if len(e.args) > 1 else ""))
        except Exception as e:  # noqa: BLE001 - anything else is a finding too
            outcome.append((repr(e), ""))

    t = threading.Thread(target=alter, daemon=True)
    with admin(stack) as killer:
        t.start()
        wait_for_mdl_wait(killer, table, a_id)
        killer.cursor().execute(f"KILL {a_id}")
        t.join(WAIT)
    assert not t.is_alive(), f"{client} hung after KILL {a_id}"
    try:
        a.close()
    except Exception:  # noqa: BLE001 - the connection is gone
        pass
    return outcome[0]


def killed_alter_cli(stack, via, table):
    """Runs the ALTER from the mariadb CLI, kills it; returns (error code, stderr)."""
    proc = subprocess.Popen(
        ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{target_port(stack, via)}", f"-u{USER}",
         f"-p{PASSWORD}", "--connect-timeout=30", DB, "-N", "-B",
         "-e", f"ALTER TABLE {table} ADD COLUMN b INT"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with admin(stack) as killer:
            a_id = wait_for_mdl_wait(killer, table)
            killer.cursor().execute(f"KILL {a_id}")
        _, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0, "the killed ALTER reported success"
    m = re.search(r"ERROR (\d+)", err)
    return (int(m.group(1)) if m else None), err


def assert_proxy_serves_a_fresh_session(stack):
    assert stack.proxy.proc.poll() is None, "the proxy exited"
    conn = pymysql.connect(host="127.0.0.1", port=stack.port, user=USER, password=PASSWORD,
                           connect_timeout=30, read_timeout=WAIT)
    try:
        cur = conn.cursor()
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()
    out = subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{stack.port}",
                          f"-u{USER}", f"-p{PASSWORD}", "-N", "-B", "-e", "SELECT 1"],
                         capture_output=True, text=True, timeout=WAIT)
    assert out.returncode == 0 and out.stdout.strip() == "1", out.stderr


@pytest.mark.parametrize("via", ["direct", "proxy"])
@pytest.mark.parametrize("client", ["cli", "pymysql", "mysqldb"])
def test_statement_killed_by_the_server(stack, via, client):
    table = f"kill_{client}_{via}"
    fresh_table(stack, table)
    holder = Holder(stack, table)
    try:
        if client == "cli":
            code, detail = killed_alter_cli(stack, via, table)
        else:
            code, detail = killed_alter_python(stack, via, client, table)
    finally:
        holder.close()
    assert code in (1927, 2013), (
        f"{client} via {via}: expected ER_CONNECTION_KILLED (1927) or CR_SERVER_LOST (2013), "
        f"got {code}: {detail}")
    if via == "proxy":
        assert_proxy_serves_a_fresh_session(stack)


@pytest.fixture(scope="module")
def logged(stack):
    """A second proxy whose backend is a HexRelay in front of the MariaDB: every byte between
    proxy and server is recorded."""
    relay = HexRelay(stack.backend.port)

    class RelayedBackend:
        port = relay.port

    port = free_port()
    proxy = Proxy(default_config(RelayedBackend, port), port=port)
    yield proxy, relay
    proxy.stop()
    relay.close()


def test_killed_statement_bytes(stack, logged):
    """Byte level: what MariaDB sends the proxy after KILL, and what the proxy sends the client.
    MariaDB sends nothing (or ERR 1927) and closes; the proxy may end the answer with an ERR, but
    a well-framed one (seq = the COM_QUERY's + 1) with a code a server may send - Connector/C
    turns a client-range code (2013 CR_SERVER_LOST ...) into 2027 "Received malformed packet" -
    and then close the connection."""
    proxy, backend_leg = logged
    table = "kill_bytes"
    fresh_table(stack, table)
    client_leg = HexRelay(proxy.port)
    holder = Holder(stack, table)
    raw = RawClient(client_leg.port, timeout=WAIT)
    try:
        ok = raw.handshake(USER, PASSWORD, DB)
        assert ok[0] == 0x00, ok
        rows = raw.query("SELECT CONNECTION_ID()")
        a_id = int(rows[3][1:1 + rows[3][0]])  # [count, column, EOF, row, EOF]; lenenc text
        alter = f"ALTER TABLE {table} ADD COLUMN b INT".encode()
        raw.seq = 0
        raw.send_packet(b"\x03" + alter)
        with admin(stack) as killer:
            wait_for_mdl_wait(killer, table, a_id)
            killer.cursor().execute(f"KILL {a_id}")
        assert raw.closed_within(WAIT), "the proxy did not close the killed session"
        assert client_leg.wait_eof(1, "s2c")
        client_tail = client_leg.answer_to(1, alter)
    finally:
        raw.close()
        holder.close()
        client_leg.close()
    # The proxy's backend connection for this session: the one that carried the ALTER.
    server_conn = next((n for n in range(1, backend_leg.count + 1)
                        if backend_leg.answer_to(n, alter) is not None), None)
    assert server_conn is not None, "the ALTER never reached the server"
    assert backend_leg.wait_eof(server_conn, "s2c"), "the server did not close the connection"
    server_tail = backend_leg.answer_to(server_conn, alter)
    report = (f"\nfrom MariaDB to the proxy after the ALTER ({len(server_tail)} bytes, then EOF):"
              f"\n{describe(server_tail)}\nfrom the proxy to the client after the ALTER "
              f"({len(client_tail)} bytes, then EOF):\n{describe(client_tail)}")
    print(report)
    for p in split_packets(server_tail):  # what MariaDB does (the premise): nothing, or an ERR
        assert p[0] != "partial" and p[2][:1] == b"\xff", report
    packets = split_packets(client_tail)
    assert all(p[0] != "partial" for p in packets), "a truncated packet" + report
    assert len(packets) <= 1, "more than one packet answers the ALTER" + report
    for _, seq, payload in packets:
        assert payload[:1] == b"\xff", "not an ERR packet" + report
        assert seq == 1, "wrong sequence id" + report
        code = int.from_bytes(payload[1:3], "little")
        assert not any(code in r for r in CLIENT_ONLY_CODES), (
            f"the proxy sends ERR {code}, a client-only code: Connector/C reports it as 2027 "
            f"(Received malformed packet)" + report)


# --- 2. a prepared LOAD DATA LOCAL INFILE -----------------------------------------------------

def run_node(script, *args, timeout=120):
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR,
                       check=True, timeout=300)
    return subprocess.run(["node", script, *map(str, args)], cwd=NODE_DIR, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("via", ["direct", "proxy"])
def test_prepared_load_data_local_infile(stack, via, tmp_path):
    table = f"infile_{via}"
    stack.backend.sql(f"DROP TABLE IF EXISTS {DB}.{table};"
                      f"CREATE TABLE {DB}.{table} (id INT PRIMARY KEY, name VARCHAR(20));")
    rows = 3000  # more than one 16 KiB read of the proxy, fewer than one 16 MiB packet
    data = tmp_path / "rows.csv"
    data.write_text("".join(f"{i},name{i}\n" for i in range(1, rows + 1)))
    relay = HexRelay(target_port(stack, via))  # to show what was sent, on both paths
    try:
        out = run_node("mariadb_prepared_infile.js", relay.port, USER, PASSWORD, DB, table, data)
        relay.wait_eof(1, "s2c", timeout=10)
        c2s, s2c = relay.stream(1, "c2s")[0], relay.stream(1, "s2c")[0]
    finally:
        relay.close()
    wire = (f"\nclient → {via}:\n{describe(c2s[:4096])}\n{via} → client:\n"
            f"{describe(s2c)}\n" + (stack.proxy.log()[-3000:] if via == "proxy" else ""))
    # The client really used the binary protocol: COM_STMT_PREPARE of the LOAD DATA, then
    # COM_STMT_EXECUTE (sent as soon as the prepare answer came).
    commands = [p[2][:1] for p in split_packets(c2s) if p[0] != "partial" and p[1] == 0]
    load = [p for p in split_packets(c2s) if p[0] != "partial"
            and p[2].startswith(b"\x16LOAD DATA LOCAL INFILE")]
    assert load and b"\x17" in commands, "not prepared/executed" + wire
    assert out.returncode == 0, f"node: rc={out.returncode}\n{out.stdout}{out.stderr}" + wire
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"affectedRows": rows, "count": rows, "sum": rows * (rows + 1) // 2,
                   "first": [1, "name1"]}, got
    # ... and the server has the rows (checked directly, not through what was tested).
    check = stack.backend.sql(f"SELECT COUNT(*), SUM(id), MIN(name), MAX(id), "
                              f"SUM(name = CONCAT('name', id)) FROM {DB}.{table}").split()
    assert check == [str(rows), str(rows * (rows + 1) // 2), "name1", str(rows), str(rows)]
    # The 0xFB request reached the client, and the session survived it (the SELECTs ran).
    assert any(p[0] != "partial" and p[2][:1] == b"\xfb" and p[2][1:] == str(data).encode()
               for p in split_packets(s2c)), wire
    if via == "proxy":
        assert_proxy_serves_a_fresh_session(stack)
