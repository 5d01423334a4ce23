#!/usr/bin/env python3
"""Writes the seed corpus of the smp_image fuzz target: tests/fuzz/corpus/smp_image/.

Each file is an options byte and a sequence of image-group requests (see smp_image_fuzz.cpp):
whole uploads of imgtool vector images (signed, encrypted, with a security counter, and negative
vectors) as smpmgr and mcumgr-web send them, followed by state writes and reads; resumed,
reordered and overrunning uploads; erase and slot info; malformed payloads. Deterministic; rerun
to refresh:

    tests/fuzz/make_smp_image_seed_corpus.py
"""

import hashlib
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus" / "smp_image"
VECTORS = HERE.parent / "vectors" / "imgtool"

# Command indexes of the target (low bits of the record's command byte); bit 7 = write.
STATE, UPLOAD, ERASE, SLOT_INFO, UNSUPPORTED = 0, 1, 2, 3, 4
WRITE = 0x80


def head(major, value):
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError(value)


def cbor(value):
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return head(0, value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        return head(3, len(value.encode())) + value.encode()
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


def record(command, payload):
    return bytes([command]) + len(payload).to_bytes(2, "big") + payload


def upload(image, chunk, *, sha=True, style="smpmgr", upgrade=False, start=0):
    """Records that upload `image` in order from `start`."""
    out = []
    off = start
    while off < len(image) or off == 0:
        data = image[off:off + chunk]
        if off == 0:
            first = {"off": 0, "data": data}
            if style == "smpmgr":
                first.update({"image": 0, "len": len(image)})
                if sha:
                    first["sha"] = hashlib.sha256(image).digest()
                first["upgrade"] = upgrade
            else:  # mcumgr-web: data first, no image/upgrade
                first = {"data": data, "off": 0, "len": len(image)}
                if sha:
                    first["sha"] = hashlib.sha256(image).digest()
            out.append(record(WRITE | UPLOAD, cbor(first)))
        else:
            out.append(record(WRITE | UPLOAD, cbor({"off": off, "data": data})))
        off += len(data)
        if not data:
            break
    return out


def image_hash(image):
    """The SHA256 TLV of an image (what state write names it by)."""
    hdr_size = int.from_bytes(image[8:10], "little")
    img_size = int.from_bytes(image[12:16], "little")
    prot = int.from_bytes(image[10:12], "little")
    at = hdr_size + img_size + prot + 4
    end = hdr_size + img_size + prot + int.from_bytes(image[at - 2:at], "little")
    while at + 4 <= end:
        kind = int.from_bytes(image[at:at + 2], "little")
        length = int.from_bytes(image[at + 2:at + 4], "little")
        if kind == 0x10:
            return image[at + 4:at + 4 + length]
        at += 4 + length
    return bytes(32)


def vector(name, negative=False):
    return (VECTORS / ("negative" if negative else "images") / f"{name}.bin").read_bytes()


READ_STATE = record(STATE, cbor({}))
SLOT_INFO_READ = record(SLOT_INFO, cbor({}))


def install(image, confirm=False):
    return [record(WRITE | STATE, cbor({"hash": image_hash(image), "confirm": confirm})),
            READ_STATE]


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True)
    seeds = {}
    ecdsa = vector("ecdsa_p256_h200")
    ed25519 = vector("ed25519_h200")
    seeds["read_state"] = (0, [READ_STATE])
    seeds["slot_info"] = (0, [SLOT_INFO_READ])
    seeds["erase"] = (0, [record(WRITE | ERASE, cbor({})), record(WRITE | ERASE, cbor({"slot": 0})),
                          record(WRITE | ERASE, cbor({"slot": 2})), READ_STATE])
    seeds["unsupported"] = (0, [record(WRITE | UNSUPPORTED, cbor({})), record(UPLOAD, cbor({}))])
    seeds["upload_ecdsa_test"] = (0, upload(ecdsa, 512) + install(ecdsa))
    seeds["upload_ecdsa_small_work"] = (2, upload(ecdsa, 300) + install(ecdsa, confirm=True))
    seeds["upload_ed25519_permanent"] = (4, upload(ed25519, 240) + install(ed25519, True))
    seeds["upload_mcumgr_web"] = (0, upload(ed25519, 128, style="web") + install(ed25519))
    seeds["upload_no_sha"] = (0, upload(ecdsa, 700, sha=False))
    seeds["upload_below_counter"] = (8, upload(vector("ecdsa_p256_seccnt"), 512) +
                                     install(vector("ecdsa_p256_seccnt")))
    seeds["upload_seccnt"] = (0, upload(vector("ecdsa_p256_seccnt"), 512) +
                              install(vector("ecdsa_p256_seccnt")))
    seeds["upload_pubkey_full"] = (0, upload(vector("ecdsa_p256_pubkey_full"), 512))
    seeds["upload_unsigned"] = (0, upload(vector("hash_only_h20"), 256))
    for name in ("enc_ec256_aes256", "enc_kw_aes256", "enc_x25519_aes256"):
        image = vector(name)
        seeds[f"upload_{name}_ota"] = (1, upload(image, 400) + install(image))
        seeds[f"upload_{name}_app"] = (0, upload(image, 400) + install(image))
    for name in ("neg_sig_flip", "neg_wrong_key", "neg_hdr_magic", "neg_img_size_too_large",
                 "neg_prot_tlv_magic", "neg_tlv_magic", "neg_truncated_tlv",
                 "neg_protect_tlv_size_mismatch", "neg_enc_wrong_enc_key"):
        image = vector(name, negative=True)
        seeds[f"upload_{name}"] = (1, upload(image, 512) + install(image))
    # Reordered, duplicated and resumed chunks; overrun; too large; upgrade.
    chunks = upload(ecdsa, 500)
    seeds["upload_reordered"] = (0, [chunks[0], chunks[2], chunks[1], chunks[1]] + chunks[2:])
    seeds["upload_resumed"] = (0, chunks[:4] + [chunks[0]] + chunks[4:] + install(ecdsa))
    seeds["upload_restarted_other"] = (0, chunks[:3] + upload(ed25519, 500) + install(ed25519))
    seeds["upload_overrun"] = (0, chunks[:2] + [
        record(WRITE | UPLOAD, cbor({"off": 1000, "data": bytes(len(ecdsa))}))])
    seeds["upload_too_large"] = (0, [record(WRITE | UPLOAD, cbor(
        {"off": 0, "data": ecdsa[:64], "len": 0x100000, "sha": bytes(32)}))])
    seeds["upload_upgrade"] = (0, upload(ecdsa, 1024, upgrade=True))
    seeds["pending_then_erase"] = (0, upload(ecdsa, 512) + install(ecdsa) +
                                   [record(WRITE | ERASE, cbor({}))] + upload(ed25519, 512))
    # Malformed payloads and bad state writes.
    seeds["malformed"] = (0, [
        record(WRITE | UPLOAD, b"\xa1\x63off"), record(WRITE | UPLOAD, b"\x01"),
        record(WRITE | UPLOAD, cbor({"off": "0"})),
        record(WRITE | STATE, cbor({"hash": bytes(31)})),
        record(WRITE | STATE, cbor({"confirm": False})),
        record(WRITE | STATE, cbor({"confirm": True})),
        record(WRITE | STATE, b"\xa2\x67confirm\xf5\x67confirm\xf5"),
        record(WRITE | UPLOAD, b"\xbf\x63off\x00\x64data\x40\xff")])
    for name, (options, records) in sorted(seeds.items()):
        (CORPUS / f"{name}.bin").write_bytes(bytes([options]) + b"".join(records))
    print(f"{len(seeds)} seeds in {CORPUS}")


if __name__ == "__main__":
    main()
