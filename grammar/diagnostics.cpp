#include "grammar/diagnostics.hpp"

#include <algorithm>

namespace flow {

void Diagnostics::error(SourceRange range, std::string message) {
  items_.push_back({Severity::error, range, std::move(message)});
}
void Diagnostics::warning(SourceRange range, std::string message) {
  items_.push_back({Severity::warning, range, std::move(message)});
}
void Diagnostics::note(SourceRange range, std::string message) {
  items_.push_back({Severity::note, range, std::move(message)});
}
bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}
void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string location(const SourceSet& sources, const SourceRange& range) {
  const std::string& path = range.file < sources.size() ? sources.file(range.file).path : "<unknown>";
  return path + ":" + std::to_string(range.begin.line) + ":" + std::to_string(range.begin.column);
}

static const char* severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

std::string render(const SourceSet& sources, const Diagnostic& d) {
  std::string out = location(sources, d.range) + ": " + severity_name(d.severity) + ": " + d.message + "\n";
  if (d.range.file >= sources.size()) return out;
  const auto line = sources.file(d.range.file).line_text(d.range.begin.line);
  out += "  ";
  out += line;
  out += "\n  ";
  // Keep tabs so the caret lines up under the same column in a terminal.
  for (std::uint32_t i = 1; i < d.range.begin.column && i - 1 < line.size(); ++i)
    out += line[i - 1] == '\t' ? '\t' : ' ';
  out += "^\n";
  return out;
}

std::string render(const SourceSet& sources, const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics.items()) out += render(sources, d);
  return out;
}

}  // namespace flow
