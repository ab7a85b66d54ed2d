// Minimal leveled logging to stderr (or syslog-style journald capture).
//
// The level is chosen once at startup by the command line (SetLogLevel) and read
// with a relaxed atomic afterwards; it is the one piece of process-wide state,
// kept because every module logs. Messages never contain credentials: callers
// log keys, buckets and Status strings only.
//
// Thread-safety: all functions may be called from any thread; one line is
// written with a single write(2) so lines from threads do not interleave.
#pragma once

#include <sstream>
#include <string_view>

namespace objfs {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3, kTrace = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "error|warn|info|debug|trace"; false when the name is unknown.
bool ParseLogLevel(std::string_view name, LogLevel* out);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, std::string_view message);

}  // namespace objfs

#define OBJFS_LOG(level, stream_expr)                                  \
  do {                                                                 \
    if (::objfs::LogEnabled(::objfs::LogLevel::level)) {               \
      std::ostringstream objfs_log_os_;                                \
      objfs_log_os_ << stream_expr;                                    \
      ::objfs::LogLine(::objfs::LogLevel::level, objfs_log_os_.str()); \
    }                                                                  \
  } while (0)

#define LOG_ERROR(x) OBJFS_LOG(kError, x)
#define LOG_WARN(x) OBJFS_LOG(kWarn, x)
#define LOG_INFO(x) OBJFS_LOG(kInfo, x)
#define LOG_DEBUG(x) OBJFS_LOG(kDebug, x)
#define LOG_TRACE(x) OBJFS_LOG(kTrace, x)
