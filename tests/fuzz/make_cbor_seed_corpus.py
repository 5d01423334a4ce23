#!/usr/bin/env python3
"""Writes the seed corpus of the cbor fuzz target: tests/fuzz/corpus/cbor/.

The RFC 8949 Appendix A encodings (supported and refused types), SMP request payloads as the
common clients send them (definite and indefinite-length maps), and a few malformed items
(reserved heads, huge lengths, deep nesting, missing breaks). Deterministic; rerun to refresh:

    tests/fuzz/make_cbor_seed_corpus.py
"""

import pathlib
import shutil

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus" / "cbor"

APPENDIX_A = [
    "00", "01", "0a", "17", "1818", "1819", "1864", "1903e8", "1a000f4240",
    "1b000000e8d4a51000", "1bffffffffffffffff", "3bffffffffffffffff", "20", "29", "3863",
    "3903e7", "f4", "f5", "f6", "40", "4401020304", "60", "6161", "6449455446", "62225c",
    "62c3bc", "63e6b0b4", "80", "83010203", "8301820203820405",
    "98190102030405060708090a0b0c0d0e0f101112131415161718181819", "a0", "a201020304",
    "a26161016162820203", "826161a161626163", "a56161614161626142616361436164614461656145",
    "9fff", "9f018202039f0405ffff", "9f01820203820405ff", "83018202039f0405ff",
    "83019f0203ff820405", "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
    "bf61610161629f0203ffff", "826161bf61626163ff", "bf6346756ef563416d7421ff",
    # Refused: floats, undefined, simple values, tags, indefinite-length strings.
    "f93c00", "fa47c35000", "fb3ff199999999999a", "f7", "f0", "f8ff", "c11a514b67b0",
    "5f42010243030405ff", "7f657374726561646d696e67ff",
]

MALFORMED = [
    "1c", "9e", "ff", "f800", "1f", "8201ff", "bf01", "9f01",
    "5bffffffffffffffff00", "9bffffffffffffffff00", "a20101",
    "81" * 9 + "00", "9f" * 9 + "ff" * 9,
]


def head(major, value):
    if value < 24:
        return bytes([major << 5 | value])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * width):
            return bytes([major << 5 | info]) + value.to_bytes(width, "big")
    raise ValueError(value)


def encode(value, indefinite=False):
    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        body = b"".join(encode(v, indefinite) for v in value)
        return (b"\x9f" + body + b"\xff") if indefinite else head(4, len(value)) + body
    if isinstance(value, dict):
        body = b"".join(encode(k, indefinite) + encode(v, indefinite) for k, v in value.items())
        return (b"\xbf" + body + b"\xff") if indefinite else head(5, len(value)) + body
    raise TypeError(value)


SHA = bytes(range(0xA0, 0xC0))
SMP_REQUESTS = {
    "upload_first_smpmgr": {"off": 0, "data": bytes(range(64)), "image": 0, "len": 70000,
                            "sha": SHA, "upgrade": False},
    "upload_first_mcumgr_web": {"data": bytes(128), "off": 0, "len": 4096, "sha": SHA},
    "upload_next": {"off": 256, "data": bytes(range(200))},
    "state_write_test": {"hash": SHA, "confirm": False},
    "state_write_confirm": {"confirm": True},
    "echo": {"d": "hello"},
    "reset": {"force": True},
    "info": {"format": "snvbrmpio"},
    "erase": {"slot": 1},
    "empty": {},
    "nested_unknown": {"x": [1, {"y": [-1, None]}], "off": 4096, 7: "int key"},
    "duplicate_off": {"off": 1, "data": b"\x00", "of": 2},
    "error_v2": {"err": {"group": 1, "rc": 3}},
    "state_read_rsp": {"images": [{"image": 0, "slot": 0, "version": "1.2.3", "hash": SHA,
                                   "bootable": True, "pending": False, "confirmed": True,
                                   "active": True, "permanent": False}], "splitStatus": 0},
}


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True)
    for i, hex_item in enumerate(APPENDIX_A):
        (CORPUS / f"rfc8949_{i:02d}.bin").write_bytes(bytes.fromhex(hex_item))
    for i, hex_item in enumerate(MALFORMED):
        (CORPUS / f"malformed_{i:02d}.bin").write_bytes(bytes.fromhex(hex_item))
    for name, request in SMP_REQUESTS.items():
        payload = encode(request)
        if name == "duplicate_off":  # a map with the key "off" twice
            payload = payload.replace(b"\x62of", b"\x63off")
        (CORPUS / f"smp_{name}.bin").write_bytes(payload)
        (CORPUS / f"smp_{name}_indefinite.bin").write_bytes(encode(request, indefinite=True))


if __name__ == "__main__":
    main()
