"""The .deb on a bare Debian 12 (docs/install.md): scripts/package.sh builds it, debootstrap
makes a minimal bookworm root in a temp dir, and the package is installed there the way a user
would (dpkg -i, then apt-get -f install for its dependencies). Then, inside that root: the
binary runs and accepts the packaged config, as root and as the service's own user; the user,
the files, their permissions and the conffile are what the package promises; the packaged
config serves and reloads on SIGHUP (in a network namespace of its own, loopback only);
`systemd-analyze verify` accepts the unit; a reinstall keeps a changed config; a purge removes
it.

Needs root and the Debian mirror this machine's apt uses. Without root it is skipped (unless
CI is set: CI runs as root, so there it fails); anything else that goes wrong fails. Everything
it downloads stays in its temp dir, which is removed at the end."""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from harness import BUILD, SRC

CONF = "/etc/shadowproxy/shadowproxy.yaml"
UNIT = "/lib/systemd/system/shadowproxy.service"
MAN = "/usr/share/man/man1/shadowproxy.1.gz"
SUITE = "bookworm"
FALLBACK_MIRROR = "http://deb.debian.org/debian"


def apt_sources():
    """(uri, suite) of every enabled `deb` entry in this machine's apt sources, one-line
    (sources.list, *.list) and deb822 (*.sources) alike."""
    entries = []
    one_line = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    for path in one_line:
        if not os.path.isfile(path):
            continue
        for line in open(path, encoding="utf-8", errors="replace"):
            m = re.match(r"\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line.split("#", 1)[0])
            if m:
                entries.append((m.group(1), m.group(2)))
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        text = open(path, encoding="utf-8", errors="replace").read()
        for stanza in re.split(r"\n[ \t]*\n", text):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or not line.strip() or line[0].isspace():
                    continue  # comments, and continuation lines (an inline Signed-By key)
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
            if fields.get("enabled", "yes").lower() == "no":
                continue
            if "deb" not in fields.get("types", "").split():
                continue
            for uri in fields.get("uris", "").split():
                entries += [(uri, suite) for suite in fields.get("suites", "").split()]
    return entries


def bookworm_sources():
    """The mirror to debootstrap from and the bookworm suites (main, -updates, -security) to
    give the root's apt, taken from this machine's own sources so that the test uses the mirror
    the machine can reach; SHADOWPROXY_DEBIAN_MIRROR overrides the mirror."""
    wanted = {SUITE, f"{SUITE}-updates", f"{SUITE}-security"}
    found = [(u.rstrip("/"), s) for u, s in apt_sources()
             if s in wanted and u.startswith(("http://", "https://"))]
    mirror = os.environ.get("SHADOWPROXY_DEBIAN_MIRROR") or next(
        (u for u, s in found if s == SUITE), FALLBACK_MIRROR)
    lines = [f"deb {mirror} {SUITE} main"]
    lines += [f"deb {u} {s} main" for u, s in dict.fromkeys(found) if s != SUITE]
    return mirror, lines


def run(cmd, timeout, **kw):
    """Runs cmd, returns the CompletedProcess; stdout and stderr are captured as text."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def must(out, what):
    assert out.returncode == 0, (f"{what}: exit {out.returncode}\n--- stdout\n{out.stdout[-4000:]}"
                                 f"\n--- stderr\n{out.stderr[-4000:]}")
    return out


class Root:
    """A debootstrapped Debian root. Commands run chrooted into it inside a mount namespace
    of their own (so the /proc mounted for them disappears with them, whatever happens), with a
    clean environment; net=False adds a network namespace with loopback only."""

    def __init__(self, path):
        self.path = path

    def run(self, *cmd, user=None, net=True, timeout=600):
        # The inner chroot looks the user up in the root's own passwd, not the host's.
        chroot = ["chroot", self.path] + (
            ["chroot", f"--userspec={user}:{user}", "/"] if user else [])
        env = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root",
               "DEBIAN_FRONTEND=noninteractive"]
        script = 'mount -t proc proc "$1/proc" && shift && exec "$@"'
        if not net:
            script = "ip link set lo up && " + script
        ns = ["unshare", "--mount", "--propagation", "private", "--fork"] + (
            [] if net else ["--net"])
        return run(ns + ["sh", "-c", script, "sh", self.path] + chroot + env + list(cmd),
                   timeout=timeout)

    def must(self, *cmd, **kw):
        return must(self.run(*cmd, **kw), " ".join(cmd))

    def file(self, path):
        return os.path.join(self.path, path.lstrip("/"))


@pytest.fixture(scope="module")
def deb():
    """Builds the package (a no-op rebuild when ctest's build.release-gcc ran first)."""
    build = os.environ.get("SHADOWPROXY_PACKAGE_BUILD") or os.path.join(BUILD, "release-gcc")
    out = must(run([os.path.join(SRC, "scripts", "package.sh"), build], timeout=3600),
               "scripts/package.sh")
    path = out.stdout.strip().splitlines()[-1]
    assert os.path.isfile(path), path
    return path


def field(deb_path, name):
    return must(run(["dpkg-deb", "-f", deb_path, name], timeout=60), "dpkg-deb -f").stdout.strip()


@pytest.fixture(scope="module")
def root(deb):
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the package test needs root (debootstrap, chroot), and CI runs as root")
        pytest.skip("needs root: debootstrap and chroot into a Debian root of its own")
    for tool in ("debootstrap", "unshare", "chroot", "ip"):
        assert shutil.which(tool), f"{tool} is not installed: run scripts/install-deps.sh"
    mirror, sources = bookworm_sources()
    tmp = tempfile.mkdtemp(prefix="sp-package-")
    path = os.path.join(tmp, "root")
    try:
        # dpkg inside the new root reads this from its first package on: the root is thrown
        # away, so no fsync per unpacked file.
        os.makedirs(os.path.join(path, "etc", "dpkg", "dpkg.cfg.d"))
        with open(os.path.join(path, "etc", "dpkg", "dpkg.cfg.d", "test-unsafe-io"), "w") as f:
            f.write("force-unsafe-io\n")
        include = ["--include=ca-certificates"] if mirror.startswith("https://") else []
        started = time.time()
        out = run(["debootstrap", "--variant=minbase", *include, SUITE, path, mirror],
                  timeout=1200)
        log = os.path.join(path, "debootstrap", "debootstrap.log")
        detail = open(log, errors="replace").read()[-3000:] if os.path.exists(log) else ""
        assert out.returncode == 0, (
            f"debootstrap --variant=minbase {SUITE} from {mirror} failed ({out.returncode}):\n"
            f"{out.stdout[-2000:]}\n{out.stderr[-2000:]}\n{detail}")
        print(f"debootstrap from {mirror}: {time.time() - started:.0f}s")
        r = Root(path)
        with open(r.file("/etc/apt/apt.conf.d/90test"), "w") as f:
            f.write('Acquire::Languages "none";\nAPT::Install-Recommends "false";\n')
        with open(r.file("/etc/apt/sources.list"), "w") as f:
            f.write("\n".join(sources) + "\n")
        shutil.copy(deb, r.file("/tmp/"))
        pkg = "/tmp/" + os.path.basename(deb)
        r.must("apt-get", "update", "-q")
        # dpkg alone leaves it unconfigured for want of its libraries; apt then fetches them
        # from the computed Depends and configures it, running postinst.
        r.run("dpkg", "-i", pkg)
        r.must("apt-get", "-f", "install", "-y", "-q")
        status = r.must("dpkg-query", "-W", "-f=${db:Status-Status}", "shadowproxy").stdout
        assert status == "installed", status
        r.deb = pkg
        yield r
    finally:
        if not os.environ.get("SHADOWPROXY_KEEP_ROOT"):
            shutil.rmtree(tmp, ignore_errors=True)


def test_control_fields(deb):
    depends = field(deb, "Depends")
    for lib in ("adduser", "procps", "libc6", "libevent-2.1-7", "libmariadb3", "libssl3", "libyaml-cpp0.7",
                "libprometheus-cpp-pull1.0", "libstdc++6"):
        assert re.search(rf"(^|, ){re.escape(lib)}( |,|$)", depends), (lib, depends)
    assert field(deb, "Package") == "shadowproxy"
    assert re.fullmatch(r"\d+\.\d+\.\d+", field(deb, "Version"))
    ctl = tempfile.mkdtemp(prefix="sp-deb-control-")
    try:
        must(run(["dpkg-deb", "-e", deb, ctl], timeout=60), "dpkg-deb -e")
        assert open(os.path.join(ctl, "conffiles")).read().split() == [CONF]
        for script in ("postinst", "prerm", "postrm"):
            assert os.access(os.path.join(ctl, script), os.X_OK), script
            must(run(["sh", "-n", os.path.join(ctl, script)], timeout=60), f"sh -n {script}")
    finally:
        shutil.rmtree(ctl, ignore_errors=True)


def test_binary_runs_with_the_packaged_config(root, deb):
    assert root.must("shadowproxy", "--version").stdout.strip() == (
        "shadowproxy " + field(deb, "Version"))
    assert root.must("shadowproxy", "--config", CONF, "--check-config").stdout.strip() == (
        "configuration OK")
    # The service's user can read it (root:shadowproxy 0640).
    out = root.must("shadowproxy", "--config", CONF, "--check-config", user="shadowproxy")
    assert out.stdout.strip() == "configuration OK"
    with open(root.file(CONF)) as got, open(os.path.join(SRC, "conf", "shadowproxy.yaml")) as want:
        assert got.read() == want.read()


def test_system_user_and_files(root):
    name, _, uid, gid, _, home, shell = root.must("getent", "passwd", "shadowproxy").stdout.strip(
        ).split(":")
    assert int(uid) < 1000, uid  # a system user
    assert shell == "/usr/sbin/nologin" and home == "/nonexistent"
    group = root.must("getent", "group", "shadowproxy").stdout.split(":")
    assert group[2] == gid  # its own group is its primary group
    stat = root.must("stat", "-c", "%n %a %U %G", "/usr/bin/shadowproxy", CONF, UNIT, MAN).stdout
    assert stat.split("\n")[:4] == [
        "/usr/bin/shadowproxy 755 root root", f"{CONF} 640 root shadowproxy",
        f"{UNIT} 644 root root", f"{MAN} 644 root root"]
    conffiles = root.must("dpkg-query", "-W", "-f=${Conffiles}", "shadowproxy").stdout
    assert CONF in conffiles, conffiles
    unit = open(root.file(UNIT)).read()
    assert "\nUser=shadowproxy\n" in unit and "\nGroup=shadowproxy\n" in unit
    assert f"\nExecStart=/usr/bin/shadowproxy --config {CONF}\n" in unit
    assert "\nExecReload=/bin/kill -HUP $MAINPID\n" in unit


def unit_commands(unit_text, key):
    return [line.split("=", 1)[1] for line in unit_text.splitlines() if line.startswith(key + "=")]


def test_packaged_config_serves_and_reloads(root):
    # What systemd would do with the unit, without systemd: its ExecStart as its user, then its
    # ExecReload lines (validate, then SIGHUP through /bin/kill) with $MAINPID, then SIGTERM as
    # `systemctl stop` sends it. In a network namespace of its own (loopback only), so the
    # packaged ports are free and nothing outside answers for the backend (the metadb is then
    # not ready, which the proxy logs and survives).
    unit = open(root.file(UNIT)).read()
    (start,) = unit_commands(unit, "ExecStart")
    reloads = unit_commands(unit, "ExecReload")
    assert len(reloads) == 2 and reloads[1] == "/bin/kill -HUP $MAINPID", reloads
    script = r"""
        log=/tmp/serve.log
        %s 2>"$log" & MAINPID=$!
        wait_for() { for _ in $(seq 300); do grep -q "$1" "$log" && return 0; sleep 0.1; done
                     echo "no '$1' in the log" >&2; cat "$log" >&2; kill -KILL $MAINPID; exit 1; }
        wait_for "INFO relay: listening on 127.0.0.1:6033"
        %s || { echo "ExecReload failed" >&2; kill -KILL $MAINPID; exit 1; }
        wait_for "INFO config: configuration reloaded from %s"
        /bin/kill -TERM $MAINPID
        wait $MAINPID; rc=$?
        cat "$log"; exit $rc
    """ % (start, " && ".join(reloads), CONF)
    out = root.must("sh", "-c", script, user="shadowproxy", net=False, timeout=120)
    assert "INFO relay: stopped" in out.stdout, out.stdout


def test_systemd_accepts_the_unit(root):
    # After the package, so that the package is known to install without systemd (minbase has
    # none); man-db lets verify check that Documentation=man:shadowproxy(1) resolves.
    root.must("apt-get", "install", "-y", "-q", "systemd", "man-db")
    out = root.must("systemd-analyze", "verify", UNIT)
    assert out.stdout.strip() == "" and out.stderr.strip() == "", out.stdout + out.stderr
    man = root.must("man", "--warnings", "-E", "UTF-8", "-l", MAN)
    assert man.stderr.strip() == "", man.stderr
    assert "--check-config" in man.stdout


def test_reinstall_keeps_a_changed_config_and_purge_removes_it(root):
    with open(root.file(CONF), "a") as f:
        f.write("# changed by the administrator\n")
    root.must("dpkg", "-i", root.deb)
    assert open(root.file(CONF)).read().endswith("# changed by the administrator\n")
    stat = root.must("stat", "-c", "%a %U %G", CONF).stdout.strip()
    assert stat == "640 root shadowproxy"
    root.must("dpkg", "--purge", "shadowproxy")
    for path in (CONF, UNIT, "/usr/bin/shadowproxy"):
        assert not os.path.lexists(root.file(path)), path
    root.must("getent", "passwd", "shadowproxy")  # Debian leaves system users in place
