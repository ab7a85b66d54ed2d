// CsiPlugin: the running `objfs csi` process — the gRPC server on the unix
// socket with the Identity service and, by --mode, the Controller and/or Node
// services, plus what they share (store connector, capacity records, volume
// locks).
//
// Ownership: owns the services, the shared parts and the server.
// Thread-safety: Start, Wait-free Shutdown and the destructor are called from
// the main thread; the services run on gRPC's threads.
#pragma once

#include <grpcpp/server.h>

#include <memory>

#include "base/status.h"
#include "csi/capacity_record.h"
#include "csi/controller_service.h"
#include "csi/csi_options.h"
#include "csi/identity_service.h"
#include "csi/node_service.h"
#include "csi/store_connector.h"
#include "csi/volume_locks.h"

namespace objfs::csi {

class CsiPlugin {
 public:
  explicit CsiPlugin(CsiOptions options);
  ~CsiPlugin();
  CsiPlugin(const CsiPlugin&) = delete;
  CsiPlugin& operator=(const CsiPlugin&) = delete;

  // Re-serves staged volumes (node) and starts listening.
  Status Start();
  // Stops accepting calls, waits briefly for calls in flight, and commits
  // the node's volumes. Returns true when mounts were left running (see
  // NodeService::Shutdown).
  bool Shutdown();

 private:
  const CsiOptions options_;
  StoreConnector connector_;
  CapacityRecords records_;
  VolumeLocks locks_;
  std::unique_ptr<IdentityService> identity_;
  std::unique_ptr<ControllerService> controller_;
  std::unique_ptr<NodeService> node_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace objfs::csi
