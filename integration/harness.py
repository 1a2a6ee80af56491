"""Shared pieces of the end-to-end tests: a real MariaDB started from scripts/start-backend.sh,
the built proxy started with a generated config, free ports, and client helpers.

Every test module starts what it needs on its own ports and stops it (DESIGN.md §5)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SRC = os.environ.get("SHADOWPROXY_SRC", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SHADOWPROXY_BUILD", os.path.join(SRC, "build"))
PROXY_BIN = os.environ.get("SHADOWPROXY_BIN", os.path.join(BUILD, "proxy", "shadowproxy"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open in {timeout}s")


class Backend:
    """A throw-away MariaDB server. root has no password on 127.0.0.1."""

    def __init__(self, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="sp-mariadb-")
        self.port = free_port()
        out = subprocess.run(
            [os.path.join(SRC, "scripts", "start-backend.sh"), os.path.join(self.dir, "data"),
             str(self.port), *extra_args],
            check=True, capture_output=True, text=True)
        self.pid = int(out.stdout.strip().splitlines()[-1])

    def sql(self, statement, database=None, user="root", password=""):
        """Runs SQL through the mariadb CLI directly against the backend; returns stdout."""
        cmd = ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{self.port}", f"-u{user}", "-N", "-B"]
        if password:
            cmd.append(f"-p{password}")
        if database:
            cmd.append(database)
        return subprocess.run(cmd, input=statement, check=True, capture_output=True,
                              text=True).stdout

    def connect(self, **kw):
        import pymysql
        args = dict(host="127.0.0.1", port=self.port, user="root", password="")
        args.update(kw)
        return pymysql.connect(**args)

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(300):
                os.kill(self.pid, 0)
                time.sleep(0.1)
        except ProcessLookupError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def default_config(backend, port, metrics_port=0, users=None, extra=""):
    """A YAML config for a proxy in front of `backend`; `users` is YAML text for the users key."""
    users = users if users is not None else (
        "  - {name: app, password: app-secret, backend_user: app, roles: [developer]}\n")
    return (
        f"listen:\n  address: 127.0.0.1\n  port: {port}\n  threads: 2\n  shutdown_grace: 5s\n"
        f"clusters:\n  - name: local\n    servers: [\"127.0.0.1:{backend.port}\"]\n"
        f"    admin_user: root\n    admin_password: \"\"\n"
        f"users:\n{users}"
        f"metrics:\n  address: 127.0.0.1\n  port: {metrics_port}\n"
        f"{extra}")


class Proxy:
    """The built shadowproxy started with a config text; stderr goes to a log file."""

    def __init__(self, config_text, port=None, args=()):
        self.dir = tempfile.mkdtemp(prefix="sp-proxy-")
        self.config_path = os.path.join(self.dir, "shadowproxy.yaml")
        with open(self.config_path, "w") as f:
            f.write(config_text)
        self.log_path = os.path.join(self.dir, "proxy.log")
        self.port = port
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([PROXY_BIN, "--config", self.config_path, *args],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        if port:
            wait_port(port, proc=self.proc)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def connect(self, **kw):
        import pymysql
        args = dict(host="127.0.0.1", port=self.port, user="app", password="app-secret")
        args.update(kw)
        return pymysql.connect(**args)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode
