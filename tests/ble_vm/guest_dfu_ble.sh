#!/bin/sh
# Guest check (runs inside the BLE VM, see ble_vm.py): a whole update over the real Linux
# Bluetooth stack. A simulated device (`bleota sim run --ble bluez`) serves SMP as a BlueZ
# peripheral on hci0; `bleota dfu --transport ble` on hci1 finds it by name, lists its images,
# uploads signed images of 250 KB (one upload stopped by killing the client and continued by
# the next from the device's offset, one across a restart of bluetoothd and one interrupted by a
# disconnect, both resumed by the same client),
# test-boots one, confirms it and checks the final state. $BLEOTA is the bleota executable.
set -u
guest=guest_dfu_ble
. "${BLE_VM_REPO:?run by ble_vm.py}/tests/ble_vm/guest_dfu_common.sh"

# The stage script (ble_vm.py) starts this only when both adapters are powered.

# btmgmt quits when its input ends, before its reply arrives: give it a stdin that never ends.
mkfifo /tmp/btmgmt-stdin && exec 3<> /tmp/btmgmt-stdin || fail "mkfifo"
mgmt() { timeout 20 btmgmt "$@" <&3; }

work=/tmp/dfu-ble
mkdir -p "$work" && cd "$work" || fail "no work directory"

# --- keys and images (as a vendor makes them; docs/cli.md) ---------------------------------
make_keys
sign 1.0.0 30000 v1.img
sign 2.0.0 250000 v2.img
sign 3.0.0 250000 v3.img
sign 2.5.0 250000 v25.img
size2=$(wc -c < v2.img)
size25=$(wc -c < v25.img)
size3=$(wc -c < v3.img)
[ "$size3" -ge 65536 ] || fail "v3.img is only $size3 bytes"

# --- the device: a peripheral on hci0 --------------------------------------------------------
name=bleota-vm
start_device "$name" v1.img
trap 'kill $device_pid 2>/dev/null' EXIT

# --- dfu scan on hci1 until the device shows up ----------------------------------------------
await_device "$name"
"$bleota" dfu scan --adapter hci1 --timeout 2 > "$out/scan.txt" 2>&1 || fail "dfu scan (text)"
cat "$out/scan.txt"
grep -q "^$address .* $name" "$out/scan.txt" || fail "dfu scan text lacks $address $name"
note "scan found $name at $address after $(elapsed) s"

# --- clear errors: a missing adapter, an adapter that is off, a device that is not there ------
expect_error() {  # FILE CODE TEXT COMMAND...: COMMAND fails with exit CODE and says TEXT
  file=$1 code=$2 text=$3; shift 3
  "$@" > "$out/$file" 2>&1; rc=$?
  [ $rc -eq "$code" ] || fail "$* exited $rc, not $code: $(cat "$out/$file")"
  grep -q "$text" "$out/$file" || fail "$* did not say '$text': $(cat "$out/$file")"
}
expect_error error-adapter.txt 8 "no Bluetooth adapter hci7; BlueZ has hci0 (.*), hci1 (" \
  "$bleota" dfu --transport ble --adapter hci7 image list
# (The SMP devices seen are named when the 2 s scan caught bleota-vm's advertisement.)
expect_error error-not-found.txt 8 "no device named 'nosuch' found by hci1 within 2 s" \
  "$bleota" dfu --adapter hci1 --name nosuch --scan-timeout 2 image list
timeout 5 busctl --system set-property org.bluez /org/bluez/hci1 org.bluez.Adapter1 Powered b false ||
  fail "cannot power hci1 off"
expect_error error-off.txt 8 "Bluetooth adapter hci1 (.*) is powered off" \
  "$bleota" dfu scan --adapter hci1 --timeout 1
timeout 5 busctl --system set-property org.bluez /org/bluez/hci1 org.bluez.Adapter1 Powered b true ||
  fail "cannot power hci1 on"
note "errors: missing adapter, device not found, adapter off ($(elapsed) s)"

dfu image list --json > "$out/list-1.json" || fail "image list: $(cat "$out/list-1.json")"
[ "$(slot 0 "$out/list-1.json")" = "1.0.0 active confirmed" ] ||
  fail "before: slot 0 is '$(slot 0 "$out/list-1.json")', not 1.0.0 active confirmed"
note "image list over BLE: slot 0 $(slot 0 "$out/list-1.json") ($(elapsed) s)"

# Waits (up to 120 s) until the upload logged in $1 passed $2 percent.
await_percent() {
  i=0
  until grep -Eq "^progress: .*\(([0-9]+)%\)" "$1" &&
        [ "$(sed -n 's/^progress: .*(\([0-9]*\)%)$/\1/p' "$1" | tail -n 1)" -ge "$2" ]; do
    i=$((i + 1))
    [ $i -gt 1200 ] && return 1
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
}

# --- 1: the client is killed mid-upload; the next one continues from the device's offset ------
# In the background as the executable itself (exec), so that $! is the client's pid.
(exec "$bleota" dfu --transport ble --adapter hci1 --name "$name" image upload v2.img \
  --progress lines --json > "$out/upload-killed.json" 2> "$out/upload-killed.err") &
client=$!
await_percent "$out/upload-killed.err" 30 $client || fail "upload of v2 did not pass 30%: $(cat "$out/upload-killed.err")"
kill -KILL $client; wait $client 2>/dev/null
killed_at=$(sed -n 's/^progress: \([0-9]*\)\/.*/\1/p' "$out/upload-killed.err" | tail -n 1)
note "client killed at $killed_at of $size2 bytes ($(elapsed) s)"
dfu image upload v2.img --json > "$out/upload-continued.json" 2> "$out/upload-continued.err" ||
  fail "continued upload: $(cat "$out/upload-continued.err")"
resumed_from=$(jq -r '.resumed_from' "$out/upload-continued.json")
[ "$resumed_from" != null ] && [ "$resumed_from" -ge "$killed_at" ] ||
  fail "the second upload did not continue from the device's offset (resumed_from $resumed_from, killed at $killed_at)"
[ "$(jq -r '.upload.match' "$out/upload-continued.json")" = true ] || fail "v2: no hash match"
note "the next client continued at offset $resumed_from (>= $killed_at), device hash match ($(elapsed) s)"

# --- 2: bluetoothd dies mid-upload; the stage's supervisor starts it again (as D-Bus activation
# does on a systemd host), the device registers again and the same client reconnects and resumes
bluetoothd_pid() {  # shell builtins only: a process per /proc entry takes seconds under TCG
  for p in /proc/[0-9]*; do
    comm=; read -r comm < "$p/comm" 2>/dev/null
    [ "$comm" = bluetoothd ] && echo "${p#/proc/}"
  done
}
old_pid=$(bluetoothd_pid)
[ -n "$old_pid" ] || fail "no bluetoothd process"
(exec "$bleota" dfu --transport ble --adapter hci1 --name "$name" image upload v25.img \
  --progress lines --json > "$out/upload-bluetoothd.json" 2> "$out/upload-bluetoothd.err") &
client=$!
await_percent "$out/upload-bluetoothd.err" 1 $client || fail "upload of v2.5 did not start: $(cat "$out/upload-bluetoothd.err")"
kill -KILL $old_pid
killed_bluez_at=$(sed -n 's/^progress: \([0-9]*\)\/.*/\1/p' "$out/upload-bluetoothd.err" | tail -n 1)
note "bluetoothd (pid $old_pid) killed at $killed_bluez_at of $size25 bytes ($(elapsed) s)"
wait $client || fail "upload across the bluetoothd restart failed: $(cat "$out/upload-bluetoothd.err")"
u=$out/upload-bluetoothd.json
[ "$(jq -r '.upload.match' "$u")" = true ] || fail "v2.5: no hash match"
[ "$(jq -r '.link.bluez_restarts' "$u")" -ge 1 ] ||
  fail "the client did not wait for bluetoothd: $(jq -c '.link' "$u")"
[ "$(jq -r '.upload.bytes_sent' "$u")" -lt $((size25 + killed_bluez_at)) ] ||
  fail "the upload started again instead of resuming after the bluetoothd restart: $(jq -c '.upload' "$u")"
[ "$(bluetoothd_pid)" != "$old_pid" ] || fail "bluetoothd was not restarted"
grep -q "bluetoothd is back" "$out/device.log" || fail "the device did not register again"
note "resumed after bluetoothd restarted: $(jq -r '.upload.bytes_sent' "$u") bytes sent for $size25 ($(elapsed) s)"
jq -M -c '.link' "$u"

# --- 3: a disconnect mid-upload; the same client reconnects and resumes ----------------------
(exec "$bleota" dfu --transport ble --adapter hci1 --name "$name" image upload v3.img \
  --progress lines --json > "$out/upload-disconnected.json" 2> "$out/upload-disconnected.err") &
client=$!
await_percent "$out/upload-disconnected.err" 20 $client || fail "upload of v3 did not pass 20%: $(cat "$out/upload-disconnected.err")"
cut_at=$(sed -n 's/^progress: \([0-9]*\)\/.*/\1/p' "$out/upload-disconnected.err" | tail -n 1)
# The link as the kernel sees it on hci1, then a disconnect of exactly that connection (mgmt
# Disconnect with its address type, as `bluetoothctl disconnect` would do through BlueZ).
mgmt --index 1 con > "$out/connections.txt" 2>&1
type=$(sed -n "s/^$address type \(.*\)$/\1/p" "$out/connections.txt" | head -n 1)
case "$type" in
  "LE Public") type_number=1 ;;
  "LE Random") type_number=2 ;;
  *) fail "hci1 has no LE connection to $address: $(cat "$out/connections.txt")" ;;
esac
mgmt --index 1 disconnect -t $type_number "$address" > "$out/disconnect.txt" 2>&1 ||
  fail "btmgmt disconnect: $(cat "$out/disconnect.txt")"
note "disconnected $address at $cut_at of $size3 bytes ($(elapsed) s)"
wait $client || fail "upload across the disconnect failed: $(cat "$out/upload-disconnected.err")"
u=$out/upload-disconnected.json
[ "$(jq -r '.upload.match' "$u")" = true ] || fail "v3: no hash match"
connections=$(jq -r '.link.connections' "$u")
disconnects=$(jq -r '.link.disconnects' "$u")
sent=$(jq -r '.upload.bytes_sent' "$u")
[ "$connections" -ge 2 ] && [ "$disconnects" -ge 1 ] ||
  fail "the client did not reconnect (connections $connections, disconnects $disconnects)"
# Restarting from 0 would send at least size + cut_at bytes; resuming sends the image once plus
# what was in flight when the link dropped.
[ "$sent" -lt $((size3 + cut_at)) ] ||
  fail "the upload sent $sent bytes for $size3: it started again instead of resuming after $cut_at"
note "resumed after the disconnect: $sent bytes sent for $size3, $connections connections ($(elapsed) s)"
jq -M -c '.link' "$u"

# --- 4: test, reset, the device boots v3, confirm ----------------------------------------------
hash3=$(jq -r '.image.hash' "$u")
dfu image test "$hash3" --json > "$out/test.json" || fail "image test: $(cat "$out/test.json")"
dfu reset > "$out/reset.txt" 2>&1 || fail "reset: $(cat "$out/reset.txt")"
await_boot "$out/list-2.json"
[ "$(slot 0 "$out/list-2.json")" = "3.0.0 active" ] ||
  fail "after the reset slot 0 is '$(slot 0 "$out/list-2.json")', not 3.0.0 active"
note "booted: slot 0 $(slot 0 "$out/list-2.json") ($(elapsed) s)"
dfu image confirm --json > "$out/confirm.json" || fail "image confirm: $(cat "$out/confirm.json")"
dfu image list --json > "$out/list-3.json" || fail "final image list"
[ "$(slot 0 "$out/list-3.json")" = "3.0.0 active confirmed" ] ||
  fail "final: slot 0 is '$(slot 0 "$out/list-3.json")', not 3.0.0 active confirmed"
kill -0 $device_pid 2>/dev/null || fail "the simulated device exited"
echo "guest_dfu_ble: PASS: scan, image list, upload resumed after a killed client (from offset" \
  "$resumed_from), after a bluetoothd restart and after a disconnect ($sent bytes for $size3), test," \
  "reset, 3.0.0 booted and" \
  "confirmed, in $(elapsed) s" | tee "$out/result.txt"
