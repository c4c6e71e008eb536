"""A NAT laboratory in network namespaces (issue 30): a "public" network with the app and
coturn, and homes behind Linux NAT routers, each home's Chromium and chromedriver inside
its own namespace (`ip netns exec`).

    pub (203.0.113.1/24 on a bridge: app, coturn) ── router WAN 203.0.113.1x
      router ── iptables MASQUERADE (port-preserving) + DNAT of unasked UDP to the home
                (endpoint-independent mapping and filtering: full-cone-like), or
                MASQUERADE --random-fully (symmetric), or UDP dropped but port 53
      home  ── 10.0.<i>.2/24, default via the router
    the mobile home has two uplinks (two routers) and moves from one to the other.

Every namespace is named after a random prefix, every address lives only inside them, and
`Lab.close()` kills the processes in them and deletes them (the veths go with them). The
test runner (root namespace) reaches chromedriver and the app through `Forward`: a
listener on loopback whose connections are opened from inside a namespace (setns in the
thread that connects), so nothing is added to the root namespace.

A little over 300 lines: the namespaces, the forward and the homes are one small piece of
plumbing that only e2e/test_nat.py and bench/netchange.py use.
"""
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time

CLONE_NEWNET = 0x40000000
PUBLIC = "203.0.113.1"  # TEST-NET-3: the app and coturn's listener
RELAY = "203.0.113.2"  # coturn's relay address (see Lab.__init__)
VOID_GATEWAY = "198.51.100.1"  # TEST-NET-2: the public network's default gateway, which drops all
TURN_PORT = 3478
TLS_PORT = 5349  # coturn's turns: listener (a test CA's certificate, e2e/certs.py)
APP_PORT = 8000
DRIVER_PORT = 9515  # chromedriver, on each home's own loopback
_libc = ctypes.CDLL(None, use_errno=True)


def sh(*args, ns=None, check=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + [str(a) for a in args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def why_not():
    """None when this machine can build the lab, else the reason (for pytest.skip)."""
    if os.geteuid() != 0:
        return "the NAT lab needs root (ip netns add)"
    for tool in ("ip", "iptables"):
        if not shutil.which(tool):
            return f"the NAT lab needs `{tool}` (Debian package {'iproute2' if tool == 'ip' else tool})"
    probe = "tlc-probe-" + secrets.token_hex(3)
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode:
        return f"network namespaces cannot be made here: {made.stderr.strip()}"
    try:
        nat = subprocess.run(["ip", "netns", "exec", probe, "iptables", "-t", "nat", "-L"],
                             capture_output=True, text=True)
        if nat.returncode:
            return f"iptables NAT does not work in a namespace here: {nat.stderr.strip()}"
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def in_ns(ns, func, *args):
    """Run func(*args) in a thread that has entered namespace `ns`; return its result.
    Sockets it makes stay in `ns` wherever they are used afterwards."""
    out = {}

    def run():
        fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns")
            out["value"] = func(*args)
        except BaseException as err:  # handed to the caller
            out["error"] = err
        finally:
            os.close(fd)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def _pump(src, dst):
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Forward:
    """127.0.0.1:<port> in the root namespace → (host, port) inside namespace `ns`."""

    def __init__(self, ns, target):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.ns, self.target = ns, target
        threading.Thread(target=in_ns, args=(ns, self._serve), daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    def close(self):
        self.listener.close()


def wait_in_ns(ns, host, port, timeout=20.0, proc=None):
    """Wait until something accepts TCP connections at (host, port) inside `ns`."""
    def probe():
        with socket.socket() as s:
            s.settimeout(1)
            return s.connect_ex((host, port)) == 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        if in_ns(ns, probe):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} in {ns} after {timeout}s")


class Home:
    """A home namespace behind its router(s); `uplinks` are its routers' WAN addresses."""

    def __init__(self, lab, name, index, nat, uplinks=1):
        self.lab, self.name, self.nat = lab, name, nat
        self.ns = f"{lab.prefix}-{name}"
        self.lan = []  # (home address, router address, interface) per uplink
        self.wan = []
        self.routers = []
        lab.add_ns(self.ns)
        for n in range(uplinks):
            net = index + 10 * n
            router = f"{lab.prefix}-{name}-r{n}"
            lab.add_ns(router)
            wan = f"203.0.113.{10 + net}"
            lab.link(router, "wan0", lab.pub, f"w{net}", f"{wan}/24", None, bridge=True)
            lab.link(self.ns, f"eth{n}", router, "lan0", None, f"10.0.{net}.1/24")
            sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=router)
            nat_rule = ["iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan0", "-j", "MASQUERADE"]
            sh(*nat_rule, *(["--random-fully"] if nat == "symmetric" else []), ns=router)
            # What arrives unasked for the router itself is dropped silently, as home
            # routers do (an ICMP "port unreachable" back would be an error on the peer's socket).
            sh("iptables", "-A", "INPUT", "-i", "wan0", "-j", "DROP", ns=router)
            sh("iptables", "-A", "FORWARD", "-p", "icmp", "-j", "DROP", ns=router)
            if nat == "cone":  # full-cone-like: what arrives unasked goes to the home, same port
                sh("iptables", "-t", "nat", "-A", "PREROUTING", "-i", "wan0", "-p", "udp",
                   "-j", "DNAT", "--to-destination", f"10.0.{net}.2", ns=router)
            if nat == "udp-blocked":
                sh("iptables", "-A", "FORWARD", "-i", "lan0", "-p", "udp", "!", "--dport", "53",
                   "-j", "DROP", ns=router)
            self.lan.append((f"10.0.{net}.2", f"10.0.{net}.1", f"eth{n}"))
            self.wan.append(wan)
            self.routers.append(router)
        self.uplink = None
        self.use_uplink(0)

    def use_uplink(self, n):
        """Move the home to uplink n: the other uplink's address disappears (link down)."""
        if self.uplink is not None:
            _, _, old = self.lan[self.uplink]
            sh("ip", "addr", "flush", "dev", old, ns=self.ns)
            sh("ip", "link", "set", old, "down", ns=self.ns)
        address, gateway, dev = self.lan[n]
        sh("ip", "link", "set", dev, "up", ns=self.ns)
        sh("ip", "addr", "add", f"{address}/24", "dev", dev, ns=self.ns)
        sh("ip", "route", "replace", "default", "via", gateway, "dev", dev, ns=self.ns)
        self.uplink = n

    def set_online(self, online):
        """Lose the uplink (its router's WAN link goes down) or get it back: the home's
        addresses and its router's mappings stay as they were."""
        sh("ip", "link", "set", "wan0", "up" if online else "down", ns=self.routers[self.uplink])

    @property
    def addresses(self):
        """Every address of this home: its LAN addresses and its routers' public ones."""
        return {a for a, _, _ in self.lan} | set(self.wan)

    def browser(self):
        """chromedriver + headless Chromium inside this home; a Selenium Remote driver."""
        from selenium import webdriver

        from .services import CHROME_FLAGS, CHROMEDRIVER, CHROMIUM

        if not hasattr(self, "driver_proc"):
            # HOME: where Chromium reads the NSS database that trusts the lab's test CA
            env = {**os.environ, **({"HOME": self.lab.nss_home} if self.lab.nss_home else {})}
            self.driver_proc = subprocess.Popen(
                ["ip", "netns", "exec", self.ns, CHROMEDRIVER, f"--port={DRIVER_PORT}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env)
            self.lab.procs.append(self.driver_proc)
            wait_in_ns(self.ns, "127.0.0.1", DRIVER_PORT, proc=self.driver_proc)
            self.forward = Forward(self.ns, ("127.0.0.1", DRIVER_PORT))
            self.lab.forwards.append(self.forward)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        profile = os.path.join(self.lab.dir, f"profile-{self.name}-{secrets.token_hex(2)}")
        # The app is served over plain HTTP at a non-loopback address: a secure context
        # (camera, WebCrypto) only because this flag says so, as HTTPS would in production.
        secure = f"--unsafely-treat-insecure-origin-as-secure=http://{PUBLIC}:{APP_PORT}"
        for flag in CHROME_FLAGS + [f"--user-data-dir={profile}", secure]:
            if flag != "--allow-loopback-in-peer-connection":  # a home's own addresses only
                options.add_argument(flag)
        driver = webdriver.Remote(command_executor=self.forward.url, options=options)
        driver.set_script_timeout(30)
        driver._tlc_profile = profile
        return driver


class Lab:
    def __init__(self):
        self.prefix = "tlc" + secrets.token_hex(3)
        self.dir = f"/tmp/{self.prefix}"
        os.makedirs(self.dir)
        self.namespaces, self.procs, self.forwards, self.homes = [], [], [], {}
        self.nss_home = None  # a HOME whose NSS database trusts the lab's CA (start_lab)
        self.pub = f"{self.prefix}-pub"
        self.add_ns(self.pub)
        sh("ip", "link", "add", "br0", "type", "bridge", ns=self.pub)
        sh("ip", "addr", "add", f"{PUBLIC}/24", "dev", "br0", ns=self.pub)
        # coturn relays from its own address (a deployment with relay-ip set; docs/nat-lab.md)
        sh("ip", "addr", "add", f"{RELAY}/24", "dev", "br0", ns=self.pub)
        sh("ip", "link", "set", "br0", "up", ns=self.pub)
        # The Internet has a default route: a datagram to an address nobody routes (a
        # home's private 10.0.x.2, a relay's check to a host candidate) leaves and is lost
        # on the way. Without one, coturn's send to it fails at once (ENETUNREACH), and
        # coturn closes that client's whole TURN session ("wrote to peer -1 bytes"):
        # relay <-> host/srflx pairs then lasted a second (docs/nat-lab.md).
        # The way out is a veth to nowhere: frames go to a gateway MAC that nothing answers
        # to (a permanent neighbour: no ARP failure, no ICMP error back to the sender).
        sh("ip", "link", "add", "void0", "type", "veth", "peer", "name", "void1", ns=self.pub)
        for dev in ("void0", "void1"):
            sh("ip", "link", "set", dev, "up", ns=self.pub)
        sh("ip", "neigh", "add", VOID_GATEWAY, "lladdr", "02:00:00:00:00:01", "dev", "void0",
           "nud", "permanent", ns=self.pub)
        sh("ip", "route", "add", "default", "via", VOID_GATEWAY, "dev", "void0", "onlink", ns=self.pub)
        # br_netfilter (when loaded) would put bridged frames through the public
        # namespace's conntrack too: the public network is a plain switch.
        for family in ("iptables", "ip6tables", "arptables"):
            sh("sysctl", "-qw", f"net.bridge.bridge-nf-call-{family}=0", ns=self.pub, check=False)

    def add_ns(self, ns):
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
        sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", ns=ns)
        sh("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", ns=ns)

    def link(self, ns_a, dev_a, ns_b, dev_b, addr_a, addr_b, bridge=False):
        sh("ip", "link", "add", dev_a, "netns", ns_a, "type", "veth", "peer", "name", dev_b, "netns", ns_b)
        for ns, dev, addr in ((ns_a, dev_a, addr_a), (ns_b, dev_b, addr_b)):
            if addr:
                sh("ip", "addr", "add", addr, "dev", dev, ns=ns)
            if not dev.startswith("eth"):  # a home's own links are raised by use_uplink
                sh("ip", "link", "set", dev, "up", ns=ns)
        if bridge:
            sh("ip", "link", "set", dev_b, "master", "br0", ns=ns_b)

    def home(self, name, nat, uplinks=1):
        self.homes[name] = Home(self, name, len(self.homes) + 1, nat, uplinks)
        return self.homes[name]

    def start(self, args, log):
        """A process inside the public namespace, killed by close()."""
        out = open(os.path.join(self.dir, log), "ab")
        proc = subprocess.Popen(["ip", "netns", "exec", self.pub, *args],
                                stdout=out, stderr=subprocess.STDOUT)
        out.close()
        self.procs.append(proc)
        return proc

    def close(self):
        for forward in self.forwards:
            forward.close()
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for ns in self.namespaces:  # whatever is still in them (Chromium's children)
            for pid in sh("ip", "netns", "pids", ns, check=False).split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        for ns in reversed(self.namespaces):
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
