#!/usr/bin/env python3
"""Writes the seed corpus of the smp_request fuzz target: tests/fuzz/corpus/smp_request/.

Hand-made SMP requests for the OS group as the common clients send them (v1 and v2, definite
and indefinite maps, no payload), invalid requests (response ops, reserved bits, versions 2-3,
length mismatches, payloads that are not one map), and the same requests as serial frames (LF
and CRLF, with console text) and back to back as BLE writes. Deterministic; rerun to refresh:

    tests/fuzz/make_smp_request_seed_corpus.py
"""

import base64
import pathlib
import shutil

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus" / "smp_request"


def head(major, value):
    if value < 24:
        return bytes([major << 5 | value])
    if value < 0x100:
        return bytes([major << 5 | 24, value])
    return bytes([major << 5 | 25]) + value.to_bytes(2, "big")


def text(s):
    data = s.encode()
    return head(3, len(data)) + data


def cbor_map(*pairs, indefinite=False):
    body = b"".join(text(k) + v for k, v in pairs)
    if indefinite:
        return b"\xbf" + body + b"\xff"
    return head(5, len(pairs)) + body


def packet(version, op, group, seq, command, payload, length=None):
    n = len(payload) if length is None else length
    first = (version << 3) | op
    return bytes([first, 0, n >> 8, n & 0xFF, group >> 8, group & 0xFF, seq, command]) + payload


READ, WRITE = 0, 2
V1, V2 = 0, 1
TRUE, FALSE = b"\xf5", b"\xf4"

VALID = {
    "echo_v2": packet(V2, WRITE, 0, 1, 0, cbor_map(("d", text("hello")))),
    "echo_v1_read": packet(V1, READ, 0, 2, 0, cbor_map(("d", text("hi")))),
    "echo_indefinite": packet(V2, WRITE, 0, 3, 0, cbor_map(("d", text("x")), indefinite=True)),
    "echo_long": packet(V2, WRITE, 0, 4, 0, cbor_map(("d", text("e" * 300)))),
    "echo_extra_keys": packet(V2, WRITE, 0, 5, 0, cbor_map(("a", b"\x01"), ("d", text("")))),
    "reset": packet(V2, WRITE, 0, 6, 5, cbor_map()),
    "reset_force": packet(V2, WRITE, 0, 7, 5, cbor_map(("force", TRUE))),
    "reset_no_payload_v1": packet(V1, WRITE, 0, 8, 5, b""),
    "params_v2": packet(V2, READ, 0, 9, 6, cbor_map()),
    "params_v1_no_payload": packet(V1, READ, 0, 10, 6, b""),
    "info_default": packet(V2, READ, 0, 11, 7, cbor_map()),
    "info_all": packet(V2, READ, 0, 12, 7, cbor_map(("format", text("a")))),
    "info_letters": packet(V1, READ, 0, 13, 7, cbor_map(("format", text("snvbrmpio")))),
    "info_bad_letter": packet(V2, READ, 0, 14, 7, cbor_map(("format", text("sx")))),
    "bootloader": packet(V2, READ, 0, 15, 8, cbor_map()),
    "bootloader_mode": packet(V1, READ, 0, 16, 8, cbor_map(("query", text("mode")))),
    "unknown_group": packet(V2, READ, 1, 17, 0, cbor_map()),
    "unknown_command": packet(V2, READ, 0, 18, 2, cbor_map()),
}

INVALID = {
    "empty": b"",
    "short_header": packet(V2, READ, 0, 0, 6, b"")[:7],
    "read_response": packet(V2, 1, 0, 1, 0, cbor_map(("r", text("x")))),
    "write_response": packet(V1, 3, 0, 1, 0, cbor_map()),
    "reserved_bit": bytes([0x28]) + packet(V2, READ, 0, 1, 6, cbor_map())[1:],
    "op_4": bytes([0x0C]) + packet(V2, READ, 0, 1, 6, cbor_map())[1:],
    "version_2": packet(2, READ, 0, 1, 6, cbor_map()),
    "version_3": packet(3, WRITE, 0, 1, 0, cbor_map(("d", text("v3")))),
    "length_short": packet(V2, READ, 0, 1, 6, cbor_map(), length=5),
    "length_long": packet(V2, READ, 0, 1, 6, cbor_map() + b"\x00", length=1),
    "length_max": packet(V2, READ, 0, 1, 6, b"", length=0xFFFF),
    "payload_int": packet(V2, READ, 0, 1, 6, b"\x01"),
    "payload_array": packet(V2, READ, 0, 1, 6, b"\x80"),
    "payload_two_maps": packet(V2, READ, 0, 1, 6, b"\xa0\xa0"),
    "payload_truncated": packet(V2, WRITE, 0, 1, 0, cbor_map(("d", text("abc")))[:-1]),
    "payload_no_break": packet(V2, WRITE, 0, 1, 0, b"\xbf\x61d\x61x"),
    "payload_float": packet(V2, WRITE, 0, 1, 0, b"\xa1\x61d\xfa\x00\x00\x00\x00"),
    "payload_deep": packet(V2, WRITE, 0, 1, 0, b"\xa1\x61d" + b"\x81" * 9 + b"\x80"),
    "echo_d_bytes": packet(V2, WRITE, 0, 1, 0, b"\xa1\x61d\x42hi"),
    "echo_d_twice": packet(V2, WRITE, 0, 1, 0, cbor_map(("d", text("a")), ("d", text("b")))),
    "reset_force_int": packet(V2, WRITE, 0, 1, 5, cbor_map(("force", b"\x01"))),
    "params_write": packet(V2, WRITE, 0, 1, 6, cbor_map()),
}


def crc16_xmodem(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def serial_frame(pkt, newline=b"\n"):
    raw = (len(pkt) + 2).to_bytes(2, "big") + pkt + crc16_xmodem(pkt).to_bytes(2, "big")
    out = b""
    for i in range(0, len(raw), 93):
        mark = b"\x06\x09" if i == 0 else b"\x04\x14"
        out += mark + base64.b64encode(raw[i:i + 93]) + newline
    return out


STREAMS = {
    "serial_echo": serial_frame(VALID["echo_v2"]),
    "serial_echo_long": serial_frame(VALID["echo_long"]),
    "serial_crlf": serial_frame(VALID["params_v2"], b"\r\n"),
    "serial_console_text": b"uart:~$ help\r\n" + serial_frame(VALID["info_all"]) + b"log\n",
    "serial_reset_then_echo": serial_frame(VALID["reset"]) + serial_frame(VALID["echo_v1_read"]),
    "serial_bad_crc": serial_frame(VALID["echo_v2"])[:-3] + b"A=\n",
    "ble_two_packets": VALID["echo_v2"] + VALID["params_v2"],
    "ble_reset_then_echo": VALID["reset"] + VALID["echo_v2"],
}


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True)
    for group in (VALID, INVALID, STREAMS):
        for name, data in group.items():
            (CORPUS / f"{name}.bin").write_bytes(data)
    print(f"wrote {len(VALID) + len(INVALID) + len(STREAMS)} files to {CORPUS}")


if __name__ == "__main__":
    main()
