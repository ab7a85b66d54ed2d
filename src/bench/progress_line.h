// ProgressLine: the one-line progress display on stderr while the benchmark runs.
//
// Phase() starts a new phase (always printed); Update() refreshes the detail at
// most a few times a second. On a terminal the line is redrawn in place (\r);
// otherwise only phases are printed, one per line, so logs stay readable.
//
// Thread-safety: one thread at a time (the benchmark's main thread).
#pragma once

#include <chrono>
#include <string>

namespace objfs::bench {

class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void Phase(const std::string& text);
  void Update(const std::string& detail);
  // Prints a message on its own line (keeps the progress line intact below it).
  void Message(const std::string& text);
  // Ends the current line.
  void Finish();

 private:
  void Draw(const std::string& line);

  bool tty_;
  bool dirty_ = false;
  std::string phase_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace objfs::bench
