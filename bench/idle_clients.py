"""Opens N MySQL connections to 127.0.0.1:PORT, logs each in (mysql_native_password, also after
an AuthSwitchRequest), prints "READY <n> <seconds>", then keeps them idle until stdin closes.
Usage: idle_clients.py PORT N USER PASSWORD"""

import concurrent.futures
import hashlib
import socket
import sys
import time


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def read_packet(sock):
    header = recv_exact(sock, 4)
    return header[3], recv_exact(sock, int.from_bytes(header[:3], "little"))


def send_packet(sock, seq, payload):
    sock.sendall(len(payload).to_bytes(3, "little") + bytes([seq]) + payload)


def token(password, scramble):
    p1 = hashlib.sha1(password.encode()).digest()
    p3 = hashlib.sha1(scramble + hashlib.sha1(p1).digest()).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


def login(port, user, password):
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    seq, g = read_packet(sock)
    end = g.index(b"\0", 1)
    pos = end + 1 + 4
    scramble = g[pos:pos + 8]
    pos += 8 + 1 + 2 + 1 + 2 + 2
    auth_len = g[pos]
    pos += 11
    scramble += g[pos:pos + max(13, auth_len - 8)].rstrip(b"\0")
    caps = 0x1 | 0x200 | 0x2000 | 0x8000 | 0x80000
    payload = (caps.to_bytes(4, "little") + (1 << 24).to_bytes(4, "little") + bytes([45])
               + b"\0" * 23 + user.encode() + b"\0")
    t = token(password, scramble)
    payload += bytes([len(t)]) + t + b"mysql_native_password\0"
    send_packet(sock, seq + 1, payload)
    seq, reply = read_packet(sock)
    if reply[:1] == b"\xfe":
        scramble = reply[reply.index(b"\0", 1) + 1:].rstrip(b"\0")
        send_packet(sock, seq + 1, token(password, scramble))
        seq, reply = read_packet(sock)
    if reply[:1] != b"\x00":
        raise RuntimeError(f"login failed: {reply[:80]!r}")
    return sock


def main():
    port, n, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        socks = list(pool.map(lambda _: login(port, user, password), range(n)))
    print(f"READY {len(socks)} {time.time() - start:.1f}", flush=True)
    sys.stdin.read()
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
