#include "grammar/source.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "grammar/unreadable_file.hpp"

namespace flow {

std::string_view SourceFile::line_text(std::uint32_t line) const {
  std::string_view rest = text;
  for (std::uint32_t i = 1; i < line; ++i) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return {};
    rest.remove_prefix(nl + 1);
  }
  const auto nl = rest.find('\n');
  auto result = rest.substr(0, nl);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

std::uint32_t SourceSet::add(std::string path, std::string text, std::vector<HiddenText> hidden) {
  files_.push_back(std::make_shared<SourceFile>(SourceFile{std::move(path), std::move(text), std::move(hidden)}));
  return static_cast<std::uint32_t>(files_.size() - 1);
}

void SourceSet::hide(std::uint32_t index, std::vector<HiddenText> parts) {
  auto& hidden = files_.at(index)->hidden;
  hidden.insert(hidden.end(), std::make_move_iterator(parts.begin()), std::make_move_iterator(parts.end()));
}

bool SourceSet::load(const std::string& path, std::uint32_t& index, std::string& error) {
  auto why = unreadable_file(path);
  std::ifstream in(path, std::ios::binary);
  if (why.empty() && !in) why = std::strerror(errno);
  if (!why.empty()) {
    error = "cannot open '" + path + "': " + why;
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  index = add(path, buffer.str());
  return true;
}

}  // namespace flow
