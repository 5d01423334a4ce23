# Sourced by the guest scripts that update a simulated device through BlueZ in the VM
# (guest_dfu_ble.sh, guest_dfu_ble_eatt.sh) from $BLE_VM_REPO/tests/ble_vm, first thing. The
# sourcing script sets $guest (its name, for messages) before, and may set $fail_hook (a command
# fail() runs first, e.g. to save a capture).
out=${BLE_VM_RESULTS:?run by ble_vm.py}
bleota=${BLEOTA:?pass --env BLEOTA=path/to/bleota}
mkdir -p "$out"
exec < /dev/null
fail() {
  [ -n "${fail_hook:-}" ] && $fail_hook
  echo "$guest: FAIL: $*" | tee -a "$out/result.txt"
  [ -f "$out/device.log" ] && tail -n 30 "$out/device.log"
  exit 1
}
note() { echo "$guest: $*"; }
t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }

# Keys as a vendor makes them (docs/cli.md): sign.pem and its public key sign-pub.pem.
make_keys() {
  "$bleota" image keygen -k sign.pem -t ecdsa-p256 > /dev/null || fail "keygen"
  "$bleota" image getpub -k sign.pem -o sign-pub.pem > /dev/null || fail "getpub"
}

sign() {  # VERSION SIZE OUT: a signed image of SIZE payload bytes for the simulated nRF52840
  head -c "$2" /dev/urandom > "app-$1.bin"
  "$bleota" image sign -k sign.pem -H 0x200 --pad-header -S 0x4C000 --align 4 -v "$1" \
    "app-$1.bin" "$3" > /dev/null || fail "sign $3"
}

# NAME IMAGE: the device, provisioned with IMAGE, as a peripheral on hci0 advertising NAME; its
# pid in $device_pid, its log in $out/device.log. BlueZ reads the GAP Device Name once connected
# and shows it as the device's Name: hci0's alias (its GAP name, "BlueZ 5.66" by default) is set
# to the advertised name, as on a real device.
start_device() {
  timeout 5 busctl --system set-property org.bluez /org/bluez/hci0 org.bluez.Adapter1 Alias s \
    "$1" || fail "cannot set hci0's alias"
  "$bleota" sim run --state-dir device --ble bluez --adapter hci0 --ble-name "$1" \
    --provision-image "$2" --sign-key-pub sign-pub.pem \
    > "$out/device.log" 2>&1 &
  device_pid=$!
}

# NAME: `dfu scan` on hci1 until it lists NAME (8 scans of 4 s at most); its address in $address.
await_device() {
  address=
  for attempt in 1 2 3 4 5 6 7 8; do
    kill -0 $device_pid 2>/dev/null || fail "the simulated device exited (device.log)"
    "$bleota" dfu scan --adapter hci1 --timeout 4 --json > "$out/scan.json" 2> "$out/scan.err" ||
      fail "dfu scan: $(cat "$out/scan.err")"
    address=$(jq -r --arg n "$1" '.devices[] | select(.name == $n) | .address' "$out/scan.json")
    [ -n "$address" ] && return 0
  done
  fail "dfu scan did not list '$1' in 8 scans: $(cat "$out/scan.json")"
}

dfu() { "$bleota" dfu --transport ble --adapter hci1 --name "$name" "$@"; }

# The version and flags of the image in slot S of an `image list --json` FILE:
# "2.0.0 active confirmed".
slot() {
  jq -r --argjson s "$1" '.images[] | select(.slot == $s) | .version +
    (if .active then " active" else "" end) + (if .confirmed then " confirmed" else "" end) +
    (if .pending then " pending" else "" end)' "$2"
}

# FILE: after a reset, `image list --json` into FILE once the device is found again (6 tries
# with a 10 s scan each).
await_boot() {
  for attempt in 1 2 3 4 5 6; do
    dfu --scan-timeout 10 image list --json > "$1" 2> "$1.err" && return 0
  done
  fail "the device did not come back after the reset: $(cat "$1.err")"
}
