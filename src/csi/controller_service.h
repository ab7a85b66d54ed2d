// ControllerService: the CSI Controller service. Provisions volumes as a bucket
// per volume or a prefix per volume in a shared bucket (see volume_params.h,
// volume_id.h), keeps each volume's capacity in its record
// (capacity_record.h), grows it online (the nodes poll the record) and
// deletes a volume's storage with everything in it.
//
// Implemented: CreateVolume, DeleteVolume, ControllerExpandVolume,
// ValidateVolumeCapabilities, ControllerGetCapabilities (advertising
// CREATE_DELETE_VOLUME and EXPAND_VOLUME). Every other Controller RPC is the
// generated default, UNIMPLEMENTED, and is not advertised.
//
// Every call is idempotent; a second call for a volume (or, for CreateVolume,
// a name) while one is in flight gets ABORTED.
//
// Ownership: borrows the connector, records and locks (owned by the plugin).
// Thread-safety: gRPC calls methods from many threads; no mutable state here
// apart from the (internally locked) VolumeLocks.
#pragma once

#include "csi.grpc.pb.h"
#include "csi/capacity_record.h"
#include "csi/store_connector.h"
#include "csi/volume_id.h"
#include "csi/volume_locks.h"

namespace objfs::csi {

class ControllerService final : public ::csi::v1::Controller::Service {
 public:
  ControllerService(const StoreConnector* connector, const CapacityRecords* records, VolumeLocks* locks);

  grpc::Status CreateVolume(grpc::ServerContext* context, const ::csi::v1::CreateVolumeRequest* request,
                            ::csi::v1::CreateVolumeResponse* response) override;
  grpc::Status DeleteVolume(grpc::ServerContext* context, const ::csi::v1::DeleteVolumeRequest* request,
                            ::csi::v1::DeleteVolumeResponse* response) override;
  grpc::Status ControllerExpandVolume(grpc::ServerContext* context,
                                      const ::csi::v1::ControllerExpandVolumeRequest* request,
                                      ::csi::v1::ControllerExpandVolumeResponse* response) override;
  grpc::Status ValidateVolumeCapabilities(grpc::ServerContext* context,
                                          const ::csi::v1::ValidateVolumeCapabilitiesRequest* request,
                                          ::csi::v1::ValidateVolumeCapabilitiesResponse* response) override;
  grpc::Status ControllerGetCapabilities(grpc::ServerContext* context,
                                         const ::csi::v1::ControllerGetCapabilitiesRequest* request,
                                         ::csi::v1::ControllerGetCapabilitiesResponse* response) override;

 private:
  // A client for the store an existing volume lives in.
  Result<std::shared_ptr<s3::ObjectClient>> ConnectTo(const VolumeId& id, const StringMap& secrets) const;

  const StoreConnector* const connector_;
  const CapacityRecords* const records_;
  VolumeLocks* const locks_;
};

// Checks one requested capability: INVALID_ARGUMENT text, or "" when objfs
// supports it (mount access with a known access mode; no block access).
std::string CheckCapability(const ::csi::v1::VolumeCapability& capability);

StringMap ToStringMap(const google::protobuf::Map<std::string, std::string>& map);

}  // namespace objfs::csi
