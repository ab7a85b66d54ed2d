// Credentials: INI parsing, the resolution order (explicit, environment,
// shared credentials file, config file), CSI secrets maps, regions, and that
// secrets never leak into messages.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "s3/credentials.h"
#include "xorshift.h"

using namespace objfs;
using namespace objfs::s3;

namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "objfs-cred-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    REQUIRE(mkdtemp(buf.data()) != nullptr);
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Sources that read only the given files and environment, never the real ones.
CredentialSources Isolated(const TempDir& dir, std::map<std::string, std::string> env = {}) {
  CredentialSources s;
  s.credentials_file = dir.path() + "/no-credentials";
  s.config_file = dir.path() + "/no-config";
  env.emplace("HOME", dir.path() + "/home");
  s.environment = std::move(env);
  return s;
}

// Isolated() names files that do not exist; an explicitly named missing file
// is an error, so tests that want "no file" point at /dev/null instead.
CredentialSources NoFiles(const TempDir& dir, std::map<std::string, std::string> env = {}) {
  CredentialSources s = Isolated(dir, std::move(env));
  s.credentials_file = "/dev/null";
  s.config_file = "/dev/null";
  return s;
}

Credentials Resolve(const CredentialSources& sources) {
  auto provider = ResolveCredentials(sources);
  REQUIRE_MESSAGE(provider.ok(), provider.status().ToString());
  auto creds = (*provider)->Get();
  REQUIRE(creds.ok());
  return *creds;
}

// Restores one environment variable when it goes out of scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("ParseIni: sections, comments, whitespace, case and sub-settings") {
  const std::string text =
      "\xEF\xBB\xBF# leading comment\r\n"
      "; another comment\n"
      "\n"
      "[default]\r\n"
      "  aws_access_key_id   =   AKIDDEFAULT  \n"
      "AWS_Secret_Access_Key=secret#not-a-comment\n"
      "region = eu-west-1 # trailing comment\n"
      "[ profile   dev ]   ; comment after header\n"
      "s3 =\n"
      "    addressing_style = path\n"
      "    max_concurrent_requests = 20\n"
      "output=json\n"
      "[empty]\n";
  auto ini = ParseIni(text, "/tmp/x");
  REQUIRE_MESSAGE(ini.ok(), ini.status().ToString());
  REQUIRE(ini->count("default") == 1);
  CHECK(ini->at("default").at("aws_access_key_id") == "AKIDDEFAULT");
  CHECK(ini->at("default").at("aws_secret_access_key") == "secret#not-a-comment");
  CHECK(ini->at("default").at("region") == "eu-west-1");
  REQUIRE(ini->count("profile dev") == 1);
  CHECK(ini->at("profile dev").at("s3.addressing_style") == "path");
  CHECK(ini->at("profile dev").at("s3.max_concurrent_requests") == "20");
  CHECK(ini->at("profile dev").at("output") == "json");
  CHECK(ini->count("empty") == 1);
  CHECK(ini->at("empty").empty());
}

TEST_CASE("ParseIni: errors name the file and line, never the line's content") {
  auto bad = ParseIni("[default]\naws_secret_access_key " + std::string(kSecret) + "\n", "/home/u/.aws/credentials");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message().find("/home/u/.aws/credentials:2") != std::string::npos);
  CHECK(bad.status().message().find(kSecret) == std::string::npos);

  auto outside = ParseIni("key = value\n[default]\n", "f");
  REQUIRE_FALSE(outside.ok());
  CHECK(outside.status().message().find("f:1") != std::string::npos);

  auto unterminated = ParseIni("[default\n", "f");
  REQUIRE_FALSE(unterminated.ok());
  CHECK(unterminated.status().message().find("section") != std::string::npos);

  CHECK_FALSE(ParseIni("[]\n", "f").ok());
  CHECK(ParseIni("", "f").ok());
}

TEST_CASE("Redacted shows four characters of the key id and no secret") {
  Credentials c{"AKIAIOSFODNN7EXAMPLE", kSecret, "token"};
  CHECK(c.Redacted() == "AKIA****");
  CHECK(c.Redacted().find(kSecret) == std::string::npos);
  CHECK(Credentials{}.Redacted() == "(anonymous)");
  CHECK(Credentials{}.empty());
  CHECK_FALSE(c.empty());
}

TEST_CASE("explicit credentials come first, then the environment") {
  TempDir dir;
  std::string file = dir.Write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  CredentialSources s = Isolated(dir, {{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                       {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                       {"AWS_SESSION_TOKEN", "envtoken"}});
  s.credentials_file = file;
  s.explicit_credentials = Credentials{"AKIDEXPLICIT", "explicitsecret", ""};
  auto provider = ResolveCredentials(s);
  REQUIRE(provider.ok());
  CHECK((*provider)->Describe() == "explicit");
  CHECK((*provider)->Get()->access_key_id == "AKIDEXPLICIT");

  s.explicit_credentials.reset();
  Credentials c = Resolve(s);
  CHECK(c.access_key_id == "AKIDENV");
  CHECK(c.secret_access_key == "envsecret");
  CHECK(c.session_token == "envtoken");

  // Empty explicit credentials do not shadow the other sources.
  s.explicit_credentials = Credentials{};
  CHECK(Resolve(s).access_key_id == "AKIDENV");

  // Half a pair is a clear error, not a silent fallback.
  s.explicit_credentials = Credentials{"AKIDEXPLICIT", "", ""};
  auto half = ResolveCredentials(s);
  REQUIRE_FALSE(half.ok());
  CHECK(half.status().code() == Code::kInvalidArgument);
  CHECK(half.status().message().find("secret access key") != std::string::npos);
}

TEST_CASE("a partial environment is an error that names the missing variable") {
  TempDir dir;
  auto r = ResolveCredentials(NoFiles(dir, {{"AWS_ACCESS_KEY_ID", "AKIDENV"}}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("AWS_SECRET_ACCESS_KEY") != std::string::npos);
}

TEST_CASE("shared credentials file: default profile, named profiles, AWS_PROFILE") {
  TempDir dir;
  std::string file = dir.Write("credentials",
                               "[default]\n"
                               "aws_access_key_id = AKIDDEFAULT\n"
                               "aws_secret_access_key = " + std::string(kSecret) + "\n"
                               "\n"
                               "# the dev account\n"
                               "[dev]\n"
                               "aws_access_key_id=AKIDDEV\n"
                               "aws_secret_access_key=devsecret\n"
                               "aws_session_token=devtoken\n");
  CredentialSources s = Isolated(dir);
  s.credentials_file = file;
  s.config_file = "/dev/null";
  Credentials c = Resolve(s);
  CHECK(c.access_key_id == "AKIDDEFAULT");
  CHECK(c.secret_access_key == kSecret);
  CHECK(c.session_token.empty());

  s.profile = "dev";
  auto provider = ResolveCredentials(s);
  REQUIRE(provider.ok());
  CHECK((*provider)->Describe() == "profile dev in " + file);
  c = *(*provider)->Get();
  CHECK(c.access_key_id == "AKIDDEV");
  CHECK(c.session_token == "devtoken");

  s.profile.clear();
  s.environment->emplace("AWS_PROFILE", "dev");
  CHECK(Resolve(s).access_key_id == "AKIDDEV");

  // An explicit profile beats AWS_PROFILE.
  s.profile = "default";
  CHECK(Resolve(s).access_key_id == "AKIDDEFAULT");
}

TEST_CASE("config file: [profile NAME] and [default]; the credentials file wins for the same profile") {
  TempDir dir;
  std::string config = dir.Write("config",
                                 "[default]\n"
                                 "region = us-west-2\n"
                                 "aws_access_key_id = AKIDCFGDEFAULT\n"
                                 "aws_secret_access_key = cfgsecret\n"
                                 "[profile ops]\n"
                                 "region = eu-north-1\n"
                                 "aws_access_key_id = AKIDCFGOPS\n"
                                 "aws_secret_access_key = opssecret\n"
                                 "[ops]\n"  // not a config-file profile name: ignored
                                 "aws_access_key_id = WRONG\n"
                                 "aws_secret_access_key = WRONG\n");
  CredentialSources s = Isolated(dir);
  s.credentials_file = "/dev/null";
  s.config_file = config;
  CHECK(Resolve(s).access_key_id == "AKIDCFGDEFAULT");
  s.profile = "ops";
  CHECK(Resolve(s).access_key_id == "AKIDCFGOPS");

  s.credentials_file = dir.Write("credentials", "[ops]\naws_access_key_id = AKIDCREDOPS\naws_secret_access_key = x\n");
  CHECK(Resolve(s).access_key_id == "AKIDCREDOPS");

  // A credentials-file section without keys falls through to the config file.
  s.credentials_file = dir.Write("credentials2", "[ops]\n# nothing here\n");
  CHECK(Resolve(s).access_key_id == "AKIDCFGOPS");
}

TEST_CASE("default file locations come from $HOME and the AWS_* file variables") {
  TempDir dir;
  dir.Write("home/.aws/credentials", "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = h\n");
  std::string other = dir.Write("elsewhere/creds", "[default]\naws_access_key_id = AKIDVAR\naws_secret_access_key = v\n");
  CredentialSources s;
  s.environment = std::map<std::string, std::string>{{"HOME", dir.path() + "/home"}};
  CHECK(Resolve(s).access_key_id == "AKIDHOME");
  s.environment->emplace("AWS_SHARED_CREDENTIALS_FILE", other);
  CHECK(Resolve(s).access_key_id == "AKIDVAR");

  std::string config = dir.Write("elsewhere/config", "[profile p]\naws_access_key_id = AKIDCFGVAR\naws_secret_access_key = c\n");
  s.environment->emplace("AWS_CONFIG_FILE", config);
  s.profile = "p";
  CHECK(Resolve(s).access_key_id == "AKIDCFGVAR");
}

TEST_CASE("nothing found: a clear error, or anonymous when allowed") {
  TempDir dir;
  std::string file = dir.Write("credentials", "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n");
  CredentialSources s = Isolated(dir);
  s.credentials_file = file;
  s.config_file = "/dev/null";
  s.profile = "missing";
  auto r = ResolveCredentials(s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kPermissionDenied);
  CHECK(r.status().message().find("\"missing\"") != std::string::npos);
  CHECK(r.status().message().find(file) != std::string::npos);

  s.allow_anonymous = true;
  auto anon = ResolveCredentials(s);
  REQUIRE(anon.ok());
  CHECK((*anon)->Get()->empty());
  CHECK((*anon)->Describe() == "anonymous");
}

TEST_CASE("file problems are reported with the file and profile, never the secret") {
  TempDir dir;
  CredentialSources s = Isolated(dir);
  s.config_file = "/dev/null";

  s.credentials_file = dir.Write("half", "[default]\naws_secret_access_key = " + std::string(kSecret) + "\n");
  auto half = ResolveCredentials(s);
  REQUIRE_FALSE(half.ok());
  CHECK(half.status().code() == Code::kInvalidArgument);
  CHECK(half.status().message().find("profile default in " + s.credentials_file) != std::string::npos);
  CHECK(half.status().message().find(kSecret) == std::string::npos);

  s.credentials_file = dir.Write("broken", "[default]\naws_access_key_id AKID\n");
  auto broken = ResolveCredentials(s);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().message().find(s.credentials_file + ":2") != std::string::npos);

  s.credentials_file = dir.path() + "/does-not-exist";
  auto missing = ResolveCredentials(s);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("does-not-exist") != std::string::npos);

  s.credentials_file = dir.Write("process", "[default]\ncredential_process = /bin/get-creds\n");
  auto process = ResolveCredentials(s);
  REQUIRE_FALSE(process.ok());
  CHECK(process.status().code() == Code::kUnimplemented);
  CHECK(process.status().message().find("credential_process") != std::string::npos);
}

TEST_CASE("FromSecretsMap accepts CSI and AWS_* names") {
  Credentials c = FromSecretsMap({{"accessKeyID", "AKIDCSI"}, {"secretAccessKey", "csisecret"}});
  CHECK(c.access_key_id == "AKIDCSI");
  CHECK(c.secret_access_key == "csisecret");
  CHECK(c.session_token.empty());

  c = FromSecretsMap({{"AWS_ACCESS_KEY_ID", "AKIDAWS"},
                      {"AWS_SECRET_ACCESS_KEY", "awssecret"},
                      {"AWS_SESSION_TOKEN", "tok"}});
  CHECK(c.access_key_id == "AKIDAWS");
  CHECK(c.secret_access_key == "awssecret");
  CHECK(c.session_token == "tok");

  c = FromSecretsMap({{"accessKeyId", "AKIDLOWER"}, {"secretAccessKey", "s\n"}, {"sessionToken", "t"}});
  CHECK(c.access_key_id == "AKIDLOWER");
  CHECK(c.secret_access_key == "s");  // trailing newlines from kubectl-created secrets are trimmed
  CHECK(c.session_token == "t");

  CHECK(FromSecretsMap({{"unrelated", "x"}}).empty());
}

TEST_CASE("ResolveRegion: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region") {
  TempDir dir;
  std::string config = dir.Write("config", "[default]\nregion = us-west-2\n[profile eu]\nregion = eu-west-3\n");
  CredentialSources s = Isolated(dir);
  s.config_file = config;
  CHECK(ResolveRegion(s) == "us-west-2");
  s.profile = "eu";
  CHECK(ResolveRegion(s) == "eu-west-3");
  s.profile = "none";
  CHECK(ResolveRegion(s) == "");
  s.environment->emplace("AWS_DEFAULT_REGION", "ap-south-1");
  CHECK(ResolveRegion(s) == "ap-south-1");
  s.environment->emplace("AWS_REGION", "sa-east-1");
  CHECK(ResolveRegion(s) == "sa-east-1");
}

TEST_CASE("the process environment is read when no environment map is given") {
  TempDir dir;
  ScopedEnv id("AWS_ACCESS_KEY_ID", "AKIDPROCESS");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "processsecret");
  ScopedEnv token("AWS_SESSION_TOKEN", nullptr);
  ScopedEnv region("AWS_REGION", "eu-south-1");
  CredentialSources s;
  s.credentials_file = "/dev/null";
  s.config_file = "/dev/null";
  auto provider = ResolveCredentials(s);
  REQUIRE(provider.ok());
  CHECK((*provider)->Describe() == "environment");
  Credentials c = *(*provider)->Get();
  CHECK(c.access_key_id == "AKIDPROCESS");
  CHECK(c.secret_access_key == "processsecret");
  CHECK(c.session_token.empty());
  CHECK(ResolveRegion(s) == "eu-south-1");
}

TEST_CASE("a static provider may be used from many threads") {
  auto provider = StaticCredentials(Credentials{"AKIDTHREADS", "s", "t"});
  std::vector<std::thread> threads;
  std::vector<int> good(8, 0);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 1000; ++n) {
        auto c = provider->Get();
        if (c.ok() && c->access_key_id == "AKIDTHREADS") ++good[static_cast<size_t>(i)];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int g : good) CHECK(g == 1000);
}

TEST_CASE("ParseIni on corrupted text: parsed, or kInvalidArgument with a line number") {
  const std::string text = "[default]\naws_access_key_id = A\n[profile x]\ns3 =\n  k = v\n; c\n";
  testing::XorShift32 next{1234567u};
  for (int round = 0; round < 3000; ++round) {
    std::string s = text;
    s[next() % s.size()] = static_cast<char>(next() & 0xff);
    auto ini = ParseIni(s, "f");
    if (!ini.ok()) {
      CHECK(ini.status().code() == Code::kInvalidArgument);
      CHECK(ini.status().message().rfind("f:", 0) == 0);
    }
  }
}
