// Credentials for signing S3 requests, and where they come from.
//
// Credentials is a value; its secret never goes into logs or error messages
// (use Redacted() when a message must name the key). CredentialsProvider hands
// out the current credentials; implementations are immutable after
// construction or guard their state, so Get() may be called from any thread.
//
// ResolveCredentials picks the first source that has credentials, in order:
//   1. CredentialSources::explicit_credentials (flags, or a CSI secrets map
//      turned into Credentials with FromSecretsMap),
//   2. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
//   3. the shared credentials file, section [PROFILE],
//   4. the config file, section [profile PROFILE] (or [default] for "default").
// Files are read once, at resolution time.
//
// Thread-safety: free functions are safe from any thread; providers are
// thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

namespace objfs::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none

  // True when there is no key pair (anonymous access).
  bool empty() const { return access_key_id.empty() && secret_access_key.empty(); }
  // Safe to log: "AKID****" (first 4 chars of the key id), never the secret.
  std::string Redacted() const;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider();
  // The credentials to sign the next request with. Thread-safe.
  virtual Result<Credentials> Get() = 0;
  // Where the credentials come from, for logs ("environment", "profile dev in
  // /root/.aws/credentials"). Never contains a secret.
  virtual std::string Describe() const;
};

// A provider that always returns `credentials`.
std::shared_ptr<CredentialsProvider> StaticCredentials(Credentials credentials,
                                                       std::string description = "static");

struct CredentialSources {
  std::optional<Credentials> explicit_credentials;
  std::string profile;           // "" = $AWS_PROFILE or "default"
  std::string credentials_file;  // "" = $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
  std::string config_file;       // "" = $AWS_CONFIG_FILE or ~/.aws/config
  // When nothing is found: true gives a provider of empty Credentials (the
  // client then sends unsigned requests); false fails with kPermissionDenied.
  bool allow_anonymous = false;
  // The environment to read instead of the process environment (tests, CSI).
  // Unset: getenv().
  std::optional<std::map<std::string, std::string>> environment;
};

Result<std::shared_ptr<CredentialsProvider>> ResolveCredentials(const CredentialSources& sources);

// Credentials from a CSI secrets map. Accepts accessKeyID / accessKeyId /
// secretAccessKey / sessionToken and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN. Missing entries stay empty.
Credentials FromSecretsMap(const std::map<std::string, std::string>& secrets);

// The region for `sources.profile`: $AWS_REGION, then $AWS_DEFAULT_REGION, then
// `region` in the config file's profile section. "" when none is set (the
// caller picks its default, usually us-east-1).
std::string ResolveRegion(const CredentialSources& sources);

// One parsed INI file: section name -> key -> value. Section names are kept as
// written inside the brackets, trimmed ("default", "profile dev"). Keys are
// lower-cased. Exposed for tests.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
// Parses INI text. `origin` names the file in error messages. Comments start
// with '#' or ';' (at line start, or after whitespace in a value).
Result<IniFile> ParseIni(const std::string& text, const std::string& origin);

}  // namespace objfs::s3
