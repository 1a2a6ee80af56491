"""Issue 15, shadow routing: the server is the oracle. The shadow sessions' backend account `lt`
has privileges on the shadow tables only (and SELECT on the shared `countries`), so any table
reference the proxy fails to rewrite is an ERROR 1142 from MariaDB itself. A generated corpus
(fixed seed) of a few thousand DML statements over a schema with foreign keys — joins of 1-4
tables, subqueries in the select list, WHERE and FROM, CTEs, INSERT ... SELECT, multi-table
UPDATE / DELETE, quoting and case variants, comments in odd places — runs through the proxy as
the shadow user `loadtest`; each statement is either refused with 7040 or gives the same answer
(rows, affected rows, error code) as the unrewritten statement run directly on `ref`, a copy where
the shadows carry the production names; then 1000 more the same way as prepared statements
(node mysql2's execute: COM_STMT_PREPARE rewritten at prepare time). Afterwards the shadows equal the copy, there was no
1142, and CHECKSUM TABLE of every production table is what it was. The counts (rewritten /
refused by reason) are printed for the closing note."""

import collections
import json
import os
import random
import re
import subprocess
import urllib.request

import pymysql
import pytest

from harness import SRC, metric_samples, shadow_account, shadow_routing_stack

# SHADOW_CORPUS_SEED / SHADOW_CORPUS_SIZE run another corpus (the data stays the same).
SEED = int(os.environ.get("SHADOW_CORPUS_SEED", "15015"))
N_STATEMENTS = int(os.environ.get("SHADOW_CORPUS_SIZE", "3000"))
DATA_SEED = 15015
N_PREPARED = 1000
NODE_DIR = os.path.join(SRC, "integration", "node")

SCHEMA = """
CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40) NOT NULL,
  country CHAR(2), created DATE);
CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2));
CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL,
  total DECIMAL(10,2), status VARCHAR(10),
  CONSTRAINT fk_o_c FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE TABLE order_items (id INT PRIMARY KEY AUTO_INCREMENT, order_id INT NOT NULL,
  product_id INT NOT NULL, qty INT,
  CONSTRAINT fk_i_o FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_i_p FOREIGN KEY (product_id) REFERENCES products (id));
"""
TABLES = ["customers", "products", "orders", "order_items"]
PROD_ONLY = ["audit"]


def shadow_schema():
    """The same schema under the _shadow names, foreign keys to the shadow parents."""
    s = SCHEMA
    for t in sorted(TABLES, key=len, reverse=True):
        s = re.sub(rf"\b{t}\b", f"{t}_shadow", s)
    return s.replace("fk_", "fks_")


def data(rng, scale):
    """INSERT statements for one copy (the shadows get other data than production)."""
    out = []
    out.append("INSERT INTO customers VALUES " + ",".join(
        f"({i},'c{i * scale}','{rng.choice(['DE', 'FR', 'US', 'CN'])}','2024-01-{1 + i % 28:02d}')"
        for i in range(1, 31)))
    out.append("INSERT INTO products VALUES " + ",".join(
        f"({i},'p{i}',{rng.randint(1, 500) * scale}.50)" for i in range(1, 21)))
    out.append("INSERT INTO orders VALUES " + ",".join(
        f"({i},{rng.randint(1, 30)},{rng.randint(1, 900)}.25,"
        f"'{rng.choice(['new', 'paid', 'sent'])}')" for i in range(1, 81)))
    out.append("INSERT INTO order_items VALUES " + ",".join(
        f"({i},{rng.randint(1, 80)},{rng.randint(1, 20)},{rng.randint(1, 9)})"
        for i in range(1, 201)))
    return out


@pytest.fixture(scope="module")
def stack():
    s = shadow_routing_stack("shop", shared_tables=["countries"], metrics=True)
    b = s.backend
    rng = random.Random(DATA_SEED)
    prod = data(rng, 1)
    shadow_data = data(random.Random(DATA_SEED + 1), 3)
    b.sql("CREATE DATABASE shop; CREATE DATABASE ref;")
    b.sql(SCHEMA + ";\n".join(prod) + ";\nCREATE TABLE audit (id INT PRIMARY KEY, note VARCHAR(40));"
          "INSERT INTO audit VALUES (1, 'x');"
          "CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(20));"
          "INSERT INTO countries VALUES ('DE','Germany'),('FR','France'),('US','USA');"
          "CREATE VIEW v_orders AS SELECT * FROM orders;", database="shop")
    shadow_inserts = []
    for stmt in shadow_data:
        for t in sorted(TABLES, key=len, reverse=True):
            stmt = re.sub(rf"^INSERT INTO {t} ", f"INSERT INTO {t}_shadow ", stmt)
        shadow_inserts.append(stmt)
    b.sql(shadow_schema() + ";\n".join(shadow_inserts) + ";", database="shop")
    # The reference: the shadows' contents under the production names (+ the shared table).
    b.sql(SCHEMA + ";\n".join(shadow_data) + ";"
          "CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(20));"
          "INSERT INTO countries VALUES ('DE','Germany'),('FR','France'),('US','USA');",
          database="ref")
    shadow_account(b, [f"SELECT, INSERT, UPDATE, DELETE ON shop.{t}_shadow" for t in TABLES] +
                   ["SELECT ON shop.countries"])
    yield s
    s.stop()


def checksums(backend):
    out = backend.sql("CHECKSUM TABLE " + ", ".join(f"shop.{t}" for t in TABLES + PROD_ONLY + [
        "countries"]))
    return sorted(out.splitlines())


# ---- the corpus ----

KEYWORDS = ["SELECT", "FROM", "WHERE", "JOIN", "LEFT JOIN", "ON", "AND", "IN", "EXISTS", "AS",
            "GROUP BY", "ORDER BY", "LIMIT", "UPDATE", "SET", "DELETE", "INSERT INTO", "VALUES",
            "WITH", "UNION ALL", "HAVING", "INNER JOIN", "USING", "DISTINCT"]
COMMENTS = ["/* c */", "/**/", "/* FROM audit */", "-- x\n", "# y\n", "/*shadow='1'*/",
            "/* ; */", "/*! */"]


class Gen:
    """Statements as token lists; rendered with random case, quoting and comments."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.next_id = 10000

    def name(self, t):
        r = self.r.random()
        if r < 0.3:
            return f"`{t}`"
        if r < 0.4:
            return f"{{db}}.{t}"
        if r < 0.45:
            return f"`{{db}}`.`{t}`"
        return t

    def kw(self, k):
        r = self.r.random()
        if r < 0.2:
            return k.lower()
        if r < 0.25:
            return "".join(c.lower() if i % 2 else c for i, c in enumerate(k))
        return k

    def render(self, parts):
        out = []
        for p in parts:
            if self.r.random() < 0.08:
                out.append(self.r.choice(COMMENTS))
            if p not in KEYWORDS and " " in p and self.r.random() < 0.05:
                # a comment inside an expression, where a space was
                spaces = [i for i, ch in enumerate(p) if ch == " "]
                at = self.r.choice(spaces)
                p = p[:at] + self.r.choice([" /* x */ ", "/**/", " -- y\n "]) + p[at + 1:]
            out.append(self.kw(p) if p in KEYWORDS else p)
        sep = " " if self.r.random() < 0.9 else "\n  "
        text = sep.join(out)
        if self.r.random() < 0.1:
            text += " /*shadow='1',traceparent='00-4bf92f3577b34da6-00f067aa0ba902b7-01'*/"
        return text

    def cond_orders(self, a):
        c = self.r.choice([f"{a}.total > {self.r.randint(1, 900)}",
                           f"{a}.status = '{self.r.choice(['new', 'paid', 'sent'])}'",
                           f"{a}.customer_id IN (SELECT id FROM {self.name('customers')} "
                           f"WHERE country = '{self.r.choice(['DE', 'FR', 'US'])}')",
                           f"EXISTS (SELECT 1 FROM {self.name('order_items')} i2 WHERE "
                           f"i2.order_id = {a}.id AND i2.qty > {self.r.randint(1, 9)})",
                           f"{a}.id BETWEEN {self.r.randint(1, 40)} AND {self.r.randint(41, 90)}"])
        return c

    def select(self):
        k = self.r.randint(1, 12)
        if k == 10:  # window function, backquoted alias
            return ["SELECT", "`o x`.id, ROW_NUMBER() OVER (PARTITION BY `o x`.customer_id "
                              "ORDER BY `o x`.id) rn", "FROM", self.name("orders"), "AS", "`o x`",
                    "WHERE", f"`o x`.id < {self.r.randint(5, 80)}", "ORDER BY", "1"]
        if k == 11:  # subqueries in HAVING and ORDER BY
            return ["SELECT", "customer_id, COUNT(*) n", "FROM", self.name("orders"), "GROUP BY",
                    "customer_id", "HAVING",
                    f"COUNT(*) > (SELECT COUNT(*) FROM {self.name('products')} WHERE price > "
                    f"{self.r.randint(100, 1500)}) - 20", "ORDER BY",
                    f"(SELECT MAX(c.id) FROM {self.name('customers')} c WHERE c.id = customer_id)"
                    ", 1"]
        if k == 12:  # a CTE referenced twice, and a recursive one
            return ["WITH", f"RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq "
                            f"WHERE n < {self.r.randint(2, 9)}), paid AS (SELECT id, total FROM "
                            f"{self.name('orders')} WHERE status = 'paid')",
                    "SELECT", "seq.n, (SELECT COUNT(*) FROM paid WHERE paid.id % 10 = seq.n)",
                    "FROM", "seq", "ORDER BY", "1"]
        if k == 1:  # one table
            t = self.r.choice(TABLES)
            alias = self.r.choice(["", " x", " AS x"])
            a = "x" if alias else t
            cols = self.r.choice(["*", f"{a}.id", f"COUNT(*)", f"{a}.*", "id"])
            lim = f" ORDER BY {a}.id LIMIT {self.r.randint(1, 20)}" if cols != "COUNT(*)" else ""
            return ["SELECT", cols, "FROM", self.name(t) + alias,
                    "WHERE", f"{a}.id > {self.r.randint(0, 50)}" + lim]
        if k == 2:  # joins of 2..4
            n = self.r.randint(2, 4)
            parts = ["SELECT", "o.id, c.name" + (", i.qty" if n > 2 else "") +
                     (", p.price" if n > 3 else ""), "FROM", self.name("orders"), "o",
                     self.r.choice(["JOIN", "INNER JOIN", "LEFT JOIN"]), self.name("customers"),
                     "c", "ON", "c.id = o.customer_id"]
            if n > 2:
                parts += [self.r.choice(["JOIN", "LEFT JOIN"]), self.name("order_items"), "i",
                          "ON", "i.order_id = o.id"]
            if n > 3:
                parts += ["JOIN", self.name("products"), "p", "ON", "p.id = i.product_id"]
            parts += ["WHERE", self.cond_orders("o"), "ORDER BY",
                      "1, 2" + (", 3" if n > 2 else "") + (", 4" if n > 3 else "")]
            return parts
        if k == 3:  # scalar subquery in the select list, derived table in FROM
            return ["SELECT", f"d.id, (SELECT COUNT(*) FROM {self.name('order_items')} i "
                              f"WHERE i.order_id = d.id) AS n", "FROM",
                    f"(SELECT id, total FROM {self.name('orders')} WHERE total > "
                    f"{self.r.randint(1, 900)}) AS d", "ORDER BY", "d.id"]
        if k == 4:  # CTE
            return ["WITH", f"big AS (SELECT customer_id, SUM(total) s FROM {self.name('orders')}"
                            f" GROUP BY customer_id)", "SELECT", "c.name, big.s", "FROM", "big",
                    "JOIN", self.name("customers"), "c", "ON", "c.id = big.customer_id",
                    "WHERE", f"big.s > {self.r.randint(1, 3000)}", "ORDER BY", "c.name, big.s"]
        if k == 5:  # aggregate with HAVING, shared table join
            return ["SELECT", "c.country, COUNT(*) n, MAX(co.name)", "FROM",
                    self.name("customers"), "c", "LEFT JOIN", "countries co", "ON",
                    "co.code = c.country", "GROUP BY", "c.country", "HAVING",
                    f"n >= {self.r.randint(1, 5)}", "ORDER BY", "1"]
        if k == 6:  # UNION
            return ["SELECT", "id", "FROM", self.name("orders"), "WHERE",
                    f"id < {self.r.randint(1, 30)}", "UNION ALL", "SELECT", "id", "FROM",
                    self.name("products"), "ORDER BY", "1"]
        if k == 7:  # unqualified columns, implicit alias, qualified by the source name
            return ["SELECT", "orders.id, orders.total", "FROM", self.name("orders"), "WHERE",
                    self.cond_orders("orders"), "ORDER BY", "orders.id"]
        if k == 8:  # comma join
            return ["SELECT", "products.name, order_items.qty", "FROM",
                    self.name("products") + ",", self.name("order_items"), "WHERE",
                    f"products.id = order_items.product_id AND order_items.id < "
                    f"{self.r.randint(1, 60)}", "ORDER BY", "1, 2"]
        return ["SELECT", "DISTINCT o.status", "FROM", self.name("orders"), "o", "WHERE",
                f"o.id IN (SELECT order_id FROM (SELECT order_id FROM {self.name('order_items')} "
                f"WHERE qty > {self.r.randint(1, 9)}) t)", "ORDER BY", "1"]

    def write(self):
        k = self.r.randint(1, 12)
        if k == 10:
            return ["DELETE", "FROM", "i", "USING", self.name("order_items"), "AS", "i", "JOIN",
                    self.name("products"), "p", "ON", "p.id = i.product_id", "WHERE",
                    f"p.price < {self.r.randint(1, 100)} AND i.qty = {self.r.randint(1, 9)}"]
        if k == 11:
            return ["INSERT INTO", self.name("products"), "(id, name, price)", "SELECT",
                    "p.id, p.name, p.price", "FROM", self.name("products"), "p", "WHERE",
                    f"p.id < {self.r.randint(1, 5)}", "ON DUPLICATE KEY UPDATE",
                    "price = products.price + 1"]
        if k == 12:
            self.next_id += 1
            return ["REPLACE INTO", self.name("customers"), "SET",
                    f"id = {self.next_id}, name = 'r{self.next_id}', country = 'US'"]
        if k == 1:
            self.next_id += 1
            return ["INSERT INTO", self.name("customers"), "(id, name, country, created)",
                    "VALUES", f"({self.next_id}, 'n{self.next_id}', 'DE', '2024-02-02')"]
        if k == 2:
            return ["INSERT INTO", self.name("orders"), "(customer_id, total, status)", "SELECT",
                    "id, 1.00, 'new'", "FROM", self.name("customers"), "WHERE",
                    f"id = {self.r.randint(1, 30)}"]
        if k == 3:
            return ["UPDATE", self.name("orders"), "SET",
                    f"total = total + 1 WHERE id = {self.r.randint(1, 80)}"]
        if k == 4:
            return ["UPDATE", self.name("orders"), "o", "JOIN", self.name("customers"), "c", "ON",
                    "c.id = o.customer_id", "SET",
                    f"o.status = 'sent' WHERE c.country = '{self.r.choice(['DE', 'FR'])}' AND "
                    f"o.id < {self.r.randint(1, 80)}"]
        if k == 5:
            return ["DELETE", "FROM", self.name("order_items"), "WHERE",
                    f"id = {self.r.randint(1, 200)}"]
        if k == 6:
            return ["DELETE", "i", "FROM", self.name("order_items"), "i", "JOIN",
                    self.name("orders"), "o", "ON", "o.id = i.order_id", "WHERE",
                    f"o.total < {self.r.randint(1, 60)}"]
        if k == 7:
            return ["INSERT INTO", self.name("products"), "(id, name, price)", "VALUES",
                    f"({self.r.randint(1, 30)}, 'np', 9.99)", "ON DUPLICATE KEY UPDATE",
                    "price = price + 1"]
        if k == 8:
            return ["UPDATE", self.name("products"), "SET",
                    f"price = (SELECT COUNT(*) FROM {self.name('order_items')} i WHERE "
                    f"i.product_id = products.id) WHERE id = {self.r.randint(1, 20)}"]
        return ["DELETE", "FROM", self.name("orders"), "WHERE",
                f"id = {self.r.randint(60, 200)} AND NOT EXISTS (SELECT 1 FROM "
                f"{self.name('order_items')} x WHERE x.order_id = orders.id)"]

    def refused(self):
        return self.r.choice([
            ["SELECT", "*", "FROM", self.name("audit")],
            ["SELECT", "*", "FROM", self.name("orders"), "o", "JOIN", self.name("audit"), "a",
             "ON", "a.id = o.id"],
            ["SELECT", "*", "FROM", "v_orders"],
            ["SELECT", "id", "FROM", self.name("orders"), "WHERE",
             "id IN (SELECT id FROM audit)"],
            ["DELETE", "FROM", self.name("audit")],
            ["INSERT INTO", "audit", "SELECT", "id, status", "FROM", self.name("orders")],
            ["CALL", "p()"],
            ["SELECT", "my_func(id)", "FROM", self.name("orders")],
            ["CREATE TABLE", "zz (a INT)"],
            ["DROP TABLE", "orders"],
            ["TRUNCATE", "orders"],
            ["SELECT", "{db}.orders.id", "FROM", "{db}.orders"],
            ["SELECT", "*", "FROM", "information_schema.TABLES", "LIMIT", "1"],
            ["SELECT", "*", "FROM", "mysql.user"],
            ["LOAD DATA INFILE", "'/etc/passwd' INTO TABLE orders"],
            ["WITH", "orders AS (SELECT 1 AS id)", "SELECT", "*", "FROM", "orders"],
            ["SELECT", "*", "FROM", "orders", "WHERE", "id = (1"],
            ["SELECT", "*", "FROM", "orders", "FOR SYSTEM_TIME ALL"],
            ["SELECT", "*", "FROM", "ORDERS"],
        ])

    def statement(self):
        r = self.r.random()
        parts = self.select() if r < 0.55 else self.write() if r < 0.9 else self.refused()
        return self.render(parts)


def run(conn, sql):
    """('ok', rows, affected) or ('err', code, message)."""
    try:
        with conn.cursor() as c:
            affected = c.execute(sql)
            rows = c.fetchall() if c.description else ()
            return ("ok", sorted(repr(r) for r in rows), affected)
    except pymysql.MySQLError as e:
        return ("err", e.args[0], str(e.args[1]) if len(e.args) > 1 else "")


def reason_kind(message):
    m = message.removeprefix("shadow routing: ")
    for pat, kind in [(r"has no shadow", "no shadow"), (r"is a view", "view"),
                      (r"call|routine|CALL|function", "routine"), (r"^DDL", "ddl"),
                      (r"does not exist", "missing table"), (r"no shadow_routing rule", "no rule"),
                      (r"cannot read|database\.table\.column|version comment|qualifier",
                       "unreadable"),
                      (r"is not routed|only as a query", "statement"), (r"WITH name", "cte")]:
        if re.search(pat, m):
            return kind
    return "unreadable"


def test_the_corpus_reaches_shadow_tables_only(stack):
    b = stack.backend
    before = checksums(b)
    # The oracle works: lt itself cannot read a production table.
    direct = pymysql.connect(host="127.0.0.1", port=b.port, user="lt", password="lt-secret",
                             database="shop")
    assert run(direct, "SELECT * FROM orders")[:2] == ("err", 1142)
    assert run(direct, "SELECT COUNT(*) FROM orders_shadow")[0] == "ok"
    direct.close()
    proxy = pymysql.connect(host="127.0.0.1", port=stack.port, user="loadtest",
                            password="lt-secret", database="shop", autocommit=True)
    ref = pymysql.connect(host="127.0.0.1", port=b.port, user="root", password="",
                          database="ref", autocommit=True)
    gen = Gen(SEED)
    counts = collections.Counter()
    reasons = collections.Counter()
    mismatches, leaks = [], []
    for _ in range(N_STATEMENTS):
        text = gen.statement()
        got = run(proxy, text.replace("{db}", "shop"))
        if got[0] == "err" and got[1] == 7040:
            counts["refused"] += 1
            reasons[reason_kind(got[2])] += 1
            continue
        if got[0] == "err" and got[1] in (1142, 1143, 1044):
            leaks.append((text, got))
            continue
        want = run(ref, text.replace("{db}", "ref"))
        counts["rewritten"] += 1
        if got[0] == "err":
            counts[f"error {got[1]}"] += 1
        same = got == want if got[0] == "ok" else (want[0] == "err" and want[1] == got[1])
        if not same:
            mismatches.append((text, got, want))
    proxy.close()
    ref.close()
    print(f"\nshadow routing corpus ({N_STATEMENTS} statements, seed {SEED}): "
          f"rewritten {counts['rewritten']}, refused {counts['refused']} "
          f"({', '.join(f'{k}: {v}' for k, v in reasons.most_common())}), "
          f"backend errors on both sides: "
          f"{sum(v for k, v in counts.items() if k.startswith('error '))}, "
          f"1142 leaks: {len(leaks)}, mismatches: {len(mismatches)}")
    assert not leaks, leaks[:5]
    assert not mismatches, mismatches[:5]
    assert counts["rewritten"] > N_STATEMENTS * 0.6
    assert counts["refused"] > 100
    # The same kinds of statements as prepared statements (node mysql2's execute: prepared
    # through the proxy, rewritten at prepare time).
    gen = Gen(SEED + 100)
    texts = [gen.statement() for _ in range(N_PREPARED)]
    pairs = [[t.replace("{db}", "shop"), t.replace("{db}", "ref")] for t in texts]
    out = subprocess.run(["node", "mysql2_corpus.js", str(stack.port), "loadtest", "lt-secret",
                          str(b.port)], cwd=NODE_DIR, input=json.dumps(pairs),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    prepared = json.loads(out.stdout)
    preasons = collections.Counter(reason_kind(m) for m in prepared["refused"])
    print(f"prepared ({N_PREPARED} statements, seed {SEED + 100}): rewritten "
          f"{prepared['rewritten']}, refused {len(prepared['refused'])} "
          f"({', '.join(f'{k}: {v}' for k, v in preasons.most_common())}), "
          f"1142 leaks: {len(prepared['leaks'])}, mismatches: {len(prepared['mismatches'])}")
    assert not prepared["leaks"], prepared["leaks"][:5]
    assert not prepared["mismatches"], prepared["mismatches"][:5]
    assert prepared["rewritten"] > N_PREPARED * 0.6
    # The shadows now hold what the reference holds; production is untouched.
    for t in TABLES:
        assert (b.sql(f"SELECT * FROM shop.{t}_shadow ORDER BY id") ==
                b.sql(f"SELECT * FROM ref.{t} ORDER BY id")), t
    assert checksums(b) == before
    samples = metric_samples(urllib.request.urlopen(
        f"http://127.0.0.1:{stack.metrics_port}/metrics").read().decode())
    assert samples['shadowproxy_shadow_routing_statements_total{result="refused"}'] >= \
        counts["refused"]
    assert samples['shadowproxy_shadow_routing_statements_total{result="rewritten"}'] > 0
