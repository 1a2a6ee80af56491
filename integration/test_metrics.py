"""GET /metrics (SPEC.md §7) of a running proxy after traffic: the counters move by what was
sent, and `promtool check metrics` accepts the exposition."""

import re
import time
import shutil
import socket
import subprocess
import urllib.request

import pymysql
import pytest

from harness import Proxy, Stack, default_config, free_port

LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$")


@pytest.fixture(scope="module")
def stack():
    s = Stack(metrics=True)
    yield s
    s.stop()


def scrape_text(stack):
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.metrics_port}/metrics", timeout=10) as r:
        assert r.status == 200
        return r.read().decode()


def scrape(stack):
    """{ 'name{labels}': value } for every sample. The proxy may batch counter updates per event
    loop for up to a second, so wait that long after the last command first."""
    time.sleep(1.3)
    samples = {}
    for line in scrape_text(stack).splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        assert m, f"unparseable line {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


def test_counters_move_with_traffic(stack):
    conns = [stack.proxy.connect() for _ in range(3)]
    try:
        before = scrape(stack)
        assert before["shadowproxy_client_connections"] >= 3
        with conns[0].cursor() as c:
            for i in range(37):
                c.execute("SELECT %s, REPEAT('x', 1000)", (i,))
                c.fetchall()
        conns[1].ping()
        after = scrape(stack)
    finally:
        for c in conns:
            c.close()
    q = 'shadowproxy_commands_total{command="query"}'
    assert after[q] - before.get(q, 0) == 37
    p = 'shadowproxy_commands_total{command="ping"}'
    assert after[p] - before.get(p, 0) == 1
    c2b = 'shadowproxy_bytes_total{direction="client_to_backend"}'
    b2c = 'shadowproxy_bytes_total{direction="backend_to_client"}'
    assert after[c2b] - before[c2b] > 37 * len("SELECT 0, REPEAT('x', 1000)")
    assert after[b2c] - before[b2c] > 37 * 1000
    count = 'shadowproxy_command_duration_seconds_count{command="query"}'
    assert after[count] - before.get(count, 0) == 37
    assert any(k.startswith("shadowproxy_backend_connections{") and v >= 1
               for k, v in before.items())
    accepted = 'shadowproxy_client_connections_total{result="accepted",tls="no"}'
    assert after[accepted] >= 3


def test_connection_gauge_and_auth_failures(stack):
    base = scrape(stack)
    conns = [stack.proxy.connect() for _ in range(5)]
    during = scrape(stack)
    assert during["shadowproxy_client_connections"] == base["shadowproxy_client_connections"] + 5
    for c in conns:
        c.close()
    with pytest.raises(pymysql.err.OperationalError):
        stack.proxy.connect(password="wrong")
    deadline = time.time() + 5
    while time.time() < deadline:
        after = scrape(stack)
        if after["shadowproxy_client_connections"] == base["shadowproxy_client_connections"]:
            break
        time.sleep(0.1)
    assert after["shadowproxy_client_connections"] == base["shadowproxy_client_connections"]
    failed = 'shadowproxy_client_connections_total{result="auth_failed",tls="no"}'
    assert after[failed] == base.get(failed, 0) + 1


@pytest.mark.skipif(shutil.which("promtool") is None, reason="needs promtool (Debian prometheus)")
def test_promtool_accepts_the_exposition(stack):
    with stack.proxy.connect() as conn, conn.cursor() as c:
        c.execute("SELECT 1")
    text = scrape_text(stack)
    for family in ("shadowproxy_client_connections", "shadowproxy_commands_total",
                   "shadowproxy_command_duration_seconds", "shadowproxy_bytes_total"):
        assert f"# TYPE {family} " in text
    out = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr


def test_metrics_port_in_use_is_a_clear_startup_error(stack):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = taken.getsockname()[1]
        port = free_port()
        proxy = Proxy(default_config(stack.backend, port, metrics_port=busy))
        try:
            code = proxy.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            code = None
        proxy.stop()
        assert code is not None, "the proxy kept running without its metrics endpoint"
        assert code != 0
        assert f"127.0.0.1:{busy}" in proxy.log()
