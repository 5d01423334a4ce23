#!/bin/sh
# Guest check (runs inside the BLE VM, see ble_vm.py): `bleota sim run --ble bluez` serves the
# SMP GATT service through BlueZ on hci0; a central on hci1 made of BlueZ's own tools
# (bluetoothctl for the parts BlueZ ties to a client's bus connection: discovery and
# notifications; busctl for the rest) finds it by service UUID, connects, writes SMP requests as
# Write Commands and reads the replies from the notifications (dbus-monitor). Then an SMP reset:
# the device drops the link, boots, advertises again and answers on a new connection; and the
# same in the bootloader's OTA mode (entered through the simulator's controls).
# Needs BLEOTA (the bleota executable, ble_vm.py run --env BLEOTA=...). Exit 0 only when every
# check passed.
set -u
out=${BLE_VM_RESULTS:?run by ble_vm.py}
mkdir -p "$out"
exec < /dev/null
bleota=${BLEOTA:?give --env BLEOTA=path/to/bleota}
work=/tmp/sim-peripheral
mkdir -p "$work"
cd "$work" || exit 1
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
fail() {
  echo "guest_sim_peripheral: FAIL: $*" | tee -a "$out/result.txt" >&2
  tail -n 30 "$out/device.log" >&2 2>/dev/null
  exit 1
}
t() { timeout 20 "$@"; }
svc=8d53dc1d-1db7-4cd3-868b-8a527460aa84
chr_uuid=da2e7828-fbce-4e01-ae9e-261174997c48

# The stage script (ble_vm.py) starts this only when both adapters are powered.
addr0=$(t busctl --system get-property org.bluez /org/bluez/hci0 org.bluez.Adapter1 Address | sed -n 's/^s "\(.*\)"$/\1/p')
addr1=$(t busctl --system get-property org.bluez /org/bluez/hci1 org.bluez.Adapter1 Address | sed -n 's/^s "\(.*\)"$/\1/p')
dev=/org/bluez/hci1/dev_$(echo "$addr0" | tr ':' '_')
echo "hci0 $addr0 (device), hci1 $addr1 (central); the central's object for the device: $dev"

# --- the simulated device on hci0 ---------------------------------------------------------------
t "$bleota" image keygen -k sign.pem -t ecdsa-p256 > /dev/null || fail "keygen"
t "$bleota" image getpub -k sign.pem -o sign-pub.pem > /dev/null || fail "getpub"
head -c 30000 /dev/urandom > app.bin
t "$bleota" image sign -k sign.pem -H 0x200 --pad-header -S 0x4C000 --align 4 -v 1.2.3 \
  app.bin v1.img > /dev/null || fail "sign"
# The longest name --ble-name takes (29 bytes): BlueZ must carry it whole (scan response).
name=$(printf "bleota-vm-%019d" $$)
# A missing adapter is a clear error naming the adapters there are (exit 8: transport).
"$bleota" sim run --state-dir dev-bad --provision-image v1.img --sign-key-pub sign-pub.pem \
  --ble bluez --adapter hci7 > "$out/bad-adapter.txt" 2>&1 < /dev/null
rc=$?
cat "$out/bad-adapter.txt" | tail -n 1
[ $rc -eq 8 ] || fail "--adapter hci7 exited $rc, not 8"
grep -q "no Bluetooth adapter hci7; BlueZ has hci0 ($addr0), hci1 ($addr1)" "$out/bad-adapter.txt" ||
  fail "--adapter hci7: unexpected message"
"$bleota" sim run --state-dir dev --provision-image v1.img --sign-key-pub sign-pub.pem \
  --ble bluez --adapter hci0 --ble-name "$name" > "$out/device.log" 2>&1 &
device=$!
pids="$pids $device"
i=0
until grep -q "bluez: advertising '$name' on hci0" "$out/device.log"; do
  kill -0 $device 2>/dev/null || fail "bleota sim run exited (see device.log)"
  i=$((i + 1)); [ $i -gt 100 ] && fail "the device did not advertise within 20 s"; sleep 0.2
done
echo "device advertising as '$name'"

# --- the central on hci1 -----------------------------------------------------------------------
# Notifications arrive as PropertiesChanged(Value) on the central's characteristic object.
dbus-monitor --system "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='$dev'" \
  > "$out/monitor.txt" 2>&1 &
pids="$pids $!"
# bluetoothctl keeps the discovery session and the notification session (BlueZ ends both when
# their client leaves the bus): it reads commands from a FIFO that stays open.
mkfifo /tmp/btctl-in && exec 3<> /tmp/btctl-in || fail "mkfifo"
bluetoothctl <&3 > "$out/bluetoothctl.txt" 2>&1 &
pids="$pids $!"
ctl() { echo "$*" >&3; sleep 0.3; }
ctl "select $addr1"
ctl "menu scan"
ctl "transport le"
ctl "uuids $svc"
ctl "back"

prop() { t busctl --system get-property org.bluez "$1" "$2" "$3" 2>/dev/null; }

# Scans (filter: LE, the SMP UUID) until hci1 knows the device with the SMP service, connects
# and waits for ServicesResolved. $1: the label for messages.
connect() {
  ctl "scan on"
  i=0
  until prop "$dev" org.bluez.Device1 UUIDs | grep -q "$svc"; do
    i=$((i + 1)); [ $i -gt 150 ] && fail "$1: hci1 did not discover the SMP service of $addr0 in 30 s"
    sleep 0.2
  done
  ctl "scan off"
  devname=$(prop "$dev" org.bluez.Device1 Name)
  echo "$1: discovered $addr0 by service UUID, Name: $devname"
  case "$devname" in "s \"$name\"") ;; *) fail "$1: the device's name is $devname, not '$name'" ;; esac
  tries=0
  until t busctl --system call org.bluez "$dev" org.bluez.Device1 Connect > "$out/connect.txt" 2>&1; do
    tries=$((tries + 1)); [ $tries -ge 3 ] && fail "$1: Connect failed 3 times: $(cat "$out/connect.txt")"
    sleep 1
  done
  i=0
  until [ "$(prop "$dev" org.bluez.Device1 ServicesResolved)" = "b true" ]; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "$1: services not resolved within 20 s"; sleep 0.2
  done
  chr=""
  for path in $(t busctl --system tree --list org.bluez | grep "^$dev/service[0-9a-f]*/char[0-9a-f]*$"); do
    if [ "$(prop "$path" org.bluez.GattCharacteristic1 UUID)" = "s \"$chr_uuid\"" ]; then chr=$path; fi
  done
  [ -n "$chr" ] || fail "$1: no SMP characteristic under $dev"
  echo "$1: connected; SMP characteristic $chr, MTU $(prop "$chr" org.bluez.GattCharacteristic1 MTU)"
  ctl "menu gatt"
  ctl "select-attribute $chr"
  ctl "notify on"
  ctl "back"
  i=0
  until [ "$(prop "$chr" org.bluez.GattCharacteristic1 Notifying)" = "b true" ]; do
    i=$((i + 1)); [ $i -gt 50 ] && fail "$1: notifications not enabled within 10 s"; sleep 0.2
  done
}

# The notifications seen so far, one line of hex bytes each. dbus-monitor prints a value of
# printable bytes as a string (array of bytes "eee"): those are turned back into hex.
notifications() {
  awk 'BEGIN { for (c = 32; c < 127; c++) hex[sprintf("%c", c)] = sprintf("%02x", c) }
       /array of bytes "/ {
         text = $0; sub(/^[^"]*"/, "", text); sub(/"[^"]*$/, "", text); line = ""
         for (i = 1; i <= length(text); i++) line = line (i > 1 ? " " : "") hex[substr(text, i, 1)]
         print line; next }
       /array of bytes \[/ { grab = 1; line = ""; next }
       grab && /\]/ { grab = 0; print line; next }
       grab { for (i = 1; i <= NF; i++) line = line (line == "" ? "" : " ") $i }' "$out/monitor.txt"
}

# write LABEL HEX: one Write Command.
write() {
  t busctl --system call org.bluez "$chr" org.bluez.GattCharacteristic1 WriteValue 'aya{sv}' \
    "$(echo "$2" | wc -w)" $(for b in $2; do printf '%d ' "0x$b"; done) 1 type s command \
    > "$out/write.txt" 2>&1 || fail "$1: WriteValue: $(cat "$out/write.txt")"
}

# smp LABEL HEX-REQUEST HEX-REPLY-PREFIX: writes the request as one Write Command and waits up to
# 10 s for a notification starting with the expected header; prints that notification.
smp() {
  before=$(notifications | wc -l)
  write "$1" "$2"
  i=0
  while :; do
    reply=$(notifications | tail -n +$((before + 1)) | grep "^$3" | head -n 1)
    [ -n "$reply" ] && break
    i=$((i + 1)); [ $i -gt 50 ] && fail "$1: no notification starting '$3' within 10 s"
    sleep 0.2
  done
  echo "$reply"
}

connect "first connection"

# OS echo (group 0, id 0), sequence 0x21: {"d": "hello"} -> {"r": "hello"}.
reply=$(smp "echo" "02 00 00 09 00 00 21 00 a1 61 64 65 68 65 6c 6c 6f" "03 00 00 09 00 00 21 00") || exit 1
echo "echo reply: $reply"
[ "$reply" = "03 00 00 09 00 00 21 00 a1 61 72 65 68 65 6c 6c 6f" ] || fail "echo reply '$reply'"

# Image state read (group 1, id 0), sequence 0x22: the reply lists the provisioned image 1.2.3.
reply=$(smp "image list" "00 00 00 01 00 01 22 00 a0" "01 00 .. .. 00 01 22 00") || exit 1
echo "image list reply: $reply"
hex_images=$(printf 'images' | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
hex_version=$(printf '1.2.3' | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
case "$reply" in *"$hex_images"*"$hex_version"*) ;; *) fail "image list reply lacks images/1.2.3" ;; esac

# A 700-byte echo in two writes (the device reassembles the request): its 714-byte reply comes
# in notifications of at most 512 bytes (ATT_MTU 517 - 3 = 514, but an attribute value is at most
# 512 bytes and BlueZ's central cuts longer notifications to 512).
before=$(notifications | wc -l)
text=$(printf '%0700d' 0 | tr 0 e)
hex_text=$(printf '%s' "$text" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
request="02 00 02 c2 00 00 25 00 a1 61 64 79 02 bc $hex_text"  # payload 706 bytes
write "long echo 1/2" "$(echo "$request" | cut -d' ' -f1-400)"
write "long echo 2/2" "$(echo "$request" | cut -d' ' -f401-)"
i=0
until [ "$(notifications | tail -n +$((before + 1)) | wc -w)" -ge 714 ]; do
  i=$((i + 1)); [ $i -gt 50 ] && fail "long echo: $(notifications | tail -n +$((before + 1)) | wc -w) of 714 reply bytes within 10 s"
  sleep 0.2
done
sizes=$(notifications | tail -n +$((before + 1)) | while read -r line; do echo "$line" | wc -w; done | tr '\n' ' ')
echo "long echo: reply in notifications of $sizes bytes"
[ "$sizes" = "512 202 " ] || fail "long echo: notification sizes $sizes, expected 512 202"
joined=$(notifications | tail -n +$((before + 1)) | tr '\n' ' ' | sed 's/ $//')
[ "$joined" = "03 00 02 c2 00 00 25 00 a1 61 72 79 02 bc $hex_text" ] || fail "long echo: reply differs"

# OS reset (group 0, id 5), sequence 0x23: the reply, then the device resets and drops the link.
boots_before=$(grep -c '\] boot [0-9]* ' "$out/device.log")
reply=$(smp "reset" "02 00 00 01 00 00 23 05 a0" "03 00 .. .. 00 00 23 05") || exit 1
echo "reset reply: $reply"
i=0
until [ "$(prop "$dev" org.bluez.Device1 Connected)" = "b false" ]; do
  i=$((i + 1)); [ $i -gt 50 ] && fail "the link is still up 10 s after the reset"; sleep 0.2
done
boots_after=$(grep -c '\] boot [0-9]* ' "$out/device.log")
[ "$boots_after" -gt "$boots_before" ] || fail "the device did not boot again after the reset"
echo "device reset (boots $boots_before -> $boots_after) and dropped the link"
# The central forgets the device, so finding it again needs its new advertisement.
t busctl --system call org.bluez /org/bluez/hci1 org.bluez.Adapter1 RemoveDevice o "$dev" ||
  fail "RemoveDevice"

connect "after the reset"
reply=$(smp "echo after reset" "02 00 00 09 00 00 24 00 a1 61 64 65 77 6f 72 6c 64" "03 00 00 09 00 00 24 00") || exit 1
echo "echo reply after reset: $reply"
[ "$reply" = "03 00 00 09 00 00 24 00 a1 61 72 65 77 6f 72 6c 64" ] || fail "echo reply after reset '$reply'"

# The bootloader's OTA mode serves too: the app stops advertising (its advertisement is
# withdrawn), the watchdog resets the device into OTA mode (the controls drop the link), which
# advertises; a new connection gets an echo answered by the bootloader.
ctl_dev() { t "$bleota" sim ctl --state-dir dev "$@"; }
ctl_dev app no-advertising > "$out/ctl.txt" 2>&1 || fail "sim ctl app no-advertising: $(cat "$out/ctl.txt")"
ctl_dev advance 31 >> "$out/ctl.txt" 2>&1 || fail "sim ctl advance: $(cat "$out/ctl.txt")"
ctl_dev status > "$out/status-ota.txt" 2>&1 || fail "sim ctl status"
grep -q "mode=ota" "$out/status-ota.txt" || fail "not in OTA mode: $(cat "$out/status-ota.txt")"
i=0
until [ "$(prop "$dev" org.bluez.Device1 Connected)" = "b false" ]; do
  i=$((i + 1)); [ $i -gt 50 ] && fail "the link is still up 10 s after the watchdog reset"; sleep 0.2
done
echo "device in OTA mode ($(cut -d' ' -f1 "$out/status-ota.txt")), link dropped"
t busctl --system call org.bluez /org/bluez/hci1 org.bluez.Adapter1 RemoveDevice o "$dev" ||
  fail "RemoveDevice"
connect "OTA mode"
reply=$(smp "echo in OTA mode" "02 00 00 07 00 00 26 00 a1 61 64 63 6f 74 61" "03 00 00 07 00 00 26 00") || exit 1
echo "echo reply in OTA mode: $reply"
[ "$reply" = "03 00 00 07 00 00 26 00 a1 61 72 63 6f 74 61" ] || fail "echo reply in OTA mode '$reply'"
t busctl --system call org.bluez "$dev" org.bluez.Device1 Disconnect > /dev/null 2>&1

kill $device; wait $device 2>/dev/null
grep -q "^stopped" "$out/device.log" || fail "the device did not stop cleanly on SIGTERM"
echo "guest_sim_peripheral: PASS: '$name' on hci0 found by UUID from hci1, echo, image list," \
  "a 700-byte echo (notifications of 512 and 202 bytes), reset, re-advertised, echo on a new" \
  "connection, echo in the bootloader's OTA mode" | tee "$out/result.txt"
