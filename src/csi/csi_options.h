// CsiOptions: the flags of `objfs csi`, and their parser.
//
// A plain value, filled once at startup and read-only afterwards.
//
// Thread-safety: a value; ParseCsiOptions is a pure function.
#pragma once

#include <string>
#include <vector>

#include "base/log.h"
#include "base/status.h"

namespace objfs::csi {

enum class PluginMode { kController, kNode, kAll };

struct CsiOptions {
  std::string endpoint = "unix:///csi/csi.sock";
  std::string node_id;
  std::string driver_name = "csi.objfs.io";
  PluginMode mode = PluginMode::kAll;
  std::string state_dir = "/var/lib/objfs-csi";
  std::string log_level = "info";
  // Default S3 store for volumes whose parameters / secrets name none; Probe
  // waits for it to answer.
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  // Holds capacity records of bucket-per-volume volumes on stores without
  // bucket tagging.
  std::string record_bucket = "objfs-volume-records";
  // How often the node re-reads each staged volume's capacity record.
  int capacity_poll_seconds = 30;
  // Per-volume page cache budget for node mounts.
  unsigned long long cache_bytes = 256ull << 20;
  bool show_help = false;
  bool show_version = false;
};

// Parses the arguments after "csi" (args[0] is the first flag). Accepts
// "--flag value" and "--flag=value".
Result<CsiOptions> ParseCsiOptions(const std::vector<std::string>& args);

// The text printed by --help.
std::string CsiUsage();

// "unix:///csi/csi.sock" -> "/csi/csi.sock"; also accepts a bare absolute path.
Result<std::string> UnixSocketPath(const std::string& endpoint);

const char* PluginModeName(PluginMode mode);

}  // namespace objfs::csi
