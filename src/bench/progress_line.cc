#include "bench/progress_line.h"

#include <unistd.h>

#include <cstdio>

namespace objfs::bench {

ProgressLine::ProgressLine() : tty_(isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() { Finish(); }

void ProgressLine::Draw(const std::string& line) {
  std::string text = "\r\033[K" + line;
  if (text.size() > 200) text.resize(200);
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  dirty_ = true;
  last_draw_ = std::chrono::steady_clock::now();
}

void ProgressLine::Phase(const std::string& text) {
  phase_ = text;
  if (tty_) {
    Draw("[bench] " + text);
  } else {
    std::fprintf(stderr, "[bench] %s\n", text.c_str());
  }
}

void ProgressLine::Update(const std::string& detail) {
  if (!tty_) return;
  auto now = std::chrono::steady_clock::now();
  if (dirty_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  Draw("[bench] " + phase_ + ": " + detail);
}

void ProgressLine::Message(const std::string& text) {
  if (tty_ && dirty_) std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "[bench] %s\n", text.c_str());
  if (tty_ && !phase_.empty()) Draw("[bench] " + phase_);
}

void ProgressLine::Finish() {
  if (tty_ && dirty_) {
    std::fputs("\n", stderr);
    dirty_ = false;
  }
}

}  // namespace objfs::bench
