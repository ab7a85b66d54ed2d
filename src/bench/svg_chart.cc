#include "bench/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "s3/s3_xml.h"

namespace objfs::bench {
namespace {

using s3::XmlEscape;

const char* ColorFor(const std::string& system, size_t index) {
  if (system == "objfs") return "#1f77b4";
  if (system == "s3fs") return "#ff7f0e";
  if (system == "rclone") return "#2ca02c";
  if (system == "curl") return "#7f7f7f";
  static const char* kOthers[] = {"#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kOthers[index % 4];
}

std::string Number(double value) {
  char buf[64];
  double a = std::fabs(value);
  int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

}  // namespace

std::string RenderSvgChart(const RunInfo& info, const std::vector<SummaryRow>& rows) {
  const int width = 960;
  const int label_x = 20;
  const int bar_x = 130;
  const int bar_max_plain = width - bar_x - 130;
  const int bar_h = 18;
  const int bar_gap = 6;
  const int panel_title_h = 26;
  const int panel_gap = 18;
  const size_t n = info.systems.size();
  // curl measures only a few workloads: leave it out of the other panels.
  auto shown = [&](const SummaryRow& row, size_t i) {
    bool missing = i >= row.values.size() || std::isnan(row.values[i]);
    return !(missing && info.systems[i] == "curl");
  };
  auto panel_height = [&](const SummaryRow& row) {
    int bars = 0;
    for (size_t i = 0; i < n; ++i) bars += shown(row, i) ? 1 : 0;
    return panel_title_h + bars * (bar_h + bar_gap);
  };
  const int header_h = 90;
  int height = header_h + 20;
  for (const SummaryRow& row : rows) height += panel_height(row) + panel_gap;

  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height
      << "\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"13\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
      << "<text x=\"" << label_x << "\" y=\"28\" font-size=\"16\" font-weight=\"bold\" fill=\"#222\">"
      << "objfs bench: " << XmlEscape(info.target) << "</text>\n"
      << "<text x=\"" << label_x << "\" y=\"50\" fill=\"#555\">" << XmlEscape(info.started_utc)
      << " UTC, " << info.cpus << " CPUs, kernel " << XmlEscape(info.kernel)
      << (info.cache_drop_works ? ", page cache dropped before cold phases" : ", page cache NOT dropped")
      << "</text>\n";
  // Legend.
  for (size_t i = 0; i < n; ++i) {
    int x = label_x + static_cast<int>(i) * 110;
    svg << "<rect x=\"" << x << "\" y=\"61\" width=\"14\" height=\"14\" fill=\""
        << ColorFor(info.systems[i], i) << "\"/>"
        << "<text x=\"" << x + 19 << "\" y=\"73\" fill=\"#222\">" << XmlEscape(info.systems[i])
        << "</text>\n";
  }

  int y = header_h;
  for (const SummaryRow& row : rows) {
    double max_value = 0;
    for (double v : row.values) {
      if (!std::isnan(v)) max_value = std::max(max_value, v);
    }
    svg << "<text x=\"" << label_x << "\" y=\"" << y + 17
        << "\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">" << XmlEscape(row.label)
        << "<tspan font-weight=\"normal\" fill=\"#666\">&#160;&#160;(" << (row.higher_is_better ? "higher" : "lower")
        << " is better)</tspan></text>\n";
    const int panel_h = panel_height(row);
    bool marked = false;
    for (bool b : row.not_durable) marked |= b;
    const int bar_max = marked ? bar_max_plain - 300 : bar_max_plain;
    svg << "<line x1=\"" << bar_x << "\" y1=\"" << y + panel_title_h - 2 << "\" x2=\"" << bar_x
        << "\" y2=\"" << y + panel_h << "\" stroke=\"#999\"/>\n";
    int slot = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!shown(row, i)) continue;
      int by = y + panel_title_h + (slot++) * (bar_h + bar_gap);
      double v = i < row.values.size() ? row.values[i] : std::nan("");
      svg << "<text x=\"" << bar_x - 8 << "\" y=\"" << by + 14 << "\" text-anchor=\"end\" fill=\"#222\">"
          << XmlEscape(info.systems[i]) << "</text>\n";
      if (std::isnan(v)) {
        svg << "<text x=\"" << bar_x + 6 << "\" y=\"" << by + 14 << "\" fill=\"#999\">"
            << "not measured</text>\n";
        continue;
      }
      int w = max_value > 0 ? static_cast<int>(std::lround(v / max_value * bar_max)) : 0;
      if (w < 1 && v > 0) w = 1;
      svg << "<rect x=\"" << bar_x + 1 << "\" y=\"" << by << "\" width=\"" << w << "\" height=\""
          << bar_h << "\" fill=\"" << ColorFor(info.systems[i], i) << "\"/>\n"
          << "<text x=\"" << bar_x + w + 8 << "\" y=\"" << by + 14 << "\" fill=\"#222\">"
          << Number(v)
          << (i < row.not_durable.size() && row.not_durable[i]
                  ? "  (close() returned before the data was in S3)"
                  : "")
          << "</text>\n";
    }
    y += panel_h + panel_gap;
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace objfs::bench
