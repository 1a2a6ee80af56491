"""Operating the proxy: passwords from files and the environment (and never in the log or the
CLI's output), the WARN for a readable config with clear-text passwords, --print-config,
GET /healthz and /readyz with the backend down and up, every known metric series at 0 right
after start (checked by promtool), and JSON log lines."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from harness import (PROXY_BIN, Backend, create_account, free_port, metric_samples,
                     restart_backend, wait_dead, wait_port)

ADMIN_PW = "adm1n-fr0m-file"
FILE_PW = "app-fr0m-file"
ENV_PW = "env-fr0m-environment"
BACKEND_PW = "b4ckend-fr0m-env"
SECRETS = (ADMIN_PW, FILE_PW, ENV_PW, BACKEND_PW)

STATUSES = ["WAIT_FOR_APPROVAL", "WAIT_FOR_EXECUTION", "EXECUTING", "EXECUTION_SUCCEEDED",
            "EXECUTION_SUCCEEDED_WITH_ERRORS", "EXECUTION_FAILED", "REJECTED",
            "APPROVAL_EXPIRED", "EXECUTION_EXPIRED", "CANCELLED"]
COMMANDS = ["sleep", "quit", "init_db", "query", "field_list", "create_db", "drop_db", "refresh",
            "shutdown", "statistics", "process_info", "connect", "process_kill", "debug", "ping",
            "time", "delayed_insert", "change_user", "binlog_dump", "table_dump", "connect_out",
            "register_slave", "stmt_prepare", "stmt_execute", "stmt_send_long_data",
            "stmt_close", "stmt_reset", "set_option", "stmt_fetch", "daemon",
            "binlog_dump_gtid", "reset_connection", "stmt_bulk_execute"]


class Run:
    """The built proxy on a config file written with `mode`, with `env` added to its
    environment; stderr (the log) goes to a file."""

    def __init__(self, config_text, mode=0o600, env=None, port=None, args=()):
        self.dir = tempfile.mkdtemp(prefix="sp-ops-")
        self.config_path = os.path.join(self.dir, "shadowproxy.yaml")
        with open(self.config_path, "w") as f:
            f.write(config_text)
        os.chmod(self.config_path, mode)
        self.log_path = os.path.join(self.dir, "proxy.log")
        self._log = open(self.log_path, "w")
        self.env = dict(os.environ, **(env or {}))
        self.port = port
        self.proc = subprocess.Popen([PROXY_BIN, "--config", self.config_path, *args],
                                     stdout=self._log, stderr=subprocess.STDOUT, env=self.env)
        if port:
            wait_port(port, proc=self.proc)

    def cli(self, *args):
        return subprocess.run([PROXY_BIN, "--config", self.config_path, *args], env=self.env,
                              capture_output=True, text=True, timeout=30)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self.final_log = self.log()  # everything, shutdown included, before the files go
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode


def config(backend, port, metrics_port=0, users="", cluster_extra="", extra=""):
    return (f"listen:\n  address: 127.0.0.1\n  port: {port}\n  threads: 2\n"
            f"  shutdown_grace: 5s\n"
            f"clusters:\n  - name: local\n    servers: [\"127.0.0.1:{backend.port}\"]\n"
            f"{cluster_extra}"
            f"users:\n{users}"
            f"metrics:\n  address: 127.0.0.1\n  port: {metrics_port}\n"
            f"{extra}")


def http(port, path):
    """(status, body) of GET path on the metrics port; 4xx/5xx are answers too."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture(scope="module")
def backend():
    b = Backend()
    create_account(b, "spadmin", ADMIN_PW)
    create_account(b, "app", FILE_PW)
    create_account(b, "envuser", BACKEND_PW)
    yield b
    b.stop()


@pytest.fixture
def secret_files(tmp_path):
    admin = tmp_path / "admin_password"
    admin.write_text(ADMIN_PW + "\n")
    app = tmp_path / "app_password"
    app.write_text(FILE_PW + "\r\n")
    return {"dir": str(tmp_path), "admin": str(admin), "app": str(app)}


def secrets_config(backend, port, files, metrics_port=0, extra=""):
    return config(
        backend, port, metrics_port,
        cluster_extra=("    admin_user: spadmin\n"
                       f"    admin_password_file: {files['admin']}\n"),
        users=(f"  - {{name: app, password_file: \"${{SP_SECRETS}}/app_password\", "
               "roles: [developer]}\n"
               "  - {name: envuser, password: \"${SP_ENV_PW}\", "
               "backend_password: \"${SP_BACKEND_PW}\", roles: [developer]}\n"),
        extra=extra)


SECRET_ENV = {"SP_ENV_PW": ENV_PW, "SP_BACKEND_PW": BACKEND_PW}


def test_secrets_from_files_and_env_reach_the_backend_and_never_the_log(backend, secret_files):
    import pymysql
    port = free_port()
    env = dict(SECRET_ENV, SP_SECRETS=secret_files["dir"])
    proxy = Run(secrets_config(backend, port, secret_files) + "log: {level: debug}\n",
                env=env, port=port)
    try:
        # The configured users are checked by the proxy with the secret, then logged in to the
        # backend with it (backend_password defaults to the password).
        with pymysql.connect(host="127.0.0.1", port=port, user="app", password=FILE_PW) as c:
            with c.cursor() as cur:
                cur.execute("SELECT CURRENT_USER()")
                assert cur.fetchone()[0].startswith("app@")
                # The task center logs in to the metadb with the admin password from its file.
                cur.execute("SHADOW SYNC SHOW TASKS")
        with pymysql.connect(host="127.0.0.1", port=port, user="envuser", password=ENV_PW) as c:
            with c.cursor() as cur:
                cur.execute("SELECT CURRENT_USER()")
                assert cur.fetchone()[0].startswith("envuser@")
        with pytest.raises(pymysql.err.OperationalError) as refused:
            pymysql.connect(host="127.0.0.1", port=port, user="app", password="wrong")
        assert refused.value.args[0] == 1045
        # The CLI never shows them either.
        checked = proxy.cli("--check-config")
        assert checked.returncode == 0, checked.stderr
        printed = proxy.cli("--print-config")
        assert printed.returncode == 0, printed.stderr
        for out in (checked.stdout + checked.stderr, printed.stdout + printed.stderr):
            for secret in SECRETS:
                assert secret not in out
        assert 'admin_password: "***"' in printed.stdout
    finally:
        proxy.stop()
    log = proxy.final_log
    assert "DEBUG" in log  # the most talkative level was on
    for secret in SECRETS:
        assert secret not in log, f"{secret!r} in the log"


def test_a_secret_that_cannot_be_read_names_the_key_and_line(backend, secret_files):
    port = free_port()
    text = secrets_config(backend, port, secret_files)
    proxy = Run(text, env=dict(SP_SECRETS="/nonexistent-dir"))  # no SP_ENV_PW either
    try:
        code = proxy.proc.wait(timeout=30)
        assert code == 1
        log = proxy.log()
        checked = proxy.cli("--check-config")
    finally:
        proxy.stop()
    path = proxy.config_path
    lines = text.splitlines()
    app_line = next(i for i, l in enumerate(lines, 1) if "{name: app" in l)
    env_line = next(i for i, l in enumerate(lines, 1) if "SP_ENV_PW" in l)
    expected = [
        f'{path}:{app_line}: users[0].password_file: cannot read '
        f'"/nonexistent-dir/app_password": No such file or directory',
        f"{path}:{env_line}: users[1].password: environment variable SP_ENV_PW is not set",
        f"{path}:{env_line}: users[1].backend_password: environment variable SP_BACKEND_PW is "
        f"not set",
    ]
    assert checked.returncode == 1
    for e in expected:
        assert e in checked.stderr, checked.stderr
        assert e in log, log


def test_readable_config_with_clear_text_passwords_is_warned_about(backend):
    port = free_port()
    text = config(backend, port, users="  - {name: app, password: app-clear-secret}\n",
                  cluster_extra="    admin_password: \"\"\n")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "app-clear-secret" in l)
    loose = Run(text, mode=0o644, port=port)
    try:
        log = loose.log()
        path = loose.config_path
    finally:
        loose.stop()
    warn = [l for l in log.splitlines() if " WARN config: " in l]
    assert len(warn) == 1, log
    assert (f"{path} (mode 0644) is readable by other users and holds clear-text passwords: "
            f"users[0].password (line {line})") in warn[0]
    assert "app-clear-secret" not in log

    port = free_port()
    tight = Run(config(backend, port, users="  - {name: app, password: app-clear-secret}\n"),
                mode=0o600, port=port)
    try:
        log = tight.log()
    finally:
        tight.stop()
    assert " WARN config: " not in log, log


def test_print_config_shows_the_effective_config_redacted(backend, secret_files, tmp_path):
    env = dict(SECRET_ENV, SP_SECRETS=secret_files["dir"], SP_PORT="16099")
    text = secrets_config(backend, 1, secret_files).replace("port: 1\n", "port: ${SP_PORT}\n", 1)
    path = tmp_path / "in.yaml"
    path.write_text(text)
    os.chmod(path, 0o600)
    out = subprocess.run([PROXY_BIN, "--config", str(path), "--print-config"], env=dict(
        os.environ, **env), capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    printed = out.stdout
    for secret in SECRETS:
        assert secret not in printed
    for line in ["log:", "  level: info", "  format: text", "listen:", "  port: 16099",
                 "  max_connections: 10000", "  passthrough_auth: true", "  shutdown_grace: 5s",
                 "    admin_user: spadmin", '    admin_password: "***"',
                 "    connect_timeout: 5s", "      mode: preferred", '    password: "***"',
                 '    backend_password: "***"', "    cluster: local", "metadb:",
                 "  database: shadowproxy_meta", "metrics:", "shadow_sync:",
                 "  default_suffix: _shadow", "  task_list_window: 48h", "  workers: 4",
                 "    - name: default", "      allow_self_approval: false"]:
        assert line in printed.splitlines(), f"{line!r} not in:\n{printed}"
    # The output is a valid configuration itself.
    again = tmp_path / "printed.yaml"
    again.write_text(printed)
    check = subprocess.run([PROXY_BIN, "--config", str(again), "--check-config"],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr + printed
    # A bad config: exactly the errors of --check-config, exit 1.
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("threads: 2", "threads: many"))
    printed_bad = subprocess.run([PROXY_BIN, "--config", str(bad), "--print-config"],
                                 env=dict(os.environ, **env), capture_output=True, text=True)
    checked_bad = subprocess.run([PROXY_BIN, "--config", str(bad), "--check-config"],
                                 env=dict(os.environ, **env), capture_output=True, text=True)
    assert printed_bad.returncode == checked_bad.returncode == 1
    assert printed_bad.stdout == ""
    assert printed_bad.stderr == checked_bad.stderr
    assert f"{bad}:4: listen.threads: expected an integer 0..1024, got \"many\"" in \
        printed_bad.stderr
    helped = subprocess.run([PROXY_BIN, "--help"], capture_output=True, text=True)
    assert "--print-config" in helped.stdout


def test_healthz_and_readyz_with_the_backend_down_and_up(backend):
    port, mport = free_port(), free_port()
    proxy = Run(config(backend, port, mport,
                       users="  - {name: app, password: " + FILE_PW + "}\n"), port=port)
    try:
        assert http(mport, "/healthz") == (200, "ok\n")
        status, body = http(mport, "/readyz")
        assert status == 200, body
        assert json.loads(body) == {"ready": True, "checks": {
            "listen": "ok", "cluster:local": "ok", "metadb": "ok"}}

        os.kill(backend.pid, signal.SIGTERM)
        wait_dead(backend.pid)
        time.sleep(1.1)  # past the second a report is reused
        status, body = http(mport, "/readyz")
        assert status == 503, body
        report = json.loads(body)
        assert report["ready"] is False
        assert report["checks"]["listen"] == "ok"
        assert f"127.0.0.1:{backend.port}" in report["checks"]["cluster:local"]
        assert report["checks"]["metadb"] != "ok"
        assert http(mport, "/healthz") == (200, "ok\n")  # the process itself is fine

        backend.pid = restart_backend(backend)
        deadline = time.time() + 30
        while time.time() < deadline:
            status, body = http(mport, "/readyz")
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, body
        assert json.loads(body)["ready"] is True
    finally:
        proxy.stop()


def scrape(mport):
    status, text = http(mport, "/metrics")
    assert status == 200
    return text


@pytest.mark.skipif(shutil.which("promtool") is None, reason="needs promtool (Debian prometheus)")
def test_every_known_series_exists_at_zero_right_after_start(backend):
    import pymysql
    port, mport = free_port(), free_port()
    proxy = Run(config(backend, port, mport,
                       users="  - {name: app, password: " + FILE_PW + "}\n"), port=port)
    try:
        # The harness's port check was a client session, and a session opens its backend link
        # on accept: wait until both gauges are back to 0 (they are never absent).
        deadline = time.time() + 10
        while True:
            text = scrape(mport)
            gauges = [v for k, v in metric_samples(text).items()
                      if k == "shadowproxy_client_connections"
                      or k.startswith("shadowproxy_backend_connections{")]
            if not any(gauges) or time.time() > deadline:
                break
            time.sleep(0.1)
        check = subprocess.run(["promtool", "check", "metrics"], input=text,
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stdout + check.stderr
        s = metric_samples(text)
        server = f"127.0.0.1:{backend.port}"
        want = (
            ["shadowproxy_client_connections"]
            + [f'shadowproxy_client_connections_total{{result="{r}",tls="{t}"}}'
               for r in ("accepted", "auth_failed", "rejected") for t in ("yes", "no")]
            + [f'shadowproxy_tls_handshakes_total{{result="{r}"}}' for r in ("ok", "failed")]
            + [f'shadowproxy_commands_total{{command="{c}"}}' for c in COMMANDS]
            + [f'shadowproxy_command_duration_seconds_count{{command="{c}"}}' for c in COMMANDS]
            + [f'shadowproxy_bytes_total{{direction="{d}"}}'
               for d in ("client_to_backend", "backend_to_client")]
            + [f'shadowproxy_backend_connections{{cluster="local",server="{server}"}}',
               f'shadowproxy_backend_errors_total{{cluster="local",server="{server}"}}']
            + [f'shadowproxy_shadow_sync_tasks{{status="{st}"}}' for st in STATUSES]
            + [f'shadowproxy_shadow_sync_ddl_total{{result="{r}"}}'
               for r in ("succeeded", "failed", "skipped")]
            + ['shadowproxy_shadow_sync_statements_total{result="ok",statement="help"}',
               "shadowproxy_shadow_sync_analysis_duration_seconds_count",
               "shadowproxy_shadow_sync_ddl_duration_seconds_count"])
        for series in want:
            assert series in s, f"{series} missing right after start"
            if "bytes_total" not in series:  # the harness's port check is a (tiny) session
                assert s[series] == 0, f"{series} = {s[series]}"

        # SHADOW SYNC statements are answered by the proxy yet count as command="query".
        before = metric_samples(scrape(mport))
        # autocommit=True: the server's default already, so PyMySQL sends no SET AUTOCOMMIT.
        with pymysql.connect(host="127.0.0.1", port=port, user="app", password=FILE_PW,
                             autocommit=True) as c:
            with c.cursor() as cur:
                cur.execute("SHADOW SYNC HELP")
                cur.execute("SHADOW SYNC SHOW TASKS")
                cur.execute("SELECT 1")
        # Event loops publish their command counts once a second: wait for them (a loaded
        # machine can be late), then check nothing more came.
        q = 'shadowproxy_commands_total{command="query"}'
        d = 'shadowproxy_command_duration_seconds_count{command="query"}'
        deadline = time.time() + 15
        while True:
            after = metric_samples(scrape(mport))
            if (after[q] - before[q] >= 3 and after[d] - before[d] >= 3) or \
                    time.time() > deadline:
                break
            time.sleep(0.2)
        time.sleep(1.1)
        after = metric_samples(scrape(mport))
        assert after[q] - before[q] == 3
        assert after[d] - before[d] == 3
    finally:
        proxy.stop()


def test_json_logs_parse_line_by_line(backend):
    import pymysql
    port = free_port()
    root = backend.connect()
    with root.cursor() as cur:
        cur.execute("CREATE DATABASE IF NOT EXISTS dev_jsonlog")
        cur.execute("CREATE TABLE IF NOT EXISTS dev_jsonlog.t (id INT PRIMARY KEY, "
                    "note VARCHAR(20) COMMENT 'caf\u00e9 \"q\"')")
    root.close()
    extra = ("log:\n  level: debug\n  format: json\n"
             "shadow_sync:\n  processes:\n    - name: auto\n      nodes: []\n")
    proxy = Run(config(backend, port, users="  - {name: app, password: " + FILE_PW + "}\n",
                       extra=extra), port=port)
    try:
        with pymysql.connect(host="127.0.0.1", port=port, user="app", password=FILE_PW,
                             database="dev_jsonlog") as c, c.cursor() as cur:
            cur.execute("SHADOW SYNC CREATE TASK TABLES t")
            task_id = int(cur.fetchone()[0])
            deadline = time.time() + 30
            status = None
            while time.time() < deadline:
                cur.execute(f"SHADOW SYNC SHOW TASK {task_id}")
                status = dict(cur.fetchall())["status"]
                if status.startswith("EXECUTION_"):
                    break
                time.sleep(0.2)
            assert status == "EXECUTION_SUCCEEDED"
        with pytest.raises(pymysql.err.OperationalError):
            pymysql.connect(host="127.0.0.1", port=port, user="app", password="nope\u00e9")
        proxy.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "reloaded" not in proxy.log() and time.time() < deadline:
            time.sleep(0.1)
    finally:
        proxy.stop()
    log = proxy.final_log
    lines = [l for l in log.splitlines() if l]
    assert len(lines) > 5
    parsed = [json.loads(l) for l in lines]  # every line is one JSON object
    for p in parsed:
        assert set(p) >= {"ts", "level", "component", "msg"}, p
        assert p["level"] in ("DEBUG", "INFO", "WARN", "ERROR")
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$", p["ts"]), p
    assert any(p["component"] == "relay" and p["msg"].startswith("listening on")
               for p in parsed)
    assert any(p.get("task_id") == task_id for p in parsed), log
    assert any(isinstance(p.get("session"), int) for p in parsed), log
    assert any(p["component"] == "config" and "reloaded" in p["msg"] for p in parsed), log
