#include "grammar/credential_name.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace flow {

namespace {
constexpr std::string_view kCredentialWords[] = {"auth", "key", "token", "secret", "password", "cookie"};
}  // namespace

bool is_credential_name(std::string_view name) {
  // Folded into a buffer on the stack (ASCII only: the words are): a call
  // asks it of every query parameter of its base_url.
  std::array<char, 64> buffer;
  std::string long_name;
  char* folded = buffer.data();
  if (name.size() > buffer.size()) {
    long_name.resize(name.size());
    folded = long_name.data();
  }
  for (std::size_t i = 0; i < name.size(); ++i)
    folded[i] = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
  const std::string_view lower(folded, name.size());
  // "auth" covers Authorization and Proxy-Authorization.
  return std::any_of(std::begin(kCredentialWords), std::end(kCredentialWords),
                     [lower](std::string_view word) { return lower.find(word) != std::string_view::npos; });
}

}  // namespace flow
