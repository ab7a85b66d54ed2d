#include "fs/name_filter.h"

#include <cerrno>

namespace objfs::fs {

bool IsValidName(std::string_view segment) {
  if (segment.empty() || segment == "." || segment == "..") return false;
  if (segment.size() > kMaxNameBytes) return false;
  return segment.find('\0') == std::string_view::npos && segment.find('/') == std::string_view::npos;
}

int CheckNewName(std::string_view name) {
  if (name.size() > kMaxNameBytes) return ENAMETOOLONG;
  if (!IsValidName(name)) return EINVAL;
  return 0;
}

}  // namespace objfs::fs
