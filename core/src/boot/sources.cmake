# Boot logic sources (bootloader state machine, boot state journal, swap), added to bleota_core.
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/platform.cpp
)
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/../crc32.cpp
  ${CMAKE_CURRENT_LIST_DIR}/boot_state.cpp
  ${CMAKE_CURRENT_LIST_DIR}/boot_state_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_journal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/upload_record.cpp
  ${CMAKE_CURRENT_LIST_DIR}/upload_state_store.cpp
)
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/slot_geometry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/swap_engine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sector_copy.cpp
)
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/bootloader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/device_keys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/flash_layout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/image_control.cpp
  ${CMAKE_CURRENT_LIST_DIR}/retained_record.cpp
  ${CMAKE_CURRENT_LIST_DIR}/security_counter.cpp
)
