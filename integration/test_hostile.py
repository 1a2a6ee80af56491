"""Hostile and broken clients (SPEC.md §6): malformed packets and protocol violations close only
the offending session, with a WARN line in the proxy log, while a normal client on the same proxy
keeps working."""

import socket
import time

import pytest

from harness import RawClient, Stack, log_lines_since, log_size


@pytest.fixture(scope="module")
def stack():
    s = Stack()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def bystander(stack):
    """A normal session opened before any abuse and used after each case."""
    conn = stack.proxy.connect()
    yield conn
    conn.close()


def bystander_works(stack, bystander):
    with bystander.cursor() as c:
        c.execute("SELECT SUM(seq) FROM mysql.seq_1_to_100")
        assert c.fetchone() == (5050,)
    fresh = stack.proxy.connect()
    with fresh.cursor() as c:
        c.execute("SELECT 'fresh'")
        assert c.fetchone() == ("fresh",)
    fresh.close()


def wait_warn(stack, offset, seconds=5.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        lines = log_lines_since(stack.proxy, offset, "WARN")
        if lines:
            return lines
        time.sleep(0.1)
    return []


def expect_closed_with_warn(stack, bystander, client, offset):
    try:
        assert client.closed_within(5.0), "the proxy kept the offending session open"
    finally:
        client.close()
    assert stack.proxy.proc.poll() is None, "the proxy died:\n" + stack.proxy.log()[-3000:]
    warns = wait_warn(stack, offset)
    assert warns, "no WARN line for the offending session; log tail:\n" + stack.proxy.log()[-2000:]
    bystander_works(stack, bystander)
    return warns


def logged_in(stack):
    client = RawClient(stack.port)
    reply = client.handshake("app", "app-secret")
    assert reply[0] == 0x00, reply
    return client


GARBAGE = b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"


def test_garbage_before_the_greeting(stack, bystander):
    offset = log_size(stack.proxy)
    client = RawClient(stack.port)
    client.send_raw(GARBAGE)  # at once, before the proxy has greeted
    expect_closed_with_warn(stack, bystander, client, offset)


def test_garbage_instead_of_the_handshake_response(stack, bystander):
    offset = log_size(stack.proxy)
    client = RawClient(stack.port)
    client.read_greeting()
    client.send_raw(GARBAGE)
    expect_closed_with_warn(stack, bystander, client, offset)


def test_truncated_handshake_response(stack, bystander):
    offset = log_size(stack.proxy)
    client = RawClient(stack.port)
    client.read_greeting()
    caps = RawClient.CAPS.to_bytes(4, "little")
    # A whole frame whose content stops in the middle of the user name (no NUL, no auth data).
    client.send_packet(caps + (1 << 24).to_bytes(4, "little") + bytes([45]) + b"\0" * 23 + b"ap")
    expect_closed_with_warn(stack, bystander, client, offset)


def test_16_mib_length_header_without_body(stack, bystander):
    client = logged_in(stack)
    offset = log_size(stack.proxy)
    client.send_raw(b"\xff\xff\xff\x00")  # announces a 16 MiB packet, sends none of it
    time.sleep(0.5)
    bystander_works(stack, bystander)  # nobody waits for the missing body but its session
    assert not client.closed_within(0.5)  # a slow client is allowed to take its time...
    client.sock.shutdown(socket.SHUT_WR)  # ...but EOF in the middle of a packet ends it
    expect_closed_with_warn(stack, bystander, client, offset)


def test_wrong_sequence_id(stack, bystander):
    client = logged_in(stack)
    offset = log_size(stack.proxy)
    client.send_packet(b"\x03SELECT 1", seq=5)  # a command must start at sequence id 0
    expect_closed_with_warn(stack, bystander, client, offset)


def test_unknown_command_byte(stack, bystander):
    client = logged_in(stack)
    offset = log_size(stack.proxy)
    client.send_packet(b"\x99\x01\x02\x03", seq=0)
    expect_closed_with_warn(stack, bystander, client, offset)


def test_backend_sessions_of_closed_clients_are_released(stack, bystander):
    def app_sessions():
        return int(stack.backend.sql(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'").strip())

    deadline = time.time() + 10
    while app_sessions() > 1 and time.time() < deadline:  # only the bystander's
        time.sleep(0.2)
    assert app_sessions() == 1
