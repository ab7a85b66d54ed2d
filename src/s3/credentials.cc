#include "s3/credentials.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <utility>

namespace objfs::s3 {

namespace {

using EnvLookup = std::function<std::string(const char*)>;

EnvLookup MakeEnv(const CredentialSources& sources) {
  if (sources.environment.has_value()) {
    const auto* env = &*sources.environment;
    return [env](const char* name) -> std::string {
      auto it = env->find(name);
      return it == env->end() ? std::string() : it->second;
    };
  }
  return [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
  };
}

std::string Trim(std::string_view s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && (s[begin] == ' ' || s[begin] == '\t' || s[begin] == '\r' || s[begin] == '\n')) ++begin;
  while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' || s[end - 1] == '\n')) {
    --end;
  }
  return std::string(s.substr(begin, end - begin));
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Removes a trailing " # comment" / " ; comment" (the marker must follow
// whitespace, so values containing '#' or ';' survive).
std::string StripInlineComment(const std::string& value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
      return Trim(std::string_view(value).substr(0, i));
    }
  }
  return value;
}

std::string ExpandHome(const std::string& path, const EnvLookup& env) {
  if (path == "~" || path.rfind("~/", 0) == 0) {
    std::string home = env("HOME");
    if (home.empty()) return path;
    return home + path.substr(1);
  }
  return path;
}

// Reads a whole file. nullopt when it does not exist.
Result<std::optional<std::string>> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return std::optional<std::string>();
    return Status(Code::kPermissionDenied, "cannot read " + path + ": " + std::strerror(err)).WithErrno(err);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status(Code::kInternal, "error reading " + path);
  return std::optional<std::string>(buffer.str());
}

class StaticProvider final : public CredentialsProvider {
 public:
  StaticProvider(Credentials credentials, std::string description)
      : credentials_(std::move(credentials)), description_(std::move(description)) {}
  Result<Credentials> Get() override { return credentials_; }
  std::string Describe() const override { return description_; }

 private:
  // Const after construction, so Get() needs no lock.
  const Credentials credentials_;
  const std::string description_;
};

std::string ProfileName(const CredentialSources& sources, const EnvLookup& env) {
  if (!sources.profile.empty()) return sources.profile;
  std::string from_env = env("AWS_PROFILE");
  return from_env.empty() ? "default" : from_env;
}

std::string CredentialsPath(const CredentialSources& sources, const EnvLookup& env) {
  if (!sources.credentials_file.empty()) return ExpandHome(sources.credentials_file, env);
  std::string from_env = env("AWS_SHARED_CREDENTIALS_FILE");
  if (!from_env.empty()) return ExpandHome(from_env, env);
  return ExpandHome("~/.aws/credentials", env);
}

std::string ConfigPath(const CredentialSources& sources, const EnvLookup& env) {
  if (!sources.config_file.empty()) return ExpandHome(sources.config_file, env);
  std::string from_env = env("AWS_CONFIG_FILE");
  if (!from_env.empty()) return ExpandHome(from_env, env);
  return ExpandHome("~/.aws/config", env);
}

// Loads and parses an INI file. nullopt when the file does not exist and was
// not named explicitly.
Result<std::optional<IniFile>> LoadIni(const std::string& path, bool must_exist) {
  if (path.empty() || path[0] == '~') {
    if (must_exist) return Status(Code::kInvalidArgument, "cannot expand " + path + " ($HOME is not set)");
    return std::optional<IniFile>();
  }
  Result<std::optional<std::string>> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  if (!text->has_value()) {
    if (must_exist) return Status(Code::kNotFound, "credentials source " + path + " does not exist");
    return std::optional<IniFile>();
  }
  Result<IniFile> ini = ParseIni(**text, path);
  if (!ini.ok()) return ini.status();
  return std::optional<IniFile>(std::move(*ini));
}

// Finds the section for `profile`: credentials files use [NAME]; config files
// use [profile NAME], and [default] for the default profile.
const std::map<std::string, std::string>* FindProfile(const IniFile& ini, const std::string& profile,
                                                      bool config_style) {
  if (config_style) {
    auto it = ini.find("profile " + profile);
    if (it != ini.end()) return &it->second;
    if (profile == "default") {
      it = ini.find("default");
      if (it != ini.end()) return &it->second;
    }
    return nullptr;
  }
  auto it = ini.find(profile);
  return it == ini.end() ? nullptr : &it->second;
}

std::string Get(const std::map<std::string, std::string>& section, const std::string& key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

// Credentials from a profile section. nullopt when the section has no keys;
// an error when it has only half a key pair or uses an unsupported mechanism.
Result<std::optional<Credentials>> FromSection(const std::map<std::string, std::string>& section,
                                               const std::string& where) {
  Credentials c;
  c.access_key_id = Get(section, "aws_access_key_id");
  c.secret_access_key = Get(section, "aws_secret_access_key");
  c.session_token = Get(section, "aws_session_token");
  if (c.session_token.empty()) c.session_token = Get(section, "aws_security_token");
  if (!c.access_key_id.empty() && !c.secret_access_key.empty()) return std::optional<Credentials>(c);
  if (!c.access_key_id.empty()) {
    return Status(Code::kInvalidArgument, where + " has aws_access_key_id but no aws_secret_access_key");
  }
  if (!c.secret_access_key.empty()) {
    return Status(Code::kInvalidArgument, where + " has aws_secret_access_key but no aws_access_key_id");
  }
  for (const char* unsupported : {"credential_process", "role_arn", "sso_start_url", "sso_session",
                                  "web_identity_token_file"}) {
    if (section.count(unsupported) != 0) {
      return Status(Code::kUnimplemented, where + " uses " + unsupported +
                                              ", which objfs does not support; use static keys or the "
                                              "environment");
    }
  }
  return std::optional<Credentials>();
}

}  // namespace

std::string Credentials::Redacted() const {
  if (empty()) return "(anonymous)";
  return access_key_id.substr(0, 4) + "****";
}

CredentialsProvider::~CredentialsProvider() = default;

std::string CredentialsProvider::Describe() const { return "credentials provider"; }

std::shared_ptr<CredentialsProvider> StaticCredentials(Credentials credentials, std::string description) {
  return std::make_shared<StaticProvider>(std::move(credentials), std::move(description));
}

Result<IniFile> ParseIni(const std::string& text, const std::string& origin) {
  IniFile ini;
  std::map<std::string, std::string>* section = nullptr;
  std::string last_key;  // for indented sub-settings ("s3 =\n  addressing_style = path")
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (line_no == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // UTF-8 BOM
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    auto where = [&] { return origin + ":" + std::to_string(line_no) + ": "; };
    if (line[0] == '[') {
      size_t close = line.find(']');
      if (close == std::string::npos) return Status(Code::kInvalidArgument, where() + "unterminated section header");
      std::string rest = Trim(std::string_view(line).substr(close + 1));
      if (!rest.empty() && rest[0] != '#' && rest[0] != ';') {
        return Status(Code::kInvalidArgument, where() + "unexpected text after section header");
      }
      std::string name = Trim(std::string_view(line).substr(1, close - 1));
      // Collapse "profile    dev" to "profile dev".
      std::string folded;
      for (char c : name) {
        if ((c == ' ' || c == '\t') && (!folded.empty() && folded.back() == ' ')) continue;
        folded.push_back(c == '\t' ? ' ' : c);
      }
      if (folded.empty()) return Status(Code::kInvalidArgument, where() + "empty section name");
      section = &ini[folded];
      last_key.clear();
      continue;
    }
    bool indented = !raw.empty() && (raw[0] == ' ' || raw[0] == '\t');
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      // Never echo the line: it may hold a secret.
      return Status(Code::kInvalidArgument, where() + "expected \"key = value\"");
    }
    if (section == nullptr) return Status(Code::kInvalidArgument, where() + "setting outside of any [section]");
    std::string key = Lower(Trim(std::string_view(line).substr(0, eq)));
    std::string value = StripInlineComment(Trim(std::string_view(line).substr(eq + 1)));
    if (key.empty()) return Status(Code::kInvalidArgument, where() + "empty key");
    if (indented && !last_key.empty() && Get(*section, last_key).empty()) {
      (*section)[last_key + "." + key] = value;
      continue;
    }
    (*section)[key] = value;
    last_key = key;
  }
  return ini;
}

Result<std::shared_ptr<CredentialsProvider>> ResolveCredentials(const CredentialSources& sources) {
  EnvLookup env = MakeEnv(sources);

  if (sources.explicit_credentials.has_value()) {
    const Credentials& c = *sources.explicit_credentials;
    if (!c.access_key_id.empty() && !c.secret_access_key.empty()) return StaticCredentials(c, "explicit");
    if (!c.access_key_id.empty() || !c.secret_access_key.empty()) {
      return Status(Code::kInvalidArgument,
                    std::string("explicit credentials are incomplete: ") +
                        (c.access_key_id.empty() ? "access key id" : "secret access key") + " missing");
    }
    // Both empty: fall through to the other sources.
  }

  Credentials from_env;
  from_env.access_key_id = env("AWS_ACCESS_KEY_ID");
  from_env.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  from_env.session_token = env("AWS_SESSION_TOKEN");
  if (!from_env.access_key_id.empty() && !from_env.secret_access_key.empty()) {
    return StaticCredentials(from_env, "environment");
  }
  if (!from_env.access_key_id.empty() || !from_env.secret_access_key.empty()) {
    return Status(Code::kInvalidArgument, from_env.access_key_id.empty()
                                              ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                                              : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }

  const std::string profile = ProfileName(sources, env);
  const std::string credentials_path = CredentialsPath(sources, env);
  const std::string config_path = ConfigPath(sources, env);

  Result<std::optional<IniFile>> cred_ini = LoadIni(credentials_path, !sources.credentials_file.empty());
  if (!cred_ini.ok()) return cred_ini.status();
  if (cred_ini->has_value()) {
    if (const auto* section = FindProfile(**cred_ini, profile, false)) {
      std::string where = "profile " + profile + " in " + credentials_path;
      Result<std::optional<Credentials>> c = FromSection(*section, where);
      if (!c.ok()) return c.status();
      if (c->has_value()) return StaticCredentials(**c, where);
    }
  }

  Result<std::optional<IniFile>> config_ini = LoadIni(config_path, !sources.config_file.empty());
  if (!config_ini.ok()) return config_ini.status();
  if (config_ini->has_value()) {
    if (const auto* section = FindProfile(**config_ini, profile, true)) {
      std::string where = "profile " + profile + " in " + config_path;
      Result<std::optional<Credentials>> c = FromSection(*section, where);
      if (!c.ok()) return c.status();
      if (c->has_value()) return StaticCredentials(**c, where);
    }
  }

  if (sources.allow_anonymous) return StaticCredentials(Credentials{}, "anonymous");
  return Status(Code::kPermissionDenied,
                "no S3 credentials found: checked explicit credentials, the environment (AWS_ACCESS_KEY_ID, "
                "AWS_SECRET_ACCESS_KEY), profile \"" +
                    profile + "\" in " + credentials_path + " and in " + config_path);
}

Credentials FromSecretsMap(const std::map<std::string, std::string>& secrets) {
  auto first = [&](std::initializer_list<const char*> names) -> std::string {
    for (const char* name : names) {
      auto it = secrets.find(name);
      if (it != secrets.end() && !it->second.empty()) return Trim(it->second);
    }
    return std::string();
  };
  Credentials c;
  c.access_key_id = first({"accessKeyID", "accessKeyId", "AccessKeyID", "access_key_id", "AWS_ACCESS_KEY_ID"});
  c.secret_access_key =
      first({"secretAccessKey", "SecretAccessKey", "secret_access_key", "AWS_SECRET_ACCESS_KEY"});
  c.session_token = first({"sessionToken", "SessionToken", "session_token", "AWS_SESSION_TOKEN"});
  return c;
}

std::string ResolveRegion(const CredentialSources& sources) {
  EnvLookup env = MakeEnv(sources);
  std::string region = env("AWS_REGION");
  if (!region.empty()) return region;
  region = env("AWS_DEFAULT_REGION");
  if (!region.empty()) return region;
  Result<std::optional<IniFile>> config_ini = LoadIni(ConfigPath(sources, env), false);
  if (!config_ini.ok() || !config_ini->has_value()) return std::string();
  const auto* section = FindProfile(**config_ini, ProfileName(sources, env), true);
  return section == nullptr ? std::string() : Get(*section, "region");
}

}  // namespace objfs::s3
