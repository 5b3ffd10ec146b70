#include "engine/cli/args.hpp"

#include <charconv>

namespace flow::cli {

std::optional<std::string> Args::option(const std::string& name) const {
  const auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int64_t> Args::number(const std::string& name, std::int64_t min, std::int64_t max,
                                         const std::string& what) const {
  const auto text = option(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max)
    throw UsageError("--" + name + " is " + what + ", not '" + *text + "'");
  return value;
}

Args parse_args(const std::vector<std::string>& args, const std::set<std::string>& options,
                const std::set<std::string>& flags) {
  Args parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg.size() < 2 || arg.rfind("--", 0) != 0) {
      parsed.positional.push_back(arg);
      continue;
    }
    auto name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (options.count(name)) {
      if (inline_value) parsed.options[name] = *inline_value;
      else if (i + 1 < args.size()) parsed.options[name] = args[++i];
      else throw UsageError("option --" + name + " needs a value");
    } else if (flags.count(name) && !inline_value) {
      parsed.flags.insert(name);
    } else {
      throw UsageError("unknown option '" + arg + "'");
    }
  }
  return parsed;
}

}  // namespace flow::cli
