"""Issue 4 scope 7, the ORM migration hook: `alembic upgrade head` (integration/alembic, SQLAlchemy
+ PyMySQL through the proxy, as the story user `dev`) alters `orders` and then runs
`SHADOW SYNC CREATE TASK TABLES orders`; the sandbox process (dev_*) approves it automatically, so
the task runs and `orders_shadow` ends equal to `orders`."""

import os
import subprocess

import pytest

from test_task_center_support import StoryStack, normalized_create, query, wait_status

ALEMBIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alembic")
DB = "dev_app"


@pytest.fixture(scope="module")
def stack():
    s = StoryStack(metrics=False)
    yield s
    s.stop()


def alembic(stack, *args):
    url = f"mysql+pymysql://dev:dev-secret@127.0.0.1:{stack.port}/{DB}"
    return subprocess.run(
        ["/usr/bin/python3", "-m", "alembic", "-c", os.path.join(ALEMBIC_DIR, "alembic.ini"),
         "-x", f"url={url}", *args],
        capture_output=True, text=True, timeout=120, cwd=ALEMBIC_DIR)


def test_alembic_upgrade_syncs_the_shadow_table(stack):
    with stack.root() as r, r.cursor() as c:
        c.execute(f"CREATE DATABASE {DB}")
        c.execute(f"USE {DB}")
        for name in ("orders", "orders_shadow"):
            c.execute(f"CREATE TABLE {name} (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                      "amount DECIMAL(10,2) NOT NULL) ENGINE=InnoDB")
        c.execute("INSERT INTO orders (amount) VALUES (1.50), (2.25)")

    out = alembic(stack, "upgrade", "head")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "shadow sync task" in out.stderr, out.stderr

    dev = stack.connect("dev", DB)
    _, rows = query(dev, "SHADOW SYNC SHOW TASKS WHERE database = 'dev_app'")
    assert len(rows) == 1 and rows[0][4] == "dev", rows
    tid = rows[0][0]
    assert f"shadow sync task {tid}:" in out.stderr
    info = wait_status(dev, tid, ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED",
                                  "EXECUTION_SUCCEEDED_WITH_ERRORS"))
    assert info["status"] == "EXECUTION_SUCCEEDED", info
    assert info["process"] == "sandbox" and info["remarks"] == "alembic 0001: orders.note"
    assert info["synced_tables"] == "orders"
    _, tables = query(dev, f"SHADOW SYNC SHOW TASK {tid} TABLES")
    assert tables == [("orders", "orders_shadow", "UPDATE", "0")]

    with stack.root() as r:
        source = normalized_create(r, DB, "orders", "orders")
        assert "`note` varchar(200)" in source and "idx_orders_note" in source
        assert normalized_create(r, DB, "orders_shadow", "orders") == source
        with r.cursor() as c:
            c.execute(f"SELECT version_num FROM {DB}.alembic_version")
            assert c.fetchall() == (("0001",),)

    # At head: a second upgrade does nothing, and creates no task.
    out = alembic(stack, "upgrade", "head")
    assert out.returncode == 0, out.stderr
    _, again = query(dev, "SHADOW SYNC SHOW TASKS WHERE database = 'dev_app'")
    assert len(again) == 1

    # Downgrade goes through the hook as well: the shadow follows the source back.
    out = alembic(stack, "downgrade", "base")
    assert out.returncode == 0, out.stdout + out.stderr
    _, rows = query(dev, "SHADOW SYNC SHOW TASKS WHERE database = 'dev_app' "
                         "ORDER BY task_id DESC LIMIT 1")
    info = wait_status(dev, rows[0][0], ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED"))
    assert info["status"] == "EXECUTION_SUCCEEDED", info
    with stack.root() as r:
        source = normalized_create(r, DB, "orders", "orders")
        assert "note" not in source
        assert normalized_create(r, DB, "orders_shadow", "orders") == source
    dev.close()
