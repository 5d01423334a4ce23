#!/bin/sh
# Guest check (runs inside the BLE VM, see ble_vm.py): bluetoothd manages two powered LE-only
# adapters, and hci1 scanning receives hci0's advertisement (a BLE link between them works).
# Output goes to $BLE_VM_RESULTS (the writable share); exit 0 only when every check passed.
set -u
out=${BLE_VM_RESULTS:?run by ble_vm.py}
mkdir -p "$out"
exec < /dev/null
fail() { echo "guest_two_controllers: FAIL: $*" | tee -a "$out/result.txt"; exit 1; }
# Every tool call is bounded in time.
t() { timeout 20 "$@"; }
# btmgmt quits at end of input before its reply arrives: give it a stdin that never ends.
mkfifo /tmp/btmgmt-stdin && exec 3<> /tmp/btmgmt-stdin || fail "mkfifo"
mgmt() { timeout 20 btmgmt "$@" <&3; }

# The checkout is visible at its host path (also when it lies under /tmp, which the guest
# covers with a tmpfs): later guest scripts run the build's binaries from there.
[ -f "${BLE_VM_REPO:?}/tests/ble_vm/ble_vm.py" ] || fail "the checkout $BLE_VM_REPO is not visible"

prop() {  # prop ADAPTER PROPERTY -> value as busctl prints it (e.g. "b true")
  t busctl --system get-property org.bluez "/org/bluez/$1" org.bluez.Adapter1 "$2"
}

# AutoEnable powers both adapters shortly after bluetoothd registers them.
for hci in hci0 hci1; do
  i=0
  until [ "$(prop $hci Powered 2>/dev/null)" = "b true" ]; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "$hci not powered after 20 s"; sleep 0.2
  done
done
t bluetoothctl list > "$out/bluetoothctl-list.txt" 2>&1 || fail "bluetoothctl list"
cat "$out/bluetoothctl-list.txt"
[ "$(grep -c '^Controller ' "$out/bluetoothctl-list.txt")" -eq 2 ] ||
  fail "bluetoothctl lists $(grep -c '^Controller ' "$out/bluetoothctl-list.txt") controllers, not 2"

addr0=$(prop hci0 Address | sed -n 's/^s "\(.*\)"$/\1/p')
addr1=$(prop hci1 Address | sed -n 's/^s "\(.*\)"$/\1/p')
echo "hci0 $addr0, hci1 $addr1"
echo "$addr0" | grep -Eq '^([0-9A-F]{2}:){5}[0-9A-F]{2}$' || fail "hci0 address '$addr0'"
echo "$addr1" | grep -Eq '^([0-9A-F]{2}:){5}[0-9A-F]{2}$' || fail "hci1 address '$addr1'"
[ "$addr0" != "$addr1" ] || fail "both adapters have address $addr0"

# ControllerMode = le: both powered, LE on, BR/EDR off.
for i in 0 1; do
  mgmt --index $i info > "$out/hci$i-info.txt" 2>&1 || fail "btmgmt --index $i info"
  settings=$(sed -n 's/^[[:space:]]*current settings: //p' "$out/hci$i-info.txt")
  echo "hci$i current settings: $settings"
  case " $settings " in *" powered "*) ;; *) fail "hci$i not powered per mgmt: $settings" ;; esac
  case " $settings " in *" le "*) ;; *) fail "hci$i has LE off: $settings" ;; esac
  case " $settings " in *" br/edr "*) fail "hci$i has BR/EDR on: $settings" ;; esac
done

# hci0 advertises a name no other device has; hci1 scans (LE) until it sees hci0 with it.
# btvirt passes advertising on only when advertising or scanning is switched on, so the
# advertisement is re-added every second while hci1 scans.
name=bleota-vm-$$
hexname=$(printf '%s' "$name" | od -An -tx1 | tr -d ' \n')
len=$(printf '%02x' $((${#name} + 1)))
found=no
for attempt in 1 2 3; do
  timeout 15 btmgmt --index 1 find -l <&3 > "$out/find-$attempt.txt" 2>&1 &
  finder=$!
  for s in 1 2 3 4 5 6 7 8 9 10; do
    mgmt --index 0 rm-adv 1 > /dev/null 2>&1
    mgmt --index 0 add-adv -c -g -d "${len}09${hexname}" 1 >> "$out/add-adv.txt" 2>&1 ||
      fail "btmgmt add-adv on hci0 (see add-adv.txt)"
    sleep 1
    if grep -q "dev_found: $addr0 " "$out/find-$attempt.txt" &&
       grep -q "name $name" "$out/find-$attempt.txt"; then
      found=yes; break
    fi
  done
  kill $finder 2>/dev/null; wait $finder 2>/dev/null
  [ $found = yes ] && break
done
mgmt --index 0 rm-adv 1 > /dev/null 2>&1
cat "$out"/find-*.txt
[ $found = yes ] || fail "hci1 did not see hci0 ($addr0) advertising '$name' in 3 scans"
echo "guest_two_controllers: PASS: two powered LE adapters ($addr0, $addr1);" \
  "hci1 found hci0 advertising '$name'" | tee "$out/result.txt"
