#include "grammar/path_template.hpp"

#include <cctype>

namespace flow {

namespace {

bool is_name(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  for (const char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

/// What is wrong with the parameter `name` of `quoted`, or "".
std::string parameter_problem(std::string_view name, const std::string& quoted) {
  if (name.empty())
    return "empty '{}' in method path " + quoted + ": a path parameter is named, as in {id}, and mapped with path.id";
  if (name.find('{') != std::string_view::npos)
    return "unclosed '{' in method path " + quoted + ": a path parameter is written {name}";
  if (!is_name(name)) {
    return "path parameter '" + std::string(name) + "' in method path " + quoted +
           " is not a name (letters, digits and _): it is mapped with path.NAME";
  }
  return "";
}

}  // namespace

PathTemplate read_path_template(std::string_view path) {
  PathTemplate out;
  const std::string quoted = "\"" + std::string(path) + "\"";
  if (!path.empty() && path.front() != '/') {
    out.problem = "a method path starts with '/': " + quoted + " is appended to base_url's path as written (write \"/" +
                  std::string(path) + "\")";
    return out;
  }
  std::string text;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '}') {
      out.problem = "'}' without a '{' before it in method path " + quoted + ": a path parameter is written {name}";
      return out;
    }
    if (path[i] != '{') {
      text += path[i];
      continue;
    }
    const auto close = path.find('}', i);
    if (close == std::string_view::npos) {
      out.problem = "unclosed '{' in method path " + quoted + ": a path parameter is written {name}";
      return out;
    }
    const auto name = path.substr(i + 1, close - i - 1);
    if (out.problem = parameter_problem(name, quoted); !out.problem.empty()) return out;
    if (!text.empty()) out.pieces.push_back({std::move(text), false});
    text.clear();
    out.pieces.push_back({std::string(name), true});
    i = close;
  }
  if (!text.empty()) out.pieces.push_back({std::move(text), false});
  return out;
}

}  // namespace flow
