#include "csi/identity_service.h"

#include "base/log.h"
#include "csi/grpc_status.h"
#include "csi/request_log.h"

namespace objfs::csi {

IdentityService::IdentityService(std::string driver_name, const StoreConnector* connector)
    : driver_name_(std::move(driver_name)), connector_(connector) {}

grpc::Status IdentityService::GetPluginInfo(grpc::ServerContext*, const ::csi::v1::GetPluginInfoRequest*,
                                            ::csi::v1::GetPluginInfoResponse* response) {
  response->set_name(driver_name_);
  response->set_vendor_version(OBJFS_VERSION);
  return grpc::Status::OK;
}

grpc::Status IdentityService::GetPluginCapabilities(grpc::ServerContext*,
                                                    const ::csi::v1::GetPluginCapabilitiesRequest*,
                                                    ::csi::v1::GetPluginCapabilitiesResponse* response) {
  response->add_capabilities()->mutable_service()->set_type(
      ::csi::v1::PluginCapability::Service::CONTROLLER_SERVICE);
  response->add_capabilities()->mutable_volume_expansion()->set_type(
      ::csi::v1::PluginCapability::VolumeExpansion::ONLINE);
  return grpc::Status::OK;
}

grpc::Status IdentityService::Probe(grpc::ServerContext*, const ::csi::v1::ProbeRequest*,
                                    ::csi::v1::ProbeResponse* response) {
  if (connector_->defaults().endpoint.empty()) {
    response->mutable_ready()->set_value(true);
    return grpc::Status::OK;
  }
  std::shared_ptr<s3::ObjectClient> client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!probe_client_) {
      auto settings = connector_->Resolve({}, {});
      if (!settings.ok()) return ToGrpc(Status(Code::kFailedPrecondition, settings.status().message()));
      auto made = connector_->Connect(*settings, {}, /*quick=*/true);
      if (!made.ok()) return ToGrpc(Status(Code::kFailedPrecondition, made.status().message()));
      probe_client_ = *made;
    }
    client = probe_client_;
  }
  // Any HTTP answer means the endpoint is up; only transport failures do not.
  Status answer = client->HeadBucket("objfs-probe");
  bool reachable = answer.ok() || answer.http_status() > 0;
  if (!reachable) LOG_INFO("Probe: S3 endpoint not reachable yet: " << answer.ToString());
  response->mutable_ready()->set_value(reachable);
  return grpc::Status::OK;
}

}  // namespace objfs::csi
