#include "cli/mount_table.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace objfs::cli {

std::string UnescapeMountField(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() &&
        field[i + 1] >= '0' && field[i + 1] <= '3' && field[i + 2] >= '0' && field[i + 2] <= '7' &&
        field[i + 3] >= '0' && field[i + 3] <= '7') {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

MountTable MountTable::Parse(std::string_view text) {
  MountTable table;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    std::vector<std::string_view> fields;
    size_t pos = 0;
    while (pos < line.size()) {
      size_t sp = line.find(' ', pos);
      if (sp == std::string_view::npos) sp = line.size();
      if (sp > pos) fields.push_back(line.substr(pos, sp - pos));
      pos = sp + 1;
    }
    if (fields.size() < 7) continue;
    size_t dash = 6;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash + 2 >= fields.size()) continue;
    MountEntry entry;
    entry.device = std::string(fields[2]);
    entry.mountpoint = UnescapeMountField(fields[4]);
    entry.fstype = UnescapeMountField(fields[dash + 1]);
    entry.source = UnescapeMountField(fields[dash + 2]);
    table.entries_.push_back(std::move(entry));
  }
  return table;
}

Result<MountTable> MountTable::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status(Code::kInternal, "cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str());
}

std::optional<MountEntry> MountTable::Find(const std::string& mountpoint) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->mountpoint == mountpoint) return *it;
  }
  return std::nullopt;
}

}  // namespace objfs::cli
