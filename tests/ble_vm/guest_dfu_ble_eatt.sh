#!/bin/sh
# Guest check (runs inside the BLE VM, see ble_vm.py; run with --gatt-channels 3): an update over
# EATT. bluetoothd opens several ATT bearers per connection, over which BlueZ 5.66 may deliver the
# Write Commands of one SMP request out of order. `bleota dfu --transport ble
# --one-write-per-request` on hci1 makes every request one Write Command; it uploads a signed
# image of at least 64 KiB to a simulated device (`bleota sim run --ble bluez`) on hci0,
# test-boots it and confirms it. btmon records the HCI traffic: the L2CAP credit-based
# connections on the EATT PSM (39) say how many bearers the link really had. $BLEOTA is the bleota
# executable.
set -u
guest=guest_dfu_ble_eatt
# On a failure, the capture so far is decoded for a look.
save_capture() {
  [ -n "${btmon_pid:-}" ] && kill $btmon_pid 2>/dev/null && sleep 1 && btmon -r "$out/hci.btsnoop" > "$out/hci.txt" 2>&1
}
fail_hook=save_capture
. "${BLE_VM_REPO:?run by ble_vm.py}/tests/ble_vm/guest_dfu_common.sh"
channels=${BLE_VM_GATT_CHANNELS:-1}

[ "$channels" -gt 1 ] || fail "bluetoothd runs with [GATT] Channels = $channels: no EATT (run with --gatt-channels 3)"
grep -q "^Channels = $channels$" /run/ble-vm/main.conf || fail "main.conf lacks Channels = $channels"

work=/tmp/dfu-ble-eatt
mkdir -p "$work" && cd "$work" || fail "no work directory"

# --- HCI capture of both controllers (for the bearer count) ---------------------------------
btmon -w "$out/hci.btsnoop" > /dev/null 2>&1 &
btmon_pid=$!
device_pid=
trap 'kill $btmon_pid $device_pid 2>/dev/null' EXIT

# --- keys, images and the device (guest_dfu_common.sh) ---------------------------------------
make_keys
sign 1.0.0 30000 v1.img
sign 2.0.0 70000 v2.img
size2=$(wc -c < v2.img)
[ "$size2" -ge 65536 ] || fail "v2.img is only $size2 bytes"
hash2=$("$bleota" image info --json v2.img | jq -r '.sha256') || fail "image info v2.img"
[ ${#hash2} -eq 64 ] || fail "no SHA256 TLV hash for v2.img: '$hash2'"

name=bleota-eatt
start_device "$name" v1.img
await_device "$name"
note "scan found $name after $(elapsed) s"

# --- the upload, one Write Command per request -----------------------------------------------
# A first Device1.Connect that timed out (exit 8, seen once in the VM with EATT) is tried once more.
for attempt in 1 2; do
  dfu --one-write-per-request image upload v2.img --progress none --json \
    > "$out/upload.json" 2> "$out/upload.err"
  rc=$?
  [ $rc -eq 8 ] && [ $attempt -eq 1 ] && grep -q "cannot connect" "$out/upload.json" || break
  note "the first connection failed, trying again: $(jq -r '.error.message' "$out/upload.json")"
done
[ $rc -eq 0 ] || fail "upload (exit $rc): $(cat "$out/upload.err" "$out/upload.json")"
u=$out/upload.json
[ "$(jq -r '.upload.match' "$u")" = true ] || fail "v2: no hash match: $(cat "$u")"
[ "$(jq -r '.link.one_write_per_request' "$u")" = true ] || fail "the link summary lacks one_write_per_request"
write_size=$(jq -r '.link.write_size' "$u")
packet_limit=$(jq -r '.upload.packet_limit' "$u")
[ "$packet_limit" -le "$write_size" ] ||
  fail "requests of up to $packet_limit bytes for writes of $write_size bytes"
writes=$(jq -r '.link.writes' "$u")
requests=$(jq -r '.upload.requests' "$u")
# One write per request: the writes of this connection are the upload's requests plus the few
# before it (params); cut requests would make several times as many.
[ "$writes" -le $((requests + 8)) ] || fail "$writes writes for $requests requests"
seconds=$(jq -r '.upload.seconds' "$u")
note "uploaded $size2 bytes in $seconds s: $requests requests for $writes writes of at most" \
  "$write_size bytes (ATT MTU $(jq -r '.link.att_mtu' "$u")), $(jq -r '.upload.timeouts' "$u")" \
  "timeouts, $(jq -r '.upload.resumes' "$u") resumes ($(elapsed) s)"
jq -M -c '{upload: .upload | {requests, bytes_sent, timeouts, resumes, stale_replies, window, max_chunk, seconds}, link}' "$u"

# --- how many ATT bearers: L2CAP credit-based connections on the EATT PSM in the capture ------
kill $btmon_pid 2>/dev/null; wait $btmon_pid 2>/dev/null
btmon -r "$out/hci.btsnoop" > "$out/hci.txt" 2>&1 || fail "btmon -r"
# The EATT bearers are L2CAP credit-based channels on PSM 39: counted from the connection
# requests a controller sent (kernel 6.1 without ECRED opens them with "LE Connection Request",
# one per channel; with ECRED one "Enhanced Credit Connection Request" names several CIDs).
# Write Commands carried by a credit-based channel are decoded under a "Channel: CID ... [PSM 39"
# line, those on the fixed ATT channel (CID 4) right under the ACL header.
eatt_requests=$(awk '/^< ACL Data TX/ { tx = 1; next } /^[<>@] / { tx = 0 }
  tx && /L2CAP: (LE|Enhanced Credit) Connection Request/ { req = 1; next }
  req && /PSM: 39 / { n++ } { req = 0 } END { print n + 0 }' "$out/hci.txt")
awk '/^[<>@] / { chan = "4 (fixed)" } /^ +Channel: [0-9]+ .*PSM 39/ { chan = $2 }
  /ATT: Write Command/ { n[chan]++ }
  END { for (c in n) printf "CID %s: %d\n", c, n[c] }' "$out/hci.txt" | sort > "$out/write-bearers.txt"
bearers=$(wc -l < "$out/write-bearers.txt")
note "capture: $eatt_requests EATT channel connection requests (PSM 39); Write Commands seen per" \
  "ATT bearer: $(tr '\n' ' ' < "$out/write-bearers.txt")(btmon may miss frames under load)"
[ "$eatt_requests" -ge 1 ] || fail "no L2CAP channel on the EATT PSM 39: EATT was not used"
grep -q "PSM 39" "$out/hci.txt" || fail "no ATT traffic over an EATT channel"

# --- test, reset, boot, confirm ----------------------------------------------------------------
dfu image test "$hash2" --json > "$out/test.json" || fail "image test: $(cat "$out/test.json")"
dfu reset > "$out/reset.txt" 2>&1 || fail "reset: $(cat "$out/reset.txt")"
await_boot "$out/list-1.json"
[ "$(slot 0 "$out/list-1.json")" = "2.0.0 active" ] ||
  fail "after the reset slot 0 is '$(slot 0 "$out/list-1.json")', not 2.0.0 active"
dfu --one-write-per-request image confirm --json > "$out/confirm.json" ||
  fail "image confirm: $(cat "$out/confirm.json")"
dfu image list --json > "$out/list-2.json" || fail "final image list"
[ "$(slot 0 "$out/list-2.json")" = "2.0.0 active confirmed" ] ||
  fail "final: slot 0 is '$(slot 0 "$out/list-2.json")', not 2.0.0 active confirmed"
final_hash=$(jq -r '.images[] | select(.slot == 0) | .hash' "$out/list-2.json")
[ "$final_hash" = "$hash2" ] || fail "slot 0's hash $final_hash is not v2.img's $hash2"
kill -0 $device_pid 2>/dev/null || fail "the simulated device exited"
echo "guest_dfu_ble_eatt: PASS: Channels = $channels, EATT in use ($eatt_requests EATT" \
  "channels opened, writes on $bearers bearers: $(tr '\n' ' ' < "$out/write-bearers.txt")), $size2 bytes uploaded with" \
  "--one-write-per-request in $seconds s ($requests requests), 2.0.0 booted and confirmed," \
  "hash $final_hash, in $(elapsed) s" | tee "$out/result.txt"
