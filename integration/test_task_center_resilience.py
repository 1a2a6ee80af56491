"""Issue 4 acceptance, resilience: the metadb going away (ERR 7030 naming the server, while the
relay keeps working), two proxies sharing one metadb run each task exactly once, and an EXECUTE
AT task survives a proxy restart. Real MariaDB servers, the built proxy, PyMySQL."""

import os
import shutil
import signal
import time

import pymysql
import pytest

from harness import Backend, Proxy, free_port, restart_backend, wait_dead
from test_task_center_support import (META_DB, StoryStack, connect, error_of, local_time,
                                      make_accounts, normalized_create, query, story_config,
                                      task_info, task_logs, task_sql, wait_status)

FINAL = ("EXECUTION_SUCCEEDED", "EXECUTION_SUCCEEDED_WITH_ERRORS", "EXECUTION_FAILED",
         "CANCELLED")


def create_task(conn, sql):
    cols, rows = query(conn, sql)
    return dict(zip(cols, rows[0]))


def run_root(backend, db, *statements):
    with backend.connect(autocommit=True) as r, r.cursor() as c:
        c.execute(f"CREATE DATABASE IF NOT EXISTS `{db}`")
        c.execute(f"USE `{db}`")
        for s in statements:
            c.execute(s)


def test_metadb_down_is_7030_and_the_relay_keeps_working():
    data = Backend()
    meta = Backend()
    proxy = None
    try:
        make_accounts(data)
        port = free_port()
        proxy = Proxy(story_config(data, port, metadb_backend=meta), port=port)
        run_root(data, "dev_meta", "CREATE TABLE t (id INT PRIMARY KEY, v INT)",
                 "INSERT INTO t VALUES (1, 10), (2, 20)")
        dev = connect(port, "dev", "dev_meta")
        t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES t")
        assert wait_status(dev, t["task_id"], FINAL)["status"] == "EXECUTION_SUCCEEDED"
        with meta.connect() as m, m.cursor() as c:  # the task lives in the metadb backend
            c.execute(f"SELECT status FROM {META_DB}.tasks WHERE id = %s", (t["task_id"],))
            assert c.fetchone()[0] == "EXECUTION_SUCCEEDED"

        os.kill(meta.pid, signal.SIGKILL)  # the metadb server crashes
        wait_dead(meta.pid)
        server = f"127.0.0.1:{meta.port}"
        for sql in ("SHADOW SYNC SHOW TASKS", f"SHADOW SYNC SHOW TASK {t['task_id']}",
                    "SHADOW SYNC ANALYZE TABLES t", "SHADOW SYNC CREATE TASK TABLES t"):
            started = time.time()
            code, msg = error_of(dev, sql)
            assert code == 7030, (sql, code, msg)
            assert server in msg, (sql, msg)
            assert time.time() - started < 15, f"{sql} took {time.time() - started:.1f}s"
        # The relay: the same session and new sessions still reach the data backend.
        assert query(dev, "SELECT SUM(v) FROM t")[1] == [("30",)]
        other = connect(port, "dba", "dev_meta")
        assert query(other, "SELECT COUNT(*) FROM t_shadow")[1] == [("0",)]
        query(other, "INSERT INTO t VALUES (3, 30)")
        assert query(dev, "SELECT SUM(v) FROM t")[1] == [("60",)]
        assert proxy.proc.poll() is None

        # The metadb comes back (same data, same port): the task center answers again.
        meta.pid = restart_backend(meta)
        deadline = time.time() + 30
        while True:
            try:
                info = task_info(dev, t["task_id"])
                break
            except pymysql.MySQLError as e:
                assert e.args[0] == 7030 and time.time() < deadline, e
                time.sleep(0.5)
        assert info["status"] == "EXECUTION_SUCCEEDED"
        t2 = create_task(dev, "SHADOW SYNC CREATE TASK TABLES t")
        assert t2["no_action_count"] == "1"
        assert wait_status(dev, t2["task_id"], FINAL)["status"] == "EXECUTION_SUCCEEDED"
        dev.close()
        other.close()
    finally:
        if proxy is not None:
            proxy.stop()
            shutil.rmtree(proxy.dir, ignore_errors=True)
        meta.stop()
        data.stop()


@pytest.fixture(scope="module")
def stack():
    s = StoryStack(metrics=False)
    yield s
    s.stop()


def test_two_proxies_on_one_metadb_run_each_task_once(stack):
    second_port = free_port()
    second = stack.start_proxy(second_port)
    dbs = [f"dev_twin{i}" for i in range(4)]
    for db in dbs:
        run_root(stack.backend, db, "CREATE TABLE a (id INT PRIMARY KEY, v INT)",
                 "CREATE TABLE b (id INT PRIMARY KEY, w VARCHAR(5))")
    conns = [stack.connect("dev"), connect(second_port, "dev")]
    at = local_time(4)  # both schedulers see them due in the same poll
    tasks = []
    for i, db in enumerate(dbs):
        t = create_task(conns[i % 2], f"SHADOW SYNC CREATE TASK DATABASE {db} TABLES a, b "
                                      f"EXECUTE AT '{at}'")
        assert t["status"] == "WAIT_FOR_EXECUTION"
        tasks.append((t["task_id"], db))
    for tid, db in tasks:
        try:
            info = wait_status(conns[1], tid, FINAL, timeout=30)
        except AssertionError as e:  # say what both proxies did
            raise AssertionError(f"{e}\n--- proxy 1 log ---\n{stack.proxy.log()[-8000:]}"
                                 f"\n--- proxy 2 log ---\n{second.log()[-8000:]}") from None
        assert info["status"] == "EXECUTION_SUCCEEDED", (info, task_logs(conns[0], tid))
        assert info["executed_statements"] == "2" and info["failed_statements"] == "0"
        sqls = [r["sql"] for r in task_sql(conns[0], tid)]
        logs = task_logs(conns[0], tid)
        for s in sqls:  # exactly one INFO line per statement: it ran once
            assert sum(1 for r in logs if r["level"] == "INFO" and s in r["message"]) == 1, logs
        assert not [r for r in logs if r["level"] == "ERROR"], logs
        for table in ("a", "b"):
            with stack.root() as r:
                assert normalized_create(r, db, table + "_shadow", table) == normalized_create(
                    r, db, table, table)
    # Both proxies list the same tasks.
    _, one = query(conns[0], "SHADOW SYNC SHOW TASKS WHERE database LIKE 'dev_twin%'")
    _, two = query(conns[1], "SHADOW SYNC SHOW TASKS WHERE database LIKE 'dev_twin%'")
    assert sorted(one) == sorted(two) and len(one) == len(dbs)
    # In the metadb: one EXECUTION row per task, completed.
    with stack.root() as r, r.cursor() as c:
        for tid, _ in tasks:
            c.execute(f"SELECT COUNT(*) FROM {META_DB}.task_steps WHERE task_id = %s "
                      "AND node = 'EXECUTION'", (tid,))
            assert c.fetchone()[0] == 1
    for c in conns:
        c.close()
    second.stop()


def test_execute_at_survives_a_restart(stack):
    db = "dev_restart"
    run_root(stack.backend, db, "CREATE TABLE r (id INT PRIMARY KEY, v INT)")
    dev = stack.connect("dev", db)
    at = local_time(6)
    t = create_task(dev, f"SHADOW SYNC CREATE TASK TABLES r EXECUTE AT '{at}'")
    dev.close()
    assert stack.proxy.stop() == 0
    stack.proxy = stack.start_proxy(stack.port)
    dev = stack.connect("dev", db)
    assert task_info(dev, t["task_id"])["status"] == "WAIT_FOR_EXECUTION"
    info = wait_status(dev, t["task_id"], FINAL, timeout=30)
    assert info["status"] == "EXECUTION_SUCCEEDED" and info["started_at"][:19] >= at
    with stack.root() as r:
        assert normalized_create(r, db, "r_shadow", "r") == normalized_create(r, db, "r", "r")
    dev.close()

