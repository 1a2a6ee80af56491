"""Issue 13: the task center page in real headless Chromium (Debian's chromium, chromium-driver
and python3-selenium; a missing one fails the test, it never skips): the developer signs in and
creates a task from the page (some tables, a suffix, one skipped, the SQL preview, submit); the
DBA signs in in a second browser and approves it; the task reaches EXECUTION_SUCCEEDED; its logs
are searched and downloaded. A DBA rejects another from the page, the developer aborts a running
ALTER from the page, and a table named like an HTML tag shows as text.

A screenshot of each page is saved as a test artefact in $SHADOWPROXY_ARTIFACTS (default:
<build>/console-screenshots)."""

import os
import shutil
import tempfile
import time

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from console_support import ConsoleStack
from harness import BUILD
from test_task_center_support import PASSWORDS

DB = "shop"
LOCK_DB = "dev_lock"  # the sandbox process: approved automatically, runs at once
HOSTILE = "<img src=x onerror=alert(1)>"
ARTIFACTS = os.environ.get("SHADOWPROXY_ARTIFACTS", os.path.join(BUILD, "console-screenshots"))


@pytest.fixture(scope="module")
def stack():
    s = ConsoleStack()
    s.run_root(f"""CREATE DATABASE {DB};
CREATE TABLE {DB}.customers (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL COMMENT 'who');
CREATE TABLE {DB}.orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, KEY k_c (customer_id));
CREATE TABLE {DB}.items (id INT PRIMARY KEY, sku VARCHAR(32) NOT NULL, price INT DEFAULT 1);
CREATE TABLE {DB}.items_sh (id INT PRIMARY KEY, sku VARCHAR(16));
CREATE TABLE {DB}.audit (id INT PRIMARY KEY, what VARCHAR(100));
CREATE TABLE {DB}.`{HOSTILE}` (id INT PRIMARY KEY, `<b>col</b>` INT);
CREATE DATABASE {LOCK_DB};
CREATE TABLE {LOCK_DB}.slow (id INT PRIMARY KEY, v BIGINT, w INT);
CREATE TABLE {LOCK_DB}.slow_shadow (id INT PRIMARY KEY, v INT);
INSERT INTO {LOCK_DB}.slow_shadow VALUES (1, 1), (2, 2)""")
    os.makedirs(ARTIFACTS, exist_ok=True)
    yield s
    s.stop()


class Browser:
    """One headless Chromium with its own profile (cookies) and download folder."""

    def __init__(self, stack, name):
        self.name = name
        self.base = f"http://127.0.0.1:{stack.console_port}"
        self.downloads = tempfile.mkdtemp(prefix=f"sp-dl-{name}-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1400,1000", "--lang=en-US"):
            opts.add_argument(a)
        opts.add_experimental_option("prefs", {"download.default_directory": self.downloads,
                                               "download.prompt_for_download": False})
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        self.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": self.downloads})
        self.driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": self.base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})

    def quit(self):
        self.driver.quit()
        shutil.rmtree(self.downloads, ignore_errors=True)

    # -- helpers --
    def wait(self, condition, timeout=30):
        # The page re-renders what it refreshes: an element read a moment ago may be gone.
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)

    def by_id(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def visible(self, element_id, timeout=30):
        return self.wait(EC.visibility_of_element_located((By.ID, element_id)), timeout)

    def click(self, element_id):
        self.wait(EC.element_to_be_clickable((By.ID, element_id))).click()

    def type(self, element_id, text):
        e = self.visible(element_id)
        e.clear()
        e.send_keys(text)

    def text_is(self, element_id, text, timeout=60):
        self.wait(EC.text_to_be_present_in_element((By.ID, element_id), text), timeout)

    def no_error(self):
        box = self.by_id("error")
        assert not box.is_displayed(), box.text

    def screenshot(self, page):
        path = os.path.join(ARTIFACTS, f"{page}.png")
        self.driver.save_screenshot(path)
        return path

    def sign_in(self, user):
        self.driver.get(self.base + "/")
        self.visible("signin-user")
        self.type("signin-user", user)
        self.type("signin-password", PASSWORDS[user])
        self.screenshot(f"signin-{self.name}")
        self.click("signin-button")
        self.visible("view-list")
        self.text_is("whoami", user)

    def open_task(self, task_id):
        self.driver.get(f"{self.base}/#/tasks/{task_id}")
        self.text_is("task-title", f"Task {task_id}")

    def info(self, field):
        return self.driver.find_element(
            By.CSS_SELECTOR, f'#info tr[data-field="{field}"] td').text

    def tab(self, name):
        self.driver.find_element(By.CSS_SELECTOR, f'.tabs button[data-tab="{name}"]').click()

    def alerts_fired(self):
        try:
            self.driver.switch_to.alert
            return True
        except NoAlertPresentException:
            return False


@pytest.fixture(scope="module")
def dev(stack):
    b = Browser(stack, "dev")
    b.sign_in("dev")
    yield b
    b.quit()


@pytest.fixture(scope="module")
def dba(stack):
    b = Browser(stack, "dba")
    b.sign_in("dba")
    yield b
    b.quit()


def analyze(b, database, tables, naming="suffix", affix="_sh"):
    b.driver.get(b.base + "/#/create")
    b.visible("c-database")
    b.type("c-database", database)
    b.type("c-tables", ", ".join(tables))
    Select(b.by_id("c-naming")).select_by_value(naming)
    b.type("c-affix", affix)
    b.click("c-analyze")
    b.visible("c-analysis")
    b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#c-results tbody tr")) == len(tables))


def result_row(b, table):
    for row in b.driver.find_elements(By.CSS_SELECTOR, "#c-results tbody tr"):
        if row.find_element(By.CSS_SELECTOR, "td").text == table:
            return row
    raise AssertionError(f"no row for {table!r}")


def test_create_approve_execute_search_and_download_logs(stack, dev, dba):
    # The developer: partial tables, a suffix, view one table, skip one, preview, submit.
    dev.screenshot("task-list-empty")
    analyze(dev, DB, ["customers", "orders", "items"])
    dev.no_error()
    results = {r.find_elements(By.CSS_SELECTOR, "td")[0].text:
               r.find_elements(By.CSS_SELECTOR, "td")[2].text
               for r in dev.driver.find_elements(By.CSS_SELECTOR, "#c-results tbody tr")}
    assert results == {"customers": "CREATE", "orders": "CREATE", "items": "UPDATE"}, results

    result_row(dev, "items").find_element(By.CSS_SELECTOR, "button.view").click()
    dev.text_is("c-view-title", "items → items_sh")
    assert dev.by_id("c-source-ddl").text.startswith("CREATE TABLE `items`")
    assert dev.by_id("c-shadow-ddl").text.startswith("CREATE TABLE `items_sh`")
    assert "ALTER TABLE `items_sh`" in dev.by_id("c-change-sql").text
    dev.screenshot("create-view-ddl")

    result_row(dev, "orders").find_element(By.CSS_SELECTOR, "button.skip").click()
    dev.wait(lambda d: result_row(dev, "orders").get_attribute("data-skipped") == "true")
    dev.click("c-preview")
    dev.visible("c-preview-sql")
    preview = dev.by_id("c-preview-sql").text
    assert "`customers_sh`" in preview and "`items_sh`" in preview
    assert "orders_sh" not in preview, preview
    # Undo skip and skip again: the preview follows each time.
    result_row(dev, "orders").find_element(By.CSS_SELECTOR, "button.unskip").click()
    dev.wait(lambda d: "orders_sh" in dev.by_id("c-preview-sql").text)
    result_row(dev, "orders").find_element(By.CSS_SELECTOR, "button.skip").click()
    dev.wait(lambda d: "orders_sh" not in dev.by_id("c-preview-sql").text)
    dev.type("c-remarks", 'it\'s "quoted" <b>bold</b>')
    dev.screenshot("create-preview")
    dev.click("c-submit")
    dev.text_is("c-message", "submitted: WAIT_FOR_APPROVAL")
    task_id = int(dev.by_id("c-message").get_attribute("data-task-id"))
    dev.click("c-open-task")
    dev.text_is("task-title", f"Task {task_id}")
    assert dev.info("remarks") == 'it\'s "quoted" <b>bold</b>'
    assert dev.info("unsynced_tables") == "orders"
    assert not dev.by_id("act-approve").is_displayed()  # no self-approval
    assert dev.by_id("act-abort").is_displayed()

    # The DBA, in a second browser: the list shows the task; approve it with a comment.
    dba.driver.get(dba.base + "/#/tasks")
    dba.wait(lambda d: d.find_elements(By.CSS_SELECTOR, f'#tasks tr[data-task-id="{task_id}"]'))
    dba.screenshot("task-list-dba")
    dba.driver.find_element(By.CSS_SELECTOR, f'#tasks tr[data-task-id="{task_id}"] td').click()
    dba.text_is("task-title", f"Task {task_id}")
    dba.visible("act-approve")
    dba.type("act-comment", "fine by me")
    dba.click("act-approve")

    # The developer's page follows the task live until it has run.
    dev.text_is("task-status", "EXECUTION_SUCCEEDED", timeout=90)
    dev.wait(lambda d: dev.info("status") == "EXECUTION_SUCCEEDED")
    assert dev.info("failed_statements") == "0"
    dev.screenshot("task-details")
    dev.tab("tables")
    dev.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#tables tr[data-table='orders']"))
    dev.tab("sql")
    dev.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#sql td.state"))
    states = {e.text for e in dev.driver.find_elements(By.CSS_SELECTOR, "#sql td.state")}
    assert states == {"SUCCEEDED"}, states
    dev.screenshot("task-sql")
    dev.tab("process")
    dev.wait(lambda d: "fine by me" in dev.by_id("process").text)
    assert "APPROVED" in dev.by_id("process").text
    dev.screenshot("task-process")

    # Logs: all, search, alert only, download, copy.
    dev.tab("logs")
    dev.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#logs .log-line")) >= 3)
    all_lines = len(dev.driver.find_elements(By.CSS_SELECTOR, "#logs .log-line"))
    dev.type("log-q", "CUSTOMERS_SH")
    dev.click("log-search")
    dev.wait(lambda d: 0 < len(d.find_elements(By.CSS_SELECTOR, "#logs .log-line")) < all_lines)
    for line in dev.driver.find_elements(By.CSS_SELECTOR, "#logs .log-line"):
        assert "customers_sh" in line.text, line.text
    dev.screenshot("task-logs-search")
    dev.click("log-download")
    path = os.path.join(dev.downloads, f"task-{task_id}-logs.txt")
    deadline = time.time() + 30
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.1)
    with open(path) as f:
        downloaded = f.read()
    assert "customers_sh" in downloaded and " INFO " in downloaded, downloaded
    assert "task created by dev" not in downloaded  # the search applies to the download
    dev.click("log-copy")
    dev.text_is("log-copied", "lines copied")
    dev.by_id("log-q").clear()
    Select(dev.by_id("log-level")).select_by_value("alert")
    dev.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, '#logs .log-line[data-level="INFO"]'))
    dev.no_error()


def test_dba_rejects_from_the_page(stack, dev, dba):
    api = stack.client("dev")
    task_id = api.ok("POST", "/api/v1/tasks", {"database": DB, "tables": ["audit"],
                                                "prefix": "rj_"})["task_id"]
    dba.open_task(task_id)
    dba.visible("act-reject")
    dba.type("act-comment", "not <today>")
    dba.click("act-reject")
    dba.text_is("task-status", "REJECTED")
    dba.tab("process")
    dba.wait(lambda d: "not <today>" in dba.by_id("process").text)
    dba.screenshot("task-rejected")
    assert not dba.by_id("act-approve").is_displayed()
    # The developer may initiate it again from the page: a new task.
    dev.open_task(task_id)
    dev.click("act-retry")
    dev.wait(lambda d: f"#/tasks/{task_id}" not in d.current_url)
    dev.text_is("task-status", "WAIT_FOR_APPROVAL")


def test_abort_a_running_alter_from_the_page(stack, dev):
    # A reader holds slow_shadow's metadata lock in an open transaction: the task's ALTER waits
    # on the server until it is killed.
    holder = stack.root(LOCK_DB)
    holder.autocommit(False)
    try:
        with holder.cursor() as c:
            c.execute("BEGIN")
            c.execute("SELECT * FROM slow_shadow")
            c.fetchall()
        api = stack.client("dev")
        task_id = api.ok("POST", "/api/v1/tasks", {"database": LOCK_DB, "tables": ["slow"],
                                                    "suffix": "_shadow"})["task_id"]

        def alter_waiting():
            with stack.root() as r, r.cursor() as c:
                c.execute("SELECT COUNT(*) FROM information_schema.processlist WHERE "
                          "info LIKE 'ALTER TABLE `slow_shadow`%'")
                return c.fetchone()[0] > 0

        deadline = time.time() + 60
        while not alter_waiting():
            assert time.time() < deadline, "the ALTER never started"
            time.sleep(0.1)
        dev.open_task(task_id)
        dev.text_is("task-status", "EXECUTING")
        dev.screenshot("task-executing")
        dev.click("act-abort")
        dev.wait(EC.alert_is_present())
        dev.driver.switch_to.alert.accept()
        dev.text_is("task-status", "CANCELLED")
        deadline = time.time() + 15
        while alter_waiting():
            assert time.time() < deadline, "the ALTER still runs after ABORT"
            time.sleep(0.1)
        dev.screenshot("task-cancelled")
    finally:
        holder.rollback()
        holder.close()
    with stack.root() as r, r.cursor() as c:
        c.execute(f"SHOW CREATE TABLE {LOCK_DB}.slow_shadow")
        assert "`w`" not in c.fetchone()[1]  # the ALTER never completed


def test_hostile_table_name_renders_as_text(stack, dev):
    analyze(dev, DB, [HOSTILE], naming="prefix", affix="x_")
    row = result_row(dev, HOSTILE)
    cells = row.find_elements(By.CSS_SELECTOR, "td")
    assert cells[1].text == "x_" + HOSTILE
    assert not dev.driver.find_elements(By.CSS_SELECTOR, "#c-results img, #c-view img")
    row.find_element(By.CSS_SELECTOR, "button.view").click()
    dev.text_is("c-view-title", HOSTILE)
    assert "`<b>col</b>`" in dev.by_id("c-source-ddl").text
    assert not dev.driver.find_elements(By.TAG_NAME, "img")
    assert not dev.driver.find_elements(By.TAG_NAME, "b")
    assert not dev.alerts_fired()
    dev.screenshot("create-hostile-name")
    # Submitted, it shows as text in the task's views too.
    dev.click("c-submit")
    dev.text_is("c-message", "submitted")
    dev.click("c-open-task")
    dev.wait(lambda d: dev.info("synced_tables") == HOSTILE)
    dev.tab("tables")
    dev.wait(lambda d: HOSTILE in dev.by_id("tables").text)
    assert not dev.driver.find_elements(By.TAG_NAME, "img")
    assert not dev.alerts_fired()
    # The page loaded no script but its own and broke no CSP rule.
    errors = [e for e in dev.driver.get_log("browser") if e["level"] == "SEVERE"
              and "Content Security Policy" in e["message"]]
    assert not errors, errors


def test_task_list_filters_sort_and_paging(stack, dev):
    dev.driver.get(dev.base + "/#/tasks")
    dev.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#tasks tbody tr[data-task-id]"))
    Select(dev.by_id("f-status")).select_by_value("REJECTED")
    dev.click("f-apply")
    dev.wait(lambda d: all(e.text == "REJECTED" for e in
                           d.find_elements(By.CSS_SELECTOR, "#tasks td.status")))
    Select(dev.by_id("f-status")).select_by_value("")
    dev.by_id("f-all").click()
    dev.driver.find_element(By.CSS_SELECTOR, '#tasks th[data-sort="task_id"]').click()

    def ids(d):
        return [int(r.get_attribute("data-task-id"))
                for r in d.find_elements(By.CSS_SELECTOR, "#tasks tbody tr[data-task-id]")]
    dev.wait(lambda d: len(ids(d)) > 1 and ids(d) == sorted(ids(d)))
    dev.screenshot("task-list")
    assert not dev.by_id("page-next").is_enabled()  # fewer than a page of tasks here
    assert not dev.by_id("page-prev").is_enabled()
