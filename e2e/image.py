"""The container image, built and run on a machine whose OCI runtime cannot start
containers (../shared/docs/e2e-recipe.md, "Container images"): the base is made here
(scripts/container-base.sh: debootstrap + podman import, cached outside the repo), the
image is built with `podman build --isolation=chroot`, and its filesystem is run with
`podman create` + `podman mount` + `unshare --mount --pid --fork chroot` as the image's
user, with the image's environment, working directory and command. What a container
runtime adds is added by hand: /proc of the new PID namespace, a minimal /dev, a private
/tmp, and a folder bind-mounted as the image's volume. The network is the host's, so the
tests serve on loopback (TLC_HOST=127.0.0.1, as `docker run -e` would set it).
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_SCRIPT = os.path.join(ROOT, "scripts", "container-base.sh")
# One tag per checkout: worktrees on one machine share podman's storage.
TAG = "localhost/tlightchat:e2e-" + hashlib.sha1(ROOT.encode()).hexdigest()[:8]
DEV_NODES = ("null", "zero", "random", "urandom", "full", "tty")


def missing_tools():
    """Why the image cannot be built and run here, or None."""
    for tool in ("podman", "debootstrap", "unshare", "chroot", "mount"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed (make test-deps installs podman and debootstrap)"
    if os.geteuid() != 0:
        return "running the image's filesystem needs root (chroot, mount namespaces)"
    return None


def podman(*args, timeout=900):
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:3])}… failed ({done.returncode}):\n"
                           f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def base_image():
    """The bookworm base made on this machine (cached between runs)."""
    done = subprocess.run([BASE_SCRIPT], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{BASE_SCRIPT} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def ca_bundle():
    """A CA bundle pip must trust (a proxy that re-signs TLS), as the host's pip has it."""
    for name in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        path = os.environ.get(name)
        if path and os.path.isfile(path):
            return path
    return None


def build(base):
    """`podman build` of the Containerfile on `base`; layers are cached, so a build
    after a code change redoes only the COPY layers. Returns the image id."""
    old = subprocess.run(["podman", "image", "inspect", "--format", "{{.Id}}", TAG],
                         capture_output=True, text=True).stdout.strip()
    args = ["build", "--isolation=chroot", "--format", "docker", "--layers",
            "--build-arg", f"BASE={base}", "-t", TAG, "-f", "Containerfile"]
    if ca_bundle():
        args += ["--secret", f"id=ca_bundle,src={ca_bundle()}"]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        podman(*args, ".")
    finally:
        os.chdir(cwd)
    new = podman("image", "inspect", "--format", "{{.Id}}", TAG)
    if old and old != new:  # the previous build of this checkout, now untagged
        subprocess.run(["podman", "rmi", old], capture_output=True)
    return new


def inspect(image):
    return json.loads(podman("image", "inspect", image))[0]


class Filesystem:
    """A container's filesystem (podman create + mount), run as its image says."""

    def __init__(self, image):
        self.config = inspect(image)["Config"]
        self.container = podman("create", image)
        self.root = podman("mount", self.container)
        self.volumes = {}
        self.proc = None

    def user(self):
        """The image's USER as numeric uid and gid, looked up in its own /etc/passwd."""
        name, _, group = (self.config.get("User") or "root").partition(":")
        with open(os.path.join(self.root, "etc/passwd"), encoding="utf-8") as f:
            users = {row.split(":")[0]: row.split(":") for row in f.read().splitlines()}
        with open(os.path.join(self.root, "etc/group"), encoding="utf-8") as f:
            groups = {row.split(":")[0]: row.split(":")[2] for row in f.read().splitlines()}
        entry = users[name] if name in users else [name, "", name, name]
        gid = groups.get(group, group) if group else entry[3]
        return int(entry[2]), int(gid)

    def volume(self, path):
        """A fresh folder owned by the image's user, mounted at the image's VOLUME."""
        assert path in (self.config.get("Volumes") or {}), f"{path} is not a VOLUME"
        host = tempfile.mkdtemp(prefix="tlc-volume-")
        os.chown(host, *self.user())
        self.volumes[path] = host
        return host

    def env(self, overrides):
        pairs = dict(item.split("=", 1) for item in self.config.get("Env") or [])
        pairs.update(overrides)
        return pairs

    def command(self):
        return (self.config.get("Entrypoint") or []) + (self.config.get("Cmd") or [])

    def script(self, argv, overrides):
        """The shell run in the new mount and PID namespaces, as their PID 1: mounts,
        then exec chroot → env → the command, which becomes PID 1 itself."""
        root = self.root
        lines = ["set -e", f"mount -t proc proc '{root}/proc'",
                 f"mount -t tmpfs -o mode=755,nosuid tmpfs '{root}/dev'",
                 f"mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs '{root}/tmp'"]
        for node in DEV_NODES:
            lines += [f"touch '{root}/dev/{node}'", f"mount --bind /dev/{node} '{root}/dev/{node}'"]
        for inside, host in self.volumes.items():
            lines.append(f"mount --bind '{host}' '{root}{inside}'")
        uid, gid = self.user()
        env = [f"{k}={v}" for k, v in self.env(overrides).items()]
        workdir = self.config.get("WorkingDir") or "/"
        lines.append("exec chroot --userspec=%d:%d --groups=%d \"$0\" /usr/bin/env -i -C %s"
                     ' "$@"' % (uid, gid, gid, workdir))
        return ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--propagation",
                "private", "sh", "-c", "\n".join(lines), root, *env, *argv]

    def start(self, log, **overrides):
        """Run the image's command with its env plus `overrides` (as `docker run -e`)."""
        self.proc = subprocess.Popen(self.script(self.command(), overrides), stdout=log,
                                     stderr=subprocess.STDOUT)
        return self.proc

    def run(self, argv, **overrides):
        """Run another command (e.g. the HEALTHCHECK) in a fresh namespace beside it."""
        return subprocess.run(self.script(argv, overrides), capture_output=True, text=True,
                              timeout=60)

    def init_pid(self):
        """The host's id of the container's PID 1 (what `docker stop` signals): the
        child of unshare."""
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            children = f.read().split()
        return int(children[0]) if children else None

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        subprocess.run(["podman", "umount", self.container], capture_output=True)
        subprocess.run(["podman", "rm", "-f", self.container], capture_output=True)
        for host in self.volumes.values():
            shutil.rmtree(host, ignore_errors=True)
