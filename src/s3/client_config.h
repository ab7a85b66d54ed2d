// ClientConfig: everything CurlObjectClient needs to know about the store it
// talks to (where, how to address buckets, TLS, credentials, timeouts, retries,
// connection limits). A plain value; MakeCurlClient validates it.
//
// Ownership: the config shares ownership of the credentials provider with the
// client built from it.
//
// Thread-safety: a value; copy it freely. The provider it points to is
// thread-safe (see s3/credentials.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "s3/credentials.h"
#include "s3/endpoint.h"
#include "s3/retry_policy.h"

namespace objfs::s3 {

// How the bodies of PutObject and UploadPart are protected end to end. Both
// check that the ETag the store returns is the MD5 of the bytes sent
// (kDataLoss otherwise; skipped for SSE-KMS / SSE-C, whose ETags are not MD5s).
enum class BodyChecksum {
  // MD5 the body first and send it as Content-MD5, so the store itself
  // rejects a body damaged in transit (BadDigest) and never stores it. Costs
  // one pass over the body before its first byte goes out.
  kContentMd5,
  // MD5 the body while it is being sent (no Content-MD5): no pass before
  // sending, so hashing overlaps the transfer; damage is found when the
  // answer's ETag is checked, after the store took the body.
  kStreamingMd5,
};

struct ClientConfig {
  // "http(s)://host[:port][/base]"; empty means the AWS endpoint for `region`.
  std::string endpoint;
  std::string region = "us-east-1";
  // kAuto: virtual-host style for AWS endpoints with DNS-compatible bucket
  // names, path style for custom endpoints (MinIO, Ceph RGW, s3rver).
  AddressingStyle addressing = AddressingStyle::kAuto;
  std::string ca_bundle;  // PEM file of trusted CAs; empty: the system store
  bool verify_tls = true;
  // Null (or a provider that yields empty credentials): anonymous, unsigned requests.
  std::shared_ptr<CredentialsProvider> credentials;

  std::chrono::milliseconds connect_timeout{10000};
  // A transfer that moves less than one byte per second for this long is
  // aborted as stalled (kTimeout, retried).
  int low_speed_seconds = 30;
  RetryOptions retry;
  // At most this many requests in flight at once (and connections kept open);
  // further callers wait for a free slot.
  int max_connections = 64;
  // Force ListObjects v1. The client also falls back to v1 by itself when a
  // store answers list-type=2 with NotImplemented or ignores it.
  bool list_v1 = false;
  std::string user_agent;  // empty: "objfs/<version>"
  BodyChecksum body_checksum = BodyChecksum::kContentMd5;
};

}  // namespace objfs::s3
