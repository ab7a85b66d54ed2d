// StoreConnector: turns CSI parameters / volume context and secrets into an
// S3 client for one request or one mount.
//
// Where the store is: "endpoint" / "region" / "addressingStyle" from the
// StorageClass parameters or volume context, else from the request's secrets
// ("endpoint", "region"), else the plugin's defaults (--s3-endpoint,
// --s3-region). Credentials: the request's secrets (s3::FromSecretsMap keys)
// when they hold a key pair, else the plugin's environment / shared files,
// else anonymous. Secrets are only read here and live on in memory inside the
// client's credentials provider; nothing derived from them is logged.
//
// Thread-safety: const after construction; all methods may be called from any
// thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "base/status.h"
#include "s3/endpoint.h"
#include "s3/object_client.h"

namespace objfs::csi {

using StringMap = std::map<std::string, std::string>;

struct StoreDefaults {
  std::string endpoint;  // "" = AWS for the region
  std::string region = "us-east-1";
};

struct StoreSettings {
  std::string endpoint;
  std::string region;
  s3::AddressingStyle addressing = s3::AddressingStyle::kAuto;
  std::string addressing_name;  // as given ("" when defaulted), echoed into volume contexts
  std::string ca_bundle;        // path on the plugin's host
  bool verify_tls = true;
};

class StoreConnector {
 public:
  explicit StoreConnector(StoreDefaults defaults) : defaults_(std::move(defaults)) {}

  // Settings for `attributes` (parameters or volume context), falling back to
  // `secrets`, then the defaults. kInvalidArgument for malformed values.
  Result<StoreSettings> Resolve(const StringMap& attributes, const StringMap& secrets) const;

  // The endpoint URL whose reference (VolumeId::endpoint_ref) is `ref`: the
  // secrets' endpoint or the default endpoint. kFailedPrecondition if neither.
  Result<std::string> ResolveEndpointRef(const std::string& ref, const StringMap& secrets) const;

  // A client for `settings` signing with `secrets` (see the header comment).
  // `quick` lowers timeouts and retries (probes).
  Result<std::shared_ptr<s3::ObjectClient>> Connect(const StoreSettings& settings, const StringMap& secrets,
                                                    bool quick = false) const;

  const StoreDefaults& defaults() const { return defaults_; }

 private:
  const StoreDefaults defaults_;
};

}  // namespace objfs::csi
