#include "engine/json_path.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace flow {

namespace {

/// One step of a path: an object key or an array index.
struct Step {
  std::string key;
  std::optional<std::size_t> index;
};

std::vector<Step> split_path(std::string_view path) {
  std::vector<Step> steps;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      const auto close = path.find(']', i);
      if (close == std::string_view::npos) throw RunError("bad JSON path '" + std::string(path) + "'");
      const auto digits = path.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos)
        throw RunError("bad JSON path '" + std::string(path) + "'");
      steps.push_back({"", std::stoul(std::string(digits))});
      i = close + 1;
      continue;
    }
    const auto end = path.find_first_of(".[", i);
    steps.push_back({std::string(path.substr(i, end - i)), std::nullopt});
    i = end == std::string_view::npos ? path.size() : end;
  }
  return steps;
}

}  // namespace

const Json* json_path_get(const Json& root, std::string_view path) {
  // A plain key, as most are (two memchr: find_first_of tries each byte in turn).
  if (!path.empty() && path.find('.') == std::string_view::npos && path.find('[') == std::string_view::npos) {
    if (!root.is_object()) return nullptr;
    const auto it = root.find(path);
    return it == root.end() ? nullptr : &*it;
  }
  const Json* at = &root;
  for (const auto& step : split_path(path)) {
    if (step.index) {
      if (!at->is_array() || *step.index >= at->size()) return nullptr;
      at = &(*at)[*step.index];
    } else {
      if (!at->is_object()) return nullptr;
      const auto it = at->find(step.key);
      if (it == at->end()) return nullptr;
      at = &*it;
    }
  }
  return at;
}

void json_path_set(Json& root, std::string_view path, Json value) {
  Json* at = &root;
  for (const auto& step : split_path(path)) {
    if (step.index) {
      if (at->is_null()) *at = Json::array();
      if (!at->is_array()) throw RunError("JSON path '" + std::string(path) + "' indexes a non-array");
      while (at->size() <= *step.index) at->push_back(nullptr);
      at = &(*at)[*step.index];
    } else {
      if (at->is_null()) *at = Json::object();
      if (!at->is_object()) throw RunError("JSON path '" + std::string(path) + "' walks into a non-object");
      at = &(*at)[step.key];
    }
  }
  *at = std::move(value);
}

bool json_path_within(std::string_view outer, std::string_view inner) {
  try {
    const auto outside = split_path(outer);
    const auto inside = split_path(inner);
    if (inside.size() < outside.size()) return false;
    return std::equal(outside.begin(), outside.end(), inside.begin(), [](const Step& a, const Step& b) {
      return a.key == b.key && a.index == b.index;
    });
  } catch (const RunError&) {
    return false;
  }
}

std::string url_encode(std::string_view text) {
  // RFC 3986 unreserved characters, in ASCII whatever the C locale says. Runs
  // of them are copied whole: a refresh encodes every token it sends.
  static constexpr auto kUnreserved = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c)
      table[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c == '.' || c == '~';
    return table;
  }();
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = i;
    while (run < text.size() && kUnreserved[static_cast<unsigned char>(text[run])]) ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    const auto c = static_cast<unsigned char>(text[run]);
    const char escaped[3] = {'%', kHex[c >> 4], kHex[c & 15]};
    out.append(escaped, 3);
    i = run + 1;
  }
  return out;
}

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      throw RunError("'%' at byte " + std::to_string(i) + " is not followed by two hex digits");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

}  // namespace flow
