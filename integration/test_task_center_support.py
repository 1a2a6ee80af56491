"""Shared pieces of the task-center acceptance tests (issue 4): the story config (three users,
three approval processes, metadb on the backend), a stack that starts MariaDB + proxy with it,
and small helpers to run SHADOW SYNC statements as a given user. Its own test checks that the
story config is accepted by `--check-config`, so the other files can rely on it.

Imported by test_task_center_*.py (pytest puts this folder on sys.path)."""

import os
import re
import shutil
import subprocess
import time
import urllib.request

import pymysql

from harness import PROXY_BIN, Backend, Proxy, create_account, free_port

PASSWORDS = {"dev": "dev-secret", "dba": "dba-secret", "boss": "boss-secret",
             "admin": "admin-secret", "dev2": "dev2-secret"}
ROLES = {"dev": "developer", "dba": "dba", "boss": "manager", "admin": "admin",
         "dev2": "developer"}
META_DB = "shadowproxy_meta"


def story_config(backend, port, metrics_port=0, metadb_backend=None, extra_shadow_sync="",
                 shutdown_grace="5s"):
    """The config of the story: users with proxy-checked passwords, a two-node process for
    prod_*, an auto-approved sandbox for dev_*, a one-node dba process for everything else."""
    users = "".join(f"  - {{name: {u}, password: {p}, roles: [{ROLES[u]}]}}\n"
                    for u, p in PASSWORDS.items())
    clusters = (f"  - name: local\n    servers: [\"127.0.0.1:{backend.port}\"]\n"
                f"    admin_user: root\n    admin_password: \"\"\n    connect_timeout: 2s\n")
    metadb = "metadb:\n  cluster: local\n  database: shadowproxy_meta\n"
    if metadb_backend is not None:
        clusters += (f"  - name: meta\n    servers: [\"127.0.0.1:{metadb_backend.port}\"]\n"
                     f"    admin_user: root\n    admin_password: \"\"\n    connect_timeout: 2s\n")
        metadb = "metadb:\n  cluster: meta\n  database: shadowproxy_meta\n"
    return (
        f"listen:\n  address: 127.0.0.1\n  port: {port}\n  threads: 2\n"
        f"  shutdown_grace: {shutdown_grace}\n"
        f"clusters:\n{clusters}"
        f"users:\n{users}"
        f"{metadb}"
        f"metrics:\n  address: 127.0.0.1\n  port: {metrics_port}\n"
        "shadow_sync:\n"
        "  default_suffix: _shadow\n"
        "  workers: 4\n"
        f"{extra_shadow_sync}"
        "  processes:\n"
        "    - name: production\n"
        "      priority: 1\n"
        "      match: {databases: [\"prod_*\"]}\n"
        "      nodes:\n"
        "        - {roles: [dba]}\n"
        "        - {users: [boss]}\n"
        "    - name: sandbox\n"
        "      priority: 5\n"
        "      match: {databases: [\"dev_*\"]}\n"
        "      nodes: []\n"
        "    - name: standard\n"
        "      priority: 9\n"
        "      match: {clusters: [\"*\"], databases: [\"*\"]}\n"
        "      nodes:\n"
        "        - {roles: [dba]}\n")


def make_accounts(backend):
    """The backend accounts the story users log in with (GRANT ALL)."""
    for user, password in PASSWORDS.items():
        create_account(backend, user, password)


class StoryStack:
    """A MariaDB backend with the story accounts and one proxy with the story config."""

    def __init__(self, backend_args=(), metrics=True, extra_shadow_sync="", shutdown_grace="5s"):
        self.backend = Backend(extra_args=backend_args)
        self.proxies = []
        try:
            make_accounts(self.backend)
            self.port = free_port()
            self.metrics_port = free_port() if metrics else 0
            self.extra = extra_shadow_sync
            self.grace = shutdown_grace
            self.proxy = self.start_proxy(self.port, self.metrics_port)
        except BaseException:
            self.stop()
            raise

    def start_proxy(self, port, metrics_port=0):
        p = Proxy(story_config(self.backend, port, metrics_port, extra_shadow_sync=self.extra,
                               shutdown_grace=self.grace), port=port)
        self.proxies.append(p)
        return p

    def connect(self, user, database=None, port=None):
        return connect(port or self.port, user, database)

    def root(self, database=None):
        return self.backend.connect(database=database, autocommit=True)

    def stop(self):
        for p in self.proxies:
            p.stop()
            if os.environ.get("SHADOWPROXY_KEEP_LOGS") is None:
                shutil.rmtree(p.dir, ignore_errors=True)
        self.backend.stop()


def connect(port, user, database=None):
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=PASSWORDS[user],
                           database=database, autocommit=True, connect_timeout=10,
                           read_timeout=120)


def query(conn, sql):
    """Runs one statement; returns (column names, rows as tuples of str/None)."""
    with conn.cursor() as c:
        c.execute(sql)
        cols = [d[0] for d in c.description] if c.description else []
        rows = [tuple(None if v is None else (v.decode() if isinstance(v, bytes) else str(v))
                      for v in r) for r in c.fetchall()]
        return cols, rows


def dicts(conn, sql):
    cols, rows = query(conn, sql)
    return [dict(zip(cols, r)) for r in rows]


def affected(conn, sql):
    with conn.cursor() as c:
        return c.execute(sql)


def error_of(conn, sql):
    """(code, message) of the ERR the statement gets; AssertionError if it succeeds."""
    try:
        query(conn, sql)
    except pymysql.MySQLError as e:
        return e.args[0], (e.args[1] if len(e.args) > 1 else "")
    raise AssertionError(f"expected an error from {sql!r}")


def task_info(conn, task_id):
    """SHOW TASK id as {field: value}."""
    cols, rows = query(conn, f"SHADOW SYNC SHOW TASK {task_id}")
    assert cols == ["field", "value"], cols
    return {f: v for f, v in rows}


def wait_status(conn, task_id, statuses, timeout=60.0):
    """Polls SHOW TASK until its status is one of `statuses`; returns the info dict."""
    if isinstance(statuses, str):
        statuses = (statuses,)
    deadline = time.time() + timeout
    info = None
    while time.time() < deadline:
        info = task_info(conn, task_id)
        if info["status"] in statuses:
            return info
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} never reached {statuses}; last {info}")


def task_sql(conn, task_id):
    return dicts(conn, f"SHADOW SYNC SHOW TASK {task_id} SQL")


def task_logs(conn, task_id, suffix=""):
    return dicts(conn, f"SHADOW SYNC SHOW TASK {task_id} LOGS{suffix}")


AUTO_INC = re.compile(r" AUTO_INCREMENT=\d+")


def show_create(root, database, table):
    with root.cursor() as c:
        c.execute(f"SHOW CREATE TABLE `{database}`.`{table.replace('`', '``')}`")
        return c.fetchone()[1]


def normalized_create(root, database, table, as_name):
    """SHOW CREATE TABLE with the table's name replaced by `as_name` and AUTO_INCREMENT=n gone."""
    ddl = show_create(root, database, table)
    quoted = "`" + table.replace("`", "``") + "`"
    first, rest = ddl.split("\n", 1)
    assert quoted in first, (quoted, first)
    first = first.replace(quoted, "`" + as_name.replace("`", "``") + "`", 1)
    return AUTO_INC.sub("", first + "\n" + rest)


def table_exists(root, database, table):
    with root.cursor() as c:
        c.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema=%s "
                  "AND table_name=%s", (database, table))
        return c.fetchone()[0] == 1


def scrape(metrics_port):
    """{ 'name{labels}': value } of GET /metrics (after the proxy's one-second batching)."""
    time.sleep(1.3)
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        out[name] = float(value)
    return out


def metric_sum(samples, prefix, **labels):
    """Sum of the samples of family `prefix` whose labels include `labels`."""
    total = 0.0
    for key, value in samples.items():
        name = key.split("{", 1)[0]
        if name != prefix:
            continue
        if all(f'{k}="{v}"' in key for k, v in labels.items()):
            total += value
    return total


def local_time(seconds_from_now):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() + seconds_from_now))


# --- the one test of this module --------------------------------------------------------------

def test_story_config_is_valid(tmp_path):
    """The story config (users, processes, metadb) passes --check-config; with a dead backend so
    nothing else is needed."""

    class Dead:
        port = free_port()

    path = tmp_path / "story.yaml"
    path.write_text(story_config(Dead, free_port(), free_port()))
    out = subprocess.run([PROXY_BIN, "--config", str(path), "--check-config"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr


__all__ = [n for n in dir() if not n.startswith("_") and n != "test_story_config_is_valid"]
