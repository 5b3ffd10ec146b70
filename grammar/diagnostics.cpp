#include "grammar/diagnostics.hpp"

#include <algorithm>

#include "grammar/printable.hpp"

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
void Diagnostics::add(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
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

namespace {

/// The source line of a diagnostic as shown, and the indent that puts the caret under its column.
struct Excerpt {
  std::string line;
  std::string indent;
};

/// The hidden part of the file that covers byte `at`, if any.
const HiddenText* hidden_at(const SourceFile& file, std::size_t at) {
  for (const auto& part : file.hidden)
    if (part.begin <= at && at < part.end) return &part;
  return nullptr;
}

/// Where the next hidden part after byte `at` begins, or `end`.
std::size_t next_hidden(const SourceFile& file, std::size_t at, std::size_t end) {
  for (const auto& part : file.hidden)
    if (part.begin > at && part.begin < end) end = part.begin;
  return end;
}

/// The indent that takes a caret past `shown`: a tab for a tab, so that the
/// caret lines up in a terminal, a space for each other code point.
void indent_past(std::string& indent, std::string_view shown) {
  for (const char c : shown) {
    if (c == '\t') indent += '\t';
    else if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) indent += ' ';
  }
}

/// The line of `d` as shown: hidden parts (secrets) by their mask, control
/// bytes as printable() writes them (a NUL as \x00), never raw.
Excerpt excerpt(const SourceFile& file, const Diagnostic& d) {
  Excerpt out;
  const auto line = file.line_text(d.range.begin.line);
  if (line.empty()) return out;
  const auto start = static_cast<std::size_t>(line.data() - file.text.data());
  const std::size_t end = start + line.size();
  const std::size_t caret = start + d.range.begin.column - 1;
  for (std::size_t at = start; at < end;) {
    std::string shown;
    std::size_t next = 0;
    if (const auto* part = hidden_at(file, at)) {
      shown = part->shown;
      next = part->end;
    } else {  // up to the next hidden part, stopping at the caret
      next = next_hidden(file, at, at < caret ? std::min(caret, end) : end);
      shown = printable(std::string_view(file.text).substr(at, next - at), Layout::ours);
    }
    if (next <= caret) indent_past(out.indent, shown);
    out.line += shown;
    at = next;
  }
  return out;
}

}  // namespace

std::string render(const SourceSet& sources, const Diagnostic& d) {
  std::string out = location(sources, d.range) + ": " + severity_name(d.severity) + ": " + printable(d.message) + "\n";
  if (d.range.file >= sources.size()) return out;
  const auto shown = excerpt(sources.file(d.range.file), d);
  return out + "  " + shown.line + "\n  " + shown.indent + "^\n";
}

std::string render(const SourceSet& sources, const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics.items()) out += render(sources, d);
  return out;
}

}  // namespace flow
