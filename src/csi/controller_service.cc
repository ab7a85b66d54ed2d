#include "csi/controller_service.h"

#include "base/log.h"
#include "csi/grpc_status.h"
#include "csi/request_log.h"
#include "csi/volume_names.h"
#include "csi/volume_params.h"
#include "csi/volume_storage.h"

namespace objfs::csi {
namespace {

using ::csi::v1::ControllerServiceCapability;

grpc::Status Aborted(const std::string& what) {
  return grpc::Status(grpc::StatusCode::ABORTED, "an operation on " + what + " is already in progress");
}

// The capacity a request asks for: required, else limit, else 0 (unlimited).
uint64_t WantedCapacity(const ::csi::v1::CapacityRange& range) {
  if (range.required_bytes() > 0) return static_cast<uint64_t>(range.required_bytes());
  if (range.limit_bytes() > 0) return static_cast<uint64_t>(range.limit_bytes());
  return 0;
}

bool Fits(uint64_t capacity, const ::csi::v1::CapacityRange& range) {
  if (range.required_bytes() > 0 && capacity < static_cast<uint64_t>(range.required_bytes())) return false;
  if (range.limit_bytes() > 0 && (capacity == 0 || capacity > static_cast<uint64_t>(range.limit_bytes()))) {
    return false;
  }
  return true;
}

grpc::Status CheckRange(const ::csi::v1::CapacityRange& range) {
  if (range.required_bytes() < 0 || range.limit_bytes() < 0) {
    return InvalidArgument("capacity_range must not be negative");
  }
  if (range.limit_bytes() > 0 && range.required_bytes() > range.limit_bytes()) {
    return grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "capacity_range: required_bytes exceeds limit_bytes");
  }
  return grpc::Status::OK;
}

}  // namespace

StringMap ToStringMap(const google::protobuf::Map<std::string, std::string>& map) {
  return StringMap(map.begin(), map.end());
}

std::string CheckCapability(const ::csi::v1::VolumeCapability& capability) {
  if (capability.has_block()) return "block access is not supported (objfs volumes are filesystems)";
  if (!capability.has_mount()) return "volume_capability needs an access type (mount)";
  const std::string& fs_type = capability.mount().fs_type();
  if (!fs_type.empty() && fs_type != "objfs" && fs_type != "fuse.objfs") {
    return "fs_type \"" + fs_type + "\" is not supported (objfs volumes are objfs)";
  }
  if (!capability.has_access_mode() ||
      capability.access_mode().mode() == ::csi::v1::VolumeCapability::AccessMode::UNKNOWN) {
    return "volume_capability needs an access mode";
  }
  return "";
}

ControllerService::ControllerService(const StoreConnector* connector, const CapacityRecords* records,
                                     VolumeLocks* locks)
    : connector_(connector), records_(records), locks_(locks) {}

Result<std::shared_ptr<s3::ObjectClient>> ControllerService::ConnectTo(const VolumeId& id,
                                                                       const StringMap& secrets) const {
  StringMap attributes;
  if (!id.endpoint_ref.empty()) {
    auto endpoint = connector_->ResolveEndpointRef(id.endpoint_ref, secrets);
    if (!endpoint.ok()) return endpoint.status();
    attributes["endpoint"] = *endpoint;
  } else if (!id.endpoint.empty()) {
    attributes["endpoint"] = id.endpoint;
  }
  if (!id.region.empty()) attributes["region"] = id.region;
  auto settings = connector_->Resolve(attributes, secrets);
  if (!settings.ok()) return settings.status();
  return connector_->Connect(*settings, secrets);
}

grpc::Status ControllerService::CreateVolume(grpc::ServerContext*, const ::csi::v1::CreateVolumeRequest* request,
                                             ::csi::v1::CreateVolumeResponse* response) {
  LogRequest("CreateVolume", *request);
  if (Status name = CheckVolumeName(request->name()); !name.ok()) return ToGrpc(name);
  if (request->volume_capabilities().empty()) return InvalidArgument("volume_capabilities are required");
  for (const auto& capability : request->volume_capabilities()) {
    if (std::string problem = CheckCapability(capability); !problem.empty()) return InvalidArgument(problem);
  }
  if (request->has_volume_content_source()) {
    return InvalidArgument("volume_content_source: objfs cannot create volumes from snapshots or volumes");
  }
  if (grpc::Status range = CheckRange(request->capacity_range()); !range.ok()) return range;
  auto params = ParseVolumeParams(ToStringMap(request->parameters()));
  if (!params.ok()) return ToGrpc(params.status());
  StringMap secrets = ToStringMap(request->secrets());
  auto settings = connector_->Resolve(params->context, secrets);
  if (!settings.ok()) return ToGrpc(settings.status());

  VolumeId id;
  id.kind = params->kind;
  id.retain = params->retain;
  id.endpoint = settings->endpoint;
  id.region = settings->region;
  if (id.kind == VolumeKind::kBucket) {
    auto bucket = DeriveBucketName(request->name(), params->bucket_prefix);
    if (!bucket.ok()) return ToGrpc(bucket.status());
    id.bucket = *bucket;
  } else {
    id.bucket = params->shared_bucket;
    id.prefix = params->base_prefix + DerivePrefixDir(request->name()) + "/";
  }
  auto id_text = id.Encode();
  if (!id_text.ok()) return ToGrpc(id_text.status());

  auto guard = locks_->TryLock("name:" + request->name());
  if (!guard) return Aborted("volume name " + request->name());
  auto client = connector_->Connect(*settings, secrets);
  if (!client.ok()) return ToGrpc(client.status());

  const auto& range = request->capacity_range();
  auto existing = records_->Read(**client, id);
  if (!existing.ok()) return ToGrpc(existing.status());
  uint64_t capacity = WantedCapacity(range);
  if (existing->has_value()) {
    if (!Fits(**existing, range)) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "volume " + request->name() + " exists with capacity " + std::to_string(**existing) +
                              " bytes, incompatible with the requested capacity range");
    }
    capacity = **existing;
    LOG_INFO("CreateVolume " << request->name() << ": exists as " << *id_text);
  } else {
    Status ready = EnsureBucket(**client, id.bucket);
    if (!ready.ok()) return ToGrpc(ready);
    Status recorded = records_->Write(**client, id, capacity);
    if (!recorded.ok()) return ToGrpc(recorded);
    LOG_INFO("CreateVolume " << request->name() << ": created " << *id_text << " with capacity " << capacity);
  }

  ::csi::v1::Volume* volume = response->mutable_volume();
  volume->set_volume_id(*id_text);
  volume->set_capacity_bytes(static_cast<int64_t>(capacity));
  auto& context = *volume->mutable_volume_context();
  for (const auto& [key, value] : params->context) context[key] = value;
  context["provisioningMode"] = id.kind == VolumeKind::kBucket ? "bucket" : "prefix";
  context["bucket"] = id.bucket;
  if (!id.prefix.empty()) context["prefix"] = id.prefix;
  context["endpoint"] = id.endpoint;
  context["region"] = id.region;
  return grpc::Status::OK;
}

grpc::Status ControllerService::DeleteVolume(grpc::ServerContext*, const ::csi::v1::DeleteVolumeRequest* request,
                                             ::csi::v1::DeleteVolumeResponse*) {
  LogRequest("DeleteVolume", *request);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  auto id = VolumeId::Decode(request->volume_id());
  if (!id.ok()) {
    LOG_INFO("DeleteVolume: " << id.status().message() << "; nothing to delete");
    return grpc::Status::OK;
  }
  auto guard = locks_->TryLock(request->volume_id());
  if (!guard) return Aborted("volume " + request->volume_id());
  if (id->retain) {
    LOG_INFO("DeleteVolume " << request->volume_id() << ": retainData is set; keeping the data");
    return grpc::Status::OK;
  }
  auto client = ConnectTo(*id, ToStringMap(request->secrets()));
  if (!client.ok()) return ToGrpc(client.status());
  Status deleted = id->kind == VolumeKind::kBucket ? DeleteBucketWithContents(**client, id->bucket)
                                                   : EmptyPrefix(**client, id->bucket, id->prefix);
  if (!deleted.ok()) return ToGrpc(deleted);
  Status removed = records_->Remove(**client, *id);
  if (!removed.ok()) return ToGrpc(removed);
  LOG_INFO("DeleteVolume " << request->volume_id() << ": deleted");
  return grpc::Status::OK;
}

grpc::Status ControllerService::ControllerExpandVolume(grpc::ServerContext*,
                                                       const ::csi::v1::ControllerExpandVolumeRequest* request,
                                                       ::csi::v1::ControllerExpandVolumeResponse* response) {
  LogRequest("ControllerExpandVolume", *request);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  if (!request->has_capacity_range()) return InvalidArgument("capacity_range is required");
  const auto& range = request->capacity_range();
  if (grpc::Status checked = CheckRange(range); !checked.ok()) return checked;
  uint64_t wanted = WantedCapacity(range);
  if (wanted == 0) return InvalidArgument("capacity_range must set required_bytes or limit_bytes");
  if (request->has_volume_capability()) {
    if (std::string problem = CheckCapability(request->volume_capability()); !problem.empty()) {
      return InvalidArgument(problem);
    }
  }
  auto id = VolumeId::Decode(request->volume_id());
  if (!id.ok()) return NotFound(id.status().message());
  auto guard = locks_->TryLock(request->volume_id());
  if (!guard) return Aborted("volume " + request->volume_id());
  auto client = ConnectTo(*id, ToStringMap(request->secrets()));
  if (!client.ok()) return ToGrpc(client.status());
  auto current = records_->Read(**client, *id);
  if (!current.ok()) return ToGrpc(current.status());
  if (!current->has_value()) return NotFound("volume " + request->volume_id() + " does not exist");
  uint64_t capacity = **current;
  if (capacity != 0 && capacity >= wanted) {
    // Never shrink: a smaller request is already satisfied, unless it caps us.
    if (range.limit_bytes() > 0 && capacity > static_cast<uint64_t>(range.limit_bytes())) {
      return grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "volumes cannot shrink (capacity is " +
                                                              std::to_string(capacity) + " bytes)");
    }
  } else {
    Status recorded = records_->Write(**client, *id, wanted);
    if (!recorded.ok()) return ToGrpc(recorded);
    LOG_INFO("ControllerExpandVolume " << request->volume_id() << ": " << capacity << " -> " << wanted);
    capacity = wanted;
  }
  response->set_capacity_bytes(static_cast<int64_t>(capacity));
  response->set_node_expansion_required(false);  // mounts pick the record up by themselves
  return grpc::Status::OK;
}

grpc::Status ControllerService::ValidateVolumeCapabilities(
    grpc::ServerContext*, const ::csi::v1::ValidateVolumeCapabilitiesRequest* request,
    ::csi::v1::ValidateVolumeCapabilitiesResponse* response) {
  LogRequest("ValidateVolumeCapabilities", *request);
  if (request->volume_id().empty()) return InvalidArgument("volume_id is required");
  if (request->volume_capabilities().empty()) return InvalidArgument("volume_capabilities are required");
  StringMap secrets = ToStringMap(request->secrets());
  auto id = VolumeId::Decode(request->volume_id());
  if (id.ok()) {
    auto client = ConnectTo(*id, secrets);
    if (!client.ok()) return ToGrpc(client.status());
    auto record = records_->Read(**client, *id);
    if (!record.ok()) return ToGrpc(record.status());
    if (!record->has_value()) return NotFound("volume " + request->volume_id() + " does not exist");
  } else {
    // A statically provisioned volume: its attributes say where it is.
    StringMap context = ToStringMap(request->volume_context());
    auto bucket = context.find("bucket");
    if (bucket == context.end() || bucket->second.empty()) return NotFound(id.status().message());
    auto settings = connector_->Resolve(context, secrets);
    if (!settings.ok()) return ToGrpc(settings.status());
    auto client = connector_->Connect(*settings, secrets);
    if (!client.ok()) return ToGrpc(client.status());
    Status head = (*client)->HeadBucket(bucket->second);
    if (!head.ok()) {
      if (head.code() == Code::kNotFound) return NotFound("bucket " + bucket->second + " does not exist");
      return ToGrpc(head);
    }
  }
  for (const auto& capability : request->volume_capabilities()) {
    if (std::string problem = CheckCapability(capability); !problem.empty()) {
      response->set_message(problem);
      return grpc::Status::OK;
    }
  }
  auto* confirmed = response->mutable_confirmed();
  *confirmed->mutable_volume_context() = request->volume_context();
  *confirmed->mutable_volume_capabilities() = request->volume_capabilities();
  *confirmed->mutable_parameters() = request->parameters();
  return grpc::Status::OK;
}

grpc::Status ControllerService::ControllerGetCapabilities(grpc::ServerContext*,
                                                          const ::csi::v1::ControllerGetCapabilitiesRequest*,
                                                          ::csi::v1::ControllerGetCapabilitiesResponse* response) {
  for (auto type : {ControllerServiceCapability::RPC::CREATE_DELETE_VOLUME,
                    ControllerServiceCapability::RPC::EXPAND_VOLUME}) {
    response->add_capabilities()->mutable_rpc()->set_type(type);
  }
  return grpc::Status::OK;
}

}  // namespace objfs::csi
