// Name rules: which S3 key segments can be file names, and which names a
// caller may create. Keys that cannot be names ("a//b" has an empty segment,
// ".", "..", longer than 255 bytes, containing NUL) are skipped by listings
// and lookups, never shadowing another entry.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace objfs::fs {

inline constexpr size_t kMaxNameBytes = 255;

// True when `segment` (one key segment between '/') can be shown as a name.
bool IsValidName(std::string_view segment);

// 0 when `name` may be created or looked up, else the errno a caller gets:
// ENAMETOOLONG past 255 bytes, EINVAL for "", ".", "..", '/' or NUL inside.
int CheckNewName(std::string_view name);

}  // namespace objfs::fs
