"""Issue 15, shadow routing (docs/shadow_routing.md): how sessions are marked — users[].shadow,
the `shadow` connect attribute (PyMySQL, node mysql2, Connector/J), a sqlcommenter comment or a
leading /* shadow */ on one statement, SHADOW SYNC SET SESSION SHADOW = ON | OFF — and what a
marked statement gets: the shadow's rows, or ERR 7040 with the reason and a WARN naming the
session. Prepared statements are rewritten at prepare time; one prepared outside shadow mode is
refused inside it. Unmarked sessions see production as before. The backend account of the
shadow user holds privileges on the shadow tables only. Django ORM queries carrying the comment
that sqlcommenter's middleware adds reach the shadows too."""

import os
import subprocess
import urllib.request

import pymysql
import pytest

from harness import (SRC, Stack, log_lines_since, log_size, metric_samples, shadow_account,
                     shadow_routing_stack)

NODE_DIR = os.path.join(SRC, "integration", "node")
JAVA_JAR = "/usr/share/java/mariadb-java-client.jar"
PROD_ROWS, SHADOW_ROWS = 2, 5


@pytest.fixture(scope="module")
def stack():
    s = shadow_routing_stack("shop", metrics=True)
    s.backend.sql(
        "CREATE DATABASE shop; USE shop;"
        "CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(20));"
        "CREATE TABLE orders_shadow LIKE orders;"
        "CREATE TABLE audit (id INT PRIMARY KEY);"
        "INSERT INTO orders VALUES (1, 'prod 1'), (2, 'prod 2');"
        "INSERT INTO orders_shadow VALUES " +
        ",".join(f"({i}, 'shadow {i}')" for i in range(1, SHADOW_ROWS + 1)) + ";")
    shadow_account(s.backend, ["SELECT, INSERT, UPDATE, DELETE ON shop.orders_shadow"])
    yield s
    s.stop()


def count(conn, sql="SELECT COUNT(*) FROM orders"):
    with conn.cursor() as c:
        c.execute(sql)
        return c.fetchone()[0]


def connect(stack, user="app", password="app-secret", attrs=None):
    conn = pymysql.connect(host="127.0.0.1", port=stack.port, user=user, password=password,
                           database="shop", autocommit=True, defer_connect=True)
    if attrs:
        conn._connect_attrs.update(attrs)  # PyMySQL 1.0 sends this dict in the handshake
    conn.connect()
    return conn


def test_unmarked_sessions_see_production(stack):
    with connect(stack) as c:
        assert count(c) == PROD_ROWS
        assert count(c, "SELECT COUNT(*) FROM audit") == 0  # no routing, no refusal


def test_a_shadow_user_reaches_the_shadows_only(stack):
    with connect(stack, "loadtest", "lt-secret") as c:
        assert count(c) == SHADOW_ROWS
        with c.cursor() as cur:
            cur.execute("SELECT orders.note FROM orders WHERE orders.id = 1")
            assert cur.fetchone() == ("shadow 1",)
            cur.execute("UPDATE orders SET note = 'upd' WHERE id = 2")
            cur.execute("SELECT note FROM shop.orders WHERE id = 2")
            assert cur.fetchone() == ("upd",)
            cur.execute("UPDATE orders SET note = 'shadow 2' WHERE id = 2")
    assert stack.backend.sql("SELECT note FROM shop.orders WHERE id = 2").strip() == "prod 2"


def test_mysqlclient_as_a_shadow_user(stack):
    import MySQLdb  # mysqlclient (python3-mysqldb); it has no API for connect attributes
    conn = MySQLdb.connect(host="127.0.0.1", port=stack.port, user="loadtest",
                           password="lt-secret", database="shop", autocommit=True)
    try:
        cur = conn.cursor()
        cur.execute("SELECT o.note FROM orders o WHERE o.id = %s", (SHADOW_ROWS,))
        assert cur.fetchone() == (f"shadow {SHADOW_ROWS}",)
        with pytest.raises(MySQLdb.Error) as e:
            cur.execute("SELECT COUNT(*) FROM audit")
        assert e.value.args[0] == 7040 and "no shadow" in e.value.args[1]
    finally:
        conn.close()


def test_refusals_are_7040_with_the_reason_and_a_warn(stack):
    offset = log_size(stack.proxy)
    with connect(stack, "loadtest", "lt-secret") as c:
        for sql, why in [
                ("SELECT * FROM audit", "table `shop`.`audit` has no shadow `audit_shadow`"),
                ("DROP TABLE orders", "DDL is not routed"),
                ("CALL p()", "a routine call"),
                ("SELECT * FROM orders WHERE id = f(1)", "not a known built-in function")]:
            with pytest.raises(pymysql.err.MySQLError) as e:
                count(c, sql)
            assert e.value.args[0] == 7040, sql
            assert e.value.args[1].startswith("shadow routing: ") and why in e.value.args[1], sql
        assert count(c) == SHADOW_ROWS  # the session goes on
    warns = [l for l in log_lines_since(stack.proxy, offset) if "shadow routing" in l]
    assert len(warns) == 4, warns
    assert "has no shadow" in warns[0] and "user 'loadtest'" in warns[0]


def test_connect_attribute_marks_the_session(stack):
    with connect(stack, attrs={"shadow": "1"}) as c:
        assert count(c) == SHADOW_ROWS
    with connect(stack, attrs={"shadow": "true"}) as c:
        assert count(c) == SHADOW_ROWS
    with connect(stack, attrs={"shadow": "0"}) as c:
        assert count(c) == PROD_ROWS


def test_sqlcommenter_and_leading_hint_mark_one_statement(stack):
    with connect(stack) as c:
        assert count(c, "SELECT COUNT(*) FROM orders /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e"
                        "4736-00f067aa0ba902b7-01',shadow='1'*/") == SHADOW_ROWS
        assert count(c, "/* shadow */ SELECT COUNT(*) FROM orders") == SHADOW_ROWS
        assert count(c) == PROD_ROWS  # the next one is not marked
        assert count(c, "SELECT COUNT(*) FROM orders /*shadow='0'*/") == PROD_ROWS
        # A mark inside a string is no mark.
        assert count(c, "SELECT COUNT(*) FROM orders WHERE '/*shadow=''1''*/' <> ''") == PROD_ROWS
        with pytest.raises(pymysql.err.MySQLError) as e:
            count(c, "SELECT COUNT(*) FROM audit /*shadow='1'*/")
        assert e.value.args[0] == 7040


def test_set_session_shadow_on_and_off(stack):
    with connect(stack) as c:
        with c.cursor() as cur:
            cur.execute("SHADOW SYNC SET SESSION SHADOW = ON")
        assert count(c) == SHADOW_ROWS
        with pytest.raises(pymysql.err.MySQLError) as e:
            count(c, "SELECT COUNT(*) FROM audit")
        assert e.value.args[0] == 7040
        with c.cursor() as cur:
            cur.execute("SHADOW SYNC SET SESSION SHADOW = OFF")
        assert count(c) == PROD_ROWS


def test_metric_counts_rewritten_and_refused(stack):
    text = urllib.request.urlopen(f"http://127.0.0.1:{stack.metrics_port}/metrics").read()
    s = metric_samples(text.decode())
    assert s['shadowproxy_shadow_routing_statements_total{result="rewritten"}'] > 0
    assert s['shadowproxy_shadow_routing_statements_total{result="refused"}'] > 0
    assert 'shadowproxy_shadow_routing_statements_total{result="passed_shared"}' in s


def test_node_mysql2_connect_attributes_and_prepared(stack):
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules")):
        pytest.fail("integration/node/node_modules is missing (npm install)")
    out = subprocess.run(["node", "mysql2_shadow.js", str(stack.port), "app", "app-secret",
                          "shop"], cwd=NODE_DIR, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "mysql2 shadow OK" in out.stdout


# No skip: scripts/install-deps.sh installs the JDK and Connector/J; a missing one must fail.
def test_jdbc_connection_attributes(stack):
    out = subprocess.run(
        ["java", "-cp", JAVA_JAR, os.path.join(SRC, "integration", "java", "ShadowTest.java"),
         str(stack.port), "app", "app-secret", "shop"], capture_output=True, text=True,
        timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "JDBC shadow OK" in out.stdout


DJANGO_SCRIPT = """
import sys
import django
from django.conf import settings
settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.mysql", "NAME": "shop", "USER": "app",
                           "PASSWORD": "app-secret", "HOST": "127.0.0.1", "PORT": sys.argv[1]}},
    INSTALLED_APPS=[], DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
from django.db import connection, models


class Order(models.Model):
    note = models.CharField(max_length=20)

    class Meta:
        app_label = "shop"
        db_table = "orders"
        managed = False


def sqlcommenter(execute, sql, params, many, context):
    # What google-cloud-sqlcommenter's Django middleware does: a trailing comment, keys sorted.
    comment = ("/*controller='loadtest',framework='django',shadow='1',"
               "traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/")
    return execute(sql + " " + comment, params, many, context)


assert Order.objects.count() == int(sys.argv[2])  # unmarked: production
with connection.execute_wrapper(sqlcommenter):
    assert Order.objects.count() == int(sys.argv[3])
    assert Order.objects.get(id=1).note == "shadow 1"
    assert [o.id for o in Order.objects.filter(id__gt=3).order_by("id")] == [4, 5]
    Order.objects.create(id=50, note="django")
    Order.objects.filter(id=50).update(note="django2")
    assert Order.objects.get(id=50).note == "django2"
    Order.objects.filter(id=50).delete()
    assert Order.objects.count() == int(sys.argv[3])
print("django OK")
"""


def test_django_orm_with_sqlcommenter_comments(stack):
    out = subprocess.run(["/usr/bin/python3", "-c", DJANGO_SCRIPT, str(stack.port),
                          str(PROD_ROWS), str(SHADOW_ROWS)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "django OK" in out.stdout
    assert stack.backend.sql("SELECT COUNT(*) FROM shop.orders").strip() == str(PROD_ROWS)


def test_marked_sessions_of_a_cluster_no_rule_matches_fail_closed():
    # The only rule is for another cluster: loadtest (users[].shadow) and the connect attribute
    # still mark, and every table is refused; unmarked sessions are relayed as before.
    users = ("  - {name: app, password: app-secret, backend_user: app}\n"
             "  - {name: loadtest, password: lt-secret, backend_user: app,"
             " backend_password: app-secret, shadow: true}\n")
    extra = ("shadow_routing:\n  - match: {clusters: [elsewhere], databases: [shop]}\n"
             "    naming: {suffix: _shadow}\n")
    s = Stack(users=users, extra=extra)
    try:
        s.backend.sql("CREATE DATABASE shop; CREATE TABLE shop.orders (id INT);"
                      "CREATE TABLE shop.orders_shadow (id INT);")
        for conn in (connect(s, "loadtest", "lt-secret"), connect(s, attrs={"shadow": "1"})):
            with conn:
                with pytest.raises(pymysql.err.MySQLError) as e:
                    count(conn)
                assert e.value.args[0] == 7040
                assert "no shadow_routing rule matches database `shop`" in e.value.args[1]
                assert count(conn, "SELECT 1") == 1  # names no table
        with connect(s) as c:
            assert count(c) == 0
            with pytest.raises(pymysql.err.MySQLError) as e:
                count(c, "SHADOW SYNC SET SESSION SHADOW = ON")
            assert e.value.args[0] == 7040
    finally:
        s.stop()
