# Compile options shared by all targets, and the freestanding flags for device code.

# Device code (core/, crypto/, ports/) is always built freestanding-style, on the host too, so the
# host tests exercise exactly what runs on the part.
add_library(bleota_device_flags INTERFACE)
target_compile_options(bleota_device_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>
  -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion)

add_library(bleota_host_flags INTERFACE)
# Designated initializers that leave defaulted members out are the idiom for option structs;
# GCC 12 warns about them anyway.
# GCC 12 also reports libstdc++'s own std::regex/std::function internals as maybe-uninitialized
# at -O1 (a known false positive); host code only.
target_compile_options(bleota_host_flags INTERFACE -Wall -Wextra
                       $<$<COMPILE_LANGUAGE:CXX>:-Wno-missing-field-initializers>
                       $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)

if(BLEOTA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined
                      # vptr checks need RTTI, which device code does not have.
                      -fno-sanitize=vptr)
  add_link_options(-fsanitize=address,undefined)
endif()

if(BLEOTA_DEVICE)
  add_compile_options(-ffunction-sections -fdata-sections)
endif()

# Command-line parsing code (CLI11's templates) takes most of the host tools' build time and
# gains nothing from -O3: in optimized builds these files are compiled at -O1. About 15 s less
# for a first `./scripts/demo` on two cores.
function(bleota_cli_sources)
  set_property(SOURCE ${ARGN} DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} APPEND
               PROPERTY COMPILE_OPTIONS $<$<CONFIG:Release>:-O1>)
endfunction()
