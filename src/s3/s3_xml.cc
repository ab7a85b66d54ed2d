#include "s3/s3_xml.h"

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>

#include "s3/retry_policy.h"

namespace objfs::s3 {

namespace {

constexpr char kS3Namespace[] = "http://s3.amazonaws.com/doc/2006-03-01/";

// Keep whitespace-only text (a key may be " ") and do not rewrite line ends
// (a key may contain "\r").
constexpr unsigned int kParseOptions = (pugi::parse_default & ~pugi::parse_eol) | pugi::parse_ws_pcdata;

Status Malformed(std::string_view what, std::string_view detail) {
  std::string message = "malformed S3 response (";
  message += what;
  message += "): ";
  message += detail;
  return Status(Code::kInternal, std::move(message));
}

// Parses `xml` into `doc` and returns its root element, or an error.
Result<pugi::xml_node> LoadRoot(pugi::xml_document& doc, std::string_view xml, std::string_view what) {
  if (xml.empty()) return Malformed(what, "empty body");
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), kParseOptions, pugi::encoding_utf8);
  if (!parsed) {
    return Malformed(what, std::string(parsed.description()) + " at offset " + std::to_string(parsed.offset));
  }
  pugi::xml_node root = doc.document_element();
  if (!root) return Malformed(what, "no root element");
  return root;
}

std::string Text(const pugi::xml_node& parent, const char* name) {
  return std::string(parent.child(name).text().get());
}

bool Bool(const pugi::xml_node& parent, const char* name) {
  std::string v = Text(parent, name);
  return v == "true" || v == "True" || v == "TRUE" || v == "1";
}

uint64_t U64(const pugi::xml_node& parent, const char* name) {
  std::string v = Text(parent, name);
  uint64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// EncodingType=url values are form-encoded: '+' is a space, %XX a byte.
std::string FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

S3ErrorInfo ErrorInfoFrom(const pugi::xml_node& error) {
  S3ErrorInfo info;
  info.code = Text(error, "Code");
  info.message = Text(error, "Message");
  info.request_id = Text(error, "RequestId");
  info.resource = Text(error, "Resource");
  return info;
}

// For responses that may be an <Error> despite HTTP 200.
Status ErrorIn200(const pugi::xml_node& root) {
  return StatusFromHttp(200, ErrorInfoFrom(root));
}

Result<std::string> EtagFrom(std::string_view xml, std::string_view what,
                             std::initializer_list<const char*> roots) {
  pugi::xml_document doc;
  Result<pugi::xml_node> root = LoadRoot(doc, xml, what);
  if (!root.ok()) return root.status();
  std::string_view name = root->name();
  if (name == "Error") return ErrorIn200(*root);
  for (const char* expected : roots) {
    if (name == expected) {
      pugi::xml_node etag = root->child("ETag");
      if (!etag) return Malformed(what, "no ETag");
      return StripEtagQuotes(etag.text().get());
    }
  }
  return Malformed(what, "unexpected root element <" + std::string(name) + ">");
}

Result<ListPage> ParseListing(std::string_view xml, bool v2) {
  const char* what = v2 ? "ListObjectsV2" : "ListObjects";
  pugi::xml_document doc;
  Result<pugi::xml_node> root = LoadRoot(doc, xml, what);
  if (!root.ok()) return root.status();
  if (std::string_view(root->name()) == "Error") return ErrorIn200(*root);
  if (std::string_view(root->name()) != "ListBucketResult") {
    return Malformed(what, "unexpected root element <" + std::string(root->name()) + ">");
  }
  const bool url_encoded = Text(*root, "EncodingType") == "url";
  auto decode = [&](std::string s) { return url_encoded ? FormDecode(s) : s; };

  ListPage page;
  for (pugi::xml_node contents : root->children("Contents")) {
    ListedObject object;
    object.key = decode(Text(contents, "Key"));
    object.size = U64(contents, "Size");
    object.etag = StripEtagQuotes(Text(contents, "ETag"));
    object.last_modified = ParseIso8601(Text(contents, "LastModified"));
    page.objects.push_back(std::move(object));
  }
  for (pugi::xml_node prefixes : root->children("CommonPrefixes")) {
    for (pugi::xml_node prefix : prefixes.children("Prefix")) page.common_prefixes.push_back(decode(prefix.text().get()));
  }
  page.truncated = Bool(*root, "IsTruncated");
  if (!page.truncated) return page;

  if (v2) {
    page.next_continuation_token = Text(*root, "NextContinuationToken");
    if (page.next_continuation_token.empty()) return Malformed(what, "truncated without NextContinuationToken");
    return page;
  }
  std::string next_marker = decode(Text(*root, "NextMarker"));
  if (next_marker.empty()) {
    // Without a delimiter S3 omits NextMarker: resume after the greatest name
    // returned (objects and prefixes are each sorted).
    if (!page.objects.empty()) next_marker = page.objects.back().key;
    if (!page.common_prefixes.empty()) next_marker = std::max(next_marker, page.common_prefixes.back());
  }
  if (next_marker.empty()) return Malformed(what, "truncated without NextMarker or entries");
  page.next_continuation_token = std::move(next_marker);
  return page;
}

void AppendEscaped(std::string& out, std::string_view text) { out += XmlEscape(text); }

// days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ValidFields(int year, int month, int day, int hour, int minute, int second) {
  return year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 &&
         minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

std::time_t ToEpoch(int year, int month, int day, int hour, int minute, int second) {
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return static_cast<std::time_t>(days * 86400 + hour * 3600 + minute * 60 + second);
}

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

int MonthFromName(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (name == kMonths[i]) return i + 1;
  }
  return 0;
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) parts.push_back(s.substr(start, i - start));
  }
  return parts;
}

bool ParseClock(std::string_view s, int& hour, int& minute, int& second) {
  size_t pos = 0;
  return Digits(s, pos, 2, hour) && Expect(s, pos, ':') && Digits(s, pos, 2, minute) && Expect(s, pos, ':') &&
         Digits(s, pos, 2, second) && pos == s.size();
}

int ParseInt(std::string_view s) {
  int v = -1;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return -1;
  return v;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20) {
          // Character references keep \r, \n and \t from being normalised.
          static constexpr char kHex[] = "0123456789ABCDEF";
          out += "&#x";
          if (u >= 0x10) out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xf]);
          out.push_back(';');
        } else {
          out.push_back(c);
        }
      }
    }
  }
  return out;
}

std::string StripEtagQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  if (etag.size() >= 12 && etag.substr(0, 6) == "&quot;" && etag.substr(etag.size() - 6) == "&quot;") {
    etag = etag.substr(6, etag.size() - 12);
  }
  return std::string(etag);
}

Result<ListPage> ParseListObjectsV2(std::string_view xml) { return ParseListing(xml, true); }

Result<ListPage> ParseListObjectsV1(std::string_view xml) { return ParseListing(xml, false); }

Result<S3ErrorInfo> ParseError(std::string_view xml) {
  pugi::xml_document doc;
  Result<pugi::xml_node> root = LoadRoot(doc, xml, "Error");
  if (!root.ok()) return root.status();
  pugi::xml_node error = *root;
  if (std::string_view(error.name()) != "Error") {
    // Some services wrap it: <ErrorResponse><Error>...</Error><RequestId/></ErrorResponse>.
    pugi::xml_node inner = error.child("Error");
    if (!inner) return Malformed("Error", "unexpected root element <" + std::string(error.name()) + ">");
    S3ErrorInfo info = ErrorInfoFrom(inner);
    if (info.request_id.empty()) info.request_id = Text(error, "RequestId");
    return info;
  }
  return ErrorInfoFrom(error);
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view xml) {
  pugi::xml_document doc;
  Result<pugi::xml_node> root = LoadRoot(doc, xml, "CreateMultipartUpload");
  if (!root.ok()) return root.status();
  if (std::string_view(root->name()) == "Error") return ErrorIn200(*root);
  std::string upload_id = Text(*root, "UploadId");
  if (upload_id.empty()) return Malformed("CreateMultipartUpload", "no UploadId");
  return upload_id;
}

Result<std::string> ParseCompleteMultipartUpload(std::string_view xml) {
  return EtagFrom(xml, "CompleteMultipartUpload", {"CompleteMultipartUploadResult"});
}

Result<std::string> ParseCopyResult(std::string_view xml) {
  return EtagFrom(xml, "Copy", {"CopyObjectResult", "CopyPartResult"});
}

Result<MultipartUploadsPage> ParseListMultipartUploadsPage(std::string_view xml) {
  pugi::xml_document doc;
  Result<pugi::xml_node> root = LoadRoot(doc, xml, "ListMultipartUploads");
  if (!root.ok()) return root.status();
  if (std::string_view(root->name()) == "Error") return ErrorIn200(*root);
  if (std::string_view(root->name()) != "ListMultipartUploadsResult") {
    return Malformed("ListMultipartUploads", "unexpected root element <" + std::string(root->name()) + ">");
  }
  const bool url_encoded = Text(*root, "EncodingType") == "url";
  auto decode = [&](std::string s) { return url_encoded ? FormDecode(s) : s; };
  MultipartUploadsPage page;
  for (pugi::xml_node upload : root->children("Upload")) {
    MultipartUploadInfo info;
    info.key = decode(Text(upload, "Key"));
    info.upload_id = Text(upload, "UploadId");
    info.initiated = ParseIso8601(Text(upload, "Initiated"));
    page.uploads.push_back(std::move(info));
  }
  page.truncated = Bool(*root, "IsTruncated");
  if (page.truncated) {
    page.next_key_marker = decode(Text(*root, "NextKeyMarker"));
    page.next_upload_id_marker = Text(*root, "NextUploadIdMarker");
  }
  return page;
}

Result<std::vector<MultipartUploadInfo>> ParseListMultipartUploads(std::string_view xml) {
  Result<MultipartUploadsPage> page = ParseListMultipartUploadsPage(xml);
  if (!page.ok()) return page.status();
  return std::move(page->uploads);
}

Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view xml) {
  pugi::xml_document doc;
  Result<pugi::xml_node> root = LoadRoot(doc, xml, "DeleteObjects");
  if (!root.ok()) return root.status();
  if (std::string_view(root->name()) == "Error") return ErrorIn200(*root);
  if (std::string_view(root->name()) != "DeleteResult") {
    return Malformed("DeleteObjects", "unexpected root element <" + std::string(root->name()) + ">");
  }
  std::vector<DeleteError> errors;
  for (pugi::xml_node error : root->children("Error")) {
    DeleteError e;
    e.key = Text(error, "Key");
    e.code = Text(error, "Code");
    e.message = Text(error, "Message");
    errors.push_back(std::move(e));
  }
  return errors;
}

Result<Tags> ParseTagging(std::string_view xml) {
  pugi::xml_document doc;
  Result<pugi::xml_node> root = LoadRoot(doc, xml, "Tagging");
  if (!root.ok()) return root.status();
  if (std::string_view(root->name()) == "Error") return ErrorIn200(*root);
  if (std::string_view(root->name()) != "Tagging") {
    return Malformed("Tagging", "unexpected root element <" + std::string(root->name()) + ">");
  }
  Tags tags;
  for (pugi::xml_node tag : root->child("TagSet").children("Tag")) {
    tags[Text(tag, "Key")] = Text(tag, "Value");
  }
  return tags;
}

std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts) {
  std::vector<CompletedPart> sorted = parts;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const CompletedPart& a, const CompletedPart& b) { return a.part_number < b.part_number; });
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload xmlns=\"";
  out += kS3Namespace;
  out += "\">";
  for (const CompletedPart& part : sorted) {
    out += "<Part><PartNumber>";
    out += std::to_string(part.part_number);
    out += "</PartNumber><ETag>\"";
    AppendEscaped(out, StripEtagQuotes(part.etag));
    out += "\"</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

std::string BuildDeleteObjects(const std::vector<std::string>& keys, bool quiet) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete xmlns=\"";
  out += kS3Namespace;
  out += "\">";
  if (quiet) out += "<Quiet>true</Quiet>";
  for (const std::string& key : keys) {
    out += "<Object><Key>";
    AppendEscaped(out, key);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

std::string BuildTagging(const Tags& tags) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging xmlns=\"";
  out += kS3Namespace;
  out += "\"><TagSet>";
  for (const auto& [key, value] : tags) {
    out += "<Tag><Key>";
    AppendEscaped(out, key);
    out += "</Key><Value>";
    AppendEscaped(out, value);
    out += "</Value></Tag>";
  }
  out += "</TagSet></Tagging>";
  return out;
}

std::string BuildCreateBucketConfiguration(const std::string& region) {
  if (region.empty() || region == "us-east-1") return std::string();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateBucketConfiguration xmlns=\"";
  out += kS3Namespace;
  out += "\"><LocationConstraint>";
  AppendEscaped(out, region);
  out += "</LocationConstraint></CreateBucketConfiguration>";
  return out;
}

std::time_t ParseIso8601(std::string_view s) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, pos, 4, year) || !Expect(s, pos, '-') || !Digits(s, pos, 2, month) || !Expect(s, pos, '-') ||
      !Digits(s, pos, 2, day)) {
    return 0;
  }
  if (!(Expect(s, pos, 'T') || Expect(s, pos, 't') || Expect(s, pos, ' '))) return 0;
  if (!Digits(s, pos, 2, hour) || !Expect(s, pos, ':') || !Digits(s, pos, 2, minute) || !Expect(s, pos, ':') ||
      !Digits(s, pos, 2, second)) {
    return 0;
  }
  if (Expect(s, pos, '.') || Expect(s, pos, ',')) {
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return 0;
  }
  long offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      ++pos;
      int oh = 0, om = 0;
      if (!Digits(s, pos, 2, oh)) return 0;
      Expect(s, pos, ':');
      if (!Digits(s, pos, 2, om)) return 0;
      offset = sign * (oh * 3600L + om * 60L);
    }
  }
  if (pos != s.size() || !ValidFields(year, month, day, hour, minute, second)) return 0;
  return ToEpoch(year, month, day, hour, minute, second) - offset;
}

std::time_t ParseHttpDate(std::string_view s) {
  std::vector<std::string_view> parts = SplitSpaces(s);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    // RFC 1123: "Wed, 12 Oct 2009 17:50:00 GMT"
    day = ParseInt(parts[1]);
    month = MonthFromName(parts[2]);
    year = ParseInt(parts[3]);
    if (!ParseClock(parts[4], hour, minute, second)) return 0;
  } else if (parts.size() == 4 && !parts[0].empty() && parts[0].back() == ',' && parts[3] == "GMT") {
    // RFC 850: "Wednesday, 12-Oct-09 17:50:00 GMT"
    std::string_view date = parts[1];
    if (date.size() != 9 || date[2] != '-' || date[6] != '-') return 0;
    day = ParseInt(date.substr(0, 2));
    month = MonthFromName(date.substr(3, 3));
    int yy = ParseInt(date.substr(7, 2));
    if (yy < 0) return 0;
    year = yy < 70 ? 2000 + yy : 1900 + yy;
    if (!ParseClock(parts[2], hour, minute, second)) return 0;
  } else if (parts.size() == 5) {
    // asctime: "Wed Oct 12 17:50:00 2009"
    month = MonthFromName(parts[1]);
    day = ParseInt(parts[2]);
    if (!ParseClock(parts[3], hour, minute, second)) return 0;
    year = ParseInt(parts[4]);
  } else {
    return 0;
  }
  if (!ValidFields(year, month, day, hour, minute, second)) return 0;
  return ToEpoch(year, month, day, hour, minute, second);
}

}  // namespace objfs::s3
