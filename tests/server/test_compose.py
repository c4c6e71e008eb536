"""compose.yaml, read by a YAML parser (compose itself cannot run on this machine) and
checked against the README's "Container" section and the deploy files it uses:
the services of each shape, their commands and environment as the README's table says,
health checks, named volumes, secrets from .env, and nginx's upstreams."""
import os
import re

import pytest
import yaml
from tests.support.paths import ROOT

CLUSTER = {"node1", "node2", "node3", "nginx", "redis", "postgres", "coturn"}
NODES = ("node1", "node2", "node3")


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(read("compose.yaml"))


@pytest.fixture(scope="module")
def section():
    readme = read("README.md")
    start = readme.index("\n## Container\n")
    return readme[start:readme.index("\n## ", start + 5)]


def plain(value):
    """A compose value with its interpolations written as the README writes them:
    `${NAME:?message}` and `${NAME:-default}` → `$NAME`."""
    return re.sub(r"\$\{(\w+)[^}]*\}", r"$\1", str(value))


def readme_table(section):
    """{service: (command cell, environment cell)} from the README's table."""
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


def readme_env(rows, service):
    """The README's environment of `service`: {NAME: value, or None for a secret or a
    value left to compose.yaml}."""
    cell = rows[service][1]
    env = {}
    based = re.match(r"as `(\w+)`, with (.*)", cell)
    if based:
        env = readme_env(rows, based.group(1))
        cell = based.group(2)
    for item in re.findall(r"`([^`]+)`", cell):
        name, _, value = item.partition("=")
        env[name] = value or None
    return env


def test_the_default_is_one_container_and_the_rest_is_the_cluster_profile(compose):
    services = compose["services"]
    assert set(services) == {"tlightchat"} | CLUSTER
    assert "profiles" not in services["tlightchat"]
    for name in CLUSTER:
        assert services[name]["profiles"] == ["cluster"], name


def test_every_service_in_the_readme_table_with_its_command(compose, section):
    rows = readme_table(section)
    services = compose["services"]
    assert set(rows) == set(services)
    entrypoint = re.search(r"^ENTRYPOINT (.*)$", read("Containerfile"), re.M).group(1)
    for name, (command, _) in rows.items():
        service = services[name]
        if command == "`python app.py`":  # the image's own command, not overridden
            assert service["image"] == "tlightchat:latest" and "command" not in service
            assert service["build"]["dockerfile"] == "Containerfile"
            assert entrypoint.endswith('python", "app.py"]')
        elif command.endswith("(the image's)"):
            assert "command" not in service, name
        elif "(the image's entry point) with" in command:  # arguments to its entry point
            flags = re.findall(r"`([^`]+)`", command)[1].split()
            assert set(flags) <= {plain(w) for w in service["command"]}, name
        else:
            assert " ".join(plain(w) for w in service["command"]) == command.strip("`")


def test_coturn_uses_the_shared_secret_the_readme_names(compose, section):
    command = [plain(w) for w in compose["services"]["coturn"]["command"]]
    assert "--use-auth-secret" in command
    assert "--static-auth-secret=$TURN_SECRET" in command
    node_env = compose["services"]["node1"]["environment"]
    assert plain(node_env["TLC_TURN_SECRET"]) == "$TURN_SECRET"
    assert "turnutils_stunclient" in compose["services"]["coturn"]["healthcheck"]["test"]


def test_each_service_environment_matches_the_readme(compose, section):
    rows = readme_table(section)
    for name, service in compose["services"].items():
        wanted = readme_env(rows, name)
        got = service.get("environment") or {}
        assert set(got) == set(wanted), name
        for key, value in wanted.items():
            if value is not None:
                assert plain(got[key]) == value, (name, key)
            else:  # a secret or a long value: it comes from .env or compose.yaml
                assert got[key], (name, key)


def test_every_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        check = service["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and len(check["test"]) > 1, name
        assert {"interval", "timeout", "retries"} <= set(check), name
    for name in ("tlightchat", *NODES):
        test = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert "/healthz/live" in test and "TLC_PORT" in test
        assert "TLC_PORT" in compose["services"][name]["environment"]


def test_data_lives_in_named_volumes(compose, section):
    declared = set(compose["volumes"])
    used = set()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("./"):  # a file of this repository, read-only
                assert os.path.isfile(os.path.join(ROOT, source)) and volume.endswith(":ro")
            else:
                assert source in declared, (name, source)
                used.add(source)
    assert used == declared == {"tlightchat-data", "redis-data", "postgres-data"}
    assert "tlightchat-data:/app/instance" in compose["services"]["tlightchat"]["volumes"]
    assert re.search(r"^VOLUME /app/instance$", read("Containerfile"), re.M)
    for volume in declared:
        assert f"`{volume}`" in section


def test_the_cluster_parts_are_the_ones_the_issue_asks_for(compose):
    services = compose["services"]
    assert services["redis"]["image"].split(":")[1].startswith("7")
    assert "--appendonly" in services["redis"]["command"]
    assert services["redis"]["command"][services["redis"]["command"].index("--appendonly") + 1] == "yes"
    assert services["postgres"]["image"].split(":")[1].startswith("15")
    assert services["nginx"]["volumes"] == [
        "./deploy/nginx-cluster.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert services["coturn"]["image"].startswith("coturn/")
    for node in NODES:
        env = services[node]["environment"]
        assert env["TLC_REDIS_URL"].startswith("redis://redis:")
        assert env["TLC_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:" in env["TLC_DATABASE_URL"]
        assert services[node]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert services[node]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_nginx_reaches_every_node_as_deploy_nginx_cluster_conf_says(compose):
    conf = read("deploy/nginx-cluster.conf")
    services = compose["services"]
    upstream_ports = set(re.findall(r"server 127\.0\.0\.1:(\d+)", conf))
    mapped_ids = set(re.findall(r"^\s+(n\d+)\s+tlc_n\d+;", conf, re.M))
    listen = re.search(r"listen (\d+);", conf).group(1)
    for node in NODES:
        assert services[node]["network_mode"] == "service:nginx"  # its loopback is theirs
        assert services[node]["environment"]["TLC_HOST"] == "127.0.0.1"
    assert {services[n]["environment"]["TLC_PORT"] for n in NODES} == upstream_ports
    assert {services[n]["environment"]["TLC_NODE_ID"] for n in NODES} == mapped_ids
    assert services["nginx"]["ports"] == [f"{listen}:{listen}"]


def test_the_readme_cluster_command_starts_the_cluster_and_not_the_single_container(
        compose, section):
    command = re.search(r"docker compose --profile cluster up -d ([\w ]+)\n", section)
    assert "docker compose up -d\n" in section
    started, todo = set(), command.group(1).split()
    while todo:
        name = todo.pop()
        if name in started:
            continue
        started.add(name)
        service = compose["services"][name]
        todo += list(service.get("depends_on", {}))
        mode = service.get("network_mode", "")
        if mode.startswith("service:"):
            todo.append(mode.split(":", 1)[1])
    assert started == CLUSTER


def test_every_secret_comes_from_the_env_file_the_readme_makes(compose, section):
    required = set(re.findall(r"\$\{(\w+):\?", read("compose.yaml")))
    assert required == {"TLC_SECRET_KEY", "POSTGRES_PASSWORD", "TURN_SECRET"}
    env_block = re.search(r"cat > \.env <<(\w+)\n(.*?)\n\1\n", section, re.S).group(2)
    made = set(re.findall(r"^(\w+)=", env_block, re.M))
    assert required <= made
    optional = set(re.findall(r"\$\{(\w+):-", read("compose.yaml")))
    assert optional <= made
    assert ".env" in read(".gitignore").split()
