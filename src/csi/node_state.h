// NodeState: what the node plugin must remember about a staged volume to
// serve it again after a restart, and the files it is kept in.
//
// One file per staged volume, <state-dir>/volumes/<sha256(volume id)[:32]>,
// written atomically (temp file, fsync, rename). It holds the volume id, the
// staging path, the volume's attributes (the volume context merged with what
// the id says: bucket, prefix, endpoint, region, mount settings — never
// secrets: the spec keeps secrets out of volume contexts, and request
// secrets are not written anywhere), the mount flags chosen at stage time,
// and every target path the volume is published at.
//
// Thread-safety: StagedRecord is a value. NodeStateStore's methods may be
// called from any thread; callers serialize writes for one volume (the
// per-volume lock does).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "csi/store_connector.h"

namespace objfs::csi {

struct StagedRecord {
  std::string volume_id;
  std::string staging_path;
  StringMap attributes;
  bool read_only = false;
  std::optional<gid_t> mount_group;
  std::map<std::string, bool> targets;  // target path -> published read-only
};

class NodeStateStore {
 public:
  explicit NodeStateStore(std::string state_dir);

  // Creates the directories.
  Status Init();
  Status Save(const StagedRecord& record) const;
  Status Remove(const std::string& volume_id) const;
  // Every record on disk; unreadable files are logged and skipped.
  std::vector<StagedRecord> LoadAll() const;

  // A per-volume scratch directory (staging files of random writes).
  std::string CacheDir(const std::string& volume_id) const;

 private:
  std::string PathFor(const std::string& volume_id) const;

  const std::string state_dir_;
};

// Exposed for tests: the file format.
std::string SerializeRecord(const StagedRecord& record);
Result<StagedRecord> ParseRecord(const std::string& text);

}  // namespace objfs::csi
