#include "bench/curl_s3.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "bench/subprocess.h"
#include "s3/endpoint.h"
#include "s3/s3_xml.h"

namespace objfs::bench {
namespace {

std::string Quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Result<S3Credentials> S3Credentials::FromEnv() {
  S3Credentials credentials;
  const char* access = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  if (access == nullptr || secret == nullptr || *access == '\0' || *secret == '\0') {
    return Status(Code::kPermissionDenied,
                  "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for --compare");
  }
  credentials.access_key = access;
  credentials.secret_key = secret;
  if (token != nullptr) credentials.session_token = token;
  return credentials;
}

CurlS3::CurlS3(std::string endpoint, std::string bucket, std::string region,
               S3Credentials credentials, std::string work_dir)
    : endpoint_(std::move(endpoint)),
      bucket_(std::move(bucket)),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      work_dir_(std::move(work_dir)) {}

std::string CurlS3::Url(const S3Request& request) const {
  std::string url = endpoint_ + "/" + bucket_;
  if (!request.key.empty()) url += "/" + s3::UriEncode(request.key, /*encode_slash=*/false);
  if (!request.query.empty()) url += "?" + request.query;
  return url;
}

std::string CurlS3::ScratchPath(const std::string& tag) const {
  return work_dir_ + "/objfs-bench-curl-" + std::to_string(getpid()) + "-" +
         std::to_string(reinterpret_cast<uintptr_t>(this)) + "-" +
         std::to_string(scratch_counter_++) + "-" + tag;
}

Result<std::vector<S3Response>> CurlS3::Run(const std::vector<S3Request>& requests, int parallel,
                                            int timeout_seconds) const {
  std::vector<S3Response> responses(requests.size());
  if (requests.empty()) return responses;
  std::ostringstream config;
  config << "parallel\n"
         << "parallel-max = " << (parallel < 1 ? 1 : parallel) << "\n";
  std::map<std::string, std::vector<size_t>> index_by_url;
  for (size_t i = 0; i < requests.size(); ++i) {
    const S3Request& r = requests[i];
    if (i > 0) config << "next\n";
    std::string url = Url(r);
    index_by_url[url].push_back(i);
    config << "url = " << Quote(url) << "\n"
           << "user = " << Quote(credentials_.access_key + ":" + credentials_.secret_key) << "\n"
           << "aws-sigv4 = " << Quote("aws:amz:" + region_ + ":s3") << "\n"
           << "silent\nshow-error\n"
           << "header = \"x-amz-content-sha256: UNSIGNED-PAYLOAD\"\n"
           << "write-out = " << Quote("%{http_code}\\t%header{etag}\\t%{url_effective}\\n") << "\n"
           << "output = " << Quote(r.output) << "\n";
    if (!credentials_.session_token.empty()) {
      config << "header = " << Quote("x-amz-security-token: " + credentials_.session_token) << "\n";
    }
    for (const std::string& h : r.headers) config << "header = " << Quote(h) << "\n";
    if (!r.upload_file.empty()) config << "upload-file = " << Quote(r.upload_file) << "\n";
    if (r.method == "POST") {
      config << "request = \"POST\"\n";
      config << "data-binary = " << Quote(r.body_file.empty() ? "" : "@" + r.body_file) << "\n";
    } else if (r.method == "PUT" && r.upload_file.empty()) {
      // Empty body (directory markers: upload-file would append its name to a URL ending in '/').
      config << "request = \"PUT\"\ndata-binary = \"\"\n";
    } else if (r.method == "DELETE") {
      config << "request = " << Quote(r.method) << "\n";
    }
    if (!r.range.empty()) config << "range = " << Quote(r.range) << "\n";
  }
  SpawnOptions spawn;
  spawn.argv = {"curl", "-K", "-"};
  spawn.stdin_data = config.str();
  Result<ExitInfo> exit = RunCommand(spawn, std::chrono::seconds(timeout_seconds));
  if (!exit.ok()) return exit.status();
  cpu_seconds_ += exit->cpu_seconds;
  // One write-out line per transfer, in completion order: map back by URL.
  std::map<std::string, size_t> used_by_url;
  std::istringstream lines(exit->out);
  std::string line;
  size_t seen = 0;
  while (std::getline(lines, line)) {
    size_t tab1 = line.find('\t');
    size_t tab2 = line.find('\t', tab1 == std::string::npos ? 0 : tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) continue;
    std::string url = line.substr(tab2 + 1);
    auto it = index_by_url.find(url);
    if (it == index_by_url.end()) continue;
    size_t& used = used_by_url[url];
    if (used >= it->second.size()) continue;
    S3Response& response = responses[it->second[used++]];
    response.http_code = std::atoi(line.substr(0, tab1).c_str());
    response.etag = line.substr(tab1 + 1, tab2 - tab1 - 1);
    response.url = url;
    ++seen;
  }
  for (size_t i = 0; i < responses.size(); ++i) {
    if (responses[i].http_code < 200 || responses[i].http_code > 299) {
      std::string detail = requests[i].method + " " + Url(requests[i]) + " -> HTTP " +
                           std::to_string(responses[i].http_code);
      if (!exit->ok()) detail = DescribeFailure("curl", *exit) + " (" + detail + ")";
      return Status(Code::kUnavailable, detail).WithHttp(responses[i].http_code, "", "");
    }
  }
  if (seen != requests.size()) {
    return Status(Code::kInternal, "curl reported " + std::to_string(seen) + " of " +
                                       std::to_string(requests.size()) + " transfers");
  }
  return responses;
}

Result<std::string> CurlS3::Fetch(const S3Request& request) const {
  S3Request copy = request;
  copy.output = ScratchPath("body");
  Result<std::vector<S3Response>> responses = Run({copy}, 1, 120);
  std::string body = ReadFile(copy.output);
  unlink(copy.output.c_str());
  if (!responses.ok()) {
    Status status = responses.status();
    if (!body.empty()) status.Annotate(body.substr(0, 300));
    return status;
  }
  return body;
}

Status CurlS3::EnsureBucket() const {
  S3Request list;
  list.query = "list-type=2&max-keys=1";
  if (Fetch(list).ok()) return Status::Ok();
  S3Request create;
  create.method = "PUT";
  Result<std::string> created = Fetch(create);
  if (!created.ok()) return created.status();
  return Status::Ok();
}

Result<std::vector<S3ObjectInfo>> CurlS3::List(const std::string& prefix) const {
  std::vector<S3ObjectInfo> objects;
  std::string token;
  for (;;) {
    S3Request request;
    request.query = "list-type=2&prefix=" + s3::UriEncode(prefix, true);
    if (!token.empty()) request.query += "&continuation-token=" + s3::UriEncode(token, true);
    Result<std::string> body = Fetch(request);
    if (!body.ok()) return body.status();
    Result<s3::ListPage> page = s3::ParseListObjectsV2(*body);
    if (!page.ok()) return page.status();
    for (const s3::ListedObject& o : page->objects) objects.push_back({o.key, o.size});
    if (!page->truncated || page->next_continuation_token.empty()) break;
    token = page->next_continuation_token;
  }
  return objects;
}

Status CurlS3::DeletePrefix(const std::string& prefix, int parallel) const {
  // Small servers answer some of many parallel DELETEs with 500: list what is
  // left and try again, a few rounds.
  Status last = Status::Ok();
  for (int round = 0; round < 4; ++round) {
    Result<std::vector<S3ObjectInfo>> objects = List(prefix);
    if (!objects.ok()) return objects.status();
    if (objects->empty()) return Status::Ok();
    std::vector<S3Request> deletes;
    for (const S3ObjectInfo& object : *objects) {
      S3Request request;
      request.method = "DELETE";
      request.key = object.key;
      deletes.push_back(std::move(request));
    }
    last = Status::Ok();
    const size_t kBatch = 2000;
    for (size_t start = 0; start < deletes.size(); start += kBatch) {
      std::vector<S3Request> batch(
          deletes.begin() + static_cast<long>(start),
          deletes.begin() + static_cast<long>(std::min(deletes.size(), start + kBatch)));
      Result<std::vector<S3Response>> done = Run(batch, round == 0 ? parallel : 2, 600);
      if (!done.ok()) last = done.status();
    }
    if (last.ok()) return Status::Ok();
  }
  return last;
}

Status CurlS3::PutMany(const std::vector<std::string>& keys, const std::string& body_file,
                       const std::vector<std::string>& headers, int parallel) const {
  const size_t kBatch = 2000;
  for (size_t start = 0; start < keys.size(); start += kBatch) {
    std::vector<S3Request> batch;
    for (size_t i = start; i < keys.size() && i < start + kBatch; ++i) {
      S3Request request;
      request.method = "PUT";
      request.key = keys[i];
      request.upload_file = body_file;
      request.headers = headers;
      batch.push_back(std::move(request));
    }
    Result<std::vector<S3Response>> done = Run(batch, parallel, 900);
    if (!done.ok()) return done.status();
  }
  return Status::Ok();
}

Result<double> CurlS3::MultipartUpload(const std::string& key,
                                       const std::vector<std::string>& part_files,
                                       const std::vector<std::string>& headers) const {
  auto start = std::chrono::steady_clock::now();
  S3Request create;
  create.method = "POST";
  create.key = key;
  create.query = "uploads";
  create.headers = headers;
  create.headers.push_back("Content-Type: application/octet-stream");
  Result<std::string> created = Fetch(create);
  if (!created.ok()) return created.status();
  Result<std::string> initiated = s3::ParseInitiateMultipartUpload(*created);
  if (!initiated.ok()) return initiated.status();
  const std::string& upload_id = *initiated;

  std::vector<S3Request> parts;
  for (size_t i = 0; i < part_files.size(); ++i) {
    S3Request part;
    part.method = "PUT";
    part.key = key;
    part.query = "partNumber=" + std::to_string(i + 1) + "&uploadId=" + s3::UriEncode(upload_id, true);
    part.upload_file = part_files[i];
    parts.push_back(std::move(part));
  }
  Result<std::vector<S3Response>> uploaded =
      Run(parts, static_cast<int>(parts.size()), 3600);
  if (!uploaded.ok()) return uploaded.status();

  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < uploaded->size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
           (*uploaded)[i].etag + "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  std::string xml_path = ScratchPath("complete.xml");
  {
    std::ofstream out(xml_path, std::ios::binary);
    out << xml;
  }
  S3Request complete;
  complete.method = "POST";
  complete.key = key;
  complete.query = "uploadId=" + s3::UriEncode(upload_id, true);
  complete.body_file = xml_path;
  complete.headers = {"Content-Type: application/xml"};
  Result<std::string> completed = Fetch(complete);
  unlink(xml_path.c_str());
  if (!completed.ok()) return completed.status();
  if (completed->find("<Error>") != std::string::npos) {
    return Status(Code::kInternal, "CompleteMultipartUpload failed: " + completed->substr(0, 300));
  }
  return SecondsSince(start);
}

Result<double> CurlS3::ParallelRangeGet(const std::string& key, uint64_t size, int parts) const {
  std::vector<S3Request> requests;
  uint64_t part_size = (size + static_cast<uint64_t>(parts) - 1) / static_cast<uint64_t>(parts);
  for (uint64_t first = 0; first < size; first += part_size) {
    S3Request request;
    request.key = key;
    uint64_t last = std::min(size, first + part_size) - 1;
    request.range = std::to_string(first) + "-" + std::to_string(last);
    requests.push_back(std::move(request));
  }
  auto start = std::chrono::steady_clock::now();
  Result<std::vector<S3Response>> done = Run(requests, parts, 3600);
  if (!done.ok()) return done.status();
  return SecondsSince(start);
}

std::vector<std::string> CurlS3::FileMetadataHeaders() {
  return {"x-amz-meta-mode: 33188", "x-amz-meta-uid: 0", "x-amz-meta-gid: 0",
          "x-amz-meta-mtime: 1700000000"};
}

std::vector<std::string> CurlS3::DirMetadataHeaders() {
  return {"Content-Type: application/x-directory", "x-amz-meta-mode: 16877", "x-amz-meta-uid: 0",
          "x-amz-meta-gid: 0", "x-amz-meta-mtime: 1700000000"};
}

}  // namespace objfs::bench
