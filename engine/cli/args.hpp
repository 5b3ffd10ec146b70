#pragma once
// A small, strict argument parser: an unknown flag is a usage error (exit 2).

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace flow::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name VALUE
  std::set<std::string> flags;                 // --name

  bool flag(const std::string& name) const { return flags.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const;
};

/// Parses `args`; `options` take a value, `flags` do not; anything else starting
/// with "--" throws UsageError naming it.
Args parse_args(const std::vector<std::string>& args, const std::set<std::string>& options,
                const std::set<std::string>& flags);

}  // namespace flow::cli
