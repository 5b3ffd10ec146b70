// Names: the two reports every other part of the checker uses (unknown name,
// with "did you mean" from grammar/suggest.hpp; duplicate name).
#include <map>

#include "engine/check_context.hpp"

namespace flow::check {

void Checker::report_unknown(SourceRange at, std::string_view what, std::string_view name,
                             const std::vector<std::string>& candidates, std::string_view where) {
  std::string message = "unknown " + std::string(what) + " '" + std::string(name) + "'";
  if (!where.empty()) message += " in " + std::string(where);
  diagnostics_.error(at, message + did_you_mean(name, candidates));
}

std::string Checker::line_of(const SourceRange& first, const SourceRange& at) const {
  const auto line = std::to_string(first.begin.line);
  if (first.file == at.file || first.file >= program_.sources.size()) return "line " + line;
  return program_.sources.file(first.file).path + ":" + line;
}

void Checker::report_duplicates(const std::vector<Named>& names, std::string_view what, std::string_view verb,
                                Severity severity) {
  std::map<std::string_view, SourceRange> first;
  for (const auto& named : names) {
    const auto [it, inserted] = first.emplace(named.text, named.range);
    if (inserted) continue;
    const auto message = "duplicate " + std::string(what) + " '" + std::string(named.text) + "' (first " +
                         std::string(verb) + " at " + line_of(it->second, named.range) + ")";
    if (severity == Severity::error) diagnostics_.error(named.range, message);
    else diagnostics_.warning(named.range, message);
  }
}

}  // namespace flow::check
