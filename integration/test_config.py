"""`shadowproxy --config FILE --check-config` (SPEC.md §1, §2): a bad config exits 1 with a
message naming the file, the line and the key path; the shipped config passes."""

import os
import subprocess

import pytest

from harness import PROXY_BIN, SRC

GOOD = """\
listen:
  address: 127.0.0.1
  port: 16033
clusters:
  - name: local
    servers: ["127.0.0.1:3306"]
"""

# (name, document, expected line in the output after "<file>:")
BAD = [
    ("unknown_key", GOOD + "  - name: other\n    servers: [\"h:1\"]\n    colour: blue\n",
     "9: clusters[1].colour: unknown key"),
    ("wrong_type", GOOD.replace("port: 16033", "port: abc"),
     "3: listen.port: expected an integer 1..65535, got \"abc\""),
    ("out_of_range", GOOD.replace("port: 16033", "port: 99999"),
     "3: listen.port: expected an integer 1..65535, got \"99999\""),
    ("missing_required", "listen:\n  port: 16033\nusers:\n  - name: app\n",
     "1: clusters: required key missing"),
    ("missing_cluster_name", GOOD.replace("  - name: local\n", "  - admin_user: root\n"),
     "5: clusters[0].name: required key missing"),
    ("bad_duration", GOOD + "shadow_sync:\n  approval_timeout: 24 hours\n",
     "8: shadow_sync.approval_timeout: expected a duration such as 500ms, 30s, 5m, 48h or 7d, "
     "got \"24 hours\""),
    ("unknown_cluster", GOOD + "users:\n  - name: app\n    password: x\n    cluster: nope\n",
     "10: users[0].cluster: unknown cluster \"nope\" (clusters: local)"),
]


def check(path):
    return subprocess.run([PROXY_BIN, "--config", path, "--check-config"],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("name,text,expected", BAD, ids=[b[0] for b in BAD])
def test_bad_config_is_rejected_with_file_line_and_key(tmp_path, name, text, expected):
    path = str(tmp_path / f"{name}.yaml")
    with open(path, "w") as f:
        f.write(text)
    out = check(path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"{path}:{expected}" in out.stdout + out.stderr


def test_every_error_is_reported(tmp_path):
    path = str(tmp_path / "two.yaml")
    with open(path, "w") as f:
        f.write(GOOD.replace("port: 16033", "port: x") + "metrics:\n  prot: 1\n")
    out = check(path)
    assert out.returncode == 1
    text = out.stdout + out.stderr
    assert f"{path}:3: listen.port:" in text and f"{path}:8: metrics.prot: unknown key" in text


def test_missing_file(tmp_path):
    out = check(str(tmp_path / "absent.yaml"))
    assert out.returncode == 1
    assert "absent.yaml: cannot read" in out.stdout + out.stderr


def test_shipped_config_is_valid():
    out = check(os.path.join(SRC, "conf", "shadowproxy.yaml"))
    assert out.returncode == 0, out.stdout + out.stderr


def test_good_minimal_config_is_valid(tmp_path):
    path = str(tmp_path / "good.yaml")
    with open(path, "w") as f:
        f.write(GOOD)
    out = check(path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_serving_with_a_bad_config_fails_the_same_way(tmp_path):
    path = str(tmp_path / "bad.yaml")
    with open(path, "w") as f:
        f.write(BAD[1][1])
    out = subprocess.run([PROXY_BIN, "--config", path], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode != 0
    assert f"{path}:{BAD[1][2]}" in out.stdout + out.stderr
