#include "stdlib/time_pattern.hpp"

namespace flow::stdlib {

namespace {

/// The conversion for `count` repetitions of the pattern letter `letter`
/// (Java's and .NET's letters; `t`/`tt` is .NET's AM/PM), or nullopt.
std::optional<std::string_view> conversion_for(char letter, std::size_t count) {
  switch (letter) {
    case 'y': return count == 2 ? "%y" : "%Y";
    case 'M': return count <= 2 ? "%m" : count == 3 ? "%b" : "%B";
    case 'd': return count <= 2 ? "%d" : count == 3 ? "%a" : "%A";
    case 'E': return count <= 3 ? "%a" : "%A";
    case 'H': return "%H";
    case 'h': return "%I";
    case 'm': return "%M";
    case 's': return "%S";
    case 'a':
    case 't': return "%p";
    case 'Z':
    case 'X': return "%z";
    case 'z': return "%Z";
    default: return std::nullopt;
  }
}

bool is_strong(char letter, std::size_t count) {
  static constexpr std::string_view kStrong = "yMdHhms";
  return count >= 2 && kStrong.find(letter) != std::string_view::npos;
}

}  // namespace

bool has_conversion(std::string_view pattern) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (pattern[i + 1] != '%') return true;
    ++i;  // `%%`
  }
  return false;
}

std::optional<std::string> strftime_equivalent(std::string_view pattern) {
  std::string out;
  bool strong = false;
  for (std::size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {  // 'T': quoted literal text, '' a quote
      const auto close = pattern.find('\'', i + 1);
      const auto end = close == std::string_view::npos ? pattern.size() : close;
      out += end == i + 1 ? "'" : std::string(pattern.substr(i + 1, end - i - 1));
      i = end + 1;
      continue;
    }
    std::size_t count = 1;
    while (i + count < pattern.size() && pattern[i + count] == c) ++count;
    const auto conversion = conversion_for(c, count);
    if (conversion) out += *conversion;
    else if (c == '%') out += std::string(count * 2, '%');
    else out.append(count, c);
    strong = strong || is_strong(c, count);
    i += count;
  }
  if (!strong) return std::nullopt;
  return out;
}

std::string strftime_advice(std::string_view pattern, bool reveal) {
  const auto equivalent = reveal ? strftime_equivalent(pattern) : std::nullopt;
  if (equivalent) return "patterns are strftime: \"" + *equivalent + "\"";
  return "patterns are strftime, such as \"%Y-%m-%d %H:%M\"";
}

}  // namespace flow::stdlib
