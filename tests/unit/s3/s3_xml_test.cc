// S3 XML: parsing realistic response bodies (listings, errors, multipart,
// copies, deletes, tagging), S3's <Error>-inside-200 responses, request-body
// builders with escaping, and date parsing.
#include <doctest/doctest.h>

#include <pugixml.hpp>

#include <string>
#include <vector>

#include "s3/s3_xml.h"
#include "xorshift.h"

using namespace objfs;
using namespace objfs::s3;

namespace {

constexpr std::time_t k20091012 = 1255369830;  // 2009-10-12T17:50:30Z

const char kListV2Page1[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>example-bucket</Name>
  <Prefix>photos/</Prefix>
  <KeyCount>4</KeyCount>
  <MaxKeys>4</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key>photos/a.jpg</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>photos/big.mov</Key>
    <LastModified>2009-10-12T17:50:31.000Z</LastModified>
    <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
    <Size>47185920000</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>photos/ </Key>
    <LastModified>2009-10-12T17:50:32Z</LastModified>
    <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>
    <Size>0</Size>
  </Contents>
  <CommonPrefixes>
    <Prefix>photos/2006/</Prefix>
  </CommonPrefixes>
  <CommonPrefixes>
    <Prefix>photos/2007/</Prefix>
  </CommonPrefixes>
</ListBucketResult>)";

const char kListV2Last[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>example-bucket</Name><Prefix>photos/</Prefix><KeyCount>1</KeyCount><MaxKeys>4</MaxKeys>
  <Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>
  <ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>
  <Contents><Key>photos/z &amp; &lt;q&gt;.jpg</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"aa"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>
</ListBucketResult>)";

}  // namespace

TEST_CASE("ListObjectsV2: a truncated page with objects, prefixes and a continuation token") {
  Result<ListPage> page = ParseListObjectsV2(kListV2Page1);
  REQUIRE_MESSAGE(page.ok(), page.status().ToString());
  REQUIRE(page->objects.size() == 3);
  CHECK(page->objects[0].key == "photos/a.jpg");
  CHECK(page->objects[0].size == 434234);
  CHECK(page->objects[0].etag == "fba9dede5f27731c9771645a39863328");
  CHECK(page->objects[0].last_modified == k20091012);
  CHECK(page->objects[1].key == "photos/big.mov");
  CHECK(page->objects[1].size == 47185920000ull);
  CHECK(page->objects[1].etag == "3858f62230ac3c915f300c664312c11f-9");
  CHECK(page->objects[1].last_modified == k20091012 + 1);
  CHECK(page->objects[2].key == "photos/ ");  // whitespace in keys is kept
  CHECK(page->objects[2].size == 0);
  CHECK(page->objects[2].last_modified == k20091012 + 2);
  CHECK(page->common_prefixes == std::vector<std::string>{"photos/2006/", "photos/2007/"});
  CHECK(page->truncated);
  CHECK(page->next_continuation_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST_CASE("ListObjectsV2: the last page, with entities in keys") {
  Result<ListPage> page = ParseListObjectsV2(kListV2Last);
  REQUIRE(page.ok());
  REQUIRE(page->objects.size() == 1);
  CHECK(page->objects[0].key == "photos/z & <q>.jpg");
  CHECK_FALSE(page->truncated);
  CHECK(page->next_continuation_token.empty());
  CHECK(page->common_prefixes.empty());
}

TEST_CASE("ListObjectsV2: an empty bucket") {
  Result<ListPage> page = ParseListObjectsV2(
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>)");
  REQUIRE(page.ok());
  CHECK(page->objects.empty());
  CHECK(page->common_prefixes.empty());
  CHECK_FALSE(page->truncated);
}

TEST_CASE("ListObjectsV2 with EncodingType=url decodes keys and prefixes") {
  Result<ListPage> page = ParseListObjectsV2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>dir%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>
  <Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>
  <Contents><Key>dir%2Fa+b%2Bc%26d%25e%E2%9C%93</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"e"</ETag><Size>3</Size></Contents>
  <Contents><Key>dir%2Fline%0Abreak</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"f"</ETag><Size>4</Size></Contents>
  <CommonPrefixes><Prefix>dir%2Fsub+dir%2F</Prefix></CommonPrefixes>
</ListBucketResult>)");
  REQUIRE(page.ok());
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0].key == "dir/a b+c&d%e\xe2\x9c\x93");
  CHECK(page->objects[1].key == "dir/line\nbreak");
  CHECK(page->common_prefixes == std::vector<std::string>{"dir/sub dir/"});
}

TEST_CASE("ListObjectsV2: a truncated page without a token is an error, not an endless loop") {
  Result<ListPage> page = ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key></Contents></ListBucketResult>");
  REQUIRE_FALSE(page.ok());
  CHECK(page.status().code() == Code::kInternal);
  CHECK(page.status().message().find("NextContinuationToken") != std::string::npos);
}

TEST_CASE("ListObjects v1: NextMarker, or the last key or prefix when S3 omits it") {
  // With a delimiter S3 sends NextMarker.
  Result<ListPage> page = ParseListObjectsV1(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix></Prefix><Marker></Marker><NextMarker>m/</NextMarker><MaxKeys>2</MaxKeys>
  <Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
  <Contents><Key>a.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>"1"</ETag><Size>1</Size></Contents>
  <CommonPrefixes><Prefix>m/</Prefix></CommonPrefixes>
</ListBucketResult>)");
  REQUIRE(page.ok());
  CHECK(page->truncated);
  CHECK(page->next_continuation_token == "m/");
  CHECK(page->objects.size() == 1);

  // Without a delimiter: the last key.
  page = ParseListObjectsV1(R"(<ListBucketResult><Name>b</Name><Marker></Marker><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>a</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>"1"</ETag><Size>1</Size></Contents>
  <Contents><Key>b c</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>"2"</ETag><Size>2</Size></Contents>
</ListBucketResult>)");
  REQUIRE(page.ok());
  CHECK(page->next_continuation_token == "b c");

  // Prefixes after the last key: the greater name wins.
  page = ParseListObjectsV1(R"(<ListBucketResult><IsTruncated>true</IsTruncated><Delimiter>/</Delimiter>
  <Contents><Key>a</Key><Size>1</Size></Contents>
  <CommonPrefixes><Prefix>z/</Prefix></CommonPrefixes></ListBucketResult>)");
  REQUIRE(page.ok());
  CHECK(page->next_continuation_token == "z/");

  // Not truncated: no marker.
  page = ParseListObjectsV1("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  REQUIRE(page.ok());
  CHECK(page->next_continuation_token.empty());

  // EncodingType=url applies to NextMarker too.
  page = ParseListObjectsV1(
      "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
      "<NextMarker>a%20b</NextMarker><Contents><Key>a%20b</Key></Contents></ListBucketResult>");
  REQUIRE(page.ok());
  CHECK(page->objects[0].key == "a b");
  CHECK(page->next_continuation_token == "a b");
}

TEST_CASE("listings that are not XML, or not listings, are errors") {
  for (const char* bad : {"", "not xml at all", "<ListBucketResult><Contents>", "<Other/>"}) {
    CAPTURE(bad);
    Result<ListPage> page = ParseListObjectsV2(bad);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().code() == Code::kInternal);
    CHECK(page.status().message().find("ListObjectsV2") != std::string::npos);
  }
  // An <Error> body is the S3 error it carries.
  Result<ListPage> page = ParseListObjectsV2("<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>");
  REQUIRE_FALSE(page.ok());
  CHECK(page.status().code() == Code::kNotFound);
  CHECK(page.status().s3_code() == "NoSuchBucket");
}

TEST_CASE("ParseError reads code, message, request id and resource") {
  Result<S3ErrorInfo> info = ParseError(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
  <HostId>eftixk72aD6Ap51TnqcoF8eFidJG9Z/2mkiDFu8yU9AS1ed4OpIszj7UDNEHGran</HostId>
</Error>)");
  REQUIRE(info.ok());
  CHECK(info->code == "NoSuchKey");
  CHECK(info->message == "The resource you requested does not exist");
  CHECK(info->resource == "/mybucket/myfoto.jpg");
  CHECK(info->request_id == "4442587FB7D0A2F9");

  info = ParseError(
      "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>x</Message></Error>"
      "<RequestId>r-1</RequestId></ErrorResponse>");
  REQUIRE(info.ok());
  CHECK(info->code == "SignatureDoesNotMatch");
  CHECK(info->request_id == "r-1");

  CHECK_FALSE(ParseError("").ok());
  CHECK_FALSE(ParseError("<html><body>502 Bad Gateway</body></html>").ok());
}

TEST_CASE("multipart: initiate and complete") {
  Result<std::string> id = ParseInitiateMultipartUpload(R"(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)");
  REQUIRE(id.ok());
  CHECK(*id == "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  CHECK_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());

  Result<std::string> etag = ParseCompleteMultipartUpload(R"(<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>
  <Bucket>Example-Bucket</Bucket>
  <Key>Example-Object</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>)");
  REQUIRE(etag.ok());
  CHECK(*etag == "3858f62230ac3c915f300c664312c11f-9");
}

TEST_CASE("an <Error> in a 200 response to CompleteMultipartUpload or a copy is an error Status") {
  const char* internal = R"(<?xml version="1.0" encoding="UTF-8"?>

<Error>
  <Code>InternalError</Code>
  <Message>We encountered an internal error. Please try again.</Message>
  <RequestId>656c76696e6727732072657175657374</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
</Error>)";
  Result<std::string> etag = ParseCompleteMultipartUpload(internal);
  REQUIRE_FALSE(etag.ok());
  CHECK(etag.status().code() == Code::kUnavailable);
  CHECK(etag.status().retryable());
  CHECK(etag.status().http_status() == 200);
  CHECK(etag.status().s3_code() == "InternalError");
  CHECK(etag.status().request_id() == "656c76696e6727732072657175657374");

  Result<std::string> copy = ParseCopyResult(internal);
  REQUIRE_FALSE(copy.ok());
  CHECK(copy.status().retryable());

  Result<std::string> bad_part = ParseCompleteMultipartUpload(
      "<Error><Code>InvalidPart</Code><Message>One or more of the specified parts could not be found.</Message>"
      "<RequestId>r</RequestId></Error>");
  REQUIRE_FALSE(bad_part.ok());
  CHECK(bad_part.status().code() == Code::kInvalidArgument);
  CHECK_FALSE(bad_part.status().retryable());

  Result<std::string> slow = ParseCopyResult("<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>");
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.status().code() == Code::kUnavailable);
  CHECK(slow.status().retryable());
}

TEST_CASE("copy results: CopyObjectResult and CopyPartResult") {
  Result<std::string> etag = ParseCopyResult(R"(<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <LastModified>2009-10-12T17:50:30.000Z</LastModified>
  <ETag>"9b2cf535f27731c974343645a3985328"</ETag>
</CopyObjectResult>)");
  REQUIRE(etag.ok());
  CHECK(*etag == "9b2cf535f27731c974343645a3985328");

  etag = ParseCopyResult(
      "<CopyPartResult><LastModified>2011-04-11T20:34:56.000Z</LastModified>"
      "<ETag>&quot;b20b0f2d4cfa63d3d2f4d4ac1a5c44ab&quot;</ETag></CopyPartResult>");
  REQUIRE(etag.ok());
  CHECK(*etag == "b20b0f2d4cfa63d3d2f4d4ac1a5c44ab");

  CHECK_FALSE(ParseCopyResult("<CopyObjectResult/>").ok());
  CHECK_FALSE(ParseCopyResult("<Something><ETag>x</ETag></Something>").ok());
}

TEST_CASE("ListMultipartUploads with truncation markers") {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>2</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator><ID>arn:aws:iam::111122223333:user/user1</ID><DisplayName>user1</DisplayName></Initiator>
    <StorageClass>REDUCED_REDUNDANCY</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:34.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>)";
  Result<MultipartUploadsPage> page = ParseListMultipartUploadsPage(xml);
  REQUIRE(page.ok());
  REQUIRE(page->uploads.size() == 2);
  CHECK(page->uploads[0].key == "my-divisor");
  CHECK(page->uploads[0].upload_id == "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  CHECK(page->uploads[0].initiated == 1289422113);
  CHECK(page->uploads[1].initiated == 1289422114);
  CHECK(page->truncated);
  CHECK(page->next_key_marker == "my-movie.m2ts");
  CHECK(page->next_upload_id_marker == "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");

  Result<std::vector<MultipartUploadInfo>> uploads = ParseListMultipartUploads(xml);
  REQUIRE(uploads.ok());
  CHECK(uploads->size() == 2);

  Result<std::vector<MultipartUploadInfo>> none =
      ParseListMultipartUploads("<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>");
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("DeleteResult: only the failed keys come back") {
  Result<std::vector<DeleteError>> errors = ParseDeleteResult(R"(<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Deleted><Key>sample1.txt</Key></Deleted>
  <Error><Key>sample2 &amp; more.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
  <Deleted><Key>sample3.txt</Key><DeleteMarker>true</DeleteMarker></Deleted>
  <Error><Key>x</Key><Code>InternalError</Code><Message>Try again</Message></Error>
</DeleteResult>)");
  REQUIRE(errors.ok());
  REQUIRE(errors->size() == 2);
  CHECK((*errors)[0].key == "sample2 & more.txt");
  CHECK((*errors)[0].code == "AccessDenied");
  CHECK((*errors)[0].message == "Access Denied");
  CHECK((*errors)[1].code == "InternalError");

  Result<std::vector<DeleteError>> quiet = ParseDeleteResult("<DeleteResult/>");
  REQUIRE(quiet.ok());
  CHECK(quiet->empty());

  Result<std::vector<DeleteError>> whole = ParseDeleteResult("<Error><Code>AccessDenied</Code></Error>");
  REQUIRE_FALSE(whole.ok());
  CHECK(whole.status().code() == Code::kPermissionDenied);
}

TEST_CASE("tagging: parse, build, round-trip with characters that need escaping") {
  Result<Tags> tags = ParseTagging(R"(<?xml version="1.0" encoding="UTF-8"?>
<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <TagSet>
    <Tag><Key>project</Key><Value>objfs</Value></Tag>
    <Tag><Key>a&amp;b</Key><Value></Value></Tag>
  </TagSet>
</Tagging>)");
  REQUIRE(tags.ok());
  CHECK(tags->size() == 2);
  CHECK(tags->at("project") == "objfs");
  CHECK(tags->at("a&b") == "");

  Tags original{{"k&<>\"'", "v&<>\"'"}, {"capacity", "10737418240"}, {"space", " "}};
  std::string xml = BuildTagging(original);
  CHECK(xml.find("<Key>k&amp;&lt;&gt;&quot;&apos;</Key>") != std::string::npos);
  Result<Tags> back = ParseTagging(xml);
  REQUIRE(back.ok());
  CHECK(*back == original);

  Result<Tags> empty = ParseTagging(BuildTagging({}));
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("BuildCompleteMultipartUpload sorts parts and quotes ETags") {
  std::string xml = BuildCompleteMultipartUpload({{2, "\"bbb\""}, {1, "aaa"}, {10, "ccc-1"}});
  CHECK(xml ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Part><PartNumber>1</PartNumber><ETag>\"aaa\"</ETag></Part>"
        "<Part><PartNumber>2</PartNumber><ETag>\"bbb\"</ETag></Part>"
        "<Part><PartNumber>10</PartNumber><ETag>\"ccc-1\"</ETag></Part>"
        "</CompleteMultipartUpload>");
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str()));
}

TEST_CASE("BuildDeleteObjects escapes keys so any key round-trips through an XML parser") {
  const std::vector<std::string> keys = {"plain.txt", "a&b<c>d\"e'f", " leading and trailing ",
                                         "line\nbreak\r\ttab", "\xe2\x9c\x93 unicode", "100%+?#"};
  std::string xml = BuildDeleteObjects(keys, true);
  CHECK(xml.find("<Quiet>true</Quiet>") != std::string::npos);
  CHECK(xml.find("&#xA;") != std::string::npos);
  CHECK(xml.find("&#xD;") != std::string::npos);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str(), pugi::parse_default | pugi::parse_ws_pcdata));
  std::vector<std::string> parsed;
  for (pugi::xml_node object : doc.child("Delete").children("Object")) {
    parsed.emplace_back(object.child("Key").text().get());
  }
  CHECK(parsed == keys);
  CHECK(BuildDeleteObjects({"k"}, false).find("Quiet") == std::string::npos);
}

TEST_CASE("BuildCreateBucketConfiguration is empty for us-east-1") {
  CHECK(BuildCreateBucketConfiguration("us-east-1") == "");
  CHECK(BuildCreateBucketConfiguration("") == "");
  std::string xml = BuildCreateBucketConfiguration("eu-west-1");
  CHECK(xml.find("<LocationConstraint>eu-west-1</LocationConstraint>") != std::string::npos);
  CHECK(xml.find("<CreateBucketConfiguration") != std::string::npos);
}

TEST_CASE("StripEtagQuotes and XmlEscape") {
  CHECK(StripEtagQuotes("\"abc\"") == "abc");
  CHECK(StripEtagQuotes("abc") == "abc");
  CHECK(StripEtagQuotes("&quot;abc&quot;") == "abc");
  CHECK(StripEtagQuotes("\"") == "\"");
  CHECK(StripEtagQuotes("") == "");
  CHECK(XmlEscape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f");
}

TEST_CASE("ISO 8601 dates") {
  CHECK(ParseIso8601("2009-10-12T17:50:30.000Z") == k20091012);
  CHECK(ParseIso8601("2009-10-12T17:50:30Z") == k20091012);
  CHECK(ParseIso8601("2009-10-12T17:50:30") == k20091012);
  CHECK(ParseIso8601("2009-10-12T19:50:30.5+02:00") == k20091012);
  CHECK(ParseIso8601("2009-10-12T12:50:30-0500") == k20091012);
  CHECK(ParseIso8601("2024-02-29T23:59:59Z") == 1709251199);
  CHECK(ParseIso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(ParseIso8601("") == 0);
  CHECK(ParseIso8601("2009-13-12T17:50:30Z") == 0);
  CHECK(ParseIso8601("2009-10-12") == 0);
  CHECK(ParseIso8601("2009-10-12T17:50:30Zjunk") == 0);
}

TEST_CASE("HTTP dates: RFC 1123, RFC 850 and asctime") {
  CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
  CHECK(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
  CHECK(ParseHttpDate("Sun Nov  6 08:49:37 1994") == 784111777);
  CHECK(ParseHttpDate("Mon, 12 Oct 2009 17:50:30 GMT") == k20091012);
  CHECK(ParseHttpDate("") == 0);
  CHECK(ParseHttpDate("yesterday") == 0);
  CHECK(ParseHttpDate("Mon, 12 Foo 2009 17:50:30 GMT") == 0);
  CHECK(ParseHttpDate("Mon, 12 Oct 2009 17:50 GMT") == 0);
}

TEST_CASE("parsers survive truncated and corrupted bodies") {
  // Every prefix of a real page, and pages with bytes flipped, either parse
  // or fail with a Status; a page that parses as truncated always has a token.
  const std::string page = kListV2Page1;
  int parsed = 0;
  for (size_t len = 0; len <= page.size(); ++len) {
    Result<ListPage> r = ParseListObjectsV2(std::string_view(page).substr(0, len));
    if (r.ok()) {
      ++parsed;
      CHECK((!r->truncated || !r->next_continuation_token.empty()));
    } else {
      CHECK(r.status().code() != Code::kOk);
    }
    (void)ParseListObjectsV1(std::string_view(page).substr(0, len));
    (void)ParseError(std::string_view(page).substr(0, len));
    (void)ParseIso8601(std::string_view("2009-10-12T17:50:30.000Z").substr(0, len % 25));
    (void)ParseHttpDate(std::string_view("Sun, 06 Nov 1994 08:49:37 GMT").substr(0, len % 30));
  }
  CHECK(parsed >= 1);  // at least the whole page

  testing::XorShift32 next{2463534242u};
  for (int round = 0; round < 2000; ++round) {
    std::string mutated = page;
    for (int flips = 0; flips < 3; ++flips) {
      mutated[next() % mutated.size()] = static_cast<char>(next() & 0xff);
    }
    Result<ListPage> r = ParseListObjectsV2(mutated);
    if (r.ok()) CHECK((!r->truncated || !r->next_continuation_token.empty()));
    (void)ParseDeleteResult(mutated);
    (void)ParseTagging(mutated);
    (void)ParseListMultipartUploadsPage(mutated);
  }
}
