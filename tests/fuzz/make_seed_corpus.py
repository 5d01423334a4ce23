#!/usr/bin/env python3
"""Writes the seed corpus of the image fuzz target: tests/fuzz/corpus/image/.

Seeds are the imgtool vectors up to MAX_SEED_SIZE bytes (valid images, their decrypted forms and
the must-fail images; the 32-200 KiB vectors add nothing the small ones lack and would slow every
mutation), plus hand-made edge images: overflowing sizes, empty and truncated areas, duplicate and
misplaced TLVs, flag combinations. Edge images that should reach the later checks carry a correct
SHA256 TLV. The output is deterministic; rerun after the vectors change:

    tests/fuzz/make_seed_corpus.py
"""

import hashlib
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests/vectors/imgtool"
OUT = ROOT / "tests/fuzz/corpus/image"
MAX_SEED_SIZE = 16384  # scripts/fuzz runs with -max_len 16384

IMAGE_MAGIC = 0x96F3B83D
TLV_INFO_MAGIC = 0x6907
TLV_PROT_INFO_MAGIC = 0x6908
TLV_KEYHASH, TLV_SHA256, TLV_ECDSASIG, TLV_ED25519 = 0x01, 0x10, 0x22, 0x24
TLV_ENC_KW, TLV_ENC_EC256, TLV_ENC_X25519 = 0x31, 0x32, 0x33
TLV_DEPENDENCY, TLV_SEC_CNT = 0x40, 0x50
FLAG_AES128, FLAG_AES256, FLAG_RAM_LOAD, FLAG_LZMA2 = 0x4, 0x8, 0x20, 0x400


def header(hdr_size=32, img_size=0, protect_tlv_size=0, flags=0, magic=IMAGE_MAGIC):
    return struct.pack("<IIHHIIBBHII", magic, 0, hdr_size, protect_tlv_size, img_size, flags,
                       1, 2, 3, 4, 0)


def tlv(tlv_type, value):
    return struct.pack("<HH", tlv_type, len(value)) + value


def area(magic, entries, tlv_tot=None):
    body = b"".join(entries)
    return struct.pack("<HH", magic, 4 + len(body) if tlv_tot is None else tlv_tot) + body


def image(payload=b"\x5a" * 40, flags=0, protected=None, tlvs=(), with_hash=True, hdr_size=32):
    """An image whose SHA256 TLV (first, when with_hash) matches; `tlvs` follow it."""
    prot = area(TLV_PROT_INFO_MAGIC, protected) if protected is not None else b""
    head = header(hdr_size, len(payload), len(prot), flags).ljust(hdr_size, b"\xff")
    hashed = head + payload + prot
    entries = ([tlv(TLV_SHA256, hashlib.sha256(hashed).digest())] if with_hash else []) + list(tlvs)
    return hashed + area(TLV_INFO_MAGIC, entries)


def dependency(image_id):
    return struct.pack("<B3xBBHI", image_id, 1, 0, 0, 0)


def edge_seeds():
    sha = lambda data: tlv(TLV_SHA256, hashlib.sha256(data).digest())
    yield "empty", b""
    yield "header_31_bytes", header()[:31]
    yield "header_only", header()
    yield "hdr_size_ffff", header(hdr_size=0xFFFF) + b"\0" * 64
    yield "img_size_wraps", header(img_size=0xFFFFFFF0) + area(TLV_INFO_MAGIC, [])
    yield "prot_size_3", header(protect_tlv_size=3) + area(TLV_PROT_INFO_MAGIC, [], 3)
    yield "prot_size_past_end", header(protect_tlv_size=0x100) + area(TLV_PROT_INFO_MAGIC, [], 0x100)
    yield "tlv_tot_0", header() + area(TLV_INFO_MAGIC, [], 0)
    yield "tlv_tot_past_end", header() + area(TLV_INFO_MAGIC, [], 0xFFFF)
    yield "tlv_area_empty", header() + area(TLV_INFO_MAGIC, [])
    yield "tlv_entry_header_cut", header() + area(TLV_INFO_MAGIC, [b"\x10\x00"])
    yield "empty_payload_unsigned", image(payload=b"")
    yield "zero_length_tlvs", image(tlvs=[tlv(0xA0 + i, b"") for i in range(16)])
    yield "trailing_bytes", image() + b"\xff" * 64
    yield "hdr_size_not_aligned", image(hdr_size=37)
    yield "sha256_twice", image(tlvs=[tlv(TLV_SHA256, b"\0" * 32)])
    yield "sha256_short", image(with_hash=False, tlvs=[tlv(TLV_SHA256, b"\0" * 31)])
    yield "sha256_in_protected", image(protected=[tlv(TLV_SHA256, b"\0" * 32)])
    yield "sec_cnt_twice", image(protected=[tlv(TLV_SEC_CNT, b"\1\0\0\0")] * 2)
    yield "sec_cnt_short", image(protected=[tlv(TLV_SEC_CNT, b"\1\0\0")])
    yield "five_dependencies", image(protected=[tlv(TLV_DEPENDENCY, dependency(i)) for i in range(5)])
    yield "four_dependencies", image(
        protected=[tlv(TLV_SEC_CNT, b"\7\0\0\0")] + [tlv(TLV_DEPENDENCY, dependency(i)) for i in range(4)])
    yield "protected_area_empty", image(protected=[])
    yield "both_aes_flags", image(flags=FLAG_AES128 | FLAG_AES256)
    yield "compressed_flag", image(flags=FLAG_LZMA2)
    yield "unknown_flag", image(flags=0x80000000)
    yield "ram_load_unsigned", image(flags=FLAG_RAM_LOAD)
    yield "encrypted_no_enc_tlv", image(flags=FLAG_AES128)
    yield "enc_kw_short", image(flags=FLAG_AES128, tlvs=[tlv(TLV_ENC_KW, b"\0" * 23)])
    yield "enc_ec256_empty", image(flags=FLAG_AES256, tlvs=[tlv(TLV_ENC_EC256, b"")])
    yield "enc_x25519_zero_key", image(flags=FLAG_AES128, tlvs=[tlv(TLV_ENC_X25519, b"\0" * 80)])
    yield "enc_tlv_twice", image(flags=FLAG_AES128, tlvs=[tlv(TLV_ENC_KW, b"\0" * 24)] * 2)
    yield "ecdsa_sig_no_key_tlv", image(tlvs=[tlv(TLV_ECDSASIG, b"\x30\x06\x02\x01\x01\x02\x01\x01")])
    yield "ecdsa_sig_73_bytes", image(tlvs=[tlv(TLV_KEYHASH, b"\0" * 32), tlv(TLV_ECDSASIG, b"\0" * 73)])
    yield "ed25519_sig_63_bytes", image(tlvs=[tlv(TLV_KEYHASH, b"\0" * 32), tlv(TLV_ED25519, b"\0" * 63)])
    yield "keyhash_twice", image(tlvs=[tlv(TLV_KEYHASH, b"\0" * 32)] * 2 + [tlv(TLV_ED25519, b"\0" * 64)])
    yield "unsupported_sha384", image(tlvs=[tlv(0x11, b"\0" * 48)])
    payload = b"\xa5" * 24
    yield "hash_covers_header", header(img_size=len(payload)) + payload + area(
        TLV_INFO_MAGIC, [sha(payload)])


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    count = 0
    for folder in ("images", "expected", "negative"):
        for path in sorted((VECTORS / folder).glob("*.bin")):
            if path.stat().st_size <= MAX_SEED_SIZE:
                shutil.copyfile(path, OUT / f"vec_{path.name}")
                count += 1
    for name, data in edge_seeds():
        (OUT / f"edge_{name}.bin").write_bytes(data)
        count += 1
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{OUT.relative_to(ROOT)}: {count} seeds, {total} bytes")


if __name__ == "__main__":
    main()
