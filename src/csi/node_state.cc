#include "csi/node_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/log.h"
#include "csi/mount_ops.h"
#include "s3/hash.h"

namespace objfs::csi {
namespace {

constexpr char kHeader[] = "objfs-csi staged volume v1";

// Values may hold any byte but '\n' and '\\' are escaped so one entry is one line.
std::string Escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 1 < in.size()) {
      char next = in[++i];
      out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

std::string SerializeRecord(const StagedRecord& record) {
  std::ostringstream out;
  out << kHeader << "\n";
  out << "volume_id\t" << Escape(record.volume_id) << "\n";
  out << "staging_path\t" << Escape(record.staging_path) << "\n";
  out << "read_only\t" << (record.read_only ? "1" : "0") << "\n";
  if (record.mount_group) out << "mount_group\t" << *record.mount_group << "\n";
  for (const auto& [key, value] : record.attributes) out << "attr\t" << Escape(key) << "\t" << Escape(value) << "\n";
  for (const auto& [path, ro] : record.targets) out << "target\t" << Escape(path) << "\t" << (ro ? "1" : "0") << "\n";
  return out.str();
}

Result<StagedRecord> ParseRecord(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    return Status(Code::kDataLoss, "not an objfs-csi state file");
  }
  StagedRecord record;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      fields.push_back(Unescape(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start)));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    const std::string& kind = fields[0];
    if (kind == "volume_id" && fields.size() == 2) {
      record.volume_id = fields[1];
    } else if (kind == "staging_path" && fields.size() == 2) {
      record.staging_path = fields[1];
    } else if (kind == "read_only" && fields.size() == 2) {
      record.read_only = fields[1] == "1";
    } else if (kind == "mount_group" && fields.size() == 2) {
      unsigned long gid = 0;
      auto [ptr, ec] = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), gid);
      if (ec != std::errc() || ptr != fields[1].data() + fields[1].size()) {
        return Status(Code::kDataLoss, "malformed mount group: " + fields[1]);
      }
      record.mount_group = static_cast<gid_t>(gid);
    } else if (kind == "attr" && fields.size() == 3) {
      record.attributes[fields[1]] = fields[2];
    } else if (kind == "target" && fields.size() == 3) {
      record.targets[fields[1]] = fields[2] == "1";
    } else {
      return Status(Code::kDataLoss, "malformed state line: " + line);
    }
  }
  if (record.volume_id.empty() || record.staging_path.empty()) {
    return Status(Code::kDataLoss, "state file without volume id or staging path");
  }
  return record;
}

NodeStateStore::NodeStateStore(std::string state_dir) : state_dir_(std::move(state_dir)) {}

Status NodeStateStore::Init() {
  OBJFS_RETURN_IF_ERROR(MakeDirs(state_dir_ + "/volumes", 0700));
  return MakeDirs(state_dir_ + "/cache", 0700);
}

std::string NodeStateStore::PathFor(const std::string& volume_id) const {
  return state_dir_ + "/volumes/" + s3::Sha256Hex(volume_id).substr(0, 32);
}

std::string NodeStateStore::CacheDir(const std::string& volume_id) const {
  return state_dir_ + "/cache/" + s3::Sha256Hex(volume_id).substr(0, 32);
}

Status NodeStateStore::Save(const StagedRecord& record) const {
  std::string path = PathFor(record.volume_id);
  std::string temp = path + ".tmp";
  std::string data = SerializeRecord(record);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status(Code::kInternal, "create " + temp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Status(Code::kInternal, "write " + temp + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    return Status(Code::kInternal, "sync " + temp + ": " + std::strerror(errno));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return Status(Code::kInternal, "rename " + temp + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status NodeStateStore::Remove(const std::string& volume_id) const {
  std::string path = PathFor(volume_id);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status(Code::kInternal, "remove " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::vector<StagedRecord> NodeStateStore::LoadAll() const {
  std::vector<StagedRecord> records;
  std::string dir = state_dir_ + "/volumes";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return records;
  while (dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || name.find('.') != std::string::npos) continue;
    std::ifstream in(dir + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    auto record = ParseRecord(text.str());
    if (!record.ok()) {
      LOG_WARN("skipping state file " << dir << "/" << name << ": " << record.status().message());
      continue;
    }
    records.push_back(std::move(*record));
  }
  closedir(d);
  return records;
}

}  // namespace objfs::csi
