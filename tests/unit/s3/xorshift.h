// XorShift32: a tiny deterministic pseudo-random sequence for the parsers'
// corruption tests (same seed, same inputs on every run).
// Thread-safety: a value; one per test.
#pragma once

#include <cstdint>

namespace objfs::s3::testing {

struct XorShift32 {
  uint32_t state;
  uint32_t operator()() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

}  // namespace objfs::s3::testing
