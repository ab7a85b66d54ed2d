// IdentityService: the CSI Identity service (GetPluginInfo,
// GetPluginCapabilities, Probe).
//
// Capabilities are the same in every mode (the spec requires one answer per
// plugin version): CONTROLLER_SERVICE and ONLINE volume expansion.
// Probe reports ready=false until the plugin's default S3 endpoint
// (--s3-endpoint) answers an HTTP request (any answer, even 403/404, proves it
// is reachable); with no default endpoint there is nothing to wait for.
//
// Ownership: shares the probe client it creates on first use.
// Thread-safety: gRPC calls methods from many threads; the probe client is
// guarded by mu_, everything else is const after construction.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "csi.grpc.pb.h"
#include "csi/store_connector.h"

namespace objfs::csi {

class IdentityService final : public ::csi::v1::Identity::Service {
 public:
  IdentityService(std::string driver_name, const StoreConnector* connector);

  grpc::Status GetPluginInfo(grpc::ServerContext* context, const ::csi::v1::GetPluginInfoRequest* request,
                             ::csi::v1::GetPluginInfoResponse* response) override;
  grpc::Status GetPluginCapabilities(grpc::ServerContext* context,
                                     const ::csi::v1::GetPluginCapabilitiesRequest* request,
                                     ::csi::v1::GetPluginCapabilitiesResponse* response) override;
  grpc::Status Probe(grpc::ServerContext* context, const ::csi::v1::ProbeRequest* request,
                     ::csi::v1::ProbeResponse* response) override;

 private:
  const std::string driver_name_;
  const StoreConnector* const connector_;

  std::mutex mu_;
  std::shared_ptr<s3::ObjectClient> probe_client_;  // guarded by mu_
};

}  // namespace objfs::csi
