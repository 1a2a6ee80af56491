"""Issue 13: the console's JSON API (docs/console.md) through a plain HTTP client against the
built proxy and a real MariaDB: sign-in (configured users by password, a pass-through account by
a backend login), every route, the rights and error codes of the SHADOW SYNC statements, and bad
input (malformed JSON, wrong types, a body over the limit, unknown routes, a missing CSRF token,
an expired session, a wrong pass-through password)."""

import http.client
import os
import signal
import ssl
import subprocess
import threading
import time

import pytest

from console_support import (PASSTHROUGH_PASSWORD, PASSTHROUGH_USER, ApiClient, ConsoleStack,
                             console_config)
from harness import PROXY_BIN, free_port
from test_task_center_support import connect, query
from tls_certs import Certs

DB = "shop"


@pytest.fixture(scope="module")
def stack():
    s = ConsoleStack()
    s.run_root(f"""CREATE DATABASE {DB};
CREATE TABLE {DB}.customers (id INT PRIMARY KEY, name VARCHAR(64) COMMENT 'it''s "x"');
CREATE TABLE {DB}.orders (id BIGINT PRIMARY KEY, customer_id INT, KEY k (customer_id));
CREATE TABLE {DB}.items (id INT PRIMARY KEY, sku VARCHAR(32));
CREATE TABLE {DB}.items_sh (id INT PRIMARY KEY);
CREATE TABLE {DB}.audit (id INT PRIMARY KEY)""")
    yield s
    s.stop()


def error(r, status, code):
    assert r.status == status, (r.status, r.raw[:300])
    body = r.json
    assert set(body) == {"code", "sqlstate", "message"}, body
    assert body["code"] == code, body
    return body


# --- sign-in ---------------------------------------------------------------------------------

def test_sign_in_cookie_session_and_sign_out(stack):
    c = ApiClient(stack.console_port)
    error(c.get("/api/v1/tasks"), 401, 1045)
    r = c.post("/api/v1/session", {"user": "dev", "password": "dev-secret"}, csrf=False)
    assert r.status == 200, r.raw
    cookie = r.header("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie, cookie
    assert "Secure" not in cookie  # plain HTTP here; test_tls-style HTTPS sets it
    body = r.json
    assert body["user"] == "dev" and body["roles"] == ["developer"], body
    assert body["cluster"] == "local" and len(body["csrf_token"]) == 64
    c.csrf = body["csrf_token"]
    me = c.ok("GET", "/api/v1/session")
    assert me["user"] == "dev" and me["csrf_token"] == c.csrf
    # Sign-out is state-changing: without the token it is refused and the session stays.
    error(c.delete("/api/v1/session", csrf=False), 403, 7003)
    assert c.get("/api/v1/session").status == 200
    saved = c.cookie
    assert c.delete("/api/v1/session").status == 200
    c.cookie = saved  # the old cookie no longer works
    error(c.get("/api/v1/session"), 401, 1045)


def test_failed_sign_ins_are_denied_logged_and_slowed(stack):
    c = ApiClient(stack.console_port)
    started = time.time()
    status, body = c.sign_in("dev", "wrong")
    first = time.time() - started
    assert status == 401 and body["code"] == 1045 and body["sqlstate"] == "28000", body
    assert "Access denied for user 'dev'" in body["message"]
    started = time.time()
    status, _ = c.sign_in("dev", "wrong again")
    second = time.time() - started
    assert status == 401
    assert first >= 0.2 and second >= 0.45, (first, second)  # 250 ms, then doubled
    assert "console sign-in failed for user 'dev'" in stack.proxy.log()
    status, _ = c.sign_in("nobody-here", "x")  # neither configured nor a backend account
    assert status == 401
    # While a failure is being answered, more tries from the address are refused unread
    # (even with the right password), so parallel guessing gains nothing.
    results = {}

    def wrong():
        results["wrong"] = c.sign_in("dev", "wrong once more")[0]
    t = threading.Thread(target=wrong)
    t.start()
    time.sleep(0.3)  # the third failure waits 1 s
    blocked = ApiClient(stack.console_port).post(
        "/api/v1/session", {"user": "dev", "password": "dev-secret"}, csrf=False)
    t.join()
    assert results["wrong"] == 401
    error(blocked, 429, 1045)
    assert "refused: a failed sign-in from there is still being answered" in stack.proxy.log()
    status, _ = c.sign_in("dev", "dev-secret")  # afterwards, a success resets the delay
    assert status == 200


def test_passthrough_account_signs_in_by_backend_login(stack):
    c = ApiClient(stack.console_port)
    status, body = c.sign_in(PASSTHROUGH_USER, PASSTHROUGH_PASSWORD)
    assert status == 200, body
    assert body["user"] == PASSTHROUGH_USER and body["roles"] == []
    status, body = ApiClient(stack.console_port).sign_in(PASSTHROUGH_USER, "not-the-password")
    assert status == 401 and body["code"] == 1045, body
    assert "backend refused the login" in stack.proxy.log()
    # Signed in, the account is an ordinary user of the cluster: it may analyse.
    r = c.post("/api/v1/analyses", {"database": DB, "tables": ["audit"]})
    assert r.status == 200, r.raw


def test_session_expires_after_ttl(stack):
    proxy, console_port = stack.start_console_proxy(session_ttl="1s")
    c = ApiClient(console_port)
    status, _ = c.sign_in("dev", "dev-secret")
    assert status == 200
    assert c.get("/api/v1/tasks").status == 200
    time.sleep(2.2)
    error(c.get("/api/v1/tasks"), 401, 1045)
    proxy.stop()


# --- the create flow, approval, execution, views -------------------------------------------

def test_create_flow_approve_execute_and_views(stack):
    dev, dba = stack.client("dev"), stack.client("dba")
    a = dev.ok("POST", "/api/v1/analyses",
               {"database": DB, "tables": ["customers", "orders", "items"], "suffix": "_sh"})
    aid = a["analysis_id"]
    assert a["database"] == DB and a["suffix"] == "_sh" and not a["submitted"]
    results = {t["source_table"]: (t["shadow_table"], t["result"]) for t in a["tables"]}
    assert results == {"customers": ("customers_sh", "CREATE"), "orders": ("orders_sh", "CREATE"),
                       "items": ("items_sh", "UPDATE")}, results
    assert dev.ok("GET", f"/api/v1/analyses/{aid}")["tables"] == a["tables"]
    view = dev.ok("GET", f"/api/v1/analyses/{aid}/tables/items")
    assert view["source_ddl"].startswith("CREATE TABLE `items`")
    assert view["shadow_ddl"].startswith("CREATE TABLE `items_sh`")
    assert "ALTER TABLE `items_sh`" in view["change_sql"]
    new = dev.ok("GET", f"/api/v1/analyses/{aid}/tables/customers")
    assert new["shadow_ddl"] is None and "it''s \"x\"" in new["change_sql"]
    error(dev.get(f"/api/v1/analyses/{aid}/tables/nope"), 404, 7005)

    assert dev.ok("POST", f"/api/v1/analyses/{aid}/skip", {"tables": ["orders"]})["changed"] == 1
    preview = dev.ok("GET", f"/api/v1/analyses/{aid}/preview")["statements"]
    assert preview and not any("orders_sh" in s for s in preview), preview
    assert dev.ok("POST", f"/api/v1/analyses/{aid}/unskip", {"tables": ["orders"]})["changed"] == 1
    assert any("orders_sh" in s for s in dev.ok("GET", f"/api/v1/analyses/{aid}/preview")
               ["statements"])
    dev.ok("POST", f"/api/v1/analyses/{aid}/skip", {"tables": ["orders"]})
    error(dev.post(f"/api/v1/analyses/{aid}/skip", {"tables": ["ghost"]}), 404, 7005)

    t = dev.ok("POST", f"/api/v1/analyses/{aid}/submit",
               {"mode": "IMMEDIATE", "on_error": "ABORT", "remarks": "from the API's \"test\""})
    tid = t["task_id"]
    assert t["status"] == "WAIT_FOR_APPROVAL" and t["process"] == "standard", t
    error(dev.post(f"/api/v1/analyses/{aid}/submit", {}), 409, 7012)
    error(dev.post(f"/api/v1/analyses/{aid}/unskip", {"tables": ["orders"]}), 409, 7012)

    info = dev.ok("GET", f"/api/v1/tasks/{tid}")
    assert info["remarks"] == "from the API's \"test\"" and info["creator"] == "dev"
    assert info["unsynced_tables"] == ["orders"]
    assert sorted(info["synced_tables"]) == ["customers", "items"]
    assert info["actions"] == {"approve": False, "reject": False, "abort": True,
                               "execute": False, "retry": True}, info["actions"]
    assert dba.ok("GET", f"/api/v1/tasks/{tid}")["actions"]["approve"] is True

    body = error(dev.post(f"/api/v1/tasks/{tid}/approve", {}), 403, 7003)  # no self-approval
    assert body["sqlstate"] == "42000"
    assert dba.ok("POST", f"/api/v1/tasks/{tid}/approve", {"comment": "ok"})["task_id"] == tid
    done = dev.wait_status(tid, ("EXECUTION_SUCCEEDED", "EXECUTION_FAILED"))
    assert done["status"] == "EXECUTION_SUCCEEDED", done
    error(dba.post(f"/api/v1/tasks/{tid}/approve", {}), 409, 7004)
    error(dev.post(f"/api/v1/tasks/{tid}/abort"), 409, 7004)

    tables = dev.ok("GET", f"/api/v1/tasks/{tid}/tables")["tables"]
    assert {t["source_table"]: t["skipped"] for t in tables} == {
        "customers": False, "orders": True, "items": False}
    sql = dev.ok("GET", f"/api/v1/tasks/{tid}/sql")["statements"]
    assert sql and all(s["state"] == "SUCCEEDED" and s["error"] is None for s in sql), sql
    steps = dev.ok("GET", f"/api/v1/tasks/{tid}/process")["steps"]
    assert [s["node"].split()[0] for s in steps][0] == "INITIATED"
    assert any(s["operator"] == "dba" and s["comment"] == "ok" for s in steps), steps
    logs = dev.ok("GET", f"/api/v1/tasks/{tid}/logs")["logs"]
    assert logs and {"at", "level", "message"} <= set(logs[0])
    alert = dev.ok("GET", f"/api/v1/tasks/{tid}/logs?level=alert")["logs"]
    assert all(l["level"] in ("WARN", "ERROR") for l in alert)
    word = "customers_sh"
    found = dev.ok("GET", f"/api/v1/tasks/{tid}/logs?q={word.upper()}")["logs"]
    assert found and all(word in l["message"] for l in found), found
    assert len(found) < len(logs)
    r = dev.get(f"/api/v1/tasks/{tid}/logs/download")
    assert r.status == 200
    assert r.header("Content-Type").startswith("text/plain")
    assert r.header("Content-Disposition") == f'attachment; filename="task-{tid}-logs.txt"'
    text = r.raw.decode()
    # One entry per log line, "at level message" (a message may span lines: DDL does).
    assert text == "".join(f"{l['at']} {l['level']} {l['message']}\n" for l in logs)
    # The SQL front sees the same task the same way.
    with connect(stack.port, "dev", DB) as conn:
        cols, rows = query(conn, f"SHADOW SYNC SHOW TASK {tid}")
        assert dict(rows)["status"] == "EXECUTION_SUCCEEDED"


def test_reject_abort_execute_retry_and_create_task(stack):
    dev, dba = stack.client("dev"), stack.client("dba")
    created = dev.ok("POST", "/api/v1/tasks",
                     {"database": DB, "tables": ["audit", "items"], "prefix": "r_",
                      "skip": ["items"], "remarks": "reject me"})
    assert created["create_count"] == 1 and created["skipped_count"] == 1, created
    tid = created["task_id"]
    assert dba.ok("POST", f"/api/v1/tasks/{tid}/reject", {"comment": "no <thanks>"})[
        "status"] == "REJECTED"
    steps = dev.ok("GET", f"/api/v1/tasks/{tid}/process")["steps"]
    assert any(s["status"] == "REJECTED" and s["comment"] == "no <thanks>" for s in steps)
    retried = dev.ok("POST", f"/api/v1/tasks/{tid}/retry")
    assert retried["task_id"] != tid and retried["status"] == "WAIT_FOR_APPROVAL"
    assert dev.ok("GET", f"/api/v1/tasks/{retried['task_id']}")["unsynced_tables"] == ["items"]

    # Abort: the creator may, an approver may not.
    error(dba.post(f"/api/v1/tasks/{retried['task_id']}/abort"), 403, 7003)
    assert dev.ok("POST", f"/api/v1/tasks/{retried['task_id']}/abort")["status"] == "CANCELLED"

    manual = dev.ok("POST", "/api/v1/tasks",
                    {"database": DB, "tables": ["audit"], "prefix": "m_", "mode": "MANUAL",
                     "on_error": "CONTINUE"})["task_id"]
    error(dev.post(f"/api/v1/tasks/{manual}/execute"), 409, 7004)  # not approved yet
    dba.ok("POST", f"/api/v1/tasks/{manual}/approve")
    info = dev.wait_status(manual, "WAIT_FOR_EXECUTION")
    assert info["actions"]["execute"] is True and info["execution_mode"] == "MANUAL"
    error(dba.post(f"/api/v1/tasks/{manual}/execute"), 403, 7003)
    dev.ok("POST", f"/api/v1/tasks/{manual}/execute")
    assert dev.wait_status(manual, "EXECUTION_SUCCEEDED")["error_strategy"] == "CONTINUE"

    error(dev.post("/api/v1/tasks", {"database": DB, "tables": ["audit"], "prefix": "x_",
                                      "mode": "AT", "execute_at": "2001-01-01 00:00:00"}),
          400, 7011)
    error(dev.post("/api/v1/tasks", {"database": "no_such_db", "tables": ["a"]}), 404, 7005)
    error(dev.post("/api/v1/analyses", {"database": DB, "tables": ["audit"],
                                         "prefix": "bad-prefix"}), 400, 7010)


def test_task_list_window_filters_sort_and_paging(stack):
    dev, admin = stack.client("dev"), stack.client("admin")
    ids = [dev.ok("POST", "/api/v1/tasks", {"database": DB, "tables": ["audit"],
                                             "prefix": f"l{i}_"})["task_id"] for i in range(3)]
    page = dev.ok("GET", "/api/v1/tasks")
    assert {"tasks", "limit", "offset", "has_more"} <= set(page)
    listed = [t["task_id"] for t in page["tasks"]]
    assert listed == sorted(listed, reverse=True), listed  # newest first
    assert set(ids) <= set(listed)
    row = page["tasks"][0]
    assert set(row) == {"task_id", "task_type", "connection", "database", "creator",
                        "created_at", "status"}
    assert row["task_type"] == "SHADOW_TABLE_SYNC"

    first = dev.ok("GET", "/api/v1/tasks?limit=2&sort=task_id")
    second = dev.ok("GET", "/api/v1/tasks?limit=2&offset=2&sort=task_id")
    assert first["has_more"] and len(first["tasks"]) == 2
    a, b = [t["task_id"] for t in first["tasks"]], [t["task_id"] for t in second["tasks"]]
    assert a == sorted(a) and max(a) < min(b), (a, b)

    waiting = dev.ok("GET", "/api/v1/tasks?status=WAIT_FOR_APPROVAL&limit=1000")["tasks"]
    assert waiting and all(t["status"] == "WAIT_FOR_APPROVAL" for t in waiting)
    two = dev.ok("GET", "/api/v1/tasks?status=WAIT_FOR_APPROVAL&status=REJECTED&limit=1000")
    assert {t["status"] for t in two["tasks"]} <= {"WAIT_FOR_APPROVAL", "REJECTED"}
    assert dev.ok("GET", "/api/v1/tasks?status.ne=WAIT_FOR_APPROVAL&limit=1000")["tasks"] and all(
        t["status"] != "WAIT_FOR_APPROVAL"
        for t in dev.ok("GET", "/api/v1/tasks?status.ne=WAIT_FOR_APPROVAL&limit=1000")["tasks"])
    assert dev.ok("GET", "/api/v1/tasks?creator=nobody")["tasks"] == []
    assert dev.ok("GET", "/api/v1/tasks?database.like=sh%25")["tasks"]
    assert dev.ok("GET", "/api/v1/tasks?connection=local&limit=1")["tasks"]
    assert dev.ok("GET", "/api/v1/tasks?created_at.ge=2000-01-01")["tasks"]
    assert dev.ok("GET", "/api/v1/tasks?created_at.lt=2000-01-01")["tasks"] == []
    by_status = [t["status"] for t in dev.ok("GET", "/api/v1/tasks?sort=status&limit=1000")
                 ["tasks"]]
    assert by_status == sorted(by_status)
    assert dev.ok("GET", "/api/v1/tasks?all=true&limit=1")["tasks"]
    # Rights as for SHOW TASKS: another developer sees none of dev's tasks, an admin all.
    dev2 = stack.client("dev2")
    assert not any(t["creator"] == "dev" for t in dev2.ok("GET", "/api/v1/tasks")["tasks"])
    error(dev2.get(f"/api/v1/tasks/{ids[0]}"), 403, 7003)
    error(dev2.get(f"/api/v1/tasks/{ids[0]}/logs"), 403, 7003)
    assert admin.ok("GET", f"/api/v1/tasks/{ids[0]}")["task_id"] == ids[0]

    for bad in ("limit=0", "limit=x", "offset=-1", "sort=password", "all=perhaps",
                "created_at.gt=yesterday", "status.gt=X", "colour=red"):
        body = error(dev.get(f"/api/v1/tasks?{bad}"), 400, 1064)
        assert bad.split("=")[0] in body["message"], body


# --- errors and bad input --------------------------------------------------------------------

def test_unknown_ids_and_routes(stack):
    dev = stack.client("dev")
    error(dev.get("/api/v1/tasks/999999"), 404, 7002)
    error(dev.get("/api/v1/tasks/999999/sql"), 404, 7002)
    error(dev.post("/api/v1/tasks/999999/approve", {}), 404, 7002)
    error(dev.get("/api/v1/tasks/abc"), 404, 7002)
    error(dev.get("/api/v1/analyses/999999"), 404, 7002)
    error(dev.get("/api/v1/analyses/999999/preview"), 404, 7002)
    error(dev.get("/api/v1/nothing/here"), 404, 1064)
    error(dev.post("/api/v1/tasks/1/explode", {}), 404, 1064)
    error(dev.get("/no-such-file.js"), 404, 1064)
    error(ApiClient(stack.console_port).get("/api/v1/tasks/1"), 401, 1045)


def test_bad_input(stack):
    dev = stack.client("dev")
    error(dev.post("/api/v1/analyses", raw_body=b'{"database": "shop", "tables": ['), 400, 1064)
    error(dev.post("/api/v1/analyses", raw_body=b"[1, 2, 3]"), 400, 1064)
    error(dev.post("/api/v1/analyses", {"database": 12, "tables": ["audit"]}), 400, 1064)
    error(dev.post("/api/v1/analyses", {"database": DB, "tables": "audit"}), 400, 1064)
    error(dev.post("/api/v1/analyses", {"database": DB, "all_tables": "yes"}), 400, 1064)
    error(dev.post("/api/v1/analyses", {"database": DB, "tables": ["audit"], "sufix": "_x"}),
          400, 1064)
    error(dev.post("/api/v1/tasks/1/approve", {"comment": 5}), 400, 1064)
    error(dev.post("/api/v1/analyses/1/skip", {"tables": [1]}), 400, 1064)
    error(dev.post("/api/v1/analyses/1/submit", {"mode": "SOMETIME"}), 400, 1064)
    error(dev.post("/api/v1/session", raw_body=b"{nope", csrf=False), 400, 1064)
    # Over the body limit (64 KiB): refused before any handler reads it.
    big = b'{"database": "' + b"x" * (70 * 1024) + b'", "all_tables": true}'
    error(dev.post("/api/v1/analyses", raw_body=big), 413, 1153)
    # No CSRF token, a wrong one: refused before anything changes.
    a = dev.ok("POST", "/api/v1/analyses", {"database": DB, "tables": ["audit"], "prefix": "c_"})
    error(dev.post(f"/api/v1/analyses/{a['analysis_id']}/submit", {}, csrf=False), 403, 7003)
    error(dev.post(f"/api/v1/analyses/{a['analysis_id']}/submit", {},
                   headers={"X-CSRF-Token": "0" * 64}, csrf=False), 403, 7003)
    assert dev.ok("GET", f"/api/v1/analyses/{a['analysis_id']}")["submitted"] is False
    # A form post (not JSON) is refused even with the token.
    r = dev.post(f"/api/v1/analyses/{a['analysis_id']}/submit", raw_body=b"mode=MANUAL",
                 content_type="application/x-www-form-urlencoded")
    error(r, 415, 1064)
    r = ApiClient(stack.console_port).post("/api/v1/session", raw_body=b"user=dev&password=x",
                                            content_type="application/x-www-form-urlencoded",
                                            csrf=False)
    error(r, 415, 1064)


def test_page_and_security_headers(stack):
    c = ApiClient(stack.console_port)
    r = c.get("/")
    assert r.status == 200 and r.header("Content-Type").startswith("text/html")
    csp = r.header("Content-Security-Policy")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, csp
    assert r.header("X-Content-Type-Options") == "nosniff"
    html = r.raw.decode()
    assert '<script src="/app.js"' in html
    assert "<script>" not in html and "onclick" not in html.lower()
    for path, kind in (("/app.js", "text/javascript"), ("/app.css", "text/css")):
        r = c.get(path)
        assert r.status == 200 and r.header("Content-Type").startswith(kind), path
    assert c.get("/api/v1/session").header("Cache-Control") == "no-store"


def test_console_stops_with_the_proxy(stack):
    proxy, console_port = stack.start_console_proxy()
    c = ApiClient(console_port)
    assert c.sign_in("dev", "dev-secret")[0] == 200
    assert proxy.stop() == 0
    with pytest.raises(OSError):
        c.get("/api/v1/session")


# --- TLS and reload --------------------------------------------------------------------------

def test_console_over_tls(stack):
    certs = Certs()
    tls = f"{{cert: {certs.server_cert}, key: {certs.server_key}, min_version: TLSv1.3}}"
    proxy, console_port = stack.start_console_proxy(tls=tls)
    ctx = ssl.create_default_context(cafile=certs.ca)
    c = ApiClient(console_port, tls_context=ctx)
    status, body = c.sign_in("dev", "dev-secret")
    assert status == 200, body
    assert "Secure" in c.last_cookie and "HttpOnly" in c.last_cookie, c.last_cookie
    assert c.ok("GET", "/api/v1/session")["user"] == "dev"
    assert c.get("/").header("Content-Security-Policy")
    # Below the minimum version, or plain HTTP: no answer.
    old = ssl.create_default_context(cafile=certs.ca)
    old.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises((ssl.SSLError, OSError)):
        ApiClient(console_port, tls_context=old).get("/api/v1/session")
    with pytest.raises((http.client.HTTPException, OSError)):
        ApiClient(console_port).get("/api/v1/session")
    # A certificate the client does not trust: refused by the client, as it should be.
    with pytest.raises(ssl.SSLError):
        ApiClient(console_port, tls_context=ssl.create_default_context(
            cafile=certs.other_ca)).get("/")
    proxy.stop()


def test_bad_console_tls_files_are_config_errors(stack, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(console_config(stack.backend, free_port(), free_port(),
                                   tls="{cert: /nonexistent.pem, key: /nonexistent.key}"))
    out = subprocess.run([PROXY_BIN, "--config", str(path), "--check-config"],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "console.tls.cert" in out.stderr, out.stderr


def test_sighup_applies_roles_and_session_ttl(stack):
    proxy, console_port = stack.start_console_proxy()
    owner = stack.client("dev", port=console_port)
    task_id = owner.ok("POST", "/api/v1/tasks", {"database": DB, "tables": ["audit"],
                                                  "prefix": "hup_"})["task_id"]
    other = stack.client("dev2", port=console_port)
    error(other.get(f"/api/v1/tasks/{task_id}"), 403, 7003)
    with open(proxy.config_path) as f:
        text = f.read()
    text = text.replace("{name: dev2, password: dev2-secret, roles: [developer]}",
                        "{name: dev2, password: dev2-secret, roles: [developer, admin]}")
    text = text.replace("session_ttl: 8h", "session_ttl: 1s")
    with open(proxy.config_path, "w") as f:
        f.write(text)
    proxy.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while "configuration reloaded" not in proxy.log():
        assert time.time() < deadline, proxy.log()
        time.sleep(0.1)
    # The signed-in session now has the new role, and its next renewal the new lifetime.
    assert other.ok("GET", f"/api/v1/tasks/{task_id}")["task_id"] == task_id
    time.sleep(2.2)
    error(other.get("/api/v1/session"), 401, 1045)
    proxy.stop()
