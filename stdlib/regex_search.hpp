#pragma once
// std::regex matching recurses once or more per character of the subject
// (libstdc++'s executor is depth-first), so a long subject overflows an ordinary
// thread stack and crashes the process. Searches run here on a thread with a
// large, lazily committed stack instead. Internal to stdlib/.

#include <regex>
#include <string>

namespace flow::stdlib {

/// Longest subject searched: at about 1.5 KiB of stack per character (measured
/// under AddressSanitizer), it uses under a fifth of kRegexStackBytes.
inline constexpr std::size_t kMaxRegexSubject = 32 * 1024;
inline constexpr std::size_t kRegexStackBytes = 256 * 1024 * 1024;

/// std::regex_search(subject, regex) on a kRegexStackBytes stack. Rethrows what
/// the search throws (std::regex_error); throws std::runtime_error when no thread
/// can be started.
bool regex_search_deep(const std::string& subject, const std::regex& regex);

}  // namespace flow::stdlib
