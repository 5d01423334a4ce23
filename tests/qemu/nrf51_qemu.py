#!/usr/bin/env python3
"""Runs bleota's nRF51 firmware under QEMU's micro:bit machine (docs/nrf51.md).

usage: nrf51_qemu.py --build-dir DIR --work-dir DIR [--bleota PATH] COMMAND
  build      configure (preset nrf51) and build the firmware in DIR
  selftest   UART, NVMC flash driver, reset cause and retained RAM (exit code via semihosting)
  dfu        blank device: install v1 over SMP serial, tampered/unknown-key images refused,
             v2 test boot confirmed by the app, v3 never confirmed and reverted; RAM peaks
             (stack, mbedTLS arena)
  power-cut  a power cut in the middle of the upload of a 48 KiB image (it resumes) and two in
             the middle of its install (QEMU stopped at an erase, flash saved with QMP memsave,
             a new QEMU started from it); the install completes
  boot-time  instructions of the boot-time verify of a 64 KiB and an 8 KiB image (-icount
             shift=0, TIMER0 ticks printed by the bootloader); writes WORK/boot-time.json
  footprint  flash and RAM of the linked bootloader per module (its linker map)

Exit codes: 0 passed, 1 failed, 77 skipped (QEMU is missing or cannot start a micro:bit).
NRF51_TRACE_ERASES=1 prints each flash erase the power-cut test counts (offset, size).
"""
import argparse
import json
import os
import pty
import random
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = 77
QEMU = "qemu-system-arm"


class TestFailure(Exception):
    pass


def log(text):
    print(text, flush=True)


def firmware(args, name):
    path = os.path.join(args.build_dir, "ports", "nrf51", name)
    if not os.path.exists(path):
        raise TestFailure(f"{path} is missing: run the qemu.nrf51.build test (or cmake --build "
                          f"--preset nrf51) first")
    return path


def require_qemu():
    """Skips the test (exit 77) with a clear message when QEMU cannot start a micro:bit."""
    if shutil.which(QEMU) is None:
        log(f"SKIP: {QEMU} not found (Debian package qemu-system-arm; ./scripts/setup installs it)")
        sys.exit(SKIP)
    # A paused micro:bit with nothing attached: it either keeps running or says why it cannot.
    probe = subprocess.Popen([QEMU, "-M", "microbit", "-display", "none", "-monitor", "none",
                              "-serial", "null", "-S"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = probe.communicate(timeout=1.0)
        log(f"SKIP: {QEMU} cannot start the microbit machine (exit {probe.returncode}): "
            f"{output.strip()}")
        sys.exit(SKIP)
    except subprocess.TimeoutExpired:
        probe.kill()
        probe.wait()


# What firmware must not link (the rules of scripts/check-freestanding, for whole firmware).
NOT_FREESTANDING = re.compile(
    r"^(_?_?(malloc|free|calloc|realloc)(_r)?|_sbrk(_r)?|_Zn[wa]|_Zd[la]|__cxa_(throw|begin_catch|"
    r"allocate_exception|guard_acquire)|__gxx_personality_.*|_Unwind_.*|_ZTI|_ZTS|"
    r"_?v?(f|s|sn)?printf(_r)?$|puts$|abort$|__assert_func$)")


def cmd_build(args):
    if not os.path.exists(os.path.join(args.build_dir, "CMakeCache.txt")):
        subprocess.run(["cmake", "--preset", "nrf51", "-B", args.build_dir], cwd=ROOT, check=True)
    subprocess.run(["cmake", "--build", args.build_dir, "-j", "2"], cwd=ROOT, check=True)
    for name in ("nrf51_bootloader", "nrf51_example_app", "nrf51_selftest"):
        out = subprocess.run(["arm-none-eabi-nm", firmware(args, name)], capture_output=True,
                             text=True, check=True).stdout
        bad = [line.split()[-1] for line in out.splitlines()
               if NOT_FREESTANDING.match(line.split()[-1])]
        if bad:
            raise TestFailure(f"{name} links heap, exceptions, RTTI, stdio or abort: {bad}")
    log("firmware built; none links heap, exceptions, RTTI, stdio or abort")


def cmd_selftest(args):
    require_qemu()
    elf = firmware(args, "nrf51_selftest")
    run = subprocess.run([QEMU, "-M", "microbit", "-nographic", "-semihosting", "-kernel", elf],
                         capture_output=True, text=True, timeout=30)
    log(run.stdout)
    if run.returncode != 0 or "selftest: 0 failed" not in run.stdout:
        raise TestFailure(f"selftest exited with {run.returncode}: {run.stderr.strip()}")


class Session:
    """One QEMU micro:bit run: UART0 on a unix socket (everything the device prints is kept and
    can be bridged to a pty for `bleota dfu`), QMP and the gdb stub on unix sockets."""

    def __init__(self, args, name, kernel, paused=False, icount=False):
        self.args = args
        self.dir = os.path.join(args.work_dir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        # Unix socket paths are limited to 107 bytes: keep them short whatever the build path.
        self.sock_dir = tempfile.mkdtemp(prefix="bleota-qemu-")
        self.uart_path = os.path.join(self.sock_dir, "uart")
        self.qmp_path = os.path.join(self.sock_dir, "qmp")
        self.gdb_path = os.path.join(self.sock_dir, "gdb")
        cmd = [QEMU, "-M", "microbit", "-display", "none", "-monitor", "none",
               "-kernel", kernel,
               "-chardev", f"socket,id=uart0,path={self.uart_path},server=on,wait=on",
               "-serial", "chardev:uart0",
               "-chardev", f"socket,id=qmp0,path={self.qmp_path},server=on,wait=off",
               "-mon", "chardev=qmp0,mode=control",
               "-chardev", f"socket,id=gdb0,path={self.gdb_path},server=on,wait=off",
               "-gdb", "chardev:gdb0"]
        if paused:
            cmd.append("-S")
        if icount:
            cmd += ["-icount", "shift=0"]
        self.log_path = os.path.join(self.dir, "qemu.log")
        self.proc = subprocess.Popen(cmd, stdout=open(self.log_path, "wb"),
                                     stderr=subprocess.STDOUT)
        self.uart = self._connect(self.uart_path)
        self.output = bytearray()
        self.lock = threading.Lock()
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.pty_path = os.ttyname(self.slave)
        self.bridging = False
        self.stopped = False
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()
        self.qmp = None

    def _connect(self, path, timeout=10):
        deadline = time.time() + timeout
        while True:
            if self.proc.poll() is not None:
                # require_qemu() showed that QEMU runs and knows the machine: this is a failure.
                with open(self.log_path, errors="replace") as f:
                    raise TestFailure(f"QEMU exited ({self.proc.returncode}): {f.read().strip()}")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                if time.time() > deadline:
                    raise TestFailure(f"QEMU did not open {path}")
                time.sleep(0.05)

    def _pump(self):
        while not self.stopped:
            try:
                ready, _, _ = select.select([self.uart, self.master], [], [], 0.1)
                if self.uart in ready:
                    data = self.uart.recv(4096)
                    if not data:
                        return
                    with self.lock:
                        self.output += data
                    if self.bridging:
                        os.write(self.master, data)
                if self.master in ready:
                    data = os.read(self.master, 4096)
                    if self.bridging and data:
                        self.uart.sendall(data)
            except (OSError, ValueError):  # closed by close()
                return

    def text(self, start=0):
        with self.lock:
            return self.output[start:].decode("latin-1")

    def mark(self):
        with self.lock:
            return len(self.output)

    def expect(self, pattern, start=0, timeout=30):
        """Waits until the device printed a line matching `pattern` after position `start`."""
        deadline = time.time() + timeout
        regex = re.compile(pattern)
        while time.time() < deadline:
            m = regex.search(self.text(start))
            if m:
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise TestFailure(f"the device did not print /{pattern}/ within {timeout} s; it printed:\n"
                          + self.console(start))

    def console(self, start=0):
        """The device's output without the SMP frames (lines starting 0x06 0x09 / 0x04 0x14)."""
        lines = self.text(start).split("\n")
        return "\n".join(l for l in lines if not l.startswith(("\x06\x09", "\x04\x14")))

    def send(self, text):
        self.uart.sendall(text.encode())

    def dfu(self, args, *command, expect_rc=0):
        """Runs `bleota dfu --transport serial --device <pty> COMMAND` against the device."""
        termios.tcflush(self.slave, termios.TCIOFLUSH)
        self.bridging = True
        try:
            cmd = [args.bleota, "dfu", "--transport", "serial", "--device", self.pty_path,
                   "--timeout", "3000"] + list(command)
            started = time.time()
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        finally:
            time.sleep(0.1)
            self.bridging = False
        log(f"$ bleota dfu {' '.join(command)}  (exit {run.returncode}, "
            f"{time.time() - started:.1f} s)")
        for line in (run.stdout + run.stderr).strip().splitlines():
            log("  " + line)
        if expect_rc is not None and run.returncode != expect_rc:
            raise TestFailure(f"bleota dfu {' '.join(command)} exited {run.returncode}, "
                              f"expected {expect_rc}")
        return run

    def dfu_background(self, args, *command):
        """Starts `bleota dfu ... COMMAND` and returns at once (the caller kills it)."""
        termios.tcflush(self.slave, termios.TCIOFLUSH)
        self.bridging = True
        cmd = [args.bleota, "dfu", "--transport", "serial", "--device", self.pty_path,
               "--timeout", "3000"] + list(command)
        log(f"$ bleota dfu {' '.join(command)} &")
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def qmp_command(self, command, **arguments):
        if self.qmp is None:
            self.qmp = self._connect(self.qmp_path).makefile("rw")
            json.loads(self.qmp.readline())  # greeting
            self.qmp_command("qmp_capabilities")
        self.qmp.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
        self.qmp.flush()
        while True:
            reply = json.loads(self.qmp.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise TestFailure(f"QMP {command}: {reply['error']}")

    def save_flash(self, path, flash_size):
        """Saves the whole flash (the power-cut state) with QMP memsave (the CPU's view: the
        micro:bit's memory is not in the system address space that pmemsave reads)."""
        self.qmp_command("memsave", val=0, size=flash_size, filename=path)

    def close(self):
        # Once only: the fd numbers may belong to a newer session afterwards.
        if self.stopped:
            return
        self.stopped = True
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=2)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass
        self.uart.close()
        shutil.rmtree(self.sock_dir, ignore_errors=True)


class Gdb:
    """The few gdb remote-protocol packets the power-cut test needs (QEMU's gdb stub)."""

    def __init__(self, session):
        self.sock = session._connect(session.gdb_path)
        self.buffer = b""

    def _read_packet(self, timeout):
        deadline = time.time() + timeout
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-fA-F]{2}", self.buffer)
            if m:
                self.buffer = self.buffer[m.end():]
                self.sock.sendall(b"+")
                return m.group(1).decode()
            left = deadline - time.time()
            if left <= 0:
                raise TestFailure("no answer from QEMU's gdb stub")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            if not data:
                raise TestFailure("QEMU's gdb stub closed the connection")
            self.buffer += data

    def command(self, payload, timeout=10):
        checksum = sum(payload.encode()) % 256
        self.sock.sendall(f"${payload}#{checksum:02x}".encode())
        return self._read_packet(timeout)

    def drain(self, quiet_seconds=0.3):
        """Drops packets that arrive unasked (the stop reply of a connection to a running
        machine)."""
        while True:
            try:
                self._read_packet(quiet_seconds)
            except TestFailure:
                return

    def resume(self):
        """Continues without waiting for the next stop."""
        self.sock.sendall(b"$c#63")

    def halt(self):
        self.sock.sendall(b"\x03")
        return self._read_packet(10)

    def write_memory(self, address, data):
        for off in range(0, len(data), 1024):
            chunk = data[off:off + 1024]
            reply = self.command(f"M{address + off:x},{len(chunk):x}:{chunk.hex()}")
            if reply != "OK":
                raise TestFailure(f"gdb memory write at {address + off:#x}: {reply}")


ARENA_PAINT = bytes([0xE7]) * 4
STACK_PAINT = bytes.fromhex("a55ac33c")  # 0x3CC35AA5 (ports/nrf51/src/startup.cpp)


class RamProbe:
    """Measures the bootloader's RAM use through breakpoints of QEMU's gdb stub. At main() of each
    boot it waits for the first allocation (mbedtls_memory_buffer_alloc_init has zeroed the arena
    by then) and paints the arena; at the jump to the application it reads RAM and keeps the
    stack and arena peaks of that boot (the start-up code paints the free RAM below the stack).
    measure_now() does the same for the running OTA mode."""

    def __init__(self, session, elf, layout):
        self.session = session
        self.layout = layout
        self.gdb = Gdb(session)
        self.arena = symbol_address(elf, r"g_arena$")
        self.size = arena_bytes(session.args)
        self.bss_end = symbol_address(elf, r"^__bss_end$")
        self.main = symbol_address(elf, r"^main$")
        self.first_alloc = symbol_address(elf, r"^buffer_alloc_calloc$")
        self.jump = symbol_address(elf, r"JumpToApplication")
        self.armed = set()
        self.boot_peaks = []  # (stack, arena) at each jump to the application
        for address in (self.main, self.jump):
            self._arm(address)
        self.gdb.resume()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _arm(self, address):
        self.gdb.command(f"Z0,{address:x},2")
        self.armed.add(address)

    def _disarm(self, address):
        self.gdb.command(f"z0,{address:x},2")
        self.armed.discard(address)

    def _pc(self):
        registers = self.gdb.command("g")  # r0..r15, 8 hex digits each, little-endian
        return int.from_bytes(bytes.fromhex(registers[15 * 8:16 * 8]), "little")

    def _serve(self):
        try:
            while True:
                self.gdb._read_packet(timeout=3600)
                pc = self._pc()
                if pc == self.main:
                    self._arm(self.first_alloc)
                elif pc == self.first_alloc:
                    self._disarm(self.first_alloc)
                    # The first block header (8 words) stays; the free space behind it is 0.
                    self.gdb.write_memory(self.arena + 32, ARENA_PAINT * ((self.size - 32) // 4))
                elif pc == self.jump:
                    ram = b"".join(
                        bytes.fromhex(self.gdb.command(f"m{a:x},400"))
                        for a in range(self.layout["ram_base"],
                                       self.layout["ram_base"] + self.layout["ram_size"], 0x400))
                    self.boot_peaks.append(self.peaks(ram))
                if pc in self.armed:  # step off the breakpoint, as gdb does
                    self.gdb.command(f"z0,{pc:x},2")
                    self.gdb.command("s")
                    self.gdb.command(f"Z0,{pc:x},2")
                self.gdb.resume()
        except (TestFailure, OSError, ValueError) as e:
            if not self.session.stopped:
                log(f"RAM probe stopped: {e}")

    def peaks(self, ram):
        """(stack bytes used, arena bytes reached) from a RAM image."""
        base = self.layout["ram_base"]
        bss_end = self.bss_end - base
        unused = 0
        for i in range(bss_end, len(ram), 4):
            if ram[i:i + 4] != STACK_PAINT:
                break
            unused += 4
        arena = self.arena - base
        reached = self.size
        while reached >= 36 and ram[arena + reached - 4:arena + reached] == ARENA_PAINT:
            reached -= 4
        return len(ram) - bss_end - unused, reached

    def measure_now(self):
        path = os.path.join(self.session.dir, "ram.bin")
        self.session.qmp_command("memsave", val=self.layout["ram_base"],
                                 size=self.layout["ram_size"], filename=path)
        with open(path, "rb") as f:
            return self.peaks(f.read())

    def report(self):
        base = self.layout["ram_base"]
        static = self.bss_end - base
        free = self.layout["ram_size"] - static
        ota_stack, ota_arena = self.measure_now()
        boot_stack = max((p[0] for p in self.boot_peaks), default=0)
        boot_arena = max((p[1] for p in self.boot_peaks), default=0)
        log(f"RAM: static {static} B (incl. the {self.size} B mbedTLS arena), stack free for use "
            f"{free} B")
        log(f"RAM: boots that jumped ({len(self.boot_peaks)}): stack peak {boot_stack} B, arena "
            f"peak {boot_arena} B")
        log(f"RAM: OTA mode after uploads with the final image check: stack peak {ota_stack} B, "
            f"arena peak {ota_arena} B")
        if max(boot_stack, ota_stack) + 256 > free:
            raise TestFailure("less than 256 bytes of stack headroom")


def arena_bytes(args):
    with open(os.path.join(args.build_dir, "CMakeCache.txt")) as f:
        return int(re.search(r"BLEOTA_CRYPTO_ARENA_BYTES:STRING=(\d+)", f.read()).group(1))


def symbol_address(elf, name_pattern):
    out = subprocess.run(["arm-none-eabi-nm", "-C", elf], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        fields = line.split(" ", 2)
        if len(fields) == 3 and re.search(name_pattern, fields[2]):
            return int(fields[0], 16)
    raise TestFailure(f"no symbol /{name_pattern}/ in {elf}")


def load_layout(args):
    with open(os.path.join(args.build_dir, "ports", "nrf51", "layout.json")) as f:
        return json.load(f)


def sign(args, layout, binary, version, out, key="sign-ecdsa-p256-priv.pem", pad_to=0):
    """Signs the example application as `bleota image sign` does for any MCUboot image. With
    pad_to, the payload is the application followed by pseudo-random bytes up to that size (the
    application never reads them), so every page of the image differs from erased or zeroed
    flash and from the other images."""
    payload = binary
    if pad_to:
        with open(binary, "rb") as f:
            data = f.read()
        payload = out + ".payload"
        filler = random.Random(f"{version}:{pad_to}").randbytes(pad_to - len(data))
        with open(payload, "wb") as f:
            f.write(data + filler)
    subprocess.run([args.bleota, "image", "sign", "-k",
                    os.path.join(ROOT, "tests", "vectors", "imgtool", "keys", key),
                    "-H", hex(layout["image_header_size"]), "--pad-header", "-v", version,
                    "-S", str(layout["slot_size"]), payload, out],
                   check=True, capture_output=True)
    return out


def images_dir(args):
    """Signed images of this test (tests run in parallel and must not share files)."""
    d = os.path.join(args.work_dir, f"images-{args.command}")
    os.makedirs(d, exist_ok=True)
    return d


def require_bleota(args):
    if not args.bleota or not os.path.exists(args.bleota):
        raise TestFailure("--bleota must name the built host tool")


def prepare_images(args, layout):
    require_bleota(args)
    app = firmware(args, "nrf51_example_app") + ".bin"
    d = images_dir(args)
    images = {
        "v1": sign(args, layout, app, "1.0.0", os.path.join(d, "app-v1.img")),
        "v2": sign(args, layout, app, "2.0.0", os.path.join(d, "app-v2.img")),
        "v3_unconfirmed": sign(args, layout,
                               firmware(args, "nrf51_example_app_unconfirmed") + ".bin", "3.0.0",
                               os.path.join(d, "app-v3-unconfirmed.img")),
        "wrong_key": sign(args, layout, app, "2.0.0", os.path.join(d, "app-wrong-key.img"),
                          key="wrong-ecdsa-p256-priv.pem"),
    }
    # One payload byte flipped after signing: the hash no longer matches.
    with open(images["v2"], "rb") as f:
        data = bytearray(f.read())
    data[layout["image_header_size"] + 100] ^= 0x01
    images["tampered"] = os.path.join(d, "app-v2-tampered.img")
    with open(images["tampered"], "wb") as f:
        f.write(data)
    return images


def install_first_image(args, session, images):
    """A blank device (only the bootloader) gets v1 over the UART and boots it."""
    session.expect(r"boot: no_valid_image")
    session.expect(r"ota: serving SMP")
    at = session.mark()
    session.dfu(args, "image", "upload", images["v1"], "--confirm", "--reset")
    session.expect(r"boot: installed", at)
    session.expect(r"app: bleota example 1\.0\.0\+0\n", at)
    session.expect(r"app: ready", at)
    # The app's TIMER1 interrupt goes through the bootloader's vector table (no VTOR on M0).
    session.expect(r"app: timer interrupts arrive", at)


def enter_ota(session):
    at = session.mark()
    session.send("ota\n")
    session.expect(r"boot: app_request", at)
    session.expect(r"ota: serving SMP", at)


def cmd_dfu(args):
    """Blank device: install v1 over SMP serial; tampered and wrong-key images refused; v2 as a
    test boot that the app confirms; it stays after a reset."""
    require_qemu()
    layout = load_layout(args)
    images = prepare_images(args, layout)
    session = Session(args, "dfu", firmware(args, "nrf51_bootloader"), paused=True)
    try:
        probe = RamProbe(session, firmware(args, "nrf51_bootloader"), layout)
        started = time.time()
        install_first_image(args, session, images)
        log(f"v1 installed and running after {time.time() - started:.1f} s")

        enter_ota(session)
        run = session.dfu(args, "image", "upload", images["tampered"], expect_rc=7)
        if "rc 24" not in run.stdout + run.stderr:
            raise TestFailure("the tampered image was not refused with image rc 24")
        run = session.dfu(args, "image", "upload", images["wrong_key"], expect_rc=7)
        if "rc 8" not in run.stdout + run.stderr:
            raise TestFailure("the image signed with an unknown key was not refused with rc 8")
        at = session.mark()
        session.dfu(args, "reset")
        session.expect(r"boot: primary_valid", at)
        session.expect(r"app: bleota example 1\.0\.0\+0\n", at)
        log("refused images left v1 running")

        enter_ota(session)
        at = session.mark()
        session.dfu(args, "image", "upload", images["v2"], "--test", "--reset")
        session.expect(r"boot: installed", at)
        session.expect(r"boot: starting application 2\.0\.0\+0 \(test boot\)", at)
        session.expect(r"app: confirmed", at)
        at = session.mark()
        session.send("reset\n")
        session.expect(r"boot: primary_valid", at)
        session.expect(r"app: bleota example 2\.0\.0\+0\n", at)
        session.expect(r"app: image confirmed", at)
        log("v2 test-booted, confirmed by the app, kept after a reset")

        enter_ota(session)
        at = session.mark()
        session.dfu(args, "image", "upload", images["v3_unconfirmed"], "--test", "--reset")
        session.expect(r"boot: starting application 3\.0\.0\+0 \(test boot\)", at)
        session.expect(r"app: test boot, this build never confirms", at)
        at = session.mark()
        session.send("reset\n")
        session.expect(r"boot: reverted", at)
        session.expect(r"app: bleota example 2\.0\.0\+0\n", at)
        session.expect(r"app: image confirmed", at)
        log("v3, never confirmed, was reverted to v2 at the next reset")

        enter_ota(session)
        run = session.dfu(args, "image", "list")
        if "2.0.0" not in run.stdout:
            raise TestFailure("image list does not show 2.0.0 in the primary slot")
        # An upload ends with the full image check (hash, key, signature): the RAM peak.
        session.dfu(args, "image", "upload", images["v1"])
        probe.report()
    finally:
        log("--- device console (SMP frames left out) ---")
        log(session.console())
        session.close()


def cut_after_erases(session, elf, gdb=None):
    """Sets a breakpoint on NvmcFlash::Erase in the running device (through `gdb`, or a new
    connection: QEMU serves one at a time); the machine runs on until wait_for_erases stops it."""
    if gdb is None:
        gdb = Gdb(session)  # connecting stops the machine and may announce it with a stop reply
        gdb.drain()
    else:
        gdb.halt()
    erase = symbol_address(elf, r"NvmcFlash::Erase")
    gdb.command(f"Z0,{erase:x},2")
    gdb.resume()
    return gdb, erase


def wait_for_erases(gdb, erase, erases):
    """Lets NvmcFlash::Erase be entered `erases` times and leaves the machine stopped at the
    last entry: the power cut, that erase never starts."""
    for hit in range(erases):
        gdb._read_packet(timeout=60)
        if os.environ.get("NRF51_TRACE_ERASES"):
            r = bytes.fromhex(gdb.command("g"))
            log(f"erase {hit + 1}: offset {int.from_bytes(r[4:8], 'little'):#x} size "
                f"{int.from_bytes(r[8:12], 'little'):#x}")
        if hit + 1 < erases:
            gdb.command(f"z0,{erase:x},2")
            gdb.command("s")
            gdb.command(f"Z0,{erase:x},2")
            gdb.resume()


def restart_from_flash(args, name, flash_image):
    """A new QEMU with the saved flash written back through the gdb stub before the first
    instruction (the -kernel bootloader only covers the bootloader area; a reset copies that
    again, which holds the same bytes)."""
    session = Session(args, name, firmware(args, "nrf51_bootloader"), paused=True)
    gdb = Gdb(session)
    with open(flash_image, "rb") as f:
        gdb.write_memory(0, f.read())
    return session, gdb


POWER_CUTS = (30, 25)  # erases after the reset, then after the first restart
UPLOAD_CUT_ERASES = 24  # erases after the upload started (erase-ahead pages, journal sectors)


def cmd_power_cut(args):
    """Power cuts in the middle of an upload in OTA mode (it resumes from the journal after the
    restart) and, twice, in the middle of the install (the bootloader's swap): QEMU is stopped at
    an erase, the flash saved and a new QEMU started from it; the install completes, the app
    confirms it, and it stays."""
    require_qemu()
    layout = load_layout(args)
    images = prepare_images(args, layout)
    elf = firmware(args, "nrf51_bootloader")
    # A 48 KiB payload: the swap moves 49 pages, two erases each.
    big = sign(args, layout, firmware(args, "nrf51_example_app") + ".bin", "2.0.0",
               os.path.join(images_dir(args), "app-v2-48k.img"), pad_to=48 * 1024)
    with open(big, "rb") as f:
        v2 = f.read()
    session = Session(args, "power-cut-0", elf)
    sessions = [session]
    try:
        install_first_image(args, session, images)
        enter_ota(session)

        # A cut during the upload: the upload journal lets it resume after the restart.
        gdb, erase = cut_after_erases(session, elf)
        client = session.dfu_background(args, "image", "upload", big, "--test")
        wait_for_erases(gdb, erase, UPLOAD_CUT_ERASES)
        path = os.path.join(args.work_dir, "flash-cut-upload.bin")
        session.save_flash(path, layout["flash_size"])
        session.close()
        client.kill()
        client.wait()
        log(f"upload cut at the {UPLOAD_CUT_ERASES}th erase; restarting from the saved flash")
        session, gdb = restart_from_flash(args, "power-cut-upload", path)
        sessions.append(session)
        gdb.resume()
        session.expect(r"boot: primary_valid")
        session.expect(r"app: bleota example 1\.0\.0\+0\n")
        session.expect(r"app: ready")
        enter_ota(session)
        resumed = session.expect(r"ota: resuming the upload at offset (\d+)")
        if int(resumed.group(1)) == 0:
            raise TestFailure("the upload journal kept nothing of the cut upload")
        session.dfu(args, "image", "upload", big, "--test")
        log(f"the upload resumed at offset {resumed.group(1)} of {len(v2)}")

        gdb, erase = cut_after_erases(session, elf, gdb)
        at = session.mark()
        session.dfu(args, "reset")
        for cut, erases in enumerate(POWER_CUTS, start=1):
            wait_for_erases(gdb, erase, erases)
            if "boot: installed" in session.text(at):
                raise TestFailure("the install finished before the power cut")
            path = os.path.join(args.work_dir, f"flash-cut-{cut}.bin")
            session.save_flash(path, layout["flash_size"])
            session.close()
            with open(path, "rb") as f:
                flash = f.read()
            primary = flash[layout["primary_offset"]:layout["primary_offset"] + len(v2)]
            secondary_offset = layout["primary_offset"] + layout["slot_size"]
            secondary = flash[secondary_offset:secondary_offset + len(v2)]
            if primary == v2 or secondary == v2:
                raise TestFailure(f"cut {cut}: the swap had not started or had already ended")
            log(f"cut {cut}: power cut at the {erases}th erase after the (re)start, mid-swap; "
                f"restarting from the saved flash")
            session, gdb = restart_from_flash(args, f"power-cut-{cut}", path)
            sessions.append(session)
            at = session.mark()
            if cut < len(POWER_CUTS):
                gdb.command(f"Z0,{erase:x},2")
                gdb.resume()
            else:
                gdb.command("D")  # the last run finishes the install
        # The bootloader finishes the interrupted swap first, then boots primary as usual.
        session.expect(r"boot: starting application 2\.0\.0\+0 \(test boot\)", at)
        session.expect(r"app: confirmed", at)
        at = session.mark()
        session.send("reset\n")
        session.expect(r"boot: primary_valid", at)
        session.expect(r"app: bleota example 2\.0\.0\+0\n", at)
        session.expect(r"app: image confirmed", at)
        log("the install survived two power cuts; v2 runs, confirmed")
    finally:
        for i, s in enumerate(sessions):
            log(f"--- device console of run {i} (SMP frames left out) ---")
            log(s.console())
            s.close()


def boot_ticks(args, name, flash_image):
    """Boots the saved flash once under -icount shift=0 and returns the ticks the bootloader
    reports for its boot decision (TIMER0 at 16 MHz of virtual time)."""
    session = Session(args, name, firmware(args, "nrf51_bootloader"), paused=True, icount=True)
    try:
        gdb = Gdb(session)
        with open(flash_image, "rb") as f:
            gdb.write_memory(0, f.read())
        gdb.command("D")
        m = session.expect(r"boot: (\w+), (\d+) ticks at 16 MHz")
        session.expect(r"app: ready")
        if m.group(1) != "primary_valid":
            raise TestFailure(f"expected a normal boot with a full verify, got {m.group(1)}")
        return int(m.group(2))
    finally:
        session.close()


def installed_flash(args, layout, image, name):
    """Flash holding the bootloader and `image` installed and confirmed."""
    session = Session(args, name, firmware(args, "nrf51_bootloader"))
    try:
        session.expect(r"ota: serving SMP")
        at = session.mark()
        session.dfu(args, "image", "upload", image, "--confirm", "--reset")
        session.expect(r"app: ready", at)
        path = os.path.join(args.work_dir, f"{name}.bin")
        session.save_flash(path, layout["flash_size"])
        return path
    finally:
        session.close()


def cmd_boot_time(args):
    """The boot-time verify (SHA-256 of header + payload + protected TLVs, key hash, P-256
    signature) of a 64 KiB image and of an 8 KiB one, counted in instructions under -icount."""
    require_qemu()
    layout = load_layout(args)
    app = firmware(args, "nrf51_example_app") + ".bin"
    d = images_dir(args)
    results = {}
    for kib in (8, 64):
        image = sign(args, layout, app, "1.0.0", os.path.join(d, f"app-{kib}k.img"),
                     pad_to=kib * 1024)
        flash = installed_flash(args, layout, image, f"boot-time-{kib}k")
        ticks = boot_ticks(args, f"boot-time-{kib}k-icount", flash)
        # -icount shift=0: one instruction per ns of virtual time; a 16 MHz tick is 62.5 ns.
        instructions = ticks * 62.5
        results[kib] = {"image_bytes": os.path.getsize(image), "ticks": ticks,
                        "instructions": int(instructions),
                        "ms_at_16mhz_one_cycle_per_instruction": instructions / 16e3}
        log(f"boot with a {kib} KiB payload ({os.path.getsize(image)} B image): {ticks} ticks = "
            f"{instructions / 1e6:.2f} M instructions = {instructions / 16e3:.0f} ms at 16 MHz "
            f"(1 cycle per instruction)")
    per_kib = (results[64]["instructions"] - results[8]["instructions"]) / 56
    fixed = results[8]["instructions"] - 8 * per_kib
    results["per_kib_instructions"] = int(per_kib)
    results["fixed_instructions"] = int(fixed)
    log(f"per KiB hashed: {per_kib / 1e3:.1f} k instructions; fixed part (signature, parsing, "
        f"boot state): {fixed / 1e6:.2f} M instructions")
    with open(os.path.join(args.work_dir, "boot-time.json"), "w") as f:
        json.dump(results, f, indent=2)
    if per_kib <= 0 or fixed <= 0:
        raise TestFailure("the two boots do not show a verify that grows with the image")


def map_sizes(map_path):
    """{object: [flash, ram]} from a GNU ld map (flash = text + rodata + data, RAM = data + bss)."""
    sizes = {}
    with open(map_path) as f:
        lines = f.read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    section = None
    for line in lines[start:]:
        m = re.match(r"^ (\.(?:text|rodata|data|bss)\S*)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+))?\s*$",
                     line)
        if m and m.group(2) is None:
            section = m.group(1)
            continue
        if not m:
            m2 = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)\s*$", line)
            if not (m2 and section):
                section = None
                continue
            size, obj = int(m2.group(2), 16), m2.group(3)
        else:
            section = m.group(1)
            size, obj = int(m.group(3), 16), m.group(4)
        entry = sizes.setdefault(obj, [0, 0])
        if section.startswith(".bss"):
            entry[1] += size
        elif section.startswith(".data"):
            entry[0] += size
            entry[1] += size
        else:
            entry[0] += size
        section = None
    return sizes


FOOTPRINT_MODULES = [
    "nRF51 port (start-up, UART, NVMC, platform, main, OTA mode)",
    "core/boot (boot decision, swap, journals)",
    "core/image (parser, verifier, decryptor)",
    "core/smp (SMP server, OS + image groups, CBOR, serial framing)",
    "core (status, flash areas, CRC-32)",
    "crypto backend (incl. the mbedTLS arena)",
    "mbedTLS (SHA-256, P-256, AES, X25519, HKDF, KW)",
    "libsodium (Ed25519 verification)",
    "libc/libgcc",
]
CRYPTO_MODULES = FOOTPRINT_MODULES[5:8]
# Objects only encrypted images and Ed25519 keys need (the nRF51 has neither).
DECRYPT_AND_ED25519 = re.compile(
    r"(libbleota_sodium_device|\((aes|nist_kw|ecdh|hkdf|cipher|cipher_wrap)\.c\.obj\)|"
    r"\((image_decryptor|aes_ctr|aes_kw|ecdh|ed25519_sodium|hmac_hkdf)\.cpp\.obj\))")


def module_of(obj):
    """The FOOTPRINT_MODULES entry of a map object (a path, or archive(member))."""
    m = re.search(r"([^/]+)\.a\(([^)]+)\)$", obj)
    archive, member = (m.group(1), m.group(2)) if m else ("", os.path.basename(obj))
    if "nrf51" in obj and archive in ("", "libbleota_nrf51"):
        return FOOTPRINT_MODULES[0]
    if archive == "libbleota_core":
        source = member.replace(".obj", "")
        for sub, index in (("boot", 1), ("image", 2), ("smp", 3)):
            if os.path.exists(os.path.join(ROOT, "core", "src", sub, source)):
                return FOOTPRINT_MODULES[index]
        return FOOTPRINT_MODULES[4]
    if archive == "libbleota_crypto":
        return FOOTPRINT_MODULES[5]
    if archive == "libbleota_mbedtls_device":
        return FOOTPRINT_MODULES[6]
    if archive == "libbleota_sodium_device":
        return FOOTPRINT_MODULES[7]
    if archive.startswith(("libc", "libgcc", "libnosys", "libm")):
        return FOOTPRINT_MODULES[8]
    return None


def cmd_footprint(args):
    """Flash and RAM of the linked bootloader per module, from its linker map."""
    elf = firmware(args, "nrf51_bootloader")
    sizes = map_sizes(elf + ".map")
    totals = {name: [0, 0] for name in FOOTPRINT_MODULES}
    other = [0, 0]
    optional = [0, 0]
    for obj, (flash, ram) in sizes.items():
        entry = totals.get(module_of(obj), other)
        entry[0] += flash
        entry[1] += ram
        if DECRYPT_AND_ED25519.search(obj):
            optional[0] += flash
            optional[1] += ram
    total = [sum(v[0] for v in totals.values()) + other[0],
             sum(v[1] for v in totals.values()) + other[1]]
    crypto = [sum(totals[n][0] for n in CRYPTO_MODULES),
              sum(totals[n][1] for n in CRYPTO_MODULES)]
    log("| module | flash | RAM (static) |\n|---|---|---|")
    for name in FOOTPRINT_MODULES:
        log(f"| {name} | {totals[name][0]} B | {totals[name][1]} B |")
    if other != [0, 0]:
        log(f"| other | {other[0]} B | {other[1]} B |")
    log(f"| **total** | **{total[0]} B** | **{total[1]} B** |")
    log(f"without crypto (crypto backend, mbedTLS, libsodium): {total[0] - crypto[0]} B flash, "
        f"{total[1] - crypto[1]} B RAM")
    log(f"decryption + Ed25519 code (unused with the nRF51's P-256 key, no decryption keys): "
        f"{optional[0]} B flash; without it: {total[0] - optional[0]} B flash")
    if total[0] <= 0:
        raise TestFailure("empty linker map")


COMMANDS = {"build": cmd_build, "selftest": cmd_selftest, "dfu": cmd_dfu,
            "power-cut": cmd_power_cut, "boot-time": cmd_boot_time, "footprint": cmd_footprint}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--bleota", help="the host tool (bleota dfu, bleota image sign)")
    parser.add_argument("command", choices=sorted(COMMANDS))
    args = parser.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    try:
        COMMANDS[args.command](args)
    except (TestFailure, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        log(f"FAIL: {e}")
        return 1
    log(f"{args.command}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
