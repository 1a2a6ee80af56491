"""Issue 14, following DDL with ORMs that know nothing of the proxy: Django 3.2 (mysqlclient)
`manage.py migrate` and Alembic (SQLAlchemy + PyMySQL) migrations without the SHADOW SYNC hook
get their shadow tasks by themselves (docs/follow_ddl.md). The shadows' SHOW CREATE TABLE equals
the sources' under the naming; tables outside the globs (django_migrations, alembic_version)
get none."""

import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import time

import pytest

from test_task_center_support import StoryStack, query, show_create, table_exists, wait_status

FINAL = ("EXECUTION_SUCCEEDED", "EXECUTION_SUCCEEDED_WITH_ERRORS", "EXECUTION_FAILED",
         "CANCELLED", "REJECTED")
FOLLOW = ("  follow_ddl:\n"
          "    - match: {databases: [\"dev_django\"], tables: [\"shop_*\"]}\n"
          "      settle: 2s\n"
          "    - match: {databases: [\"dev_alembic\"], tables: [\"invoice*\"]}\n"
          "      naming: {prefix: shadow_}\n"
          "      settle: 1s\n")
ALEMBIC_ENV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alembic", "env.py")


@pytest.fixture(scope="module")
def stack():
    s = StoryStack(metrics=False, extra_shadow_sync=FOLLOW)
    yield s
    s.stop()


def settled_tasks(stack, db, quiet=4.0, timeout=60.0):
    """The tasks of `db` once no new one appeared for `quiet` seconds, each finished."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    with stack.connect("dev") as dev:
        while time.time() < deadline:
            _, rows = query(dev, f"SHADOW SYNC SHOW TASKS WHERE database = '{db}' "
                                 "ORDER BY task_id ASC")
            if rows != last:
                last, since = rows, time.time()
            elif rows and time.time() - since >= quiet:
                break
            time.sleep(0.3)
        return [wait_status(dev, r[0], FINAL) for r in last or []]


def under_naming(ddl, affix, prefix):
    """A shadow's SHOW CREATE TABLE with the naming taken off every name it carries."""
    if prefix:
        return re.sub(r"`" + affix + r"([^`]*)`", r"`\1`", ddl)
    return ddl.replace(affix + "`", "`")


def same(stack, db, table, shadow, affix, prefix=False):
    with stack.root() as r:
        source = re.sub(r" AUTO_INCREMENT=\d+", "", show_create(r, db, table))
        copy = re.sub(r" AUTO_INCREMENT=\d+", "", show_create(r, db, shadow))
    return under_naming(copy, affix, prefix) == source, source, copy

# -- Django ------------------------------------------------------------------------------------

MIGRATION_1 = '''
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(name="Customer", fields=[
            ("id", models.AutoField(primary_key=True, serialize=False)),
            ("name", models.CharField(max_length=100)),
            ("email", models.CharField(max_length=200, unique=True)),
        ]),
        migrations.CreateModel(name="Order", fields=[
            ("id", models.AutoField(primary_key=True, serialize=False)),
            ("amount", models.DecimalField(max_digits=10, decimal_places=2)),
            ("placed", models.DateTimeField()),
            ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           to="shop.customer")),
        ]),
    ]
'''

MIGRATION_2 = '''
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("order", "note", models.CharField(max_length=100, default="")),
        migrations.AddIndex("order", models.Index(fields=["placed"], name="shop_order_placed_idx")),
        migrations.RenameField("customer", "name", "full_name"),
    ]
'''


def django_project(port):
    d = tempfile.mkdtemp(prefix="sp-django-")
    files = {
        "manage.py": "import sys\nfrom django.core.management import execute_from_command_line\n"
                     "execute_from_command_line(sys.argv)\n",
        "proj/__init__.py": "",
        "proj/settings.py": textwrap.dedent(f"""\
            SECRET_KEY = "test-only"
            INSTALLED_APPS = ["shop"]
            USE_TZ = False
            DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
            DATABASES = {{"default": {{
                "ENGINE": "django.db.backends.mysql", "NAME": "dev_django",
                "USER": "dev", "PASSWORD": "dev-secret", "HOST": "127.0.0.1",
                "PORT": "{port}",
            }}}}
            """),
        "shop/__init__.py": "",
        "shop/models.py": "",
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": MIGRATION_1,
        "shop/migrations/0002_note_index_rename.py": MIGRATION_2,
    }
    for name, text in files.items():
        path = os.path.join(d, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return d


def manage(project, *args):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="proj.settings", PYTHONPATH=project)
    return subprocess.run(["/usr/bin/python3", "manage.py", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=180)


def test_django_migrate_is_followed(stack):
    with stack.root() as r, r.cursor() as c:
        c.execute("CREATE DATABASE dev_django")
    project = django_project(stack.port)
    try:
        out = manage(project, "migrate", "shop", "0001", "--no-input")
        assert out.returncode == 0, out.stdout + out.stderr
        tasks = settled_tasks(stack, "dev_django")
        assert tasks and all(t["status"] == "EXECUTION_SUCCEEDED" for t in tasks), tasks
        assert all(t["creator"] == "dev" and t["remarks"].startswith("follow: ") for t in tasks)
        synced = set()
        for t in tasks:
            synced |= set(t["synced_tables"].split(", "))
        assert synced == {"shop_customer", "shop_order"}, tasks
        for table in ("shop_customer", "shop_order"):
            ok, source, copy = same(stack, "dev_django", table, table + "_shadow", "_shadow")
            assert ok, (source, copy)
        first = len(tasks)

        out = manage(project, "migrate", "shop", "--no-input")
        assert out.returncode == 0, out.stdout + out.stderr
        tasks = settled_tasks(stack, "dev_django")
        assert len(tasks) > first, tasks
        assert all(t["status"] == "EXECUTION_SUCCEEDED" for t in tasks), tasks
        with stack.root() as r:
            ddl = show_create(r, "dev_django", "shop_order_shadow")
            assert "`note`" in ddl and "shop_order_placed_idx" in ddl, ddl
            assert "`full_name`" in show_create(r, "dev_django", "shop_customer_shadow")
            assert not table_exists(r, "dev_django", "django_migrations_shadow")
        for table in ("shop_customer", "shop_order"):
            ok, source, copy = same(stack, "dev_django", table, table + "_shadow", "_shadow")
            assert ok, (source, copy)
        assert not any("django_migrations" in t["synced_tables"] for t in tasks)
    finally:
        shutil.rmtree(project, ignore_errors=True)

# -- Alembic without the hook --------------------------------------------------------------------

ALEMBIC_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("invoices",
                    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
                    sa.Column("total", sa.Numeric(12, 2), nullable=False))
    op.add_column("invoices", sa.Column("memo", sa.String(120), nullable=True,
                                        comment="what it is for"))
    op.create_index("idx_invoices_memo", "invoices", ["memo"])


def downgrade():
    op.drop_index("idx_invoices_memo", table_name="invoices")
    op.drop_column("invoices", "memo")
'''


def alembic(stack, project, *args):
    url = f"mysql+pymysql://dev:dev-secret@127.0.0.1:{stack.port}/dev_alembic"
    return subprocess.run(
        ["/usr/bin/python3", "-m", "alembic", "-c", os.path.join(project, "alembic.ini"),
         "-x", f"url={url}", *args], capture_output=True, text=True, timeout=120, cwd=project)


def test_alembic_without_the_hook_is_followed(stack):
    with stack.root() as r, r.cursor() as c:
        c.execute("CREATE DATABASE dev_alembic")
    d = tempfile.mkdtemp(prefix="sp-alembic-")
    try:
        os.makedirs(os.path.join(d, "versions"))
        shutil.copy(ALEMBIC_ENV, os.path.join(d, "env.py"))
        with open(os.path.join(d, "versions", "0001_invoices.py"), "w") as f:
            f.write(ALEMBIC_REVISION)
        with open(os.path.join(os.path.dirname(ALEMBIC_ENV), "alembic.ini")) as f:
            logging_sections = f.read().split("[loggers]", 1)[1]
        with open(os.path.join(d, "alembic.ini"), "w") as f:
            f.write(f"[alembic]\nscript_location = {d}\n\n[loggers]{logging_sections}")
        out = alembic(stack, d, "upgrade", "head")
        assert out.returncode == 0, out.stdout + out.stderr
        tasks = settled_tasks(stack, "dev_alembic", quiet=3.0)
        assert tasks and all(t["status"] == "EXECUTION_SUCCEEDED" for t in tasks), tasks
        ok, source, copy = same(stack, "dev_alembic", "invoices", "shadow_invoices", "shadow_",
                                prefix=True)
        assert ok, (source, copy)
        assert "idx_invoices_memo" in copy
        with stack.root() as r:
            assert table_exists(r, "dev_alembic", "alembic_version")
            assert not table_exists(r, "dev_alembic", "shadow_alembic_version")

        out = alembic(stack, d, "downgrade", "base")
        assert out.returncode == 0, out.stdout + out.stderr
        after = settled_tasks(stack, "dev_alembic", quiet=3.0)
        assert len(after) > len(tasks)
        assert all(t["status"] == "EXECUTION_SUCCEEDED" for t in after), after
        ok, source, copy = same(stack, "dev_alembic", "invoices", "shadow_invoices", "shadow_",
                                prefix=True)
        assert ok and "memo" not in copy, (source, copy)
    finally:
        shutil.rmtree(d, ignore_errors=True)
