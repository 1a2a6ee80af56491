"""Issue 14, following DDL (docs/follow_ddl.md): DDL relayed through the proxy on a source table
of a `shadow_sync.follow_ddl` database makes its shadow task by itself, as the session's user,
under the normal approval process (the story's sandbox process approves dev_* automatically, so
tasks run and converge). The mariadb CLI, PyMySQL (plain and multi-statement) and a raw client
(COM_STMT_PREPARE / EXECUTE); failed DDL, DDL on a shadow and databases outside the globs make
none; the client's answer is the backend's, byte for byte; SIGTERM during a settle window still
records the task; shadowproxy_shadow_sync_follow_total counts it all."""

import os
import signal
import subprocess
import time

import pymysql
import pytest

from harness import RawClient, free_port
from test_task_center_support import (StoryStack, metric_sum, normalized_create, query, scrape,
                                      table_exists, task_info, wait_status)

FINAL = ("EXECUTION_SUCCEEDED", "EXECUTION_SUCCEEDED_WITH_ERRORS", "EXECUTION_FAILED",
         "CANCELLED", "REJECTED")
FOLLOW = ("  follow_ddl:\n"
          "    - match: {databases: [\"dev_drop\"], tables: [\"*\"]}\n"
          "      naming: {suffix: _shadow}\n"
          "      settle: 1s\n"
          "      drop_shadows: true\n"
          "    - match: {databases: [\"dev_*\"], tables: [\"*\"]}\n"
          "      naming: {suffix: _shadow}\n"
          "      settle: 1s\n")


@pytest.fixture(scope="module")
def stack():
    s = StoryStack(metrics=True, extra_shadow_sync=FOLLOW)
    yield s
    s.stop()


def cli(stack, db, sql, user="dev", password="dev-secret"):
    return subprocess.run(
        ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{stack.port}", f"-u{user}",
         f"-p{password}", db, "-e", sql], capture_output=True, text=True, timeout=60)


def root_sql(stack, *statements):
    with stack.root() as r, r.cursor() as c:
        for s in statements:
            c.execute(s)


def tasks_of(stack, db):
    with stack.connect("dev") as dev:
        _, rows = query(dev, f"SHADOW SYNC SHOW TASKS WHERE database = '{db}' "
                             "ORDER BY task_id ASC")
    return rows


def wait_tasks(stack, db, n, timeout=30.0):
    deadline = time.time() + timeout
    rows = []
    while time.time() < deadline:
        rows = tasks_of(stack, db)
        if len(rows) >= n:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"{db}: {len(rows)} task(s), expected {n}: {rows}")


def finished(stack, task_id):
    with stack.connect("dev") as dev:
        return wait_status(dev, task_id, FINAL)


def same_schema(stack, db, table):
    with stack.root() as r:
        return normalized_create(r, db, table + "_shadow", table) == \
            normalized_create(r, db, table, table)


def test_cli_create_and_alter_make_converging_tasks(stack):
    root_sql(stack, "CREATE DATABASE dev_cli")
    out = cli(stack, "dev_cli", "CREATE TABLE orders (id BIGINT PRIMARY KEY, amount INT)")
    assert out.returncode == 0, out.stderr
    (task,) = wait_tasks(stack, "dev_cli", 1)
    assert task[4] == "dev"  # creator: the session's user
    info = finished(stack, task[0])
    assert info["status"] == "EXECUTION_SUCCEEDED", info
    assert info["process"] == "sandbox"
    assert info["remarks"].startswith("follow: CREATE TABLE orders ... by dev at "), info
    assert same_schema(stack, "dev_cli", "orders")

    out = cli(stack, "dev_cli", "ALTER TABLE orders ADD COLUMN note VARCHAR(40) NOT NULL "
                                "DEFAULT '' COMMENT 'x;y', ADD INDEX idx_note (note)")
    assert out.returncode == 0, out.stderr
    rows = wait_tasks(stack, "dev_cli", 2)
    info = finished(stack, rows[1][0])
    assert info["status"] == "EXECUTION_SUCCEEDED", info
    assert info["remarks"].startswith("follow: ALTER TABLE orders ... by dev at "), info
    assert same_schema(stack, "dev_cli", "orders")
    assert "follow_ddl" in stack.proxy.log() and f"task {rows[1][0]} " in stack.proxy.log()


def test_twenty_alters_within_settle_make_one_task(stack):
    root_sql(stack, "CREATE DATABASE dev_burst",
             "CREATE TABLE dev_burst.t (id INT PRIMARY KEY)",
             "CREATE TABLE dev_burst.t_shadow (id INT PRIMARY KEY)")
    with stack.connect("dev", "dev_burst") as dev, dev.cursor() as c:
        for i in range(20):
            c.execute(f"ALTER TABLE t ADD COLUMN c{i} INT NOT NULL DEFAULT {i}")
    time.sleep(2.5)  # the settle window (1s) closes
    (task,) = wait_tasks(stack, "dev_burst", 1)
    info = finished(stack, task[0])
    assert info["status"] == "EXECUTION_SUCCEEDED", info
    assert "(+19 more)" in info["remarks"], info
    assert same_schema(stack, "dev_burst", "t")
    assert len(tasks_of(stack, "dev_burst")) == 1


def test_failed_shadow_and_unmatched_ddl_make_no_task(stack):
    root_sql(stack, "CREATE DATABASE dev_neg", "CREATE DATABASE other_neg",
             "CREATE TABLE dev_neg.a (id INT PRIMARY KEY)",
             "CREATE TABLE dev_neg.a_shadow (id INT PRIMARY KEY)",
             "CREATE TABLE other_neg.a (id INT PRIMARY KEY)")
    before = scrape(stack.metrics_port)
    with stack.connect("dev", "dev_neg") as dev, dev.cursor() as c:
        with pytest.raises(pymysql.MySQLError):
            c.execute("ALTER TABLE a ADD COLUMN id INT")  # duplicate column: backend ERR
        with pytest.raises(pymysql.MySQLError):
            c.execute("ALTER TABLE missing ADD COLUMN x INT")
        c.execute("ALTER TABLE a_shadow ADD COLUMN x INT")  # on a shadow
        c.execute("ALTER TABLE other_neg.a ADD COLUMN x INT")  # outside the globs
        c.execute("DROP TABLE IF EXISTS dev_neg.gone")  # DROP TABLE leaves shadows alone
    time.sleep(2.5)
    assert tasks_of(stack, "dev_neg") == []
    assert tasks_of(stack, "other_neg") == []
    after = scrape(stack.metrics_port)
    name = "shadowproxy_shadow_sync_follow_total"
    assert metric_sum(after, name, result="ignored") - metric_sum(before, name,
                                                                  result="ignored") == 5
    assert metric_sum(after, name, result="task") == metric_sum(before, name, result="task")


def test_drop_shadows_drops_them_through_a_task(stack):
    root_sql(stack, "CREATE DATABASE dev_drop",
             "CREATE TABLE dev_drop.a (id INT PRIMARY KEY)",
             "CREATE TABLE dev_drop.a_shadow (id INT PRIMARY KEY)",
             "CREATE TABLE dev_drop.b (id INT PRIMARY KEY, v INT)",
             "CREATE TABLE dev_drop.b_shadow (id INT PRIMARY KEY, v INT)",
             "CREATE TABLE dev_drop.keep (id INT PRIMARY KEY)",
             "CREATE TABLE dev_drop.keep_shadow (id INT PRIMARY KEY)")
    out = cli(stack, "dev_drop", "DROP TABLE a; RENAME TABLE b TO c")
    assert out.returncode == 0, out.stderr
    (task,) = wait_tasks(stack, "dev_drop", 1)
    info = finished(stack, task[0])
    assert info["status"] == "EXECUTION_SUCCEEDED", info
    assert info["remarks"].startswith("follow: DROP TABLE a ... (+1 more) by dev at "), info
    with stack.connect("dev") as dev:
        _, tables = query(dev, f"SHADOW SYNC SHOW TASK {task[0]} TABLES")
        _, sql = query(dev, f"SHADOW SYNC SHOW TASK {task[0]} SQL")
    results = {row[0]: row[2] for row in tables}
    assert results == {"a": "DROP", "b": "DROP", "c": "CREATE"}, tables
    assert any("DROP TABLE `a_shadow`" in str(row) for row in sql), sql
    with stack.root() as r:
        assert not table_exists(r, "dev_drop", "a_shadow")
        assert not table_exists(r, "dev_drop", "b_shadow")
        assert table_exists(r, "dev_drop", "keep_shadow")
    assert same_schema(stack, "dev_drop", "c")


def test_multi_statement_query_follows_its_ddl(stack):
    root_sql(stack, "CREATE DATABASE dev_multi")
    conn = pymysql.connect(host="127.0.0.1", port=stack.port, user="dev", password="dev-secret",
                           database="dev_multi", autocommit=True,
                           client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
    with conn.cursor() as c:
        c.execute("SET @x = ';'; CREATE TABLE m1 (id INT PRIMARY KEY); "
                  "/* comment; */ CREATE TABLE `m2` (id INT PRIMARY KEY, v VARCHAR(3) "
                  "DEFAULT 'a;b'); SELECT 1")
        while c.nextset():
            pass
        # The second statement fails: m3 is created, m4 never is, and only m3 is followed.
        with pytest.raises(pymysql.MySQLError):
            c.execute("CREATE TABLE m3 (id INT PRIMARY KEY); ALTER TABLE m1 ADD COLUMN id INT; "
                      "CREATE TABLE m4 (id INT PRIMARY KEY)")
            while c.nextset():  # the ERR is the second result
                pass
    conn.close()
    wait_tasks(stack, "dev_multi", 1)
    time.sleep(2)
    rows = tasks_of(stack, "dev_multi")
    synced = set()
    for r in rows:
        info = finished(stack, r[0])
        assert info["status"] == "EXECUTION_SUCCEEDED", info
        synced |= set(info["synced_tables"].split(", "))
    assert synced == {"m1", "m2", "m3"}, rows
    for t in ("m1", "m2", "m3"):
        assert same_schema(stack, "dev_multi", t)
    with stack.root() as r:
        assert not table_exists(r, "dev_multi", "m4")


def test_prepared_ddl_is_followed_when_executed(stack):
    root_sql(stack, "CREATE DATABASE dev_prep", "CREATE TABLE dev_prep.p (id INT PRIMARY KEY)",
             "CREATE TABLE dev_prep.p_shadow (id INT PRIMARY KEY)")
    c = RawClient(stack.port)
    try:
        ok = c.handshake("dev", "dev-secret", database="dev_prep")
        assert ok[0] == 0, ok
        c.seq = 0
        c.send_packet(b"\x16" + b"ALTER TABLE p ADD COLUMN z INT")
        prep = c.read_packet()
        assert prep[0] == 0, prep
        stmt_id = prep[1:5]
        assert prep[5:7] == b"\0\0" and prep[7:9] == b"\0\0"  # no columns, no parameters
        time.sleep(1.5)
        assert tasks_of(stack, "dev_prep") == []  # preparing runs nothing
        c.seq = 0
        c.send_packet(b"\x17" + stmt_id + b"\x00" + (1).to_bytes(4, "little"))
        done = c.read_packet()
        assert done[0] == 0, done
        c.seq = 0
        c.send_packet(b"\x19" + stmt_id)  # COM_STMT_CLOSE
    finally:
        c.close()
    (task,) = wait_tasks(stack, "dev_prep", 1)
    info = finished(stack, task[0])
    assert info["status"] == "EXECUTION_SUCCEEDED", info
    assert same_schema(stack, "dev_prep", "p")


def test_the_clients_answer_is_the_backends(stack):
    root_sql(stack, "CREATE DATABASE dev_bytes", "CREATE TABLE dev_bytes.b (id INT PRIMARY KEY)")
    answers = []
    for port in (stack.port, stack.backend.port):
        c = RawClient(port)
        try:
            assert c.handshake("dev", "dev-secret", database="dev_bytes")[0] == 0
            answers.append(c.query("ALTER TABLE b COMMENT 'same bytes'"))
            answers.append(c.query("ALTER TABLE b ADD COLUMN id INT"))
        finally:
            c.close()
    assert answers[0] == answers[2] and answers[1] == answers[3], answers


def test_sigterm_during_settle_records_the_task():
    s = StoryStack(metrics=False, extra_shadow_sync=FOLLOW.replace("settle: 1s", "settle: 60s"))
    try:
        root_sql(s, "CREATE DATABASE dev_term")
        with s.connect("dev", "dev_term") as dev, dev.cursor() as c:
            c.execute("CREATE TABLE late (id INT PRIMARY KEY)")
        time.sleep(0.5)
        assert s.proxy.stop(signal.SIGTERM) == 0
        log = s.proxy.log()
        assert "settle window(s) still open make their tasks now" in log, log
        p2 = s.start_proxy(free_port())
        with s.connect("dev", port=p2.port) as dev:
            _, rows = query(dev, "SHADOW SYNC SHOW TASKS WHERE database = 'dev_term'")
            assert len(rows) == 1 and rows[0][4] == "dev", rows
            info = task_info(dev, rows[0][0])
            assert info["remarks"].startswith("follow: CREATE TABLE late ... by dev at "), info
    finally:
        s.stop()
