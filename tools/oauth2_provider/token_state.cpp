#include "tools/oauth2_provider/token_state.hpp"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace oauth2_provider {

namespace {

long long unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

nlohmann::json Stats::to_json() const {
  return {{"token_requests", token_requests},   {"refreshes", refreshes},
          {"client_credentials_grants", client_credentials_grants},
          {"invalid_grants", invalid_grants},   {"connections_accepted", connections_accepted},
          {"resource_requests", resource_requests}, {"requests", requests}};
}

nlohmann::json IssuedToken::to_json() const {
  nlohmann::json body = {{"access_token", access_token},
                         {"token_type", "Bearer"},
                         {"expires_in", expires_in},
                         {"created_at", created_at}};
  if (refresh_token) body["refresh_token"] = *refresh_token;
  return body;
}

std::string random_token() {
  std::array<unsigned char, 32> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  static const char* const kHex = "0123456789abcdef";
  std::string token;
  for (unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 0xf];
  }
  return token;
}

std::string mask(const std::string& token) {
  if (token.size() < 8) return "••••";
  return "••••" + token.substr(token.size() - 4);
}

TokenState::TokenState(std::string state_file, std::vector<std::string> initial_refresh_tokens,
                       long long expires_in)
    : state_file_(std::move(state_file)), expires_in_(expires_in) {
  if (!state_file_.empty() && std::filesystem::exists(state_file_)) {
    load();
    return;
  }
  refresh_tokens_.insert(initial_refresh_tokens.begin(), initial_refresh_tokens.end());
  save();
}

std::optional<IssuedToken> TokenState::refresh(const std::string& refresh_token) {
  auto found = refresh_tokens_.find(refresh_token);
  if (found == refresh_tokens_.end()) return std::nullopt;
  refresh_tokens_.erase(found);
  IssuedToken issued = issue(true);
  save();
  return issued;
}

IssuedToken TokenState::issue_access_token() {
  IssuedToken issued = issue(false);
  save();
  return issued;
}

bool TokenState::access_token_valid(const std::string& token) const {
  auto found = access_expiry_.find(token);
  return found != access_expiry_.end() && unix_now() < found->second;
}

IssuedToken TokenState::issue(bool with_refresh_token) {
  IssuedToken issued;
  issued.access_token = random_token();
  issued.expires_in = expires_in_;
  issued.created_at = unix_now();
  forget_expired(issued.created_at);
  access_expiry_[issued.access_token] = issued.created_at + expires_in_;
  expiry_order_.emplace(issued.created_at + expires_in_, issued.access_token);
  if (with_refresh_token) {
    issued.refresh_token = random_token();
    refresh_tokens_.insert(*issued.refresh_token);
  }
  return issued;
}

void TokenState::forget_expired(long long now) {
  while (!expiry_order_.empty() && expiry_order_.begin()->first <= now) {
    access_expiry_.erase(expiry_order_.begin()->second);
    expiry_order_.erase(expiry_order_.begin());
  }
}

void TokenState::save() const {
  if (state_file_.empty()) return;
  nlohmann::json state = {{"refresh_tokens", refresh_tokens_}, {"access_tokens", access_expiry_}};
  // Write then rename: a crash never leaves a half-written file (and lost tokens).
  std::string temporary = state_file_ + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << state.dump(2) << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write state file " + temporary);
  }
  ::chmod(temporary.c_str(), 0600);
  std::filesystem::rename(temporary, state_file_);
}

void TokenState::load() {
  std::ifstream in(state_file_);
  nlohmann::json state = nlohmann::json::parse(in);
  refresh_tokens_ = state.at("refresh_tokens").get<std::set<std::string>>();
  access_expiry_ = state.value("access_tokens", nlohmann::json::object()).get<std::map<std::string, long long>>();
  for (const auto& [token, expiry] : access_expiry_) expiry_order_.emplace(expiry, token);
}

}  // namespace oauth2_provider
