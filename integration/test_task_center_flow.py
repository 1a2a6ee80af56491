"""Issue 4 acceptance: the interactive task-center story through the real proxy, as three users
(dev creates, dba approves node 1, boss approves node 2), plus the one-statement CREATE TASK,
the task list, reject/abort, the error codes of SPEC.md §6, hostile identifiers and the
shadow_sync_* metrics. One MariaDB + one proxy for the whole module (story config of
test_task_center_support.py)."""

import subprocess

import pytest

from test_task_center_support import (PASSWORDS, StoryStack, affected, error_of, local_time,
                                      metric_sum, normalized_create, query, scrape, show_create,
                                      table_exists, task_info, task_logs, task_sql, wait_status)

ANALYSIS_COLUMNS = ["analysis_id", "source_table", "shadow_table", "result", "skipped",
                    "statements"]
INFO_FIELDS = ["status", "task_id", "task_type", "connection", "database", "execution_mode",
               "execute_at", "error_strategy", "remarks", "creator", "created_at", "process",
               "synced_tables", "unsynced_tables", "statements", "executed_statements",
               "failed_statements", "started_at", "finished_at"]


@pytest.fixture(scope="module")
def stack():
    s = StoryStack()
    yield s
    s.stop()


def run_root(stack, sql, database=None):
    with stack.root(database) as r, r.cursor() as c:
        for statement in [x for x in sql.split(";\n") if x.strip()]:
            c.execute(statement)


def prepare_shop(stack, db):
    """Sources customers/orders/items/config/audit; items_shadow outdated, config_shadow equal."""
    run_root(stack, f"CREATE DATABASE {db}")
    run_root(stack, """
CREATE TABLE customers (id INT NOT NULL AUTO_INCREMENT, name VARCHAR(64) NOT NULL,
  email VARCHAR(128) DEFAULT NULL COMMENT 'the customer''s "mail"', PRIMARY KEY (id),
  UNIQUE KEY uk_email (email)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='people';
INSERT INTO customers (name, email) VALUES ('a', 'a@x'), ('b', 'b@x'), ('c', 'c@x');
CREATE TABLE orders (id BIGINT UNSIGNED NOT NULL, customer_id INT NOT NULL,
  amount DECIMAL(10,2) NOT NULL DEFAULT 0.00, note VARCHAR(255) DEFAULT 'it''s \\\\ fine',
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id), KEY idx_customer (customer_id, created_at)) ENGINE=InnoDB;
CREATE TABLE items (id INT NOT NULL, sku VARCHAR(32) NOT NULL, price INT NOT NULL DEFAULT 1,
  qty SMALLINT NOT NULL DEFAULT 0, PRIMARY KEY (id), KEY idx_sku (sku)) ENGINE=InnoDB;
CREATE TABLE items_shadow (id INT NOT NULL, price INT NOT NULL DEFAULT 2, sku VARCHAR(16),
  PRIMARY KEY (id), KEY idx_price (price)) ENGINE=InnoDB;
CREATE TABLE config (k VARCHAR(32) NOT NULL, v TEXT, PRIMARY KEY (k)) ENGINE=InnoDB;
CREATE TABLE config_shadow (k VARCHAR(32) NOT NULL, v TEXT, PRIMARY KEY (k)) ENGINE=InnoDB;
CREATE TABLE audit (id INT NOT NULL PRIMARY KEY, what VARCHAR(100)) ENGINE=InnoDB""", db)


def test_the_story(stack):
    db = "prod_shop"
    prepare_shop(stack, db)
    dev = stack.connect("dev", db)
    dba = stack.connect("dba")
    boss = stack.connect("boss")
    dev2 = stack.connect("dev2")

    # Analyse ALL TABLES: shadows are not sources; CREATE, UPDATE and NO_ACTION are present.
    cols, rows = query(dev, "SHADOW SYNC ANALYZE DATABASE prod_shop ALL TABLES")
    assert cols == ANALYSIS_COLUMNS
    by_table = {r[1]: r for r in rows}
    assert sorted(by_table) == ["audit", "config", "customers", "items", "orders"]
    aid = rows[0][0]
    assert all(r[0] == aid for r in rows)
    results = {t: r[3] for t, r in by_table.items()}
    assert results == {"customers": "CREATE", "orders": "CREATE", "items": "UPDATE",
                       "config": "NO_ACTION", "audit": "CREATE"}
    assert {t: r[2] for t, r in by_table.items()} == {t: t + "_shadow" for t in by_table}
    assert all(r[4] == "0" for r in rows)
    assert by_table["config"][5] == "0"
    assert all(int(by_table[t][5]) >= 1 for t in ("customers", "orders", "items", "audit"))

    # SHOW ANALYSIS gives the rows again.
    cols2, rows2 = query(dev, f"SHADOW SYNC SHOW ANALYSIS {aid}")
    assert cols2 == ANALYSIS_COLUMNS and sorted(rows2) == sorted(rows)

    # View one table.
    cols, view = query(dev, f"SHADOW SYNC SHOW ANALYSIS {aid} TABLE items")
    assert cols == ["source_table", "shadow_table", "result", "source_ddl", "shadow_ddl",
                    "change_sql"]
    assert len(view) == 1
    src, shadow, result, source_ddl, shadow_ddl, change_sql = view[0]
    assert (src, shadow, result) == ("items", "items_shadow", "UPDATE")
    assert "CREATE TABLE `items`" in source_ddl and "`qty`" in source_ddl
    assert "CREATE TABLE `items_shadow`" in shadow_ddl and "idx_price" in shadow_ddl
    assert "ALTER TABLE `items_shadow`" in change_sql
    _, view = query(dev, f"SHADOW SYNC SHOW ANALYSIS {aid} TABLE orders")
    assert view[0][2] == "CREATE" and not view[0][4]
    assert "CREATE TABLE `orders_shadow`" in view[0][5]

    # The preview: nothing for config (NO_ACTION); SKIP/UNSKIP change it.
    _, preview = query(dev, f"SHADOW SYNC PREVIEW {aid}")
    full = [r[0] for r in preview]
    assert full and not any("config_shadow" in s for s in full)
    for t in ("customers_shadow", "orders_shadow", "items_shadow", "audit_shadow"):
        assert any(f"`{t}`" in s for s in full), (t, full)
    assert all("_shadow`" in s for s in full)
    assert affected(dev, f"SHADOW SYNC SKIP {aid} TABLES audit, items") == 2
    _, skipped = query(dev, f"SHADOW SYNC PREVIEW {aid}")
    skipped = [r[0] for r in skipped]
    assert skipped == [s for s in full if "audit_shadow" not in s and "items_shadow" not in s]
    _, rows = query(dev, f"SHADOW SYNC SHOW ANALYSIS {aid}")
    assert {r[1]: r[4] for r in rows} == {"audit": "1", "items": "1", "config": "0",
                                          "customers": "0", "orders": "0"}
    assert affected(dev, f"SHADOW SYNC UNSKIP {aid} TABLES items") == 1
    _, back = query(dev, f"SHADOW SYNC PREVIEW {aid}")
    back = [r[0] for r in back]
    assert back == [s for s in full if "audit_shadow" not in s]
    script = back

    # Submit: the two-node production process.
    cols, rows = query(dev, f"SHADOW SYNC SUBMIT {aid} COMMENT 'story: first sync'")
    assert cols == ["task_id", "status", "process"]
    tid, status, process = rows[0]
    assert (status, process) == ("WAIT_FOR_APPROVAL", "production")
    assert error_of(dev, f"SHADOW SYNC SUBMIT {aid}")[0] == 7012
    assert error_of(dev, f"SHADOW SYNC SKIP {aid} TABLES orders")[0] == 7012
    assert error_of(dev, f"SHADOW SYNC UNSKIP {aid} TABLES audit")[0] == 7012

    # The creator and a non-approver are refused; so is viewing by an outsider.
    code, msg = error_of(dev, f"SHADOW SYNC APPROVE {tid}")
    assert code == 7003 and "APPROVE" in msg
    code, msg = error_of(boss, f"SHADOW SYNC APPROVE {tid}")  # boss is node 2, not node 1
    assert code == 7003 and "APPROVE" in msg
    assert error_of(boss, f"SHADOW SYNC REJECT {tid}")[0] == 7003
    assert error_of(dev2, f"SHADOW SYNC SHOW TASK {tid}")[0] == 7003
    assert error_of(dev2, f"SHADOW SYNC ABORT {tid}")[0] == 7003
    assert error_of(dba, f"SHADOW SYNC ABORT {tid}")[0] == 7003
    # dba sees it in the list of tasks waiting for them.
    _, waiting = query(dba, "SHADOW SYNC SHOW TASKS WHERE status = 'WAIT_FOR_APPROVAL'")
    assert tid in [r[0] for r in waiting]

    # Node 1 by dba: still waiting (node 2); dba cannot approve node 2.
    assert query(dba, f"SHADOW SYNC APPROVE {tid} COMMENT 'node one ok'")[1][0][:2] == (
        tid, "WAIT_FOR_APPROVAL")
    assert task_info(dev, tid)["status"] == "WAIT_FOR_APPROVAL"
    assert not table_exists(stack.root(), db, "orders_shadow")
    assert error_of(dba, f"SHADOW SYNC APPROVE {tid}")[0] == 7003
    cols, steps = query(dev, f"SHADOW SYNC SHOW TASK {tid} PROCESS")
    assert cols == ["seq", "node", "status", "operator", "at", "comment"]
    assert steps[0][1] == "INITIATED" and steps[0][3] == "dev"
    assert steps[1][1].startswith("APPROVAL") and steps[1][2:4] == ("APPROVED", "dba")
    assert steps[1][5] == "node one ok"
    assert steps[2][1].startswith("APPROVAL") and steps[2][2] == "APPROVING"

    # Node 2 by boss: it runs.
    query(boss, f"SHADOW SYNC APPROVE {tid} COMMENT 'go'")
    info = wait_status(dev, tid, ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED",
                                  "EXECUTION_SUCCEEDED_WITH_ERRORS"), timeout=60)
    assert info["status"] == "EXECUTION_SUCCEEDED", (info, task_logs(dev, tid))

    # Every synced shadow equals its source; the skipped one was not created.
    root = stack.root()
    for t in ("customers", "orders", "items", "config"):
        assert normalized_create(root, db, t + "_shadow", t) == normalized_create(root, db, t, t)
    assert "AUTO_INCREMENT=" not in show_create(root, db, "customers_shadow")
    assert not table_exists(root, db, "audit_shadow")

    # Task information.
    cols, rows = query(dev, f"SHADOW SYNC SHOW TASK {tid}")
    assert [r[0] for r in rows] == INFO_FIELDS
    info = dict(rows)
    assert info["task_id"] == tid and info["task_type"] == "SHADOW_TABLE_SYNC"
    assert (info["connection"], info["database"], info["creator"]) == ("local", db, "dev")
    assert info["execution_mode"] and "IMMEDIATE" in info["execution_mode"].upper()
    assert "ABORT" in info["error_strategy"].upper()
    assert info["remarks"] == "story: first sync" and info["process"] == "production"
    assert sorted(x.strip() for x in info["synced_tables"].split(",")) == [
        "customers", "items", "orders"]
    assert info["unsynced_tables"].strip() == "audit"
    assert int(info["statements"]) == len(script)
    assert int(info["executed_statements"]) == len(script)
    assert info["failed_statements"] == "0"
    assert info["started_at"] and info["finished_at"] and info["created_at"]
    assert info["started_at"] <= info["finished_at"]

    cols, tables = query(dev, f"SHADOW SYNC SHOW TASK {tid} TABLES")
    assert cols == ["source_table", "shadow_table", "result", "skipped"]
    assert {r[0]: (r[2], r[3]) for r in tables} == {
        "customers": ("CREATE", "0"), "orders": ("CREATE", "0"), "items": ("UPDATE", "0"),
        "config": ("NO_ACTION", "0"), "audit": ("CREATE", "1")}

    sql_rows = task_sql(dev, tid)
    assert [r["sql"] for r in sql_rows] == script
    assert [int(r["seq"]) for r in sql_rows] == list(range(1, len(script) + 1))
    assert all(r["state"] == "SUCCEEDED" and not r["error"] for r in sql_rows)

    _, steps = query(boss, f"SHADOW SYNC SHOW TASK {tid} PROCESS")
    names = [s[1] for s in steps]
    assert names[0] == "INITIATED" and names[-2:] == ["EXECUTION", "COMPLETED"], steps
    assert [s[2] for s in steps[1:3]] == ["APPROVED", "APPROVED"]
    assert [s[3] for s in steps[1:3]] == ["dba", "boss"]
    assert steps[3][2] == "SUCCEEDED"
    assert [int(s[0]) for s in steps] == list(range(1, len(steps) + 1))

    # Logs: one INFO line per statement with its text; ALERT only WARN/ERROR; LIKE searches.
    cols, logs = query(dev, f"SHADOW SYNC SHOW TASK {tid} LOGS")
    assert cols == ["at", "level", "message"]
    assert {r[1] for r in logs} <= {"INFO", "WARN", "ERROR"}
    for s in script:
        assert sum(1 for r in logs if r[1] == "INFO" and s in r[2]) == 1, s
    assert [r[0] for r in logs] == sorted(r[0] for r in logs)
    alert = task_logs(dev, tid, " ALERT")
    assert all(r["level"] in ("WARN", "ERROR") for r in alert)
    assert len(alert) == sum(1 for r in logs if r[1] != "INFO")
    found = task_logs(dev, tid, " LIKE '%orders_shadow%'")
    assert found and all("orders_shadow" in r["message"] for r in found)
    assert len(found) == sum(1 for r in logs if "orders_shadow" in r[2])
    assert task_logs(dev, tid, " LIKE 'no such text at all%'") == []

    # A second analysis: all NO_ACTION, nothing to preview.
    _, rows = query(dev, "SHADOW SYNC ANALYZE TABLES customers, orders, items, config")
    assert {r[1]: r[3] for r in rows} == {t: "NO_ACTION" for t in
                                          ("customers", "orders", "items", "config")}
    assert all(r[5] == "0" for r in rows)
    assert query(dev, f"SHADOW SYNC PREVIEW {rows[0][0]}")[1] == []

    # Finished: approving, aborting or executing it again is a status error naming the status.
    code, msg = error_of(dev, f"SHADOW SYNC ABORT {tid}")
    assert code == 7004 and "EXECUTION_SUCCEEDED" in msg
    assert error_of(dev, f"SHADOW SYNC EXECUTE {tid}")[0] == 7004
    assert error_of(boss, f"SHADOW SYNC APPROVE {tid}")[0] == 7004
    for c in (dev, dba, boss, dev2):
        c.close()


def prepare_simple(stack, db, tables=("a", "b")):
    run_root(stack, f"CREATE DATABASE IF NOT EXISTS {db}")
    for t in tables:
        run_root(stack, f"CREATE TABLE IF NOT EXISTS `{t}` (id INT PRIMARY KEY, v INT)", db)


def create_task(conn, sql):
    cols, rows = query(conn, sql)
    assert cols == ["task_id", "status", "process", "create_count", "update_count",
                    "no_action_count", "skipped_count"], cols
    return dict(zip(cols, rows[0]))


def test_create_task_in_one_statement(stack):
    db = "dev_app"
    prepare_simple(stack, db, ("a", "b", "c", "d"))
    run_root(stack, "CREATE TABLE b_shadow (id INT PRIMARY KEY);\n"
                    "CREATE TABLE c_shadow (id INT PRIMARY KEY, v INT)", db)
    dev = stack.connect("dev", db)
    t = create_task(dev, "SHADOW SYNC CREATE TASK ALL TABLES SKIP TABLES d "
                         "COMMENT 'from a script'")
    assert t["process"] == "sandbox" and t["status"] != "WAIT_FOR_APPROVAL"
    assert (t["create_count"], t["update_count"], t["no_action_count"], t["skipped_count"]) == (
        "1", "1", "1", "1")
    info = wait_status(dev, t["task_id"], ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED"))
    assert info["status"] == "EXECUTION_SUCCEEDED", task_logs(dev, t["task_id"])
    root = stack.root()
    for name in ("a", "b"):
        assert normalized_create(root, db, name + "_shadow", name) == normalized_create(
            root, db, name, name)
    assert not table_exists(root, db, "d_shadow")
    _, steps = query(dev, f"SHADOW SYNC SHOW TASK {t['task_id']} PROCESS")
    assert steps[1][2] == "APPROVED" and steps[-1][1] == "COMPLETED"

    # Prefix naming in one statement.
    t = create_task(dev, "SHADOW SYNC CREATE TASK DATABASE dev_app TABLES a PREFIX 'st_'")
    assert t["create_count"] == "1"
    wait_status(dev, t["task_id"], "EXECUTION_SUCCEEDED")
    assert normalized_create(root, db, "st_a", "a") == normalized_create(root, db, "a", "a")
    dev.close()


def test_reject_and_abort_while_waiting(stack):
    db = "ops_db"
    prepare_simple(stack, db)
    dev, dba, admin = stack.connect("dev", db), stack.connect("dba"), stack.connect("admin")

    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES a")
    assert (t["status"], t["process"]) == ("WAIT_FOR_APPROVAL", "standard")
    rows = query(dba, f"SHADOW SYNC REJECT {t['task_id']} COMMENT 'not now'")[1]
    assert rows[0][1] == "REJECTED"
    assert task_info(dev, t["task_id"])["status"] == "REJECTED"
    code, msg = error_of(dba, f"SHADOW SYNC APPROVE {t['task_id']}")
    assert code == 7004 and "REJECTED" in msg
    _, steps = query(dev, f"SHADOW SYNC SHOW TASK {t['task_id']} PROCESS")
    assert steps[1][2:4] == ("REJECTED", "dba") and steps[1][5] == "not now"
    assert any(r["level"] == "WARN" and "not now" in r["message"]
               for r in task_logs(dev, t["task_id"], " ALERT"))
    assert not table_exists(stack.root(), db, "a_shadow")

    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES a")
    assert query(dev, f"SHADOW SYNC ABORT {t['task_id']}")[1][0][1] == "CANCELLED"
    assert task_info(dba, t["task_id"])["status"] == "CANCELLED"
    assert error_of(dba, f"SHADOW SYNC APPROVE {t['task_id']}")[0] == 7004
    assert error_of(dev, f"SHADOW SYNC ABORT {t['task_id']}")[0] == 7004

    # admin may abort someone else's task.
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES b")
    assert query(admin, f"SHADOW SYNC ABORT {t['task_id']}")[1][0][1] == "CANCELLED"
    assert not table_exists(stack.root(), db, "b_shadow")

    # Aborted while waiting for execution (EXECUTE MANUALLY, approved).
    t = create_task(dev, "SHADOW SYNC CREATE TASK TABLES b EXECUTE MANUALLY")
    query(dba, f"SHADOW SYNC APPROVE {t['task_id']}")
    assert task_info(dev, t["task_id"])["status"] == "WAIT_FOR_EXECUTION"
    query(dev, f"SHADOW SYNC ABORT {t['task_id']}")
    assert task_info(dev, t["task_id"])["status"] == "CANCELLED"
    assert error_of(dev, f"SHADOW SYNC EXECUTE {t['task_id']}")[0] == 7004
    assert not table_exists(stack.root(), db, "b_shadow")
    for c in (dev, dba, admin):
        c.close()


def test_task_list_filters(stack):
    db = "list_db"
    prepare_simple(stack, db)
    dev, dev2, dba, admin = (stack.connect("dev", db), stack.connect("dev2", db),
                             stack.connect("dba"), stack.connect("admin"))
    mine = [create_task(dev, "SHADOW SYNC CREATE TASK TABLES a")["task_id"] for _ in range(3)]
    theirs = [create_task(dev2, "SHADOW SYNC CREATE TASK TABLES b")["task_id"]
              for _ in range(2)]
    query(dba, f"SHADOW SYNC REJECT {mine[0]}")
    query(dev, f"SHADOW SYNC ABORT {mine[1]}")

    cols, rows = query(admin, "SHADOW SYNC SHOW TASKS")
    assert cols == ["task_id", "task_type", "connection", "database", "creator", "created_at",
                    "status"]
    ids = [int(r[0]) for r in rows]
    # default order: created_at DESC, task_id DESC
    assert [(r[5], int(r[0])) for r in rows] == sorted(((r[5], int(r[0])) for r in rows),
                                                       reverse=True)
    assert set(int(x) for x in mine + theirs) <= set(ids)
    assert all(r[1] == "SHADOW_TABLE_SYNC" and r[2] == "local" for r in rows)

    _, rej = query(admin, "SHADOW SYNC SHOW TASKS WHERE status = 'REJECTED'")
    assert rej and all(r[6] == "REJECTED" for r in rej) and mine[0] in [r[0] for r in rej]
    _, two = query(admin, "SHADOW SYNC SHOW TASKS WHERE status IN ('REJECTED', 'CANCELLED') "
                          "AND database = 'list_db'")
    assert sorted(r[0] for r in two) == sorted(mine[:2])
    _, ne = query(admin, "SHADOW SYNC SHOW TASKS WHERE database = 'list_db' "
                         "AND status != 'WAIT_FOR_APPROVAL'")
    assert sorted(r[0] for r in ne) == sorted(mine[:2])
    _, like = query(admin, "SHADOW SYNC SHOW TASKS WHERE creator LIKE 'dev_' "
                           "AND database = 'list_db'")
    assert sorted(r[0] for r in like) == sorted(theirs)
    _, asc = query(admin, "SHADOW SYNC SHOW TASKS WHERE database = 'list_db' "
                          "ORDER BY task_id ASC")
    assert [r[0] for r in asc] == sorted(mine + theirs, key=int)
    _, two_keys = query(admin, "SHADOW SYNC SHOW TASKS WHERE database = 'list_db' "
                               "ORDER BY creator DESC, task_id ASC")
    expected = sorted(asc, key=lambda r: int(r[0]))
    expected = sorted(expected, key=lambda r: r[4], reverse=True)  # stable: task_id ASC in ties
    assert [r[0] for r in two_keys] == [r[0] for r in expected]
    assert len({r[4] for r in two_keys}) > 1  # the first key really orders something
    _, lim = query(admin, "SHADOW SYNC SHOW TASKS WHERE database = 'list_db' "
                          "ORDER BY task_id DESC LIMIT 2")
    assert [r[0] for r in lim] == sorted(mine + theirs, key=int, reverse=True)[:2]
    _, off = query(admin, "SHADOW SYNC SHOW TASKS WHERE database = 'list_db' "
                          "ORDER BY task_id DESC LIMIT 2 OFFSET 1")
    assert [r[0] for r in off] == sorted(mine + theirs, key=int, reverse=True)[1:3]
    _, since = query(admin, "SHADOW SYNC SHOW TASKS WHERE created_at >= '2000-01-01 00:00:00' "
                            "AND database = 'list_db'")
    assert len(since) == 5
    _, future = query(admin, "SHADOW SYNC SHOW TASKS WHERE created_at > '2100-01-01 00:00:00'")
    assert future == []
    _, all_tasks = query(admin, "SHADOW SYNC SHOW ALL TASKS WHERE database = 'list_db'")
    assert len(all_tasks) == 5

    # Visibility: dev2 (no approver role) sees only their own tasks; dba sees dev's.
    _, seen = query(dev2, "SHADOW SYNC SHOW TASKS")
    assert seen and all(r[4] == "dev2" for r in seen)
    assert sorted(r[0] for r in seen if r[3] == "list_db") == sorted(theirs)
    _, seen = query(dba, "SHADOW SYNC SHOW TASKS WHERE database = 'list_db'")
    assert sorted(r[0] for r in seen) == sorted(mine + theirs)
    for c in (dev, dev2, dba, admin):
        c.close()


def test_far_future_times(stack):
    """Times up to 9999 are valid DATETIMEs: a far-future bound lists nothing and a far-future
    schedule is accepted (and does not run now)."""
    db = "far_db"
    prepare_simple(stack, db)
    admin, dev = stack.connect("admin"), stack.connect("dev", db)
    _, future = query(admin, "SHADOW SYNC SHOW TASKS WHERE created_at > '2999-01-01 00:00:00'")
    assert future == []
    _, rows = query(admin, "SHADOW SYNC SHOW ALL TASKS WHERE created_at < '9999-12-31 23:59:59'")
    assert rows
    _, rows = query(dev, "SHADOW SYNC ANALYZE TABLES a")
    _, rows = query(dev, f"SHADOW SYNC SUBMIT {rows[0][0]} EXECUTE AT '2999-01-01 00:00:00'")
    assert rows[0][1] == "WAIT_FOR_APPROVAL"
    assert task_info(dev, rows[0][0])["execute_at"].startswith("2999-01-01 00:00:00")
    admin.close()
    dev.close()


def test_error_codes(stack):
    db = "err_db"
    prepare_simple(stack, db, ("a", "t" + "x" * 58, "plain"))
    run_root(stack, "CREATE TABLE `a_x` (id INT PRIMARY KEY)", db)
    dev = stack.connect("dev", db)

    # 7010: a shadow name equal to another source table, too long, or a bad prefix/suffix.
    code, msg = error_of(dev, "SHADOW SYNC ANALYZE TABLES a, a_x SUFFIX '_x'")
    assert code == 7010 and "a_x" in msg
    code, msg = error_of(dev, "SHADOW SYNC ANALYZE TABLES t" + "x" * 58)
    assert code == 7010 and "t" + "x" * 58 in msg
    assert error_of(dev, "SHADOW SYNC ANALYZE TABLES plain SUFFIX '_bad-suffix'")[0] == 7010
    assert error_of(dev, "SHADOW SYNC ANALYZE TABLES plain PREFIX '" + "p" * 33 + "'")[0] == 7010
    assert error_of(dev, "SHADOW SYNC CREATE TASK TABLES a, a_x SUFFIX '_x'")[0] == 7010

    # 7002: unknown ids.
    for sql in ("SHOW TASK 987654", "SHOW TASK 987654 LOGS", "APPROVE 987654",
                "REJECT 987654", "ABORT 987654", "EXECUTE 987654", "RETRY 987654",
                "SHOW ANALYSIS 987654", "PREVIEW 987654", "SUBMIT 987654",
                "SKIP 987654 TABLES a"):
        assert error_of(dev, "SHADOW SYNC " + sql)[0] == 7002, sql

    # 7011: a schedule in the past (SUBMIT and CREATE TASK); nothing was created by it.
    _, rows = query(dev, "SHADOW SYNC ANALYZE TABLES plain")
    aid = rows[0][0]
    code, msg = error_of(dev, f"SHADOW SYNC SUBMIT {aid} EXECUTE AT '2001-02-03 04:05:06'")
    assert code == 7011 and "2001-02-03 04:05:06" in msg
    assert error_of(dev, "SHADOW SYNC CREATE TASK TABLES plain "
                         "EXECUTE AT '2001-02-03 04:05:06'")[0] == 7011
    assert error_of(dev, f"SHADOW SYNC SUBMIT {aid} EXECUTE AT 'tomorrow'")[0] == 7011
    # the analysis is still submittable after the refused schedule
    cols, rows = query(dev, f"SHADOW SYNC SUBMIT {aid} EXECUTE AT '{local_time(3600)}'")
    assert rows[0][1] == "WAIT_FOR_APPROVAL"

    # 7004: actions in the wrong status.
    tid = rows[0][0]
    code, msg = error_of(dev, f"SHADOW SYNC EXECUTE {tid}")
    assert code == 7004 and "WAIT_FOR_APPROVAL" in msg

    # 7005: unknown database or table; 1064: syntax.
    assert error_of(dev, "SHADOW SYNC ANALYZE TABLES no_such_table")[0] == 7005
    assert error_of(dev, "SHADOW SYNC ANALYZE DATABASE no_such_db ALL TABLES")[0] == 7005
    code, msg = error_of(dev, "SHADOW SYNC ANALYZE TABLES a b")
    assert code == 1064 and "'b'" in msg
    # the session still works afterwards, relay included
    assert query(dev, "SELECT 41 + 1")[1] == [("42",)]
    dev.close()


def test_hostile_identifiers_touch_only_their_shadows(stack):
    db = "dev_evil"
    evil = ["t`; DROP TABLE victim; --", "q'uo\"te", "semi;colon", "back\\slash"]
    with stack.root() as r, r.cursor() as c:
        c.execute(f"CREATE DATABASE {db}")
        c.execute(f"USE {db}")
        c.execute("CREATE TABLE victim (id INT PRIMARY KEY)")
        c.execute("INSERT INTO victim VALUES (1), (2)")
        for name in evil:
            q = "`" + name.replace("`", "``") + "`"
            c.execute(f"CREATE TABLE {q} (id INT PRIMARY KEY, "
                      "`c``; DROP TABLE victim; --` VARCHAR(40) DEFAULT 'x''); DROP TABLE victim;', "
                      "v INT COMMENT 'it''s `odd`; DROP TABLE victim')")
    dev = stack.connect("dev", db)
    listed = ", ".join("`" + n.replace("`", "``") + "`" for n in evil)
    t = create_task(dev, f"SHADOW SYNC CREATE TASK TABLES {listed}")
    assert t["create_count"] == str(len(evil))
    info = wait_status(dev, t["task_id"], ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED"))
    assert info["status"] == "EXECUTION_SUCCEEDED", task_logs(dev, t["task_id"])
    root = stack.root()
    for name in evil:
        assert normalized_create(root, db, name + "_shadow", name) == normalized_create(
            root, db, name, name)
    with root.cursor() as c:
        c.execute(f"SELECT COUNT(*) FROM {db}.victim")
        assert c.fetchone()[0] == 2
        c.execute("SELECT table_name FROM information_schema.tables WHERE table_schema=%s",
                  (db,))
        assert sorted(r[0] for r in c.fetchall()) == sorted(
            ["victim"] + evil + [n + "_shadow" for n in evil])
    # ALL TABLES with them too: everything is NO_ACTION now, victim_shadow is a CREATE.
    _, rows = query(dev, "SHADOW SYNC ANALYZE ALL TABLES")
    assert {r[1]: r[3] for r in rows} == dict([(n, "NO_ACTION") for n in evil]
                                              + [("victim", "CREATE")])
    dev.close()


def test_metrics_move(stack):
    db = "dev_metrics"
    prepare_simple(stack, db)
    before = scrape(stack.metrics_port)
    dev = stack.connect("dev", db)
    query(dev, "SHADOW SYNC ANALYZE ALL TABLES")
    error_of(dev, "SHADOW SYNC SHOW TASK 987654")
    t = create_task(dev, "SHADOW SYNC CREATE TASK ALL TABLES")
    wait_status(dev, t["task_id"], "EXECUTION_SUCCEEDED")
    dev.close()
    after = scrape(stack.metrics_port)
    fam = "shadowproxy_shadow_sync_statements_total"

    def delta(name, **labels):
        return metric_sum(after, name, **labels) - metric_sum(before, name, **labels)

    assert delta(fam, statement="analyze", result="ok") >= 1, [k for k in after if fam in k]
    assert delta(fam, result="error") >= 1
    assert delta(fam, result="ok") >= 2
    assert delta("shadowproxy_shadow_sync_analysis_duration_seconds_count") >= 2
    assert delta("shadowproxy_shadow_sync_ddl_total", result="succeeded") >= 2
    assert delta("shadowproxy_shadow_sync_ddl_duration_seconds_count") >= 2
    assert metric_sum(after, "shadowproxy_shadow_sync_tasks", status="EXECUTION_SUCCEEDED") >= 1
    assert any(k.startswith("shadowproxy_shadow_sync_tasks{") and 'status="' in k
               for k in after)


def cli(stack, user, sql, database=None):
    """Runs `sql` with the `mariadb` command-line client through the proxy (batch mode);
    returns the rows as lists of strings, header first; fails on any client error."""
    cmd = ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{stack.port}", f"-u{user}",
           f"-p{PASSWORDS[user]}", "-B"]
    if database:
        cmd.append(database)
    out = subprocess.run(cmd + ["-e", sql], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, (sql, out.stderr)
    return [line.split("\t") for line in out.stdout.splitlines()]


def test_mariadb_cli_tour(stack):
    """The README tour with the real `mariadb` CLI: analyse, preview, submit, approve twice,
    show the task."""
    db = "prod_tour"
    run_root(stack, f"CREATE DATABASE {db}")
    run_root(stack, "CREATE TABLE orders (id BIGINT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, "
                    "note VARCHAR(200));\n"
                    "CREATE TABLE orders_shadow (id BIGINT PRIMARY KEY, "
                    "amount DECIMAL(10,2) NOT NULL);\n"
                    "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(64))", db)
    rows = cli(stack, "dev", "SHADOW SYNC ANALYZE ALL TABLES", db)
    assert rows[0] == ANALYSIS_COLUMNS
    assert sorted((r[1], r[3]) for r in rows[1:]) == [("customers", "CREATE"),
                                                       ("orders", "UPDATE")]
    aid = rows[1][0]
    rows = cli(stack, "dev", f"SHADOW SYNC PREVIEW {aid}", db)
    assert rows[0] == ["sql"] and len(rows) >= 3
    rows = cli(stack, "dev", f"SHADOW SYNC SUBMIT {aid} COMMENT 'tour'", db)
    assert rows[0] == ["task_id", "status", "process"]
    tid = rows[1][0]
    assert rows[1][1:] == ["WAIT_FOR_APPROVAL", "production"]
    assert cli(stack, "dba", f"SHADOW SYNC APPROVE {tid}")[1] == [tid, "WAIT_FOR_APPROVAL"]
    cli(stack, "boss", f"SHADOW SYNC APPROVE {tid} COMMENT 'go'")
    dev = stack.connect("dev", db)
    assert wait_status(dev, tid, ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED"))["status"] == (
        "EXECUTION_SUCCEEDED")
    dev.close()
    rows = cli(stack, "dev", f"SHADOW SYNC SHOW TASK {tid}")
    assert rows[0] == ["field", "value"]
    assert dict((r[0], r[1]) for r in rows[1:])["status"] == "EXECUTION_SUCCEEDED"
    rows = cli(stack, "dev", f"SHADOW SYNC SHOW TASK {tid} PROCESS")
    assert [r[1] for r in rows[1:]][-2:] == ["EXECUTION", "COMPLETED"]
    rows = cli(stack, "dev", "SHADOW SYNC HELP")
    assert rows[0][0] == "statement" and len(rows) > 10


def test_default_database_is_whatever_the_session_is_in(stack):
    """`db` defaults to the session's current database as the server knows it, however it was
    changed: USE inside a multi-statement query, USE after a comment, a failed USE."""
    import pymysql
    from pymysql.constants import CLIENT
    with stack.root() as r, r.cursor() as c:
        for db in ("cur_a", "cur_b"):
            c.execute(f"CREATE DATABASE {db}")
            c.execute(f"CREATE TABLE {db}.only_in_{db} (id INT PRIMARY KEY)")

    def analyzed_tables(conn):
        _, rows = query(conn, "SHADOW SYNC ANALYZE ALL TABLES")
        return sorted(r[1] for r in rows)

    dev = pymysql.connect(host="127.0.0.1", port=stack.port, user="dev",
                          password=PASSWORDS["dev"], database="cur_a", autocommit=True,
                          client_flag=CLIENT.MULTI_STATEMENTS, read_timeout=60)
    assert analyzed_tables(dev) == ["only_in_cur_a"]
    with dev.cursor() as c:  # USE in the middle of a multi-statement query
        c.execute("SELECT 1; USE cur_b; SELECT 2")
        while c.nextset():
            pass
    assert analyzed_tables(dev) == ["only_in_cur_b"]
    assert query(dev, "/* from a tool */ USE cur_a")[1] == []
    assert analyzed_tables(dev) == ["only_in_cur_a"]
    assert error_of(dev, "USE no_such_db")[0] == 1049  # a failed USE changes nothing
    assert analyzed_tables(dev) == ["only_in_cur_a"]
    # Pipelined behind other statements, the SHADOW SYNC answer still comes in order.
    with dev.cursor() as c:
        c.execute("USE cur_b; SELECT 7")
        while c.nextset():
            pass
    _, rows = query(dev, "SHADOW SYNC ANALYZE ALL TABLES")
    assert [r[1] for r in rows] == ["only_in_cur_b"]
    assert query(dev, "SELECT DATABASE(), 40 + 2")[1] == [("cur_b", "42")]  # the session is intact
    # A client's sql_select_limit=0 does not blind the proxy's own question.
    query(dev, "SET SESSION sql_select_limit = 0")
    assert query(dev, "SELECT 1")[1] == []
    assert analyzed_tables(dev) == ["only_in_cur_b"]
    assert "could not read the current database" not in stack.proxy.log()
    dev.close()
    nodb = stack.connect("dev")
    code, message = error_of(nodb, "SHADOW SYNC ANALYZE ALL TABLES")
    assert code == 7005 and "no database" in message, message
    nodb.close()
