#include "bench/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace objfs::bench {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

const WorkloadResult* Find(const std::vector<WorkloadResult>& results, const std::string& workload,
                           const std::string& system) {
  for (const WorkloadResult& r : results) {
    if (r.workload == workload && r.system == system && r.ok) return &r;
  }
  return nullptr;
}

const WorkloadResult* FindAny(const std::vector<WorkloadResult>& results,
                              const std::string& workload, const std::string& system) {
  for (const WorkloadResult& r : results) {
    if (r.workload == workload && r.system == system) return &r;
  }
  return nullptr;
}

std::string Fixed(double value, int decimals) {
  if (std::isnan(value)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

int DecimalsFor(double value) {
  double a = std::fabs(value);
  if (a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  return 3;
}

std::string Pad(const std::string& text, size_t width, bool right) {
  if (text.size() >= width) return text;
  std::string spaces(width - text.size(), ' ');
  return right ? spaces + text : text + spaces;
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double value) {
  if (std::isnan(value) || std::isinf(value)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

// Workload rows in presentation order.
const std::vector<std::string>& RowOrder() {
  static const std::vector<std::string> kOrder = {"seqwrite", "seqread", "smallfiles", "ls_cold",
                                                  "ls_warm",  "randread", "untar"};
  return kOrder;
}

}  // namespace

bool NotDurableAtClose(const WorkloadResult& result) {
  const std::string marker = "in S3 when close() returned: ";
  size_t at = result.note.find(marker);
  if (at == std::string::npos) return false;
  unsigned long long have = 0;
  unsigned long long want = 0;
  if (std::sscanf(result.note.c_str() + at + marker.size(), "%llu/%llu", &have, &want) != 2) {
    return false;
  }
  return have < want;
}

std::vector<SummaryRow> Summarize(const std::vector<WorkloadResult>& results,
                                  const std::vector<std::string>& systems) {
  std::vector<SummaryRow> rows;
  for (const std::string& workload : RowOrder()) {
    bool any = false;
    for (const std::string& s : systems) any |= FindAny(results, workload, s) != nullptr;
    if (!any) continue;
    SummaryRow headline;
    headline.workload = workload;
    headline.metric = "headline";
    SummaryRow p99{workload + " p99 ms", workload, "p99", false, {}, {}};
    SummaryRow cpu{workload + " daemon CPU s", workload, "cpu", false, {}, {}};
    SummaryRow rss{workload + " daemon peak RSS MiB", workload, "rss", false, {}, {}};
    bool have_cpu = false;
    for (const std::string& s : systems) {
      const WorkloadResult* r = Find(results, workload, s);
      WorkloadResult probe;
      probe.workload = workload;
      Headline h = HeadlineOf(r ? *r : probe);
      headline.label = workload + " " + h.unit;
      headline.higher_is_better = h.higher_is_better;
      headline.values.push_back(r ? h.value : kMissing);
      headline.not_durable.push_back(r != nullptr && NotDurableAtClose(*r));
      p99.values.push_back(r ? r->p99_ms : kMissing);
      bool has_cpu = r && r->daemon_cpu_seconds.has_value();
      have_cpu |= has_cpu;
      cpu.values.push_back(has_cpu ? *r->daemon_cpu_seconds : kMissing);
      rss.values.push_back(r && r->daemon_peak_rss_bytes
                               ? static_cast<double>(*r->daemon_peak_rss_bytes) / 1048576.0
                               : kMissing);
    }
    rows.push_back(headline);
    if (workload == "randread") rows.push_back(p99);
    if (have_cpu && workload != "ls_warm") {
      rows.push_back(cpu);
      rows.push_back(rss);
    }
  }
  return rows;
}

std::string FormatTable(const RunInfo& info, const std::vector<WorkloadResult>& results) {
  std::ostringstream out;
  std::vector<SummaryRow> rows = Summarize(results, info.systems);
  size_t label_width = 10;
  for (const SummaryRow& row : rows) label_width = std::max(label_width, row.label.size());
  size_t col = 12;
  for (const std::string& s : info.systems) col = std::max(col, s.size() + 2);

  out << "objfs bench (" << info.mode << ": " << info.target << ")\n";
  out << Pad("", label_width, false);
  for (const std::string& s : info.systems) out << Pad(s, col, true);
  bool ratio = info.systems.size() > 1;
  std::string base = ratio ? info.systems[0] : "";
  std::string other;
  for (const std::string& s : info.systems) {
    if (s == "s3fs" && base != "s3fs") other = s;
  }
  if (ratio && other.empty()) other = info.systems[1];
  if (ratio) out << Pad(base + "/" + other, col + 4, true);
  out << "\n";
  for (const SummaryRow& row : rows) {
    out << Pad(row.label, label_width, false);
    for (size_t i = 0; i < row.values.size(); ++i) {
      double v = row.values[i];
      bool mark = i < row.not_durable.size() && row.not_durable[i];
      out << Pad(Fixed(v, DecimalsFor(v)) + (mark ? "*" : ""), col, true);
    }
    if (ratio) {
      size_t bi = 0;
      size_t oi = 0;
      for (size_t i = 0; i < info.systems.size(); ++i) {
        if (info.systems[i] == base) bi = i;
        if (info.systems[i] == other) oi = i;
      }
      double b = row.values[bi];
      double o = row.values[oi];
      double r = kMissing;
      if (!std::isnan(b) && !std::isnan(o) && b > 0 && o > 0) {
        // Always "how many times better base is" (>1 means base wins).
        r = row.higher_is_better ? b / o : o / b;
      }
      out << Pad(std::isnan(r) ? "-" : Fixed(r, 2) + "x", col + 4, true);
    }
    out << "\n";
  }
  bool any_mark = false;
  for (const SummaryRow& row : rows) {
    for (bool b : row.not_durable) any_mark |= b;
  }
  if (any_mark) out << "* close() returned before the data was in S3 (written to a local cache)\n";
  if (ratio) {
    out << "(" << base << "/" << other
        << ": times better, >1 means " << base << " wins; lower-is-better rows are inverted)\n";
  }

  out << "\nDetails:\n";
  for (const WorkloadResult& r : results) {
    out << "  " << Pad(r.workload, 11, false) << Pad(r.system + " ", 10, false);
    if (!r.ok) {
      out << "FAILED: " << r.error << "\n";
      continue;
    }
    out << Fixed(r.seconds, 3) << " s";
    if (r.bytes > 0) out << ", " << Fixed(r.MiBPerSecond(), 1) << " MiB/s";
    if (r.ops > 1) out << ", " << r.ops << " ops, " << Fixed(r.OpsPerSecond(), 1) << " ops/s";
    if (r.p99_ms > 0) out << ", p50 " << Fixed(r.p50_ms, 3) << " ms, p99 " << Fixed(r.p99_ms, 3) << " ms";
    if (r.daemon_cpu_seconds) out << ", cpu " << Fixed(*r.daemon_cpu_seconds, 2) << " s";
    if (r.daemon_peak_rss_bytes) {
      out << ", peak rss " << Fixed(static_cast<double>(*r.daemon_peak_rss_bytes) / 1048576.0, 1)
          << " MiB";
    }
    if (r.unmount_seconds) out << ", unmount " << Fixed(*r.unmount_seconds, 2) << " s";
    bool cold_row = r.workload == "seqread" || r.workload == "ls_cold" || r.workload == "randread";
    if (r.cache_dropped) out << ", cold (page cache dropped)";
    else if (cold_row) out << ", page cache NOT dropped";
    if (!r.note.empty()) out << " (" << r.note << ")";
    out << "\n";
  }
  for (const std::string& note : info.notes) out << "note: " << note << "\n";
  return out.str();
}

std::string FormatJson(const RunInfo& info, const BenchOptions& options,
                       const std::vector<WorkloadResult>& results) {
  std::ostringstream out;
  out << "{\n  \"tool\": \"objfs bench\",\n"
      << "  \"mode\": " << JsonString(info.mode) << ",\n"
      << "  \"target\": " << JsonString(info.target) << ",\n"
      << "  \"started_utc\": " << JsonString(info.started_utc) << ",\n"
      << "  \"kernel\": " << JsonString(info.kernel) << ",\n"
      << "  \"cpus\": " << info.cpus << ",\n"
      << "  \"page_cache_drop\": " << (info.cache_drop_works ? "true" : "false") << ",\n"
      << "  \"options\": {\"size_bytes\": " << options.size_bytes
      << ", \"io_size\": " << options.io_size << ", \"small_files\": " << options.small_files
      << ", \"small_file_bytes\": " << options.small_file_bytes
      << ", \"ls_entries\": " << options.ls_entries << ", \"rand_reads\": " << options.rand_reads
      << ", \"rand_read_bytes\": " << options.rand_read_bytes
      << ", \"tar_files\": " << options.tar_files << ", \"latency_ms\": " << options.latency_ms
      << ", \"curl_parallel\": " << options.curl_parallel << "},\n";
  out << "  \"systems\": [";
  for (size_t i = 0; i < info.systems.size(); ++i) {
    out << (i ? ", " : "") << JsonString(info.systems[i]);
  }
  out << "],\n  \"notes\": [";
  for (size_t i = 0; i < info.notes.size(); ++i) out << (i ? ", " : "") << JsonString(info.notes[i]);
  out << "],\n  \"results\": [\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const WorkloadResult& r = results[i];
    Headline h = HeadlineOf(r);
    out << "    {\"workload\": " << JsonString(r.workload) << ", \"system\": " << JsonString(r.system)
        << ", \"ok\": " << (r.ok ? "true" : "false");
    if (!r.ok) out << ", \"error\": " << JsonString(r.error);
    out << ", \"seconds\": " << JsonNumber(r.seconds) << ", \"bytes\": " << r.bytes
        << ", \"ops\": " << r.ops << ", \"mib_per_second\": " << JsonNumber(r.MiBPerSecond())
        << ", \"ops_per_second\": " << JsonNumber(r.OpsPerSecond())
        << ", \"headline\": " << JsonNumber(h.value) << ", \"headline_unit\": " << JsonString(h.unit)
        << ", \"higher_is_better\": " << (h.higher_is_better ? "true" : "false");
    if (r.workload == "randread") {
      out << ", \"p50_ms\": " << JsonNumber(r.p50_ms) << ", \"p99_ms\": " << JsonNumber(r.p99_ms);
    }
    out << ", \"cache_dropped\": " << (r.cache_dropped ? "true" : "false");
    if (r.daemon_cpu_seconds) out << ", \"daemon_cpu_seconds\": " << JsonNumber(*r.daemon_cpu_seconds);
    if (r.daemon_peak_rss_bytes) out << ", \"daemon_peak_rss_bytes\": " << *r.daemon_peak_rss_bytes;
    if (r.unmount_seconds) out << ", \"unmount_seconds\": " << JsonNumber(*r.unmount_seconds);
    if (!r.note.empty()) out << ", \"note\": " << JsonString(r.note);
    out << "}" << (i + 1 < results.size() ? "," : "") << "\n";
  }
  out << "  ]\n}\n";
  return out.str();
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status(Code::kInternal, "cannot create " + path);
  out << text;
  out.close();
  if (!out) return Status(Code::kInternal, "cannot write " + path);
  return Status::Ok();
}

}  // namespace objfs::bench
