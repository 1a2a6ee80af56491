"""Issue 4 scope 3: approval_timeout -> APPROVAL_EXPIRED and execution_timeout ->
EXECUTION_EXPIRED, with short timeouts in the story config; expired tasks refuse actions (7004)
and show EXPIRED in their process rows. Real MariaDB, the built proxy, PyMySQL."""

import time

import pytest

from test_task_center_support import (StoryStack, error_of, query, table_exists, task_info,
                                      task_logs, wait_status)


@pytest.fixture(scope="module")
def stack():
    s = StoryStack(metrics=False,
                   extra_shadow_sync="  approval_timeout: 3s\n  execution_timeout: 4s\n")
    yield s
    s.stop()


def test_approval_and_execution_timeouts(stack):
    with stack.root() as r, r.cursor() as c:
        c.execute("CREATE DATABASE ops_late")
        c.execute("CREATE TABLE ops_late.a (id INT PRIMARY KEY)")
        c.execute("CREATE DATABASE dev_late")
        c.execute("CREATE TABLE dev_late.b (id INT PRIMARY KEY)")
    dev, dba = stack.connect("dev", "ops_late"), stack.connect("dba")

    started = time.time()
    _, rows = query(dev, "SHADOW SYNC CREATE TASK TABLES a")
    waiting = rows[0][0]
    _, rows = query(dev, "SHADOW SYNC CREATE TASK DATABASE dev_late TABLES b EXECUTE MANUALLY")
    manual = rows[0][0]
    assert rows[0][1] == "WAIT_FOR_EXECUTION"

    info = wait_status(dev, waiting, ("APPROVAL_EXPIRED",), timeout=20)
    assert time.time() - started >= 2.5, "expired before approval_timeout"
    assert info["status"] == "APPROVAL_EXPIRED"
    code, msg = error_of(dba, f"SHADOW SYNC APPROVE {waiting}")
    assert code == 7004 and "APPROVAL_EXPIRED" in msg
    _, steps = query(dev, f"SHADOW SYNC SHOW TASK {waiting} PROCESS")
    assert any(s[1].startswith("APPROVAL") and s[2] == "EXPIRED" for s in steps), steps
    assert any(r["level"] == "WARN" for r in task_logs(dev, waiting, " ALERT"))

    info = wait_status(dev, manual, ("EXECUTION_EXPIRED",), timeout=20)
    assert time.time() - started >= 3.5, "expired before execution_timeout"
    code, msg = error_of(dev, f"SHADOW SYNC EXECUTE {manual}")
    assert code == 7004 and "EXECUTION_EXPIRED" in msg
    _, steps = query(dev, f"SHADOW SYNC SHOW TASK {manual} PROCESS")
    assert any(s[1] == "EXECUTION" and s[2] == "EXPIRED" for s in steps), steps
    with stack.root() as r:
        assert not table_exists(r, "ops_late", "a_shadow")
        assert not table_exists(r, "dev_late", "b_shadow")

    # Expired tasks are listed under their status; RETRY starts over.
    _, rows = query(dev, "SHADOW SYNC SHOW TASKS WHERE status IN "
                         "('APPROVAL_EXPIRED', 'EXECUTION_EXPIRED') ORDER BY task_id ASC")
    assert [r[0] for r in rows] == sorted([waiting, manual], key=int)
    _, rows = query(dev, f"SHADOW SYNC RETRY {manual}")
    assert rows[0][1] == "WAIT_FOR_EXECUTION"
    query(dev, f"SHADOW SYNC EXECUTE {rows[0][0]}")
    assert task_info(dev, rows[0][0])["status"] in ("WAIT_FOR_EXECUTION", "EXECUTING",
                                                    "EXECUTION_SUCCEEDED")
    assert wait_status(dev, rows[0][0], ("EXECUTION_SUCCEEDED",), timeout=20)
    dev.close()
    dba.close()
