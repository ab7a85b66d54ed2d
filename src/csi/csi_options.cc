#include "csi/csi_options.h"

#include <charconv>
#include <string_view>

namespace objfs::csi {
namespace {

Result<long long> ParseNumber(const std::string& flag, const std::string& text) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return Status(Code::kInvalidArgument, flag + ": not a non-negative number: " + text);
  }
  return value;
}

}  // namespace

const char* PluginModeName(PluginMode mode) {
  switch (mode) {
    case PluginMode::kController:
      return "controller";
    case PluginMode::kNode:
      return "node";
    case PluginMode::kAll:
      return "all";
  }
  return "all";
}

std::string CsiUsage() {
  return "usage: objfs csi [flags]\n"
         "\n"
         "Runs the objfs CSI plugin (CSI 1.x over gRPC on a unix socket).\n"
         "\n"
         "flags:\n"
         "  --endpoint URL          unix:///path/to/csi.sock (default unix:///csi/csi.sock)\n"
         "  --node-id NODE          this node's name; required for --mode node|all\n"
         "  --driver-name NAME      CSI driver name (default csi.objfs.io)\n"
         "  --mode MODE             controller | node | all (default all)\n"
         "  --state-dir DIR         where staged volumes are remembered across restarts\n"
         "                          (default /var/lib/objfs-csi)\n"
         "  --log-level LEVEL       error | warn | info | debug | trace (default info)\n"
         "  --s3-endpoint URL       default S3 endpoint (Probe waits for it); volumes may name\n"
         "                          their own with the endpoint parameter or secret\n"
         "  --s3-region REGION      default region (default us-east-1)\n"
         "  --record-bucket NAME    bucket for capacity records on stores without bucket\n"
         "                          tagging (default objfs-volume-records)\n"
         "  --capacity-poll-seconds N  how often mounts re-read their capacity record (default 30)\n"
         "  --cache-bytes N         page cache budget per mounted volume (default 268435456)\n"
         "  --version               print the version and exit\n"
         "  -h, --help              print this help and exit\n";
}

Result<std::string> UnixSocketPath(const std::string& endpoint) {
  constexpr std::string_view kScheme = "unix://";
  std::string path = endpoint;
  if (std::string_view(endpoint).substr(0, kScheme.size()) == kScheme) {
    path = endpoint.substr(kScheme.size());
  }
  if (path.empty() || path[0] != '/') {
    return Status(Code::kInvalidArgument,
                  "--endpoint must be unix:///absolute/path (got \"" + endpoint + "\")");
  }
  return path;
}

Result<CsiOptions> ParseCsiOptions(const std::vector<std::string>& args) {
  CsiOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_inline_value = false;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline_value = true;
    }
    if (flag == "-h" || flag == "--help") {
      options.show_help = true;
      continue;
    }
    if (flag == "--version") {
      options.show_version = true;
      continue;
    }
    static constexpr std::string_view kValued[] = {
        "--endpoint", "--node-id",   "--driver-name",           "--mode",
        "--state-dir", "--log-level", "--capacity-poll-seconds", "--cache-bytes",
        "--s3-endpoint", "--s3-region", "--record-bucket"};
    bool known = false;
    for (auto name : kValued) known = known || flag == name;
    if (!known) return Status(Code::kInvalidArgument, "unknown flag: " + flag);
    if (!has_inline_value) {
      if (i + 1 >= args.size()) return Status(Code::kInvalidArgument, flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--endpoint") {
      options.endpoint = value;
    } else if (flag == "--node-id") {
      options.node_id = value;
    } else if (flag == "--driver-name") {
      if (value.empty()) return Status(Code::kInvalidArgument, "--driver-name must not be empty");
      options.driver_name = value;
    } else if (flag == "--mode") {
      if (value == "controller") {
        options.mode = PluginMode::kController;
      } else if (value == "node") {
        options.mode = PluginMode::kNode;
      } else if (value == "all") {
        options.mode = PluginMode::kAll;
      } else {
        return Status(Code::kInvalidArgument, "--mode must be controller, node or all");
      }
    } else if (flag == "--state-dir") {
      options.state_dir = value;
    } else if (flag == "--s3-endpoint") {
      options.s3_endpoint = value;
    } else if (flag == "--s3-region") {
      options.s3_region = value;
    } else if (flag == "--record-bucket") {
      options.record_bucket = value;
    } else if (flag == "--log-level") {
      options.log_level = value;
    } else if (flag == "--capacity-poll-seconds") {
      auto n = ParseNumber(flag, value);
      if (!n.ok()) return n.status();
      if (*n < 1) return Status(Code::kInvalidArgument, flag + " must be at least 1");
      options.capacity_poll_seconds = static_cast<int>(*n);
    } else if (flag == "--cache-bytes") {
      auto n = ParseNumber(flag, value);
      if (!n.ok()) return n.status();
      options.cache_bytes = static_cast<unsigned long long>(*n);
    }
  }
  if (options.show_help || options.show_version) return options;
  auto socket = UnixSocketPath(options.endpoint);
  if (!socket.ok()) return socket.status();
  if (options.mode != PluginMode::kController && options.node_id.empty()) {
    return Status(Code::kInvalidArgument, "--node-id is required for --mode node and --mode all");
  }
  LogLevel level;
  if (!ParseLogLevel(options.log_level, &level)) {
    return Status(Code::kInvalidArgument, "--log-level must be error, warn, info, debug or trace");
  }
  return options;
}

}  // namespace objfs::csi
