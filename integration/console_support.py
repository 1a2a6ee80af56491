"""Shared pieces of the web console tests (issue 13): a MariaDB + proxy with the task-center
story config and the console on, and a small JSON client over http.client that keeps the
session cookie and the CSRF token like the page does.

Imported by test_console_api.py and test_console_browser.py (pytest puts this folder on
sys.path)."""

import http.client
import json
import time

from harness import Proxy, create_account, free_port, wait_port
from test_task_center_support import PASSWORDS, StoryStack, story_config

# A backend account the config does not list: signs in to the console by a backend login.
PASSTHROUGH_USER, PASSTHROUGH_PASSWORD = "carol", "carol-secret"


def console_config(backend, port, console_port, session_ttl="8h", tls=""):
    """The story config with the console on; `tls` is the YAML map of console.tls, if any."""
    text = (story_config(backend, port) +
            f"console:\n  address: 127.0.0.1\n  port: {console_port}\n"
            f"  session_ttl: {session_ttl}\n")
    return text + (f"  tls: {tls}\n" if tls else "")


class ConsoleStack(StoryStack):
    """The story stack (one MariaDB with the story accounts) plus a pass-through account, with
    the console on in every proxy; start_console_proxy() adds another proxy on the same backend
    and metadb."""

    def __init__(self, session_ttl="8h"):
        self.session_ttl = session_ttl
        self.console_ports = {}
        super().__init__(metrics=False)
        try:
            create_account(self.backend, PASSTHROUGH_USER, PASSTHROUGH_PASSWORD)
            self.console_port = self.console_ports[self.proxy]
        except BaseException:
            self.stop()
            raise

    def start_proxy(self, port, metrics_port=0, session_ttl=None, tls=""):
        console_port = free_port()
        p = Proxy(console_config(self.backend, port, console_port,
                                 session_ttl or self.session_ttl, tls), port=port)
        self.proxies.append(p)
        self.console_ports[p] = console_port
        wait_port(console_port, proc=p.proc)
        return p

    def start_console_proxy(self, session_ttl=None, tls=""):
        """Another proxy; returns (proxy, its console port)."""
        p = self.start_proxy(free_port(), session_ttl=session_ttl, tls=tls)
        return p, self.console_ports[p]

    def run_root(self, sql, database=None):
        with self.root(database) as r, r.cursor() as c:
            for statement in [x for x in sql.split(";\n") if x.strip()]:
                c.execute(statement)

    def client(self, user=None, port=None):
        c = ApiClient(port or self.console_port)
        if user is not None:
            status, body = c.sign_in(user, PASSWORDS[user])
            assert status == 200, (status, body)
        return c


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.raw = raw

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def json(self):
        return json.loads(self.raw.decode())


class ApiClient:
    """The API as a script uses it: one cookie, the CSRF token from sign-in."""

    def __init__(self, port, host="127.0.0.1", tls_context=None):
        self.port, self.host = port, host
        self.tls_context = tls_context  # HTTPS with this ssl.SSLContext
        self.cookie = None
        self.csrf = None
        self.last_cookie = None  # the whole Set-Cookie header of the last answer that had one

    def request(self, method, path, body=None, csrf=True, content_type="application/json",
                raw_body=None, headers=None):
        if self.tls_context is not None:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=60,
                                               context=self.tls_context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        data = raw_body
        if data is None and body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type:
            h["Content-Type"] = content_type
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        resp = Response(r.status, r.getheaders(), r.read())
        conn.close()
        cookie = resp.header("Set-Cookie")
        if cookie:
            self.last_cookie = cookie
            value = cookie.split(";", 1)[0]
            self.cookie = None if value.endswith("=") else value
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def sign_in(self, user, password):
        r = self.post("/api/v1/session", {"user": user, "password": password}, csrf=False)
        body = r.json
        if r.status == 200:
            self.csrf = body["csrf_token"]
        return r.status, body

    def ok(self, method, path, body=None):
        r = self.request(method, path, body=body)
        assert r.status == 200, (method, path, r.status, r.raw[:500])
        return r.json

    def wait_status(self, task_id, statuses, timeout=90.0):
        if isinstance(statuses, str):
            statuses = (statuses,)
        deadline = time.time() + timeout
        info = None
        while time.time() < deadline:
            info = self.ok("GET", f"/api/v1/tasks/{task_id}")
            if info["status"] in statuses:
                return info
            time.sleep(0.2)
        raise AssertionError(f"task {task_id} never reached {statuses}; last {info}")
