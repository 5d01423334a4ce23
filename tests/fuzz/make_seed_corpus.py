#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: tests/fuzz/corpus/{image,enc_key}/.

image: the imgtool vectors up to MAX_SEED_SIZE bytes (valid images, their decrypted forms and
the must-fail images; the 32-200 KiB vectors add nothing the small ones lack and would slow every
mutation), plus hand-made edge images: overflowing sizes, empty and truncated areas, duplicate and
misplaced TLVs, flag combinations. Edge images that should reach the later checks carry a correct
SHA256 TLV.

enc_key: the ENC TLV value of every encrypted vector (valid and must-fail), behind the two
selector bytes enc_key_fuzz.cpp reads, plus a few variants (no device key, unsupported type or
key size, a non-canonical X25519 key).

The output is deterministic; rerun after the vectors change:

    tests/fuzz/make_seed_corpus.py
"""

import hashlib
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests/vectors/imgtool"
CORPUS = ROOT / "tests/fuzz/corpus"
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


def unprotected_tlvs(data):
    """(type, value) of every entry of an image's unprotected TLV area."""
    _, _, hdr_size, protect_tlv_size, img_size = struct.unpack_from("<IIHHI", data)
    offset = hdr_size + img_size + protect_tlv_size
    magic, tlv_tot = struct.unpack_from("<HH", data, offset)
    assert magic == TLV_INFO_MAGIC
    end, offset = offset + tlv_tot, offset + 4
    while offset < end:
        tlv_type, length = struct.unpack_from("<HH", data, offset)
        yield tlv_type, data[offset + 4:offset + 4 + length]
        offset += 4 + length


# enc_key_fuzz.cpp's selector: type index (bits 0-2), "device lacks the key" bits 3-5.
ENC_TYPE_INDEX = {TLV_ENC_KW: 0, TLV_ENC_EC256: 1, TLV_ENC_X25519: 2}
NO_EC256_KEY, NO_X25519_KEY, NO_KEK, OTHER_KEK = 0x08, 0x10, 0x20, 0x40


def enc_key_seeds():
    for folder in ("images", "negative"):
        for path in sorted((VECTORS / folder).glob("*enc*.bin")):
            data = path.read_bytes()
            flags = struct.unpack_from("<I", data, 16)[0]
            size_selector = 1 if flags & FLAG_AES256 else 0
            for tlv_type, value in unprotected_tlvs(data):
                if tlv_type in ENC_TYPE_INDEX:
                    selector = ENC_TYPE_INDEX[tlv_type]
                    yield f"vec_{path.stem}", bytes([selector, size_selector]) + value
                    if folder == "images":
                        missing = {0: NO_KEK, 1: NO_EC256_KEY, 2: NO_X25519_KEY}[selector]
                        yield f"edge_{path.stem}_no_device_key", bytes(
                            [selector | missing, size_selector]) + value
                        yield f"edge_{path.stem}_key_size_0", bytes([selector, 2]) + value
                    if folder == "images" and tlv_type == TLV_ENC_X25519:
                        # The same point with the ignored top bit set: not canonical.
                        alias = bytearray(value)
                        alias[31] |= 0x80
                        yield f"edge_{path.stem}_x25519_top_bit", bytes([selector, size_selector]) + alias
                    if folder == "images" and tlv_type == TLV_ENC_KW:
                        yield f"edge_{path.stem}_other_kek", bytes(
                            [selector | OTHER_KEK, size_selector]) + value
    yield "edge_unsupported_rsa_type", bytes([4, 0]) + b"\0" * 128
    yield "edge_ec256_point_at_zero", bytes([1, 0]) + b"\x04" + b"\0" * 64 + b"\0" * 48
    yield "edge_x25519_u_is_p", bytes([2, 0]) + b"\xed" + b"\xff" * 30 + b"\x7f" + b"\0" * 48


def write_corpus(name, seeds):
    out = CORPUS / name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for file_name, data in seeds:
        path = out / f"{file_name}.bin"
        assert not path.exists(), path
        path.write_bytes(data)
    files = list(out.iterdir())
    print(f"{out.relative_to(ROOT)}: {len(files)} seeds, {sum(p.stat().st_size for p in files)} bytes")


def vector_seeds():
    for folder in ("images", "expected", "negative"):
        for path in sorted((VECTORS / folder).glob("*.bin")):
            if path.stat().st_size <= MAX_SEED_SIZE:
                yield f"vec_{path.stem}", path.read_bytes()


def main():
    write_corpus("image", list(vector_seeds()) +
                 [(f"edge_{name}", data) for name, data in edge_seeds()])
    write_corpus("enc_key", enc_key_seeds())


if __name__ == "__main__":
    main()
