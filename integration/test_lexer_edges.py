"""The proxy reads SQL as MariaDB does: for every edge case of tests/base/sql_edge_cases.txt
(comments, version comments, quotes), the proxy intercepts the text exactly when MariaDB's own
reading of it starts with the words SHADOW SYNC.

MariaDB is asked directly: the text is sent to it with SHADOW replaced by SELECT (same length,
same letters' case), and MariaDB's first statement starts with SELECT SYNC exactly when its first
answer is ERR 1054 "Unknown column 'SYNC'". The same text, unchanged, then goes through the
proxy: intercepted means the proxy answers HELP's result set itself; relayed means the backend
answers. The file's MariaDB column is checked too, so the unit tests that read it stay honest.

Also: a session's NO_BACKSLASH_ESCAPES decides how the proxy reads SHADOW SYNC strings.
Run: cd build && ctest -R test_lexer_edges --output-on-failure
(or SHADOWPROXY_BIN=... /usr/bin/python3 -m pytest -q -p no:cacheprovider test_lexer_edges.py)."""

import os
import re

import pymysql
import pytest

from harness import SRC, Stack

CASES_FILE = os.path.join(SRC, "tests", "base", "sql_edge_cases.txt")
MULTI = pymysql.constants.CLIENT.MULTI_STATEMENTS


def decode(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\" or i + 1 >= len(text):
            out += c.encode()
            i += 1
            continue
        e = text[i + 1]
        if e == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
            continue
        out += {"n": b"\n", "t": b"\t", "r": b"\r"}.get(e, e.encode())
        i += 2
    return bytes(out)


def load_cases():
    cases = []
    with open(CASES_FILE, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, maria, _mysql80, _mysql84, text = line.split("\t", 4)
            cases.append((name, maria == "1", decode(text)))
    return cases


CASES = load_cases()


def as_select(text):
    """SHADOW -> SELECT, each letter keeping its case (the first occurrence only)."""
    m = re.search(rb"shadow", text, re.IGNORECASE)
    assert m, text
    src = m.group(0)
    word = bytes(b"SELECT"[i] if src[i:i + 1].isupper() else b"select"[i] for i in range(6))
    return text[:m.start()] + word + text[m.end():]


def first_answer(port, user, password, text):
    """('err', code, message) or ('rows', column names) for the first result of `text`."""
    conn = pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                           charset="utf8mb4", client_flag=MULTI, read_timeout=30)
    try:
        try:
            conn.query(text)
        except pymysql.err.MySQLError as e:
            return ("err", e.args[0], e.args[1])
        result = conn._result
        first = ("rows", tuple(d[0] for d in (result.description or ())))
        try:
            while conn._result.has_next:
                conn.next_result()
        except pymysql.err.MySQLError:
            pass
        return first
    finally:
        conn.close()


@pytest.fixture(scope="module")
def stack():
    s = Stack()
    yield s
    s.stop()


def mariadb_reads_shadow_sync(stack, text):
    answer = first_answer(stack.backend.port, "root", "", as_select(text))
    return (answer[0] == "err" and answer[1] == 1054 and
            re.match(r"Unknown column 'sync'", answer[2], re.IGNORECASE) is not None), answer


@pytest.mark.parametrize("name,expected,text", CASES, ids=[c[0] for c in CASES])
def test_proxy_intercepts_what_mariadb_reads_as_shadow_sync(stack, name, expected, text):
    maria, maria_answer = mariadb_reads_shadow_sync(stack, text)
    assert maria == expected, f"{name}: the file says {expected}, MariaDB answered {maria_answer}"
    answer = first_answer(stack.port, "app", "app-secret", text)
    intercepted = answer == ("rows", ("statement", "description"))
    assert intercepted == maria, f"{name}: MariaDB reads {maria_answer}, the proxy gave {answer}"


def test_no_backslash_escapes_decides_how_strings_are_read(stack):
    # 'a\' is a whole string only under NO_BACKSLASH_ESCAPES; otherwise it never ends.
    query = "SHADOW SYNC SHOW TASKS WHERE creator = 'a\\'"
    conn = pymysql.connect(host="127.0.0.1", port=stack.port, user="app", password="app-secret")
    try:
        cur = conn.cursor()
        with pytest.raises(pymysql.err.ProgrammingError) as e:
            cur.execute(query)
        assert e.value.args[0] == 1064
        cur.execute("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'")
        cur.execute(query)
        assert [d[0] for d in cur.description][:2] == ["task_id", "task_type"]
        assert conn.server_status & 0x0200  # the proxy's own answer says the mode too
        cur.execute("SET SESSION sql_mode = ''")
        with pytest.raises(pymysql.err.ProgrammingError):
            cur.execute(query)
    finally:
        conn.close()
