#pragma once
// "What did it throw": the message of the expected error type, so a test can
// compare it as a string. Any other exception passes through to the test.

#include <functional>
#include <string>

namespace flow::testing {

/// what() of the `Error` that `action` throws, or `none` if it returns normally.
template <typename Error>
std::string what_of(const std::function<void()>& action, std::string none) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return none;
}

}  // namespace flow::testing
