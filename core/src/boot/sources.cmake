# Boot logic sources (bootloader state machine, boot state journal, swap), added to bleota_core.
target_sources(bleota_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/platform.cpp
)
