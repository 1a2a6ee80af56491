"""Issue 4 acceptance, execution: ABORT of a long ALTER (a shadow with two million rows) kills it
on the server and runs nothing after it; ON ERROR ABORT vs CONTINUE with a statement the server
refuses (ADD UNIQUE over duplicate rows: 1062); EXECUTE AT a few seconds ahead; EXECUTE
MANUALLY + SHADOW SYNC EXECUTE by its creator; RETRY. Real MariaDB, the built proxy, PyMySQL."""

import shutil
import signal
import tempfile
import time

import pytest

from harness import free_port
from test_task_center_support import (META_DB, StoryStack, connect, error_of, local_time,
                                      normalized_create, query, task_info, task_logs, task_sql,
                                      wait_status)

BIG_ROWS = 2_000_000
FINAL = ("EXECUTION_SUCCEEDED", "EXECUTION_SUCCEEDED_WITH_ERRORS", "EXECUTION_FAILED",
         "CANCELLED")


@pytest.fixture(scope="module")
def stack():
    tmp = tempfile.mkdtemp(prefix="sp-story-tmp-")  # private tmpdir for INSERT ... SELECT
    s = StoryStack(backend_args=(f"--tmpdir={tmp}",), metrics=False, shutdown_grace="1s")
    yield s
    s.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def run_root(stack, db, *statements):
    with stack.root() as r, r.cursor() as c:
        c.execute(f"CREATE DATABASE IF NOT EXISTS `{db}`")
        c.execute(f"USE `{db}`")
        for s in statements:
            c.execute(s)


def root_value(stack, sql):
    with stack.root() as r, r.cursor() as c:
        c.execute(sql)
        row = c.fetchone()
        return row[0] if row else None


def create_task(conn, sql):
    cols, rows = query(conn, sql)
    assert cols[:3] == ["task_id", "status", "process"], cols
    return dict(zip(cols, rows[0]))


def same(stack, db, table, shadow):
    with stack.root() as r:
        return normalized_create(r, db, shadow, table) == normalized_create(r, db, table, table)


def columns_of(stack, db, table):
    with stack.root() as r, r.cursor() as c:
        c.execute("SELECT column_name FROM information_schema.columns WHERE table_schema=%s "
                  "AND table_name=%s ORDER BY ordinal_position", (db, table))
        return [x[0] for x in c.fetchall()]


def running_alters(stack, shadow):
    with stack.root() as r, r.cursor() as c:
        c.execute("SELECT id, time, info FROM information_schema.processlist "
                  "WHERE info LIKE %s AND command != 'Sleep'", (f"ALTER TABLE `{shadow}`%",))
        return c.fetchall()


@pytest.fixture(scope="module")
def big_db(stack):
    """dev_big: a_big_shadow holds BIG_ROWS rows and its source changed `v` INT -> BIGINT, so the
    ALTER must copy the table; b_after needs a later statement."""
    db = "dev_big"
    run_root(stack, db,
             "CREATE TABLE a_big (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL, w INT NOT NULL, "
             "KEY k_w (w))",
             "CREATE TABLE a_big_shadow (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, "
             "w INT NOT NULL, KEY k_w (w))",
             f"INSERT INTO a_big_shadow SELECT seq, seq, seq FROM seq_1_to_{BIG_ROWS}",
             "CREATE TABLE b_after (id INT NOT NULL PRIMARY KEY, v INT, x INT)",
             "CREATE TABLE b_after_shadow (id INT NOT NULL PRIMARY KEY, v INT)")
    return db


def wait_alter_running(stack, conn, tid, shadow):
    deadline = time.time() + 60
    while time.time() < deadline and not running_alters(stack, shadow):
        assert task_info(conn, tid)["status"] not in FINAL, task_logs(conn, tid)
        time.sleep(0.1)
    assert running_alters(stack, shadow), "the ALTER never ran on the server"


def kill_alters(stack, shadow):
    with stack.root() as r, r.cursor() as c:
        for pid, _, _ in running_alters(stack, shadow):
            try:
                c.execute(f"KILL QUERY {int(pid)}")
            except Exception:
                pass
    deadline = time.time() + 30
    while running_alters(stack, shadow) and time.time() < deadline:
        time.sleep(0.1)


def test_abort_kills_a_long_alter_and_nothing_after_it_runs(stack, big_db):
    db = big_db
    dev = stack.connect("dev", db)
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES a_big, b_after")
    tid = t["task_id"]
    sqls = [r["sql"] for r in task_sql(dev, tid)]
    assert len(sqls) == 2 and "`a_big_shadow`" in sqls[0] and "`b_after_shadow`" in sqls[1], sqls

    wait_alter_running(stack, dev, tid, "a_big_shadow")
    assert task_info(dev, tid)["status"] == "EXECUTING"
    time.sleep(0.3)

    started = time.time()
    cols, rows = query(dev, f"SHADOW SYNC ABORT {tid}")
    assert cols == ["task_id", "status"] and rows[0] == (tid, "CANCELLED")
    while running_alters(stack, "a_big_shadow") and time.time() - started < 30:
        time.sleep(0.1)
    killed_after = time.time() - started
    assert not running_alters(stack, "a_big_shadow")
    assert killed_after < 5.0, f"the ALTER ran on for {killed_after:.1f}s after ABORT"

    time.sleep(2.0)  # the executor notices; nothing else may run
    info = task_info(dev, tid)
    assert info["status"] == "CANCELLED", info
    states = [r["state"] for r in task_sql(dev, tid)]
    assert states[1] == "PENDING", states
    assert states[0] in ("FAILED", "PENDING"), states
    assert columns_of(stack, db, "b_after_shadow") == ["id", "v"]
    assert root_value(stack, "SELECT data_type FROM information_schema.columns WHERE "
                             "table_schema='dev_big' AND table_name='a_big_shadow' "
                             "AND column_name='v'") == "int"
    assert root_value(stack, "SELECT COUNT(*) FROM dev_big.a_big_shadow") == BIG_ROWS
    alerts = task_logs(dev, tid, " ALERT")
    assert any("ABORT" in r["message"].upper() or "abort" in r["message"] for r in alerts), alerts
    _, steps = query(dev, f"SHADOW SYNC SHOW TASK {tid} PROCESS")
    assert any(s[1] == "EXECUTION" and s[2] == "CANCELLED" for s in steps), steps
    dev.close()


def test_sigkill_during_a_long_alter_then_restart(stack, big_db):
    """The proxy dies (SIGKILL) while its task runs a long ALTER; restarted on the same port it
    marks the task EXECUTION_FAILED with an ERROR log line, and the task is still listed."""
    db = big_db
    dev = stack.connect("dev", db)
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES a_big, b_after COMMENT 'killed'")
    tid = t["task_id"]
    wait_alter_running(stack, dev, tid, "a_big_shadow")
    assert task_info(dev, tid)["status"] == "EXECUTING"
    dev.close()
    stack.proxy.proc.send_signal(signal.SIGKILL)
    stack.proxy.proc.wait(timeout=10)
    kill_alters(stack, "a_big_shadow")  # the orphaned ALTER would run on for a while

    stack.proxy = stack.start_proxy(stack.port, stack.metrics_port)
    dev = stack.connect("dev", db)
    info = wait_status(dev, tid, FINAL, timeout=30)
    assert info["status"] == "EXECUTION_FAILED", info
    errors = [r for r in task_logs(dev, tid, " ALERT") if r["level"] == "ERROR"]
    assert errors, task_logs(dev, tid)
    states = [r["state"] for r in task_sql(dev, tid)]
    assert states[1] == "PENDING", states
    assert columns_of(stack, db, "b_after_shadow") == ["id", "v"]
    _, listed = query(dev, "SHADOW SYNC SHOW TASKS WHERE database = 'dev_big'")
    assert (tid, "EXECUTION_FAILED") in [(r[0], r[6]) for r in listed]
    _, steps = query(dev, f"SHADOW SYNC SHOW TASK {tid} PROCESS")
    assert any(s[1] == "EXECUTION" and s[2] == "FAILED" for s in steps), steps
    # The restarted proxy serves the story as before.
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES b_after")
    assert wait_status(dev, t["task_id"], FINAL)["status"] == "EXECUTION_SUCCEEDED"
    assert same(stack, db, "b_after", "b_after_shadow")
    dev.close()


def test_abort_through_another_proxy_kills_the_alter(stack, big_db):
    """Two proxies on one metadb: the ABORT is sent to the proxy that is NOT running the task;
    the executing proxy sees it and kills its ALTER."""
    db = big_db
    other_port = free_port()
    other = stack.start_proxy(other_port)
    conns = {stack.port: stack.connect("dev", db), other_port: connect(other_port, "dev", db)}
    t = create_task(conns[stack.port], "SHADOW SYNC CREATE TASK TABLES a_big")
    tid = t["task_id"]
    wait_alter_running(stack, conns[stack.port], tid, "a_big_shadow")
    owner = root_value(stack, f"SELECT owner FROM {META_DB}.tasks WHERE id = {int(tid)}")
    runner = [p for p in conns if f":{p}#" in (owner or "")]
    assert len(runner) == 1, f"owner {owner!r} names neither proxy"
    bystander = other_port if runner[0] == stack.port else stack.port
    started = time.time()
    assert query(conns[bystander], f"SHADOW SYNC ABORT {tid}")[1][0] == (tid, "CANCELLED")
    while running_alters(stack, "a_big_shadow") and time.time() - started < 30:
        time.sleep(0.1)
    killed_after = time.time() - started
    assert not running_alters(stack, "a_big_shadow")
    assert killed_after < 5.0, f"the ALTER ran on for {killed_after:.1f}s after ABORT"
    time.sleep(1.0)
    assert task_info(conns[runner[0]], tid)["status"] == "CANCELLED"
    assert root_value(stack, "SELECT data_type FROM information_schema.columns WHERE "
                             "table_schema='dev_big' AND table_name='a_big_shadow' "
                             "AND column_name='v'") == "int"
    for c in conns.values():
        c.close()
    other.stop()


def test_sigterm_during_a_long_alter_is_bounded_and_persisted(stack, big_db):
    """SIGTERM while a task's ALTER runs: the proxy exits 0 within shutdown_grace (1s) plus a
    margin, the task is EXECUTION_FAILED with an ERROR line (not left EXECUTING), and the ALTER
    does not keep running on the server."""
    db = big_db
    dev = stack.connect("dev", db)
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES a_big")
    tid = t["task_id"]
    wait_alter_running(stack, dev, tid, "a_big_shadow")
    dev.close()
    started = time.time()
    assert stack.proxy.stop(timeout=30) == 0
    took = time.time() - started
    assert took < 6.0, f"shutdown took {took:.1f}s with shutdown_grace 1s"
    time.sleep(1.0)
    assert not running_alters(stack, "a_big_shadow"), "the ALTER outlived the proxy"
    status = root_value(stack, f"SELECT status FROM {META_DB}.tasks WHERE id = {int(tid)}")
    assert status == "EXECUTION_FAILED", status  # durable before the exit

    stack.proxy = stack.start_proxy(stack.port, stack.metrics_port)
    dev = stack.connect("dev", db)
    assert task_info(dev, tid)["status"] == "EXECUTION_FAILED"
    assert any(r["level"] == "ERROR" for r in task_logs(dev, tid, " ALERT")), task_logs(dev, tid)
    dev.close()


def prepare_dup(stack, db):
    """a_dup: the source has UNIQUE(v), its shadow holds duplicate v; b_ok: a plain change."""
    run_root(stack, db,
             "CREATE TABLE a_dup (id INT NOT NULL PRIMARY KEY, v INT, UNIQUE KEY uv (v))",
             "CREATE TABLE a_dup_shadow (id INT NOT NULL PRIMARY KEY, v INT)",
             "INSERT INTO a_dup_shadow VALUES (1, 7), (2, 7), (3, 8)",
             "CREATE TABLE b_ok (id INT NOT NULL PRIMARY KEY, v INT, w VARCHAR(10))",
             "CREATE TABLE b_ok_shadow (id INT NOT NULL PRIMARY KEY, v INT)")


def test_on_error_abort_vs_continue(stack):
    dev = stack.connect("dev")
    prepare_dup(stack, "dev_err_abort")
    prepare_dup(stack, "dev_err_continue")

    t = create_task(dev, "SHADOW SYNC CREATE TASK DATABASE dev_err_abort TABLES a_dup, b_ok "
                         "ON ERROR ABORT COMMENT 'abort on error'")
    info = wait_status(dev, t["task_id"], FINAL)
    assert info["status"] == "EXECUTION_FAILED", (info, task_logs(dev, t["task_id"]))
    assert info["failed_statements"] == "1" and info["executed_statements"] == "1"
    rows = task_sql(dev, t["task_id"])
    assert [r["state"] for r in rows] == ["FAILED", "PENDING"], rows
    assert "1062" in rows[0]["error"] and "`a_dup_shadow`" in rows[0]["sql"]
    assert columns_of(stack, "dev_err_abort", "b_ok_shadow") == ["id", "v"]
    errors = [r for r in task_logs(dev, t["task_id"], " ALERT") if r["level"] == "ERROR"]
    assert any("1062" in r["message"] and "a_dup_shadow" in r["message"] for r in errors), errors
    abort_task = t["task_id"]

    t = create_task(dev, "SHADOW SYNC CREATE TASK DATABASE dev_err_continue TABLES a_dup, b_ok "
                         "ON ERROR CONTINUE")
    info = wait_status(dev, t["task_id"], FINAL)
    assert info["status"] == "EXECUTION_SUCCEEDED_WITH_ERRORS", (info,
                                                                 task_logs(dev, t["task_id"]))
    assert info["failed_statements"] == "1" and info["executed_statements"] == "2"
    assert "CONTINUE" in info["error_strategy"].upper()
    rows = task_sql(dev, t["task_id"])
    assert [r["state"] for r in rows] == ["FAILED", "SUCCEEDED"], rows
    assert "1062" in rows[0]["error"] and rows[1]["error"] is None
    assert same(stack, "dev_err_continue", "b_ok", "b_ok_shadow")
    logs = task_logs(dev, t["task_id"], " ALERT")
    assert any(r["level"] == "ERROR" and "1062" in r["message"] for r in logs), logs
    assert any(r["level"] == "WARN" for r in logs), logs  # the summary line
    _, steps = query(dev, f"SHADOW SYNC SHOW TASK {t['task_id']} PROCESS")
    assert [s[1] for s in steps][-2:] == ["EXECUTION", "COMPLETED"]

    # RETRY the aborted one once the duplicates are gone: a new task, same settings, runs.
    run_root(stack, "dev_err_abort", "DELETE FROM a_dup_shadow WHERE id = 2")
    cols, rows = query(dev, f"SHADOW SYNC RETRY {abort_task}")
    assert cols[:2] == ["task_id", "status"]
    new_id = rows[0][0]
    assert int(new_id) > int(abort_task)
    info = wait_status(dev, new_id, FINAL)
    assert info["status"] == "EXECUTION_SUCCEEDED", task_logs(dev, new_id)
    assert info["remarks"] == "abort on error" and info["database"] == "dev_err_abort"
    assert "ABORT" in info["error_strategy"].upper()
    assert same(stack, "dev_err_abort", "a_dup", "a_dup_shadow")
    assert same(stack, "dev_err_abort", "b_ok", "b_ok_shadow")
    assert task_info(dev, abort_task)["status"] == "EXECUTION_FAILED"  # the old one stays
    dev.close()


def test_execute_at_runs_on_time(stack):
    db = "dev_sched"
    run_root(stack, db, "CREATE TABLE s (id INT PRIMARY KEY, v INT)")
    dev = stack.connect("dev", db)
    at = local_time(5)
    t = create_task(dev, f"SHADOW SYNC CREATE TASK TABLES s EXECUTE AT '{at}'")
    assert t["status"] == "WAIT_FOR_EXECUTION"
    info = task_info(dev, t["task_id"])
    assert info["execute_at"].startswith(at) and "AT" in info["execution_mode"].upper()
    time.sleep(2.0)
    assert task_info(dev, t["task_id"])["status"] == "WAIT_FOR_EXECUTION"
    assert columns_of(stack, db, "s_shadow") == []
    info = wait_status(dev, t["task_id"], FINAL, timeout=20)
    done = time.strftime("%Y-%m-%d %H:%M:%S")
    assert info["status"] == "EXECUTION_SUCCEEDED", task_logs(dev, t["task_id"])
    assert info["started_at"][:19] >= at, (info["started_at"], at)
    assert info["started_at"][:19] <= done
    assert same(stack, db, "s", "s_shadow")

    # A two-node process: EXECUTE AT is honoured after the approvals too.
    run_root(stack, "prod_sched", "CREATE TABLE p (id INT PRIMARY KEY)")
    dba, boss = stack.connect("dba"), stack.connect("boss")
    at = local_time(6)
    t = create_task(dev, f"SHADOW SYNC CREATE TASK DATABASE prod_sched TABLES p "
                         f"EXECUTE AT '{at}'")
    query(dba, f"SHADOW SYNC APPROVE {t['task_id']}")
    query(boss, f"SHADOW SYNC APPROVE {t['task_id']}")
    assert task_info(dev, t["task_id"])["status"] == "WAIT_FOR_EXECUTION"
    info = wait_status(dev, t["task_id"], FINAL, timeout=20)
    assert info["status"] == "EXECUTION_SUCCEEDED" and info["started_at"][:19] >= at
    for c in (dev, dba, boss):
        c.close()


def test_execute_manually_by_its_creator(stack):
    db = "dev_manual"
    run_root(stack, db, "CREATE TABLE m (id INT PRIMARY KEY, v INT)")
    dev, dev2, dba, admin = (stack.connect("dev", db), stack.connect("dev2", db),
                             stack.connect("dba"), stack.connect("admin"))
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES m EXECUTE MANUALLY")
    tid = t["task_id"]
    assert t["status"] == "WAIT_FOR_EXECUTION"
    time.sleep(2.5)  # a few scheduler polls: it must not start by itself
    assert task_info(dev, tid)["status"] == "WAIT_FOR_EXECUTION"
    assert columns_of(stack, db, "m_shadow") == []
    code, msg = error_of(dev2, f"SHADOW SYNC EXECUTE {tid}")
    assert code == 7003 and "EXECUTE" in msg
    assert error_of(dba, f"SHADOW SYNC EXECUTE {tid}")[0] == 7003
    query(dev, f"SHADOW SYNC EXECUTE {tid}")
    info = wait_status(dev, tid, FINAL)
    assert info["status"] == "EXECUTION_SUCCEEDED", task_logs(dev, tid)
    assert any("dev" in r["message"] and "execut" in r["message"].lower()
               for r in task_logs(dev, tid, " LIKE '%requested%'"))
    assert same(stack, db, "m", "m_shadow")
    assert error_of(dev, f"SHADOW SYNC EXECUTE {tid}")[0] == 7004

    # admin may execute someone else's manual task.
    run_root(stack, db, "ALTER TABLE m ADD COLUMN z INT")
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES m EXECUTE MANUALLY")
    query(admin, f"SHADOW SYNC EXECUTE {t['task_id']}")
    assert wait_status(dev, t["task_id"], FINAL)["status"] == "EXECUTION_SUCCEEDED"
    assert same(stack, db, "m", "m_shadow")
    for c in (dev, dev2, dba, admin):
        c.close()


def test_retry_of_a_cancelled_task_needs_approval_again(stack):
    db = "ret_db"
    run_root(stack, db, "CREATE TABLE r (id INT PRIMARY KEY)")
    dev, dba = stack.connect("dev", db), stack.connect("dba")
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES r EXECUTE MANUALLY COMMENT 'again'")
    query(dev, f"SHADOW SYNC ABORT {t['task_id']}")
    run_root(stack, db, "ALTER TABLE r ADD COLUMN n INT")  # the fresh analysis sees it
    cols, rows = query(dev, f"SHADOW SYNC RETRY {t['task_id']}")
    new_id, status = rows[0][0], rows[0][1]
    assert new_id != t["task_id"] and status == "WAIT_FOR_APPROVAL"
    info = task_info(dev, new_id)
    assert "MANUAL" in info["execution_mode"].upper() and info["remarks"] == "again"
    query(dba, f"SHADOW SYNC APPROVE {new_id}")
    query(dev, f"SHADOW SYNC EXECUTE {new_id}")
    assert wait_status(dev, new_id, FINAL)["status"] == "EXECUTION_SUCCEEDED"
    assert same(stack, db, "r", "r_shadow")
    assert "`n`" in " ".join(r["sql"] for r in task_sql(dev, new_id))
    assert task_info(dev, t["task_id"])["status"] == "CANCELLED"
    for c in (dev, dba):
        c.close()
