# Two commands do everything: `make run` and `make test`. Both set themselves up first;
# setup is idempotent and returns at once when nothing changed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
REQ_STAMP := $(VENV)/.req-$(shell cat requirements.txt 2>/dev/null | cksum | cut -d' ' -f1)
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# postgresql: Debian's PostgreSQL 15 (bookworm); redis-server: Redis 7. The tests start
# their own servers in temp dirs (tests/support/pgserver.py, e2e/services.py), never the system ones.
# firefox-esr: the cross-engine e2e tests (e2e/firefox.py; geckodriver comes from PyPI).
# podman, debootstrap: e2e/test_image.py builds the container image and runs it (no
# registry here: the base is made with debootstrap).
# nodejs: tests/web/test_js_units.py and tests/protocol/test_safety_formula.py run browser modules
# under `node --test`. iptables: the NAT laboratory (e2e/netlab.py, network namespaces).
TEST_DEBS := chromium chromium-driver firefox-esr nginx coturn e2fsprogs postgresql redis-server \
             podman debootstrap nodejs iptables libnss3-tools

.PHONY: run test setup test-deps debs unit e2e offline clean screenshots image

run: setup
	$(PY) app.py

# The unit suite (tests/) runs on UNIT_WORKERS processes (pytest-xdist; each starts its
# own PostgreSQL, Redis and servers on free ports in temp dirs): 0 runs it in this one.
# Then e2e/ on E2E_WORKERS (0: in this process; measured, two workers took longer than
# one on the 2 cores: the browsers keep both busy), then the e2e modules marked `solo`
# (e2e/conftest.py; none selected, exit 5, is no failure). All run; `make test` fails
# if any does.
UNIT_WORKERS ?= 2
E2E_WORKERS ?= 0

test: setup test-deps
	@rc=0; $(PY) -m pytest -n $(UNIT_WORKERS) --durations=15 tests || rc=$$?; \
	$(PY) -m pytest -n $(E2E_WORKERS) --dist loadfile -m "not solo" --durations=15 e2e || rc=$$?; \
	$(PY) -m pytest -m solo --durations=5 e2e || [ $$? = 5 ] || rc=1; exit $$rc

unit: setup
	$(PY) -m pytest -n $(UNIT_WORKERS) tests

e2e: setup test-deps
	@rc=0; $(PY) -m pytest -n $(E2E_WORKERS) --dist loadfile -m "not solo" e2e || rc=$$?; \
	$(PY) -m pytest -m solo e2e || [ $$? = 5 ] || rc=1; exit $$rc

# The container image (Containerfile) with podman or docker, whichever is installed.
# BASE: another Debian bookworm base (scripts/container-base.sh makes one without a
# registry); CA_BUNDLE: a CA bundle for pip behind a proxy that re-signs TLS (a build
# secret, kept in no layer); IMAGE_FLAGS: more build flags (--isolation=chroot where
# containers cannot run, as on the test machines).
IMAGE     ?= tlightchat:latest
BASE      ?= debian:bookworm-slim
CA_BUNDLE ?=
IMAGE_FLAGS ?=
ENGINE    ?= $(shell command -v podman || command -v docker)
comma := ,
image:
	@test -n "$(ENGINE)" || { echo "Installing podman (no podman or docker here)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends podman; }
	$(or $(ENGINE),podman) build $(if $(findstring podman,$(or $(ENGINE),podman)),--format docker) \
	  --build-arg BASE=$(BASE) $(if $(CA_BUNDLE),--secret id=ca_bundle$(comma)src=$(CA_BUNDLE)) \
	  $(IMAGE_FLAGS) -t $(IMAGE) -f Containerfile .

# Every benchmark on this machine → bench/results/*.json and BENCHMARKS.md (≤ 20 min;
# BENCH_QUICK=1 for a ~4-5 minute smoke run; knobs in bench/README.md).
# The Node socket.io baseline (issue 33) installs into bench/node when its lock is newer.
.PHONY: bench
bench: setup bench/node/node_modules/.stamp
	$(PY) -m pip install --disable-pip-version-check -q -r bench/requirements.txt
	$(PY) bench/run.py

bench/node/node_modules/.stamp: bench/node/package-lock.json
	npm ci --prefix bench/node --no-audit --no-fund --silent
	@touch $@

# The call page as static files (offline mode, no server needed) in dist-offline/.
offline: setup
	$(PY) -m flask --app app export-offline dist-offline

# Server translations (issue 28): each .mo is compiled from its .po when the .po is newer.
# The .mo files are committed too, so the image, the e2e server and a bare pytest have them.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

setup: $(REQ_STAMP) $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(REQ_STAMP)
	$(VENV)/bin/pybabel compile -d translations -l $*

$(REQ_STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@rm -f $(VENV)/.req-*
	@touch $@

# PNGs of the call stage (desktop, phone), the ringing state and chat for the README.
screenshots: setup test-deps
	$(PY) scripts/screenshots.py docs/screenshots

# Debian packages the tests need, installed only when missing (npm too, unless a node
# install already provides it); then axe-core (npm) for the accessibility tests, into
# e2e/axe/ only when missing.
AXE_JS := e2e/axe/node_modules/axe-core/axe.min.js
test-deps: debs $(AXE_JS)

debs:
	@missing=""; for pkg in $(TEST_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$pkg"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(AXE_JS): e2e/axe/package.json | debs
	cd e2e/axe && npm ci --no-audit --no-fund --silent
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache e2e/artifacts
