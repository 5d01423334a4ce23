#!/usr/bin/env python3
"""A QEMU VM that runs the real Linux Bluetooth stack (BlueZ, two virtual LE controllers).

This machine has no Bluetooth; the VM boots Debian's kernel under TCG with the host root over 9p
(read-only), starts dbus-daemon, btvirt -L -l2 (hci0, hci1) and bluetoothd, then runs a guest
script and carries its exit status out through isa-debug-exit. Recipe: docs/ble-vm.md.

  ble_vm.py build [--cache DIR]
  ble_vm.py run --guest-script FILE [--timeout S] [--cache DIR] [--results DIR] [--log FILE]
                [--gatt-channels N] [--env NAME=VALUE ...]

Exit status: the guest script's status for `run`; 77 (CTest skip) only when QEMU cannot start
here (no qemu-system-x86_64, or the kernel package cannot be downloaded); 1 for any other failure.
"""

import argparse
import fcntl
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SKIP = 77
FAIL = 1
REPO = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = REPO / "build" / "ble-vm-cache"
QEMU = "qemu-system-x86_64"

# Loaded by the initramfs, in dependency order, to reach the host root over virtio-9p.
INITRAMFS_MODULES = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
                     "virtio_pci", "9pnet", "9pnet_virtio", "netfs", "fscache", "9p"]
# Guest-side tools the stage script runs from the host root; checked up front for a clear error.
GUEST_TOOLS = ["/usr/bin/dbus-daemon", "/usr/bin/btvirt", "/usr/sbin/bluetoothd", "/usr/bin/hciconfig",
               "/usr/bin/btmgmt", "/usr/bin/bluetoothctl", "/usr/bin/busctl", "/usr/bin/dbus-send",
               "/usr/bin/kmod"]
# Debian package and version names: anything else from apt is refused rather than used in paths.
PACKAGE_RE = re.compile(r"^linux-image-[0-9][0-9A-Za-z.+-]*-amd64$")
VERSION_RE = re.compile(r"^[0-9][0-9A-Za-z.+~-]*$")
MAX_TIMEOUT_S = 3600
# Stage failures where the Bluetooth stack did not come up and the guest script never ran: btvirt
# made no controllers (122), or an adapter stayed unpowered (126). run() boots once more.
STACK_NOT_UP = {122, 126}
BOOT_ATTEMPTS = 2
# isa-debug-exit turns byte N into exit status (N << 1) | 1, so only 0..127 survive the trip.
MAX_GUEST_STATUS = 127


class Skip(Exception):
    """QEMU cannot start on this machine: the test is skipped, not failed."""


class Failure(Exception):
    pass


def log(msg):
    print(f"ble_vm: {msg}", flush=True)


def run_cmd(args, **kw):
    """Runs a host command; its output is returned, a failure raised with its stderr."""
    proc = subprocess.run(args, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise Failure(f"{' '.join(map(str, args))} failed ({proc.returncode}): "
                      f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
    return proc.stdout


def kernel_package():
    """The kernel package linux-image-amd64 depends on, and its candidate version."""
    try:
        out = run_cmd(["apt-cache", "depends", "linux-image-amd64"])
    except (Failure, FileNotFoundError) as e:
        raise Skip(f"cannot resolve the kernel package (apt-cache depends linux-image-amd64): {e}")
    names = [l.split(":", 1)[1].strip() for l in out.splitlines()
             if l.strip().startswith("Depends:")]
    names = [n for n in names if PACKAGE_RE.match(n)]
    if len(names) != 1:
        raise Skip(f"linux-image-amd64 does not name exactly one kernel package: {out.strip()}")
    pkg = names[0]
    out = run_cmd(["apt-cache", "policy", pkg])
    m = re.search(r"^\s*Candidate:\s*(\S+)\s*$", out, re.M)
    if not m or not VERSION_RE.match(m.group(1)):
        raise Skip(f"no installable version of {pkg}: {out.strip()}")
    return pkg, m.group(1)


def build_initramfs(dest, kernel_dir, kver):
    busybox = shutil.which("busybox")
    if not busybox:
        raise Failure("busybox not found (install busybox-static)")
    if "statically linked" not in run_cmd(["file", "-L", busybox]):
        raise Failure(f"{busybox} is not statically linked (install busybox-static)")
    mod_root = kernel_dir / "lib" / "modules" / kver
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        root = Path(tmp)
        for d in ["bin", "dev", "proc", "sys", "newroot", "modules"]:
            (root / d).mkdir()
        shutil.copy2(busybox, root / "bin" / "busybox")
        os.symlink("busybox", root / "bin" / "sh")
        for name in INITRAMFS_MODULES:
            found = list(mod_root.glob(f"kernel/**/{name}.ko"))
            if len(found) != 1:
                raise Failure(f"module {name}.ko: {len(found)} matches in {mod_root}")
            shutil.copy2(found[0], root / "modules" / f"{name}.ko")
        init = root / "init"
        init.write_text(INIT_SCRIPT.replace("@MODULES@", " ".join(INITRAMFS_MODULES)))
        init.chmod(0o755)
        files = subprocess.run(["find", "."], cwd=root, capture_output=True, check=True).stdout
        with open(dest, "wb") as out:
            cpio = subprocess.Popen(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            gz = subprocess.Popen(["gzip", "-6"], stdin=cpio.stdout, stdout=out)
            cpio.stdout.close()
            cpio.communicate(files)
            if cpio.returncode != 0 or gz.wait() != 0:
                raise Failure("packing the initramfs (cpio | gzip) failed")


def build(cache):
    """Unpacks the kernel and builds the initramfs into cache/<package>_<version>, once."""
    if not shutil.which(QEMU):
        raise Skip(f"{QEMU} not found (install qemu-system-x86)")
    pkg, version = kernel_package()
    cache.mkdir(parents=True, exist_ok=True)
    entry = cache / f"{pkg}_{version}"
    kver = pkg[len("linux-image-"):]
    # One builder at a time per cache; a second waits and then reuses the finished entry.
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (entry / "complete").is_file():
            log(f"reusing {entry}")
            return entry, kver
        log(f"building {entry} (kernel {pkg} {version})")
        started = time.monotonic()
        partial = cache / f".partial-{pkg}_{version}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            subprocess.run(["apt-get", "download", f"{pkg}={version}"], cwd=partial,
                           capture_output=True, text=True, check=True)
        except (subprocess.CalledProcessError, FileNotFoundError) as e:
            shutil.rmtree(partial, ignore_errors=True)
            detail = getattr(e, "stderr", "") or str(e)
            raise Skip(f"cannot download {pkg}={version}: {detail.strip()[-1000:]}")
        debs = list(partial.glob("*.deb"))
        if len(debs) != 1:
            raise Failure(f"apt-get download left {len(debs)} .deb files in {partial}")
        kernel_dir = partial / "kernel"
        run_cmd(["dpkg", "-x", str(debs[0]), str(kernel_dir)])
        debs[0].unlink()
        vmlinuz = kernel_dir / "boot" / f"vmlinuz-{kver}"
        if not vmlinuz.is_file() or not (kernel_dir / "lib" / "modules" / kver).is_dir():
            raise Failure(f"{pkg} has no boot/vmlinuz-{kver} or lib/modules/{kver}")
        # The .deb ships no modules.dep; modprobe in the guest needs it.
        run_cmd(["depmod", "-b", str(kernel_dir), kver])
        build_initramfs(partial / "initrd.gz", kernel_dir, kver)
        (partial / "complete").write_text(f"{pkg} {version}\n")
        shutil.rmtree(entry, ignore_errors=True)
        partial.rename(entry)
        log(f"built {entry} in {time.monotonic() - started:.1f} s")
        return entry, kver


# PID 1 of the initramfs: mount the host root read-only and the results share, then switch_root
# (not chroot: the kernel's module helper runs in PID 1's root) into the stage script.
INIT_SCRIPT = r"""#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
fail() { echo "ble_vm init: $*"; printf '\175' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null; poweroff -f; }
mount -t proc proc /proc && mount -t sysfs sys /sys && mount -t devtmpfs dev /dev || fail "mount proc/sys/dev"
for m in @MODULES@; do insmod /modules/$m.ko || fail "insmod $m"; done
opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $opts,ro,cache=loose hostroot /newroot || fail "mount host root"
for d in tmp run var/lib/bluetooth; do mount -t tmpfs tmpfs /newroot/$d || fail "tmpfs /$d"; done
mkdir -p /newroot/run/ble-vm && mount -t 9p -o $opts work /newroot/run/ble-vm || fail "mount results share"
mount --move /proc /newroot/proc && mount --move /sys /newroot/sys && mount --move /dev /newroot/dev || fail "move mounts"
exec switch_root /newroot /bin/sh /run/ble-vm/stage.sh
"""

# Runs as PID 1 in the host root: Bluetooth stack up, then the guest script; its status leaves
# through port 0xf4 (isa-debug-exit). Statuses 120..126 are the harness's own failures.
STAGE_SCRIPT = r"""#!/bin/sh
. /run/ble-vm/env.sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
report() {
  code=$1; [ "$code" -gt 127 ] && code=127
  echo "$1" > /run/ble-vm/status
  sync
  printf "\\$(printf '%03o' "$code")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
  echo "ble_vm stage: isa-debug-exit did not stop QEMU"; poweroff -f
}
fail() { echo "ble_vm stage: $2"; report "$1"; }
echo "ble_vm stage: host root mounted; starting the Bluetooth stack"
# Host paths under /tmp (a checkout or cache there) would be hidden by the guest's tmpfs on /tmp:
# with the empty tmpfs lifted, keep the host's /tmp aside, mount the tmpfs again and bind each
# path back from there.
if [ -n "$BLE_VM_KEEP" ]; then
  umount /tmp || fail 124 "umount /tmp"
  mkdir -p /run/ble-vm-host-tmp && mount --bind /tmp /run/ble-vm-host-tmp || fail 124 "bind /tmp"
  mount -t tmpfs tmpfs /tmp || fail 124 "tmpfs /tmp"
  while IFS= read -r p; do
    mkdir -p "$p" && mount --bind "/run/ble-vm-host-tmp/${p#/tmp/}" "$p" || fail 124 "bind $p"
  done <<KEEP
$BLE_VM_KEEP
KEEP
fi
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
echo /run/ble-vm/modprobe.sh > /proc/sys/kernel/modprobe
# The crypto modules go in before btvirt: autoloading them while it starts times out HCI_Reset.
for m in hci_vhci af_alg algif_hash algif_skcipher ecb cmac; do
  modprobe -d "$BLE_VM_KERNEL_DIR" "$m" || fail 120 "modprobe $m"
done
mkdir -p /run/dbus /var/lib/bluetooth "$BLE_VM_RESULTS"
dbus-daemon --system --fork || fail 121 "dbus-daemon"
btvirt -L -l2 > /run/ble-vm/btvirt.log 2>&1 &
i=0; until [ -e /sys/class/bluetooth/hci0 ] && [ -e /sys/class/bluetooth/hci1 ]; do
  i=$((i+1)); [ $i -gt 100 ] && fail 122 "btvirt made no hci0 and hci1 in 10 s"; sleep 0.1
done
# bluetoothd under a supervisor: when it exits (a crash, or a guest script's deliberate kill) it
# is started again, as D-Bus activation does on a systemd host. Each exit is said on the console
# and listed in $BLE_VM_RESULTS/bluetoothd-exits ("STATUS SECONDS": 139 is a SIGSEGV, 137 KILL).
(
  while :; do
    bluetoothd -n -f /run/ble-vm/main.conf >> /run/ble-vm/bluetoothd.log 2>&1
    status=$?
    echo "$status $(cut -d' ' -f1 /proc/uptime)" >> "$BLE_VM_RESULTS/bluetoothd-exits"
    echo "ble_vm stage: bluetoothd exited with status $status; starting it again"
    echo "--- bluetoothd exited with status $status; started again ---" >> /run/ble-vm/bluetoothd.log
    sleep 0.5
  done
) &
owned() {
  dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.bluez 2>/dev/null | grep -q 'boolean true'
}
i=0; until owned; do
  i=$((i+1)); [ $i -gt 200 ] && fail 123 "bluetoothd did not take org.bluez in 20 s"; sleep 0.1
done
# AutoEnable powers both adapters shortly after bluetoothd registers them. A controller whose
# HCI_Reset timed out while btvirt started ("hci0: Opcode 0x0c03 failed: -110" on the console,
# about one boot in three on a loaded 2-core machine) is opened again once.
powered() {
  [ "$(timeout 5 busctl --system get-property org.bluez "/org/bluez/$1" org.bluez.Adapter1 \
       Powered 2>/dev/null)" = "b true" ]
}
for hci in hci0 hci1; do
  i=0
  until powered $hci; do
    i=$((i+1))
    if [ $i -eq 50 ]; then
      echo "ble_vm stage: $hci not powered after 10 s: opening it again (hciconfig $hci up)"
      timeout 20 hciconfig "$hci" up 2>&1
    fi
    [ $i -gt 150 ] && fail 126 "$hci not powered after 30 s"; sleep 0.2
  done
done
echo "ble_vm stage: bluetooth stack up; running the guest script"
cd "$BLE_VM_RESULTS"
/bin/sh /run/ble-vm/guest.sh < /dev/null
report $?
"""

MODPROBE_WRAPPER = """#!/bin/sh
# The kernel's module autoloading: modules come from the unpacked Debian kernel, not the host's.
exec /usr/sbin/modprobe -d {kdir} "$@"
"""

BLUETOOTHD_CONF = """[General]
ControllerMode = le
[GATT]
# ATT bearers per connection (run --gatt-channels, default 1). More than 1 enables EATT, over
# which BlueZ 5.66 may deliver writes and notifications out of order across the bearers.
Channels = {channels}
[Policy]
AutoEnable = true
"""
# bluetoothd's [GATT] Channels range.
GATT_CHANNELS = range(1, 6)


def prepare_share(results, entry, guest_script, env, gatt_channels):
    """The writable share: stage scripts and config in; status, logs and guest output out."""
    results.mkdir(parents=True, exist_ok=True)
    for name in ["status", "guest.sh", "stage.sh", "env.sh", "modprobe.sh", "main.conf",
                 "btvirt.log", "bluetoothd.log"]:
        (results / name).unlink(missing_ok=True)
    shutil.rmtree(results / "out", ignore_errors=True)
    kdir = (entry / "kernel").resolve()
    # The guest mounts a tmpfs on /tmp; the stage script binds these host paths back over it.
    keep = []
    for path in sorted({str(REPO.resolve()), str(kdir)}, key=len):
        if path.startswith("/tmp/") and not any(path.startswith(k + "/") for k in keep):
            if "\n" in path:
                raise Failure(f"path {path!r} contains a newline")
            keep.append(path)
    shutil.copyfile(guest_script, results / "guest.sh")
    (results / "stage.sh").write_text(STAGE_SCRIPT)
    (results / "env.sh").write_text(
        f"export BLE_VM_KERNEL_DIR={shlex.quote(str(kdir))}\n"
        f"export BLE_VM_RESULTS=/run/ble-vm/out\n"
        f"export BLE_VM_REPO={shlex.quote(str(REPO))}\n"
        f"export BLE_VM_KEEP={shlex.quote(chr(10).join(keep))}\n"
        f"export BLE_VM_GATT_CHANNELS={int(gatt_channels)}\n"
        + "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env))
    wrapper = results / "modprobe.sh"
    wrapper.write_text(MODPROBE_WRAPPER.format(kdir=shlex.quote(str(kdir))))
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (results / "main.conf").write_text(BLUETOOTHD_CONF.format(channels=gatt_channels))


def run(cache, guest_script, timeout, results, log_path, env=(), gatt_channels=1):
    if not guest_script.is_file():
        raise Failure(f"guest script {guest_script} not found")
    if gatt_channels not in GATT_CHANNELS:
        raise Failure(f"--gatt-channels must be {GATT_CHANNELS.start}..{GATT_CHANNELS.stop - 1}, "
                      f"got {gatt_channels}")
    if not 1 <= timeout <= MAX_TIMEOUT_S:
        raise Failure(f"--timeout must be 1..{MAX_TIMEOUT_S} s, got {timeout}")
    entry, kver = build(cache)
    missing = [t for t in GUEST_TOOLS if not os.access(t, os.X_OK)]
    if missing:
        raise Failure(f"guest tools missing on the host root: {', '.join(missing)} "
                      "(scripts/setup installs bluez, bluez-test-tools, dbus, kmod)")
    results = results.resolve()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, BOOT_ATTEMPTS + 1):
        prepare_share(results, entry, guest_script, env, gatt_channels)
        status = boot(entry, kver, timeout, results, log_path)
        if status not in STACK_NOT_UP or attempt == BOOT_ATTEMPTS:
            return status
        # The guest script never ran: the virtual controllers did not come up (an HCI_Reset
        # that timed out under a loaded host). A fresh boot is a fresh chance.
        kept = log_path.with_name(f"{log_path.stem}.boot{attempt}{log_path.suffix}")
        log_path.replace(kept)
        log(f"the Bluetooth stack did not come up (status {status}); booting again "
            f"(first boot's console: {kept})")
    return FAIL


def boot(entry, kver, timeout, results, log_path):
    """One QEMU boot; the guest script's status (or the stage's own failure code)."""
    cmd = [QEMU, "-accel", "tcg", "-m", "1024", "-smp", "2", "-display", "none",
           "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-kernel", str(entry / "kernel" / "boot" / f"vmlinuz-{kver}"),
           "-initrd", str(entry / "initrd.gz"),
           "-append", "console=ttyS0 quiet panic=-1",
           "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,"
                      "multidevs=remap",
           "-virtfs", f"local,path={results},mount_tag=work,security_model=none,multidevs=remap",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-nic", "none"]
    if "," in str(results):
        raise Failure(f"results directory {results} contains a comma (QEMU option syntax)")
    log(f"booting the VM (timeout {timeout} s), console in {log_path}")
    started = time.monotonic()
    with open(log_path, "w") as console:
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)

        def stream():
            for raw in qemu.stdout:
                line = raw.decode("utf-8", "replace").replace("\r", "")
                # Elapsed seconds on each line: where the boot spends its time under TCG.
                line = f"[{time.monotonic() - started:6.1f}] {line}"
                console.write(line)
                console.flush()
                sys.stdout.write("guest| " + line)
                sys.stdout.flush()

        reader = threading.Thread(target=stream, daemon=True)
        reader.start()
        try:
            rc = qemu.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            qemu.kill()
            qemu.wait()
            reader.join(5)
            raise Failure(f"timeout: the VM ran for {timeout} s; QEMU killed (see {log_path}, "
                          f"{results}/bluetoothd.log)")
        reader.join(5)
    elapsed = time.monotonic() - started
    if rc % 2 == 0:
        # isa-debug-exit always yields an odd status; an even one is QEMU's own exit.
        raise Failure(f"QEMU exited with {rc} after {elapsed:.1f} s without a guest result "
                      f"(see {log_path})")
    status_file = results / "status"
    status = rc >> 1
    if status_file.is_file():
        text = status_file.read_text().strip()
        if text.isdigit() and len(text) <= 3:
            status = int(text)
    log(f"guest script exited {status} after {elapsed:.1f} s "
        f"(logs: {log_path}, {results}/bluetoothd.log, {results}/out)")
    exits = results / "out" / "bluetoothd-exits"
    if exits.is_file():
        # A guest script's deliberate kill shows as 137; 139 (SIGSEGV) or 134 (abort) is a
        # crash of bluetoothd itself, which the upload rode out: worth a look in its log.
        entries = [line.split() for line in exits.read_text().splitlines() if line.strip()]
        said = ", ".join(f"status {e[0]} at {e[1] if len(e) > 1 else '?'} s" for e in entries)
        log(f"bluetoothd exited {len(entries)} time(s) in the guest and was started again: {said}")
    return status if status <= 255 else FAIL


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_env(items):
    """--env NAME=VALUE pairs for the guest script; BLE_VM_* names are the harness's own."""
    env = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not ENV_NAME.fullmatch(name) or name.startswith("BLE_VM_"):
            raise Failure(f"--env {item!r}: expected NAME=VALUE with a shell variable name "
                          "not starting with BLE_VM_")
        if "\n" in value or "\0" in value:
            raise Failure(f"--env {name}: the value contains a newline or NUL")
        env.append((name, value))
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="unpack the kernel and build the initramfs (cached)")
    p_build.add_argument("cache", nargs="?", type=Path, default=DEFAULT_CACHE)
    p_run = sub.add_parser("run", help="boot the VM and run a guest script after BlueZ is up")
    p_run.add_argument("--guest-script", type=Path, required=True)
    p_run.add_argument("--timeout", type=int, default=300, help="seconds before QEMU is killed")
    p_run.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p_run.add_argument("--results", type=Path, default=REPO / "build" / "ble-vm-results",
                       help="writable share; the guest script's output goes to out/")
    p_run.add_argument("--log", type=Path, help="guest console log (default RESULTS/console.log)")
    p_run.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                       help="exported to the guest script (repeatable), e.g. the path of an executable")
    p_run.add_argument("--gatt-channels", type=int, default=1, metavar="N",
                       help="bluetoothd's [GATT] Channels, 1..5 (default 1: one ATT bearer, no "
                            "EATT); also exported to the guest script as BLE_VM_GATT_CHANNELS")
    args = parser.parse_args()
    try:
        if args.command == "build":
            build(args.cache.resolve())
            return 0
        return run(args.cache.resolve(), args.guest_script.resolve(), args.timeout,
                   args.results, args.log or args.results / "console.log",
                   parse_env(args.env), args.gatt_channels)
    except Skip as e:
        log(f"SKIP: QEMU cannot start here: {e}")
        return SKIP
    except Failure as e:
        log(f"FAIL: {e}")
        return FAIL


if __name__ == "__main__":
    sys.exit(main())
