# SMP (mcumgr) device-side sources, added to bleota_core.
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cbor_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cbor_writer.cpp
)
# SMP header and transport framing (serial, BLE GATT, UDP).
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/base64.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ble_reassembly.cpp
  ${CMAKE_CURRENT_LIST_DIR}/crc16.cpp
  ${CMAKE_CURRENT_LIST_DIR}/serial_framing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/smp_header.cpp
)
# SMP server: dispatcher, OS group, device-side transports.
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ble_smp_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/os_group.cpp
  ${CMAKE_CURRENT_LIST_DIR}/serial_smp_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/smp_rc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/smp_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/udp_smp_transport.cpp
)
# Image management group (group 1): upload receiver, slot info, acceptance checks.
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/image_acceptance.cpp
  ${CMAKE_CURRENT_LIST_DIR}/image_group.cpp
  ${CMAKE_CURRENT_LIST_DIR}/image_rc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/slot_image_info.cpp
  ${CMAKE_CURRENT_LIST_DIR}/upload_receiver.cpp
)
