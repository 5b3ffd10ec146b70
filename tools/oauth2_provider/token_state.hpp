#pragma once
// The provider's memory: valid refresh tokens (strictly rotated), issued access
// tokens with their expiry, counters and fault switches. Optionally persisted.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/oauth2_provider/options.hpp"

namespace oauth2_provider {

struct Stats {
  long long token_requests = 0;
  long long refreshes = 0;
  long long client_credentials_grants = 0;
  long long invalid_grants = 0;
  long long connections_accepted = 0;
  long long resource_requests = 0;
  long long requests = 0;
  nlohmann::json to_json() const;
};

struct IssuedToken {
  std::string access_token;
  std::optional<std::string> refresh_token;
  long long expires_in = 0;
  long long created_at = 0;  // unix seconds
  nlohmann::json to_json() const;
};

/// A fresh random token: 32 bytes from OpenSSL's CSPRNG, hex encoded.
std::string random_token();
/// "••••" plus the last 4 characters: what logs may show of a token.
std::string mask(const std::string& token);

class TokenState {
 public:
  /// Loads `state_file` when it exists (it then wins over `initial_refresh_tokens`,
  /// which were probably rotated away already); otherwise starts from those.
  TokenState(std::string state_file, std::vector<std::string> initial_refresh_tokens, long long expires_in);

  /// Strict rotation: a valid `refresh_token` is consumed and a new one issued
  /// with the access token. nullopt when it is unknown or already used.
  std::optional<IssuedToken> refresh(const std::string& refresh_token);
  /// An access token without a refresh token (client_credentials).
  IssuedToken issue_access_token();
  /// True for an issued access token that has not expired.
  bool access_token_valid(const std::string& token) const;

  Stats stats;
  Faults faults;

 private:
  IssuedToken issue(bool with_refresh_token);
  void forget_expired(long long now);
  void save() const;
  void load();

  std::string state_file_;
  long long expires_in_;
  std::set<std::string> refresh_tokens_;
  std::map<std::string, long long> access_expiry_;  // token -> unix seconds
  // The same tokens by expiry, so dropping the expired ones costs O(expired),
  // not a walk over every live token on each issue.
  std::multimap<long long, std::string> expiry_order_;
};

}  // namespace oauth2_provider
