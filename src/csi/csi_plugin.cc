#include "csi/csi_plugin.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/log.h"
#include "csi/mount_ops.h"
#include "csi/volume_names.h"

namespace objfs::csi {

CsiPlugin::CsiPlugin(CsiOptions options)
    : options_(std::move(options)),
      connector_(StoreDefaults{options_.s3_endpoint, options_.s3_region}),
      records_(options_.record_bucket) {}

CsiPlugin::~CsiPlugin() { (void)Shutdown(); }

Status CsiPlugin::Start() {
  if (!IsValidBucketName(options_.record_bucket)) {
    return Status(Code::kInvalidArgument, "--record-bucket: not a valid bucket name: " + options_.record_bucket);
  }
  auto socket = UnixSocketPath(options_.endpoint);
  if (!socket.ok()) return socket.status();
  identity_ = std::make_unique<IdentityService>(options_.driver_name, &connector_);
  if (options_.mode != PluginMode::kNode) {
    controller_ = std::make_unique<ControllerService>(&connector_, &records_, &locks_);
  }
  if (options_.mode != PluginMode::kController) {
    NodeServiceOptions node_options;
    node_options.node_id = options_.node_id;
    node_options.state_dir = options_.state_dir;
    node_options.capacity_poll_seconds = options_.capacity_poll_seconds;
    node_options.cache_bytes = options_.cache_bytes;
    node_ = std::make_unique<NodeService>(node_options, &connector_, &records_, &locks_);
    OBJFS_RETURN_IF_ERROR(node_->Start());
  }

  std::string dir = socket->substr(0, socket->rfind('/'));
  if (!dir.empty()) OBJFS_RETURN_IF_ERROR(MakeDirs(dir, 0755));
  if (unlink(socket->c_str()) != 0 && errno != ENOENT) {
    return Status(Code::kFailedPrecondition, "remove stale socket " + *socket + ": " + std::strerror(errno));
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + *socket, grpc::InsecureServerCredentials());
  builder.RegisterService(identity_.get());
  if (controller_) builder.RegisterService(controller_.get());
  if (node_) builder.RegisterService(node_.get());
  server_ = builder.BuildAndStart();
  if (!server_) return Status(Code::kUnavailable, "cannot listen on " + options_.endpoint);
  LOG_INFO("objfs csi " << OBJFS_VERSION << " (" << options_.driver_name << ", mode "
                        << PluginModeName(options_.mode) << ") listening on " << options_.endpoint);
  return Status::Ok();
}

bool CsiPlugin::Shutdown() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
    server_.reset();
    LOG_INFO("objfs csi: server stopped");
  }
  return node_ ? node_->Shutdown() : false;
}

}  // namespace objfs::csi
