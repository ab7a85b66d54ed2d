// CurlS3: talks to an S3 endpoint by running the plain curl(1) binary.
//
// The benchmark needs S3 for three things, none of which may depend on the
// file system under test: the "curl" baselines (parallel range GETs and
// parallel multipart part PUTs with `curl --aws-sigv4`), fixtures (the big
// object, the 10,000-entry directory) and cleanup. Each call runs one curl
// process; many transfers share one process with --parallel. Credentials and
// all options go to curl through a config file on its stdin (-K -), so they
// never appear on a command line. Path-style addressing.
//
// Ownership: owns nothing but scratch files under work_dir, removed per call.
// Thread-safety: one thread at a time (the CPU-seconds tally is unguarded).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace objfs::bench {

struct S3Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional
  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
  static Result<S3Credentials> FromEnv();
};

struct S3Request {
  std::string method = "GET";  // GET, PUT, POST, DELETE
  std::string key;             // empty: the bucket itself
  std::string query;           // without '?'
  std::vector<std::string> headers;  // "Name: value"
  std::string upload_file;     // PUT body from this file
  std::string body_file;       // POST body from this file
  std::string range;           // "first-last"
  std::string output = "/dev/null";
};

struct S3Response {
  int http_code = 0;
  std::string etag;
  std::string url;
};

struct S3ObjectInfo {
  std::string key;
  uint64_t size = 0;
};

class CurlS3 {
 public:
  CurlS3(std::string endpoint, std::string bucket, std::string region, S3Credentials credentials,
         std::string work_dir);

  // Runs the requests with up to `parallel` at once in one curl process; the
  // responses come back in request order. Fails if curl fails or any request
  // gets a non-2xx answer (the message names the first one).
  Result<std::vector<S3Response>> Run(const std::vector<S3Request>& requests, int parallel,
                                      int timeout_seconds) const;
  // One request whose body is returned.
  Result<std::string> Fetch(const S3Request& request) const;

  Status EnsureBucket() const;
  Result<std::vector<S3ObjectInfo>> List(const std::string& prefix) const;
  Status DeletePrefix(const std::string& prefix, int parallel) const;
  // PUTs of `body_file` to every key; an empty body_file sends an empty body
  // (needed for keys ending in '/'; then give a Content-Type header).
  Status PutMany(const std::vector<std::string>& keys, const std::string& body_file,
                 const std::vector<std::string>& headers, int parallel) const;
  // Multipart upload of the part files in order, all parts in parallel
  // (create, parallel UploadPart, complete). Returns the wall seconds.
  Result<double> MultipartUpload(const std::string& key, const std::vector<std::string>& part_files,
                                 const std::vector<std::string>& headers) const;
  // `parts` parallel range GETs covering [0, size). Returns the wall seconds.
  Result<double> ParallelRangeGet(const std::string& key, uint64_t size, int parts) const;

  // utime+stime of every curl process this object ran so far.
  double cpu_seconds() const { return cpu_seconds_; }

  // s3fs-compatible metadata for a regular file / directory marker.
  static std::vector<std::string> FileMetadataHeaders();
  static std::vector<std::string> DirMetadataHeaders();

 private:
  std::string Url(const S3Request& request) const;
  std::string ScratchPath(const std::string& tag) const;

  std::string endpoint_;
  std::string bucket_;
  std::string region_;
  S3Credentials credentials_;
  std::string work_dir_;
  mutable double cpu_seconds_ = 0;
  mutable uint64_t scratch_counter_ = 0;
};

}  // namespace objfs::bench
