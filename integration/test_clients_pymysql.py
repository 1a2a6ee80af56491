"""The relay through PyMySQL (SPEC.md §3): value types, transactions, multi-statements,
a 20 MiB BLOB, 200,000 streamed rows, auth and database errors, per-session state,
200 concurrent sessions and a client that vanishes mid-result."""

import concurrent.futures
import hashlib
import datetime
import decimal
import json
import socket
import threading
import time

import pymysql
import pytest
from pymysql.constants import CLIENT

from harness import RawClient, Stack


@pytest.fixture(scope="module")
def stack():
    s = Stack(backend_args=["--max-allowed-packet=64M"])
    s.backend.sql("CREATE DATABASE IF NOT EXISTS t1")
    yield s
    s.stop()


def connect(stack, **kw):
    args = dict(database="t1", max_allowed_packet=64 * 1024 * 1024, connect_timeout=10)
    args.update(kw)
    return stack.proxy.connect(**args)


def test_server_version_is_the_backends(stack):
    with connect(stack) as proxied, stack.backend.connect() as direct:
        assert proxied.get_server_info() == direct.get_server_info()
        with proxied.cursor() as c:
            c.execute("SELECT CURRENT_USER(), DATABASE()")
            user, db = c.fetchone()
        assert user.startswith("app@") and db == "t1"


def test_value_types_round_trip_and_match_direct(stack):
    with connect(stack) as conn, conn.cursor() as c:
        c.execute("DROP TABLE IF EXISTS types")
        c.execute("""CREATE TABLE types (id INT PRIMARY KEY, d DECIMAL(30,10), t DATETIME(6),
                     j JSON, b BLOB, s VARCHAR(100) CHARACTER SET utf8mb4, n INT NULL,
                     u BIGINT UNSIGNED) DEFAULT CHARSET=utf8mb4""")
        row = (1, decimal.Decimal("12345678901234567890.0123456789"),
               datetime.datetime(2024, 2, 29, 23, 59, 58, 123456), json.dumps({"k": [1, "é", None]}),
               bytes(range(256)) * 4, "naïve 🦄 emoji ✓", None, 18446744073709551615)
        c.execute("INSERT INTO types VALUES (%s,%s,%s,%s,%s,%s,%s,%s)", row)
        conn.commit()
        c.execute("SELECT id, d, t, j, b, s, n, u FROM types WHERE id = 1")
        got = c.fetchone()
        assert got[:3] == row[:3]
        assert json.loads(got[3]) == {"k": [1, "é", None]}
        assert got[4:] == row[4:]
        proxied_desc = c.description
    with stack.backend.connect(database="t1") as direct, direct.cursor() as c:
        c.execute("SELECT id, d, t, j, b, s, n, u FROM types WHERE id = 1")
        assert c.fetchone() == got
        assert c.description == proxied_desc  # column metadata relayed unchanged


def test_transactions_commit_and_rollback(stack):
    with connect(stack) as a, connect(stack) as b:
        with a.cursor() as c:
            c.execute("CREATE TABLE IF NOT EXISTS tx (id INT PRIMARY KEY) ENGINE=InnoDB")
            c.execute("DELETE FROM tx")
            a.commit()
            a.begin()
            c.execute("INSERT INTO tx VALUES (1)")
            a.rollback()
            a.begin()
            c.execute("INSERT INTO tx VALUES (2)")
            with b.cursor() as cb:  # uncommitted: invisible to the other session
                cb.execute("SELECT COUNT(*) FROM tx")
                assert cb.fetchone()[0] == 0
            a.commit()
        with b.cursor() as cb:
            b.commit()  # end b's snapshot
            cb.execute("SELECT id FROM tx ORDER BY id")
            assert cb.fetchall() == ((2,),)


def test_multi_statements_with_nextset(stack):
    with connect(stack, client_flag=CLIENT.MULTI_STATEMENTS) as conn, conn.cursor() as c:
        c.execute("SELECT 1; SELECT 2, 3 UNION ALL SELECT 4, 5; DO 0; SELECT 'last'")
        assert c.fetchall() == ((1,),)
        assert c.nextset()
        assert c.fetchall() == ((2, 3), (4, 5))
        assert c.nextset()
        assert c.fetchall() == ()
        assert c.nextset()
        assert c.fetchall() == (("last",),)
        assert not c.nextset()
        c.execute("SELECT 'still in sync'")
        assert c.fetchone() == ("still in sync",)
        # An error in the middle of a batch ends it; the session stays usable.
        with pytest.raises(pymysql.err.ProgrammingError) as e:
            c.execute("SELECT 1; SELECT * FROM no_such_table; SELECT 3")
            while c.nextset():
                pass
        assert e.value.args[0] == 1146
        c.execute("SELECT 42")
        assert c.fetchone() == (42,)


def test_20_mib_blob_round_trip(stack):
    blob = hashlib.sha256(b"seed").digest() * (20 * 1024 * 1024 // 32)
    assert len(blob) == 20 * 1024 * 1024
    with connect(stack) as conn, conn.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS big (id INT PRIMARY KEY, b LONGBLOB)")
        c.execute("REPLACE INTO big VALUES (1, %s)", (blob,))
        conn.commit()
        c.execute("SELECT LENGTH(b), SHA2(b, 256) FROM big WHERE id = 1")
        assert c.fetchone() == (len(blob), hashlib.sha256(blob).hexdigest())
        c.execute("SELECT b FROM big WHERE id = 1")
        assert c.fetchone()[0] == blob


def test_200k_rows_streamed_with_sscursor(stack):
    with connect(stack) as conn:
        with conn.cursor(pymysql.cursors.SSCursor) as c:
            c.execute("SELECT seq, CONCAT('row-', seq) FROM seq_1_to_200000")
            count = total = 0
            for seq, text in c:
                count += 1
                total += seq
                if seq == 123456:
                    assert text == "row-123456"
        assert count == 200000 and total == 200000 * 200001 // 2
        with conn.cursor() as c:
            c.execute("SELECT 'after stream'")
            assert c.fetchone() == ("after stream",)


def test_wrong_password_is_1045(stack):
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack, password="wrong")
    assert e.value.args[0] == 1045
    assert "Access denied for user 'app'@" in e.value.args[1]
    assert "(using password: YES)" in e.value.args[1]
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack, user="nobody_at_all", password="x")
    assert e.value.args[0] == 1045


def test_unknown_database_is_1049(stack):
    with pytest.raises(pymysql.err.OperationalError) as e:
        connect(stack, database="no_such_db")
    assert e.value.args[0] == 1049
    assert "no_such_db" in e.value.args[1]
    with connect(stack) as conn:
        with pytest.raises(pymysql.err.OperationalError) as e:
            conn.select_db("no_such_db")  # COM_INIT_DB
        assert e.value.args[0] == 1049
        conn.select_db("mysql")
        with conn.cursor() as c:
            c.execute("SELECT DATABASE()")
            assert c.fetchone() == ("mysql",)


def test_user_variables_are_private_per_session(stack):
    with connect(stack) as a, connect(stack) as b, a.cursor() as ca, b.cursor() as cb:
        ca.execute("SET @v = 'a-value', SESSION sql_mode = 'ANSI_QUOTES'")
        cb.execute("SET @v = 'b-value'")
        ca.execute("SELECT @v, @@session.sql_mode, CONNECTION_ID()")
        va = ca.fetchone()
        cb.execute("SELECT @v, @@session.sql_mode, CONNECTION_ID()")
        vb = cb.fetchone()
        assert va[:2] == ("a-value", "ANSI_QUOTES")
        assert vb[0] == "b-value" and vb[1] != "ANSI_QUOTES"
        assert va[2] != vb[2]  # two backend connections


def test_200_connections_at_once(stack):
    def session(i):
        conn = connect(stack)
        with conn.cursor() as c:
            c.execute("SELECT CONNECTION_ID(), %s", (i,))
            cid, echo = c.fetchone()
        assert echo == i
        return conn, cid

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(session, range(200)))
    try:
        assert len({cid for _, cid in results}) == 200
        # All 200 are open at the same time: each still answers.
        for conn, cid in results:
            with conn.cursor() as c:
                c.execute("SELECT CONNECTION_ID()")
                assert c.fetchone()[0] == cid
    finally:
        for conn, _ in results:
            conn.close()


def test_client_vanishing_mid_result_harms_no_one(stack):
    steady = connect(stack)
    errors = []
    stop = threading.Event()

    def keep_querying():
        try:
            with steady.cursor() as c:
                while not stop.is_set():
                    c.execute("SELECT SUM(seq) FROM seq_1_to_1000")
                    assert c.fetchone()[0] == 500500
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    worker = threading.Thread(target=keep_querying)
    worker.start()
    try:
        for _ in range(5):
            victim = RawClient(stack.port)
            assert victim.handshake("app", "app-secret", database="t1")[0] == 0
            victim.seq = 0
            victim.send_packet(b"\x03SELECT seq, REPEAT('x', 200) FROM seq_1_to_2000000")
            for _ in range(20):
                victim.read_packet()
            # Gone, with hundreds of megabytes of result still coming.
            victim.sock.shutdown(socket.SHUT_RDWR)
            victim.close()
        time.sleep(1.0)
    finally:
        stop.set()
        worker.join()
    steady.close()
    assert not errors, errors
    assert stack.proxy.proc.poll() is None, "proxy died"
    with connect(stack) as conn, conn.cursor() as c:
        c.execute("SELECT 'fresh session'")
        assert c.fetchone() == ("fresh session",)
    # The abandoned backend queries are ended, not left streaming forever.
    deadline = time.time() + 20
    while time.time() < deadline:
        busy = stack.backend.sql(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
            "WHERE INFO LIKE '%seq_1_to_2000000%' AND INFO NOT LIKE '%PROCESSLIST%'")
        if int(busy.strip()) == 0:
            break
        time.sleep(0.5)
    assert int(busy.strip()) == 0, "backend still streams results to vanished clients"
