#pragma once
// A small, strict argument parser: an unknown flag is a usage error (exit 2).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace flow::cli {

/// The command line is wrong (an unknown option, a bad value): `flow: MESSAGE`, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A well-formed command about something that is not there (an unknown task,
/// a missing store): `flow: MESSAGE`, exit 1, like any other user error.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name VALUE
  std::set<std::string> flags;                 // --name

  bool flag(const std::string& name) const { return flags.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const;
  /// --NAME N as a whole number from `min` to `max`, or nullopt when absent.
  /// Anything else throws UsageError "--NAME is WHAT, not 'TEXT'".
  std::optional<std::int64_t> number(const std::string& name, std::int64_t min, std::int64_t max,
                                     const std::string& what) const;
};

/// Parses `args`; `options` take a value, `flags` do not; anything else starting
/// with "--" throws UsageError naming it.
Args parse_args(const std::vector<std::string>& args, const std::set<std::string>& options,
                const std::set<std::string>& flags);

}  // namespace flow::cli
