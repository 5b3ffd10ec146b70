#pragma once
// What the provider tells its operator, and the tests that drive it: one line
// on stderr per event, each prefixed with the tool's name.

#include <iostream>

namespace oauth2_provider {

/// Writes "oauth2_provider: ", then `parts`, then a newline to stderr, flushed:
/// tests (tests/http/provider_test.cpp, tests/e2e) wait on these lines as they come.
template <typename... Parts>
void say(const Parts&... parts) {
  std::cerr << "oauth2_provider: ";
  (std::cerr << ... << parts) << std::endl;
}

}  // namespace oauth2_provider
