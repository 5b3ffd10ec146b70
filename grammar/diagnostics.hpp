#pragma once
// Diagnostics are data; render() is the one place that turns them into text:
//   path:line:col: error: message
//     <source line>
//     <caret>

#include <string>
#include <vector>

#include "grammar/source.hpp"

namespace flow {

enum class Severity { error, warning, note };

/// One user-facing problem found at check time (or a run-time error shown the same way).
struct Diagnostic {
  Severity severity = Severity::error;
  SourceRange range;
  std::string message;
};

/// Collects diagnostics of one run, in the order found.
class Diagnostics {
 public:
  void error(SourceRange range, std::string message);
  void warning(SourceRange range, std::string message);
  void note(SourceRange range, std::string message);
  void add(Diagnostic diagnostic);
  bool has_errors() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  void append(const Diagnostics& other);

 private:
  std::vector<Diagnostic> items_;
};

/// Renders one diagnostic: header line, the source line, and a caret under the
/// column. The message is one line: its control characters are escaped
/// (printable()), whatever text from outside it quotes. The source line shows
/// the hidden parts of its file (a secret literal) as their `shown` text.
std::string render(const SourceSet& sources, const Diagnostic& diagnostic);
/// Renders all, in order, each followed by a newline.
std::string render(const SourceSet& sources, const Diagnostics& diagnostics);
/// "path:line:col" of a range's start.
std::string location(const SourceSet& sources, const SourceRange& range);

}  // namespace flow
