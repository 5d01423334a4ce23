#!/usr/bin/env python3
"""Runs bleota's nRF51 firmware under QEMU's micro:bit machine (docs/nrf51.md).

usage: nrf51_qemu.py --build-dir DIR --work-dir DIR [--bleota PATH] COMMAND
  build      configure (preset nrf51) and build the firmware in DIR
  selftest   UART, NVMC flash driver, reset cause and retained RAM (exit code via semihosting)

Exit codes: 0 passed, 1 failed, 77 skipped (QEMU is missing or cannot start a micro:bit).
"""
import argparse
import os
import shutil
import subprocess
import sys

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
    probe = subprocess.run([QEMU, "-M", "help"], capture_output=True, text=True)
    if probe.returncode != 0 or "microbit" not in probe.stdout:
        log(f"SKIP: {QEMU} cannot start the microbit machine: {probe.stderr.strip()}")
        sys.exit(SKIP)


def cmd_build(args):
    if not os.path.exists(os.path.join(args.build_dir, "CMakeCache.txt")):
        subprocess.run(["cmake", "--preset", "nrf51", "-B", args.build_dir], cwd=ROOT, check=True)
    subprocess.run(["cmake", "--build", args.build_dir, "-j", "2"], cwd=ROOT, check=True)


def cmd_selftest(args):
    require_qemu()
    elf = firmware(args, "nrf51_selftest")
    run = subprocess.run([QEMU, "-M", "microbit", "-nographic", "-semihosting", "-kernel", elf],
                         capture_output=True, text=True, timeout=30)
    log(run.stdout)
    if run.returncode != 0 or "selftest: 0 failed" not in run.stdout:
        raise TestFailure(f"selftest exited with {run.returncode}: {run.stderr.strip()}")


COMMANDS = {"build": cmd_build, "selftest": cmd_selftest}


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
