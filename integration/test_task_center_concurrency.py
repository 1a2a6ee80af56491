"""The task center under concurrency: 32 sessions, each its own connection through the proxy, race
ANALYZE / SUBMIT / APPROVE / REJECT / ABORT / SHOW TASKS / SHOW TASK on the same analyses and
tasks; and the metadb (a second MariaDB, metadb.cluster = meta) killed and restarted while
sessions keep running SHOW TASKS / ANALYZE. Real MariaDB servers, the built proxy, PyMySQL
threads. The story config of test_task_center_support.py (dev/dev2 create, dba approves the
one-node `standard` process, `dev_*` databases are approved automatically, admin sees all).

What may fail, and only that: the contract's refusals for a lost race (docs/statements.md:
rights and errors): SUBMIT of an analysis already submitted is ERR 7012; APPROVE / REJECT of a
task no longer WAIT_FOR_APPROVAL and ABORT of a task already final are ERR 7004; while the
metadb is down every SHADOW SYNC statement is ERR 7030 naming it. Any other answer, a lost
connection, or a statement or thread that does not finish in time fails the test."""

import os
import signal
import threading
import time

import pymysql
import pytest

from harness import Backend, Proxy, free_port, restart_backend, wait_dead
from test_task_center_support import (META_DB, PASSWORDS, StoryStack, make_accounts,
                                      normalized_create, query, story_config, task_info)

FINAL = ("EXECUTION_SUCCEEDED", "EXECUTION_SUCCEEDED_WITH_ERRORS", "EXECUTION_FAILED",
         "REJECTED", "APPROVAL_EXPIRED", "EXECUTION_EXPIRED", "CANCELLED")
STATUSES = FINAL + ("WAIT_FOR_APPROVAL", "WAIT_FOR_EXECUTION", "EXECUTING")
SESSIONS = 32
ROUNDS = 3
STATEMENT_BOUND = 60  # seconds: PyMySQL read timeout; a statement slower than that is a hang
PHASE_BOUND = 120  # seconds a barrier waits for every session
DBS = ["cc_0", "cc_1", "cc_2", "dev_cc"]  # standard process (one dba node) x3, sandbox (auto)


def session(port, user, database=None):
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=PASSWORDS[user],
                           database=database, autocommit=True, connect_timeout=10,
                           read_timeout=STATEMENT_BOUND, write_timeout=STATEMENT_BOUND)


def lost_connection(e):
    """A client-side error: the connection itself failed (2000-range code, or the socket)."""
    return isinstance(e, pymysql.err.InterfaceError) or (
        isinstance(e, pymysql.MySQLError) and e.args and isinstance(e.args[0], int)
        and 2000 <= e.args[0] < 3000)


class Session:
    """One client session: its own connection; every statement it ran, with its outcome."""

    def __init__(self, index, port, user, log):
        self.index, self.user, self.log = index, user, log
        self.conn = session(port, user)

    def run(self, sql, allowed=()):
        """(True, (cols, rows)) on success; (False, code) for an allowed error. Anything else is
        appended to the shared log of unexpected outcomes and returns (False, code)."""
        started = time.time()
        try:
            result = query(self.conn, sql)
            outcome = (True, result)
        except pymysql.MySQLError as e:
            code = e.args[0] if e.args else None
            msg = e.args[1] if len(e.args) > 1 else ""
            if code not in allowed or lost_connection(e):
                self.log.append(f"session {self.index} ({self.user}): {sql!r} -> {code} {msg}")
            outcome = (False, code)
        took = time.time() - started
        if took > STATEMENT_BOUND / 2:
            self.log.append(f"session {self.index} ({self.user}): {sql!r} took {took:.1f}s")
        return outcome

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass


def prepare(stack):
    """Each database: `a` with an outdated shadow (UPDATE), `b` and `c` without (CREATE)."""
    with stack.root() as r, r.cursor() as c:
        for db in DBS:
            c.execute(f"CREATE DATABASE `{db}`")
            c.execute(f"CREATE TABLE `{db}`.a (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, "
                      "w VARCHAR(20) NOT NULL DEFAULT 'x', KEY k_v (v))")
            c.execute(f"CREATE TABLE `{db}`.a_shadow (id INT NOT NULL PRIMARY KEY, v INT)")
            c.execute(f"CREATE TABLE `{db}`.b (id BIGINT NOT NULL PRIMARY KEY, t TEXT)")
            c.execute(f"CREATE TABLE `{db}`.c (k VARCHAR(32) NOT NULL PRIMARY KEY, n INT "
                      "NOT NULL DEFAULT 0, UNIQUE KEY uk_n (n))")


@pytest.fixture(scope="module")
def stack():
    s = StoryStack(metrics=False)
    yield s
    s.stop()


def test_32_sessions_race_on_the_same_analyses_and_tasks(stack):
    prepare(stack)
    unexpected = []  # list.append is atomic: shared by every session thread
    # Even sessions are developers (dev, dev2 alternately), odd ones approvers (dba).
    users = ["dba" if i % 2 else ("dev" if i % 4 == 0 else "dev2") for i in range(SESSIONS)]
    sessions = [Session(i, stack.port, users[i], unexpected) for i in range(SESSIONS)]
    devs = [s for s in sessions if s.user != "dba"]
    dbas = [s for s in sessions if s.user == "dba"]
    barrier = threading.Barrier(SESSIONS, timeout=PHASE_BOUND)
    lock = threading.Lock()
    analyses = {}  # round -> [(analysis_id, db, analyzing session index)]
    submits = {}  # analysis_id -> [(session index, user, comment, task_id or None)]
    tasks = {}  # task_id -> {"analysis", "db", "creator", "comment", "round"}
    decisions = {}  # task_id -> [(verb, session index, ok)]
    aborts = {}  # task_id -> [(session index, ok)]
    listed = []  # every SHOW TASKS row seen, for the status check

    def visible_tasks(s):
        """Tasks this session may view: its own (creator), or any of the standard process for
        dba (approvers of the process). Sandbox (dev_*) tasks have no approvers."""
        with lock:
            return [tid for tid, t in tasks.items()
                    if t["creator"] == s.user or (s.user == "dba" and t["db"] != "dev_cc")]

    def read_some(s, n):
        for k in range(n):
            ok, res = s.run("SHADOW SYNC SHOW TASKS LIMIT 20")
            if ok:
                cols, rows = res
                assert cols[0] == "task_id" and cols[-1] == "status", cols
                listed.extend(rows)
            seen = visible_tasks(s)
            if seen:
                tid = seen[(s.index + k) % len(seen)]
                ok, res = s.run(f"SHADOW SYNC SHOW TASK {tid}")
                if ok:
                    info = dict(res[1])
                    if info.get("task_id") != tid or info.get("status") not in STATUSES:
                        unexpected.append(f"SHOW TASK {tid} gave {info}")

    def body(s):
        dev_no = devs.index(s) if s in devs else None
        dba_no = dbas.index(s) if s in dbas else None
        for rnd in range(ROUNDS):
            # Phase 1: 8 developers analyse (two per database, at once); the rest read.
            if dev_no is not None and dev_no < 2 * len(DBS):
                db = DBS[dev_no % len(DBS)]
                ok, res = s.run(f"SHADOW SYNC ANALYZE DATABASE {db} ALL TABLES")
                if ok:
                    cols, rows = res
                    results = sorted((r[1], r[3]) for r in rows)
                    if [t for t, _ in results] != ["a", "b", "c"] or len({r[0] for r in rows}) != 1:
                        unexpected.append(f"ANALYZE {db} gave {rows}")
                    with lock:
                        analyses.setdefault(rnd, []).append((rows[0][0], db, s.index))
            else:
                read_some(s, 2)
            barrier.wait()

            # Phase 2: every analysis of the round submitted by 4 developers at once.
            mine = []
            if dev_no is not None:
                with lock:
                    round_analyses = sorted(analyses.get(rnd, []), key=lambda x: int(x[0]))
                for k in (0, 1):
                    if round_analyses:
                        mine.append(round_analyses[(dev_no + k) % len(round_analyses)])
            else:
                read_some(s, 1)
            for aid, db, _ in mine:
                comment = f"r{rnd} s{s.index}"
                ok, res = s.run(f"SHADOW SYNC SUBMIT {aid} COMMENT '{comment}'", allowed=(7012,))
                tid = None
                if ok:
                    cols, rows = res
                    tid = rows[0][0]
                    if cols != ["task_id", "status", "process"] or rows[0][1] not in STATUSES:
                        unexpected.append(f"SUBMIT {aid} gave {cols} {rows}")
                    with lock:
                        tasks[tid] = {"analysis": aid, "db": db, "creator": s.user,
                                      "comment": comment, "round": rnd}
                with lock:
                    submits.setdefault(aid, []).append((s.index, s.user, comment, tid))
            barrier.wait()

            # Phase 3: every dba approves every task of the round, the contested one (the
            # round's first of the standard process) first, and half of them REJECT that one
            # instead; the creator of the round's second task aborts it meanwhile; the other
            # developers read their tasks.
            with lock:
                round_tasks = sorted((tid for tid, t in tasks.items() if t["round"] == rnd),
                                     key=int)
            contested = next((tid for tid in round_tasks if tasks[tid]["db"] != "dev_cc"), None)
            if dba_no is not None:
                # The contested task first for everyone, then the others in a rotated order.
                rest = [tid for tid in round_tasks if tid != contested]
                shift = dba_no % max(1, len(rest))
                order = ([contested] if contested else []) + rest[shift:] + rest[:shift]
                for tid in order:
                    verb = "REJECT" if tid == contested and dba_no % 2 else "APPROVE"
                    ok, _ = s.run(f"SHADOW SYNC {verb} {tid} COMMENT 's{s.index}'",
                                  allowed=(7004,))
                    with lock:
                        decisions.setdefault(tid, []).append((verb, s.index, ok))
            else:
                target = round_tasks[1] if len(round_tasks) > 1 else None
                if target and any(x[3] == target and x[0] == s.index
                                  for x in submits.get(tasks[target]["analysis"], [])):
                    ok, _ = s.run(f"SHADOW SYNC ABORT {target}", allowed=(7004,))
                    with lock:
                        aborts.setdefault(target, []).append((s.index, ok))
                read_some(s, 2)
            barrier.wait()

    failures = []

    def thread_main(s):
        try:
            body(s)
        except threading.BrokenBarrierError:
            failures.append(f"session {s.index}: a barrier broke (another session hung or died)")
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(f"session {s.index}: {type(e).__name__}: {e}")
            barrier.abort()

    threads = [threading.Thread(target=thread_main, args=(s,), daemon=True) for s in sessions]
    started = time.time()
    for t in threads:
        t.start()
    deadline = started + ROUNDS * 3 * PHASE_BOUND
    for t in threads:
        t.join(timeout=max(0.1, deadline - time.time()))
    hung = [s.index for s, t in zip(sessions, threads) if t.is_alive()]
    assert not hung, f"sessions {hung} did not finish within {deadline - started:.0f}s"
    assert not failures, "\n".join(failures)
    assert not unexpected, "unexpected answers:\n" + "\n".join(unexpected[:40])

    # Every analysis was submitted by 4 sessions at once, exactly one of which succeeded.
    assert len(analyses) == ROUNDS and all(len(v) == 2 * len(DBS) for v in analyses.values())
    for rnd, items in analyses.items():
        for aid, db, _ in items:
            tries = submits.get(aid, [])
            wins = [x for x in tries if x[3] is not None]
            assert len(tries) == 4 and len(wins) == 1, (aid, tries)

    # Wait for every task to be final (executions run in the background); read as admin.
    admin = session(stack.port, "admin")
    deadline = time.time() + 90
    infos = {}
    for tid in sorted(tasks, key=int):
        while True:
            infos[tid] = task_info(admin, tid)
            if infos[tid]["status"] in FINAL:
                break
            assert time.time() < deadline, f"task {tid} never became final: {infos[tid]}"
            time.sleep(0.2)

    with stack.root(META_DB) as r, r.cursor() as c:
        for tid, t in tasks.items():
            info = infos[tid]
            # SHOW TASK tells what the metadb holds.
            c.execute("SELECT status, creator, remarks, analysis_id FROM tasks WHERE id=%s",
                      (tid,))
            status, creator, remarks, analysis_id = c.fetchone()
            assert (info["status"], info["creator"], info["remarks"]) == (
                status, creator, remarks), (tid, info)
            # The task is the winning SUBMIT's: its user, its comment, its analysis.
            assert (creator, remarks, str(analysis_id)) == (t["creator"], t["comment"],
                                                            t["analysis"]), (tid, t)
            c.execute("SELECT state, COUNT(*) FROM task_statements WHERE task_id=%s "
                      "GROUP BY state", (tid,))
            states = dict(c.fetchall())
            done = states.get("SUCCEEDED", 0) + states.get("FAILED", 0)
            assert int(info["statements"]) == sum(states.values()), (tid, info, states)
            assert int(info["executed_statements"]) == done, (tid, info, states)
            assert int(info["failed_statements"]) == states.get("FAILED", 0), (tid, info, states)
            c.execute("SELECT level, message FROM task_logs WHERE task_id=%s ORDER BY id", (tid,))
            logs = c.fetchall()
            c.execute("SELECT node, status, operator FROM task_steps WHERE task_id=%s "
                      "ORDER BY seq", (tid,))
            steps = c.fetchall()

            ok_decisions = [d for d in decisions.get(tid, []) if d[2]]
            ok_aborts = [a for a in aborts.get(tid, []) if a[1]]
            if t["db"] == "dev_cc":  # approved automatically: every APPROVE / REJECT is 7004
                assert not ok_decisions, (tid, decisions.get(tid))
            else:
                assert len(ok_decisions) <= 1, (tid, decisions.get(tid))
                if not ok_aborts:  # nobody else could stop it: one decision won
                    assert len(ok_decisions) == 1, (tid, decisions.get(tid), aborts.get(tid))
            s = info["status"]
            if s == "REJECTED":
                assert [d[0] for d in ok_decisions] == ["REJECT"], (tid, decisions.get(tid))
                assert any(st == "REJECTED" and op == "dba" for _, st, op in steps), steps
            if ok_decisions and ok_decisions[0][0] == "REJECT":
                assert s == "REJECTED", (tid, info)
            if s == "CANCELLED":
                assert ok_aborts, (tid, info, aborts.get(tid))
            if ok_aborts:
                assert s in ("CANCELLED", "REJECTED") or s.startswith("EXECUTION_"), (tid, info)
            assert s not in ("APPROVAL_EXPIRED", "EXECUTION_EXPIRED"), (tid, info)
            if s == "EXECUTION_SUCCEEDED":
                assert set(states) <= {"SUCCEEDED"}, (tid, states, logs)
            if s == "EXECUTION_FAILED":
                assert any(level == "ERROR" for level, _ in logs), (tid, logs)
            if s.startswith("EXECUTION_"):
                assert steps[-1][0] == "COMPLETED", (tid, steps)

        # Exactly one task per analysis, and every analysis of the test is marked submitted.
        for items in analyses.values():
            for aid, _, _ in items:
                c.execute("SELECT COUNT(*) FROM tasks WHERE analysis_id=%s", (aid,))
                assert c.fetchone()[0] == 1, aid
                c.execute("SELECT submitted FROM analyses WHERE id=%s", (aid,))
                assert c.fetchone()[0] == 1, aid

    # A task that succeeded left its synced shadows equal to their sources.
    with stack.root() as r:
        for tid, t in tasks.items():
            if infos[tid]["status"] != "EXECUTION_SUCCEEDED":
                continue
            for table in [x.strip() for x in (infos[tid]["synced_tables"] or "").split(",")
                          if x.strip()]:
                assert normalized_create(r, t["db"], table + "_shadow", table) == \
                    normalized_create(r, t["db"], table, table), (tid, t["db"], table)

    counts = {}
    for tid in tasks:
        counts[infos[tid]["status"]] = counts.get(infos[tid]["status"], 0) + 1
    print(f"{len(tasks)} tasks from {sum(len(v) for v in analyses.values())} analyses "
          f"({sum(len(v) for v in submits.values())} SUBMITs, "
          f"{sum(len(v) for v in decisions.values())} APPROVE/REJECT, "
          f"{sum(len(v) for v in aborts.values())} ABORT, {len(listed)} SHOW TASKS rows read): "
          f"{counts}")

    # The list as admin agrees with SHOW TASK; what the sessions saw were real statuses.
    _, rows = query(admin, "SHADOW SYNC SHOW TASKS WHERE database IN "
                           "('cc_0', 'cc_1', 'cc_2', 'dev_cc')")
    assert {r[0]: r[6] for r in rows} == {tid: infos[tid]["status"] for tid in tasks}
    assert listed and all(r[6] in STATUSES for r in listed)
    admin.close()
    for s in sessions:
        s.close()


# --- the metadb restarted under load ---------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_metadb_restart_under_load(sig):
    data = Backend()
    meta = proxy = None
    loaders = 8
    try:
        meta = Backend()
        make_accounts(data)
        port = free_port()
        proxy = Proxy(story_config(data, port, metadb_backend=meta), port=port)
        with data.connect(autocommit=True) as r, r.cursor() as c:
            c.execute("CREATE DATABASE dev_mr")
            c.execute("CREATE TABLE dev_mr.t (id INT PRIMARY KEY, v INT)")
            c.execute("CREATE TABLE dev_mr.u (id INT PRIMARY KEY, w VARCHAR(8))")
        dev = session(port, "dev", "dev_mr")
        before = []
        for table in ("t", "u", "t"):  # one after the other: each sees the last one's shadow
            _, rows = query(dev, f"SHADOW SYNC CREATE TASK TABLES {table}")
            tid = rows[0][0]
            before.append(tid)
            deadline = time.time() + 30
            while task_info(dev, tid)["status"] not in FINAL:
                assert time.time() < deadline, task_info(dev, tid)
                time.sleep(0.2)
        assert all(task_info(dev, tid)["status"] == "EXECUTION_SUCCEEDED" for tid in before)

        server = f"127.0.0.1:{meta.port}"
        stop = threading.Event()
        events = [[] for _ in range(loaders)]  # per loader: (start, end, kind, outcome, message)
        problems = []
        conn_ids = {}

        def loader(n):
            conn = session(port, "dev", "dev_mr")
            try:
                with conn.cursor() as c:
                    c.execute("SELECT CONNECTION_ID()")
                    first_id = c.fetchone()[0]
                kinds = ["SHADOW SYNC SHOW TASKS", "SHADOW SYNC ANALYZE TABLES t, u", "SELECT 1"]
                k = n
                while not stop.is_set():
                    sql = kinds[k % len(kinds)]
                    k += 1
                    a = time.time()
                    try:
                        query(conn, sql)
                        events[n].append((a, time.time(), sql, "ok", ""))
                    except pymysql.MySQLError as e:
                        code = e.args[0] if e.args else None
                        msg = e.args[1] if len(e.args) > 1 else ""
                        events[n].append((a, time.time(), sql, code, msg))
                        if lost_connection(e):
                            problems.append(f"loader {n}: {sql!r} lost its connection: {e}")
                            return
                    time.sleep(0.02)
                with conn.cursor() as c:  # the same session all along: no reconnect
                    c.execute("SELECT CONNECTION_ID()")
                    conn_ids[n] = (first_id, c.fetchone()[0])
            except Exception as e:  # noqa: BLE001 - reported below
                problems.append(f"loader {n}: {type(e).__name__}: {e}")
            finally:
                conn.close()

        threads = [threading.Thread(target=loader, args=(n,), daemon=True)
                   for n in range(loaders)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        t_kill = time.time()
        os.kill(meta.pid, sig)
        wait_dead(meta.pid)
        t_dead = time.time()
        time.sleep(4)  # every loader runs statements against the dead metadb
        t_restart = time.time()
        meta.pid = restart_backend(meta)
        t_up = time.time()
        # Run until every loader has had 3 good SHADOW SYNC statements after the restart, or
        # the bound passes.
        recovery_bound = 30
        while time.time() < t_up + recovery_bound + 5:
            if all(sum(1 for e in ev if e[0] > t_up and e[2].startswith("SHADOW")
                       and e[3] == "ok") >= 3 for ev in events):
                break
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=STATEMENT_BOUND + 10)
        hung = [n for n, t in enumerate(threads) if t.is_alive()]
        assert not hung, f"loaders {hung} hung"
        assert not problems, "\n".join(problems)

        timeline = (f"kill {t_kill:.2f}, dead {t_dead:.2f}, restart {t_restart:.2f}, "
                    f"up {t_up:.2f}; proxy log:\n{proxy.log()[-4000:]}")
        for n, ev in enumerate(events):
            shadow = [e for e in ev if e[2].startswith("SHADOW")]
            # Whenever it ran (also while the metadb was stopping or starting): OK or ERR 7030
            # naming the metadb, nothing else.
            other = [e for e in shadow if e[3] != "ok" and (e[3] != 7030 or server not in e[4])]
            assert not other, (n, other, timeline)
            # Before the kill: everything worked.
            early = [e for e in shadow if e[1] < t_kill]
            assert early and all(e[3] == "ok" for e in early), (n, early, timeline)
            # While it was down: only ERR 7030 naming the metadb, each answered in bounded time.
            down = [e for e in shadow if e[0] > t_dead and e[1] < t_restart]
            assert down, (n, "no statement ran while the metadb was down", timeline)
            wrong = [e for e in down if e[3] != 7030 or server not in e[4]]
            assert not wrong, (n, wrong, timeline)
            slow = [e for e in down if e[1] - e[0] > 15]
            assert not slow, (n, slow, timeline)
            # The relay kept working for the same sessions.
            relayed = [e for e in ev if e[2] == "SELECT 1" and e[0] > t_dead and e[1] < t_restart]
            assert relayed and all(e[3] == "ok" for e in relayed), (n, relayed, timeline)
            # After the restart: within the bound, every statement succeeds again, on the same
            # connection (no reconnect by the client).
            after = [e for e in shadow if e[0] > t_up]
            bad = [e for e in after if e[3] != "ok"]
            last_bad = max((e[1] for e in bad), default=t_up)
            assert last_bad - t_up < recovery_bound, (n, bad[-5:], timeline)
            good = [e for e in after if e[3] == "ok" and e[0] > last_bad]
            assert len(good) >= 3, (n, after[-10:], timeline)
            assert conn_ids[n][0] == conn_ids[n][1], (n, conn_ids[n])

        down_errors = sum(1 for ev in events for e in ev if e[3] == 7030)
        recovered = max(min((e[0] for e in ev if e[0] > t_up and e[2].startswith("SHADOW")
                             and e[3] == "ok"), default=float("nan")) for ev in events) - t_up
        print(f"{sig.name}: {sum(len(ev) for ev in events)} statements by {loaders} sessions, "
              f"{down_errors} ERR 7030; metadb down {t_restart - t_dead:.1f}s "
              f"(stopping took {t_dead - t_kill:.1f}s, starting {t_up - t_restart:.1f}s); "
              f"every session answered again {recovered:.2f}s after it was up")

        # The tasks created before the restart are still listed, with their status.
        _, rows = query(dev, "SHADOW SYNC SHOW TASKS")
        listed = {r[0]: r[6] for r in rows}
        assert all(listed.get(tid) == "EXECUTION_SUCCEEDED" for tid in before), (before, listed)
        assert proxy.proc.poll() is None
        dev.close()
    finally:
        if proxy is not None:
            proxy.stop()
        if meta is not None:
            meta.stop()
        data.stop()
