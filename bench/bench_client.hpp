// The SMP client settings every benchmark uses: those of `bleota dfu` (SMP v2, 5 s timeout,
// 3 retries) with a fixed first sequence number, so runs are identical.
#pragma once

#include "bleota/host/smp_client.hpp"

namespace bleota::bench {

inline host::SmpClientOptions BenchClientOptions() {
  host::SmpClientOptions options;
  options.first_sequence = 0;
  return options;
}

}  // namespace bleota::bench
