#pragma once
// Source files and locations. Every AST node, diagnostic and run-time frame
// carries a SourceRange so that any message can point at file:line:col.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace flow {

/// A position in a source file: 1-based line and column (in bytes), 0-based offset.
struct SourcePos {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  std::uint32_t offset = 0;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

/// A half-open byte range [begin, end) inside one file of a SourceSet.
struct SourceRange {
  std::uint32_t file = 0;
  SourcePos begin;
  SourcePos end;
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

/// A part of a source text that an excerpt (the source line of a diagnostic or
/// a run error) shows as other text: a secret literal as its mask.
struct HiddenText {
  std::uint32_t begin = 0;  // byte offsets [begin, end) in the file
  std::uint32_t end = 0;
  std::string shown;
};

/// One loaded source text. The path is as the user named it (used in diagnostics).
struct SourceFile {
  std::string path;
  std::string text;
  std::vector<HiddenText> hidden = {};  // shown otherwise in every excerpt of this file

  /// The text of 1-based line `line`, without its newline; empty past the end.
  std::string_view line_text(std::uint32_t line) const;
};

/// Owns every source file of a run; ranges refer to files by index. A copy
/// shares the files (their text never changes once added): the REPL parses its
/// input into a copy of the program's set, so ranges into either resolve in one set.
class SourceSet {
 public:
  /// Adds a file and returns its index; excerpts of it show `hidden` parts otherwise.
  std::uint32_t add(std::string path, std::string text, std::vector<HiddenText> hidden = {});
  /// Excerpts of file `index` show `parts` otherwise too, from now on, in
  /// every copy of this set: for what is known only once the file is parsed
  /// (its secret literals). Called while loading, before any excerpt is rendered.
  void hide(std::uint32_t index, std::vector<HiddenText> parts);
  /// Reads `path` from disk; returns nullopt-like -1 on failure via the bool.
  bool load(const std::string& path, std::uint32_t& index, std::string& error);
  const SourceFile& file(std::uint32_t index) const { return *files_.at(index); }
  std::size_t size() const { return files_.size(); }

 private:
  // Pointers keep SourceFile addresses (and string_views into their text) stable.
  std::vector<std::shared_ptr<SourceFile>> files_;
};

}  // namespace flow
