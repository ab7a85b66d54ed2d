#include "csi/store_connector.h"

#include "csi/volume_id.h"
#include "s3/client_config.h"
#include "s3/credentials.h"
#include "s3/curl_client.h"

namespace objfs::csi {
namespace {

std::string Lookup(const StringMap& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? std::string() : it->second;
}

}  // namespace

Result<StoreSettings> StoreConnector::Resolve(const StringMap& attributes, const StringMap& secrets) const {
  StoreSettings settings;
  settings.endpoint = Lookup(attributes, "endpoint");
  if (settings.endpoint.empty()) settings.endpoint = Lookup(secrets, "endpoint");
  if (settings.endpoint.empty()) settings.endpoint = defaults_.endpoint;
  settings.region = Lookup(attributes, "region");
  if (settings.region.empty()) settings.region = Lookup(secrets, "region");
  if (settings.region.empty()) settings.region = defaults_.region;
  if (!settings.endpoint.empty()) {
    auto parsed = s3::ParseEndpoint(settings.endpoint);
    if (!parsed.ok()) {
      return Status(Code::kInvalidArgument, "endpoint: " + parsed.status().message());
    }
  }
  std::string style = Lookup(attributes, "addressingStyle");
  settings.addressing_name = style;
  if (style.empty() || style == "auto") {
    settings.addressing = s3::AddressingStyle::kAuto;
  } else if (style == "path") {
    settings.addressing = s3::AddressingStyle::kPath;
  } else if (style == "virtual") {
    settings.addressing = s3::AddressingStyle::kVirtualHost;
  } else {
    return Status(Code::kInvalidArgument, "addressingStyle must be auto, path or virtual");
  }
  settings.ca_bundle = Lookup(attributes, "caBundle");
  std::string verify = Lookup(attributes, "verifyTls");
  if (verify == "false") {
    settings.verify_tls = false;
  } else if (!verify.empty() && verify != "true") {
    return Status(Code::kInvalidArgument, "verifyTls must be true or false");
  }
  return settings;
}

Result<std::string> StoreConnector::ResolveEndpointRef(const std::string& ref, const StringMap& secrets) const {
  for (const std::string& candidate : {Lookup(secrets, "endpoint"), defaults_.endpoint}) {
    if (!candidate.empty() && EndpointRef(candidate) == ref) return candidate;
  }
  return Status(Code::kFailedPrecondition,
                "the volume id refers to an endpoint by hash; put the endpoint into the secrets "
                "(key \"endpoint\") or start the plugin with --s3-endpoint");
}

Result<std::shared_ptr<s3::ObjectClient>> StoreConnector::Connect(const StoreSettings& settings,
                                                                  const StringMap& secrets, bool quick) const {
  s3::ClientConfig config;
  config.endpoint = settings.endpoint;
  config.region = settings.region;
  config.addressing = settings.addressing;
  config.ca_bundle = settings.ca_bundle;
  config.verify_tls = settings.verify_tls;
  s3::Credentials credentials = s3::FromSecretsMap(secrets);
  if (!credentials.empty()) {
    config.credentials = s3::StaticCredentials(std::move(credentials), "CSI secrets");
  } else {
    s3::CredentialSources sources;
    sources.allow_anonymous = true;
    auto provider = s3::ResolveCredentials(sources);
    if (!provider.ok()) return provider.status();
    config.credentials = *provider;
  }
  if (quick) {
    config.connect_timeout = std::chrono::milliseconds(2000);
    config.low_speed_seconds = 5;
    config.retry.max_attempts = 1;
    config.max_connections = 2;
  }
  auto client = s3::MakeCurlClient(config);
  if (!client.ok()) return client.status();
  return std::shared_ptr<s3::ObjectClient>(std::move(*client));
}

}  // namespace objfs::csi
