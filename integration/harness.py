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
        for attempt in range(3):  # a free port can be taken by someone else before mariadbd binds
            self.port = free_port()
            out = subprocess.run(
                [os.path.join(SRC, "scripts", "start-backend.sh"), os.path.join(self.dir, "data"),
                 str(self.port), *extra_args],
                capture_output=True, text=True)
            if out.returncode == 0:
                break
            if attempt == 2:
                raise RuntimeError(f"start-backend.sh failed ({out.returncode}):\n{out.stderr}")
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


def wait_dead(pid, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} still alive")


def restart_backend(backend):
    """Starts mariadbd again on the backend's data directory and port; returns the new pid."""
    out = subprocess.run([os.path.join(SRC, "scripts", "start-backend.sh"),
                          os.path.join(backend.dir, "data"), str(backend.port)],
                         check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


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
        # Owner-only, as configs with passwords should be: a readable one gets a start-up WARN
        # (test_ops.py tests that), which would leak into tests that look for WARN lines.
        os.chmod(self.config_path, 0o600)
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


# --- Additions for the client matrix, hostile-client and metrics tests (ops) ---------------------

def create_account(backend, name, password, grants="ALL PRIVILEGES ON *.*"):
    """Creates `name` on the backend for both '%' and '127.0.0.1' and grants it `grants`."""
    stmts = []
    for host in ("%", "127.0.0.1", "localhost"):
        stmts.append(f"CREATE USER IF NOT EXISTS '{name}'@'{host}' IDENTIFIED BY '{password}';")
        stmts.append(f"GRANT {grants} TO '{name}'@'{host}';")
    backend.sql("\n".join(stmts))


class Stack:
    """One backend, the accounts the default config expects (app / app-secret) and one proxy in
    front of it; for pytest module fixtures. `stop()` stops both."""

    def __init__(self, backend_args=(), users=None, extra="", metrics=False, proxy_args=()):
        self.backend = Backend(extra_args=backend_args)
        self.proxy = None
        try:
            create_account(self.backend, "app", "app-secret")
            self.port = free_port()
            self.metrics_port = free_port() if metrics else 0
            self.config = default_config(self.backend, self.port, metrics_port=self.metrics_port,
                                         users=users, extra=extra)
            self.proxy = Proxy(self.config, port=self.port, args=proxy_args)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.proxy is not None:
            self.proxy.stop()
        self.backend.stop()


def native_password_token(password, scramble):
    """mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw)))."""
    import hashlib
    if not password:
        return b""
    p1 = hashlib.sha1(password.encode()).digest()
    p2 = hashlib.sha1(p1).digest()
    p3 = hashlib.sha1(scramble + p2).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


class RawClient:
    """A MySQL client written with bare sockets, for sending what real drivers never send."""

    CAPS = (0x00000001 | 0x00000004 | 0x00000200 | 0x00002000 | 0x00008000 | 0x00080000
            | 0x00010000 | 0x00020000)  # LONG_PASSWORD FLAG PROTOCOL_41 TRANSACTIONS
    # SECURE_CONNECTION PLUGIN_AUTH MULTI_STATEMENTS MULTI_RESULTS

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.seq = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_packet(self, payload, seq=None):
        seq = self.seq if seq is None else seq
        self.sock.sendall(len(payload).to_bytes(3, "little") + bytes([seq & 0xFF]) + payload)
        self.seq = (seq + 1) & 0xFF

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed by peer")
            buf += chunk
        return buf

    def read_packet(self):
        header = self._recv_exact(4)
        length = int.from_bytes(header[:3], "little")
        self.seq = (header[3] + 1) & 0xFF
        return self._recv_exact(length)

    def read_greeting(self):
        g = self.read_packet()
        assert g[0] == 10, f"not a v10 greeting: {g[:16]!r}"
        end = g.index(b"\0", 1)
        pos = end + 1 + 4
        scramble = g[pos:pos + 8]
        pos += 8 + 1 + 2 + 1 + 2 + 2
        auth_len = g[pos]
        pos += 1 + 10
        part2 = max(13, auth_len - 8)
        scramble += g[pos:pos + part2].rstrip(b"\0")
        pos += part2
        plugin = g[pos:].split(b"\0")[0].decode()
        return {"version": g[1:end].decode(), "scramble": scramble, "plugin": plugin}

    def handshake(self, user, password, database=None):
        """Logs in; returns the final OK/ERR packet payload."""
        greet = self.read_greeting()
        caps = self.CAPS | (0x00000008 if database else 0)
        token = native_password_token(password, greet["scramble"])
        payload = (caps.to_bytes(4, "little") + (16 * 1024 * 1024).to_bytes(4, "little")
                   + bytes([45]) + b"\0" * 23 + user.encode() + b"\0"
                   + bytes([len(token)]) + token)
        if database:
            payload += database.encode() + b"\0"
        payload += b"mysql_native_password\0"
        self.send_packet(payload)
        reply = self.read_packet()
        if reply[:1] == b"\xfe":  # AuthSwitchRequest
            name_end = reply.index(b"\0", 1)
            scramble = reply[name_end + 1:].rstrip(b"\0")
            self.send_packet(native_password_token(password, scramble))
            reply = self.read_packet()
        return reply

    def query(self, sql):
        """Sends COM_QUERY and returns the packets of the answer (for a single result set)."""
        self.seq = 0
        self.send_packet(b"\x03" + sql.encode())
        first = self.read_packet()
        if first[0] in (0x00, 0xFF):
            return [first]
        packets = [first]
        eofs = 0
        while eofs < 2:
            p = self.read_packet()
            packets.append(p)
            if p[0] == 0xFE and len(p) < 9:
                eofs += 1
            elif p[0] == 0xFF:
                break
        return packets

    def closed_within(self, seconds):
        """True if the peer closes the connection within `seconds` (data before EOF is drained)."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.time()))
            try:
                if not self.sock.recv(65536):
                    return True
            except socket.timeout:
                return False
            except OSError:
                return True
        return False


def metric_samples(text):
    """{ 'name{labels}': value } for every sample of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def log_lines_since(proxy, offset, level="WARN"):
    """The proxy log lines at `level` written after byte `offset` of the log."""
    with open(proxy.log_path) as f:
        f.seek(offset)
        return [line for line in f.read().splitlines() if f" {level} " in line]


def log_size(proxy):
    return os.path.getsize(proxy.log_path)


# --- Shadow routing (issue 15) -----------------------------------------------------------------

def shadow_routing_stack(database, shared_tables=(), metrics=False):
    """A Stack whose config has the users app (unmarked, backend account app) and loadtest
    (users[].shadow: true, backend account lt, password lt-secret) and one shadow_routing rule:
    suffix _shadow on `database`. lt is created by shadow_account()."""
    users = ("  - {name: app, password: app-secret, backend_user: app}\n"
             "  - {name: loadtest, password: lt-secret, backend_user: lt, shadow: true}\n")
    extra = (f"shadow_routing:\n  - match: {{databases: [{database}]}}\n"
             f"    naming: {{suffix: _shadow}}\n"
             f"    shared_tables: [{', '.join(shared_tables)}]\n")
    return Stack(users=users, extra=extra, metrics=metrics)


def shadow_account(backend, grants):
    """Creates lt / lt-secret with only `grants` (each "PRIVILEGES ON db.table")."""
    stmts = []
    for host in ("%", "127.0.0.1", "localhost"):
        stmts.append(f"CREATE USER 'lt'@'{host}' IDENTIFIED BY 'lt-secret';")
        stmts.extend(f"GRANT {g} TO 'lt'@'{host}';" for g in grants)
    backend.sql("\n".join(stmts))
