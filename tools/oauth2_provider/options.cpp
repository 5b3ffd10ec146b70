#include "tools/oauth2_provider/options.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>

namespace oauth2_provider {

const char* const kUsage =
    "usage: oauth2_provider [--port N] [--client-id ID --client-secret S] [--refresh-token R]...\n"
    "                       [--expires-in SECONDS] [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n"
    "                       [--state FILE] [--log requests|errors]\n"
    "                       [--delay-ms N] [--fail-next-n-with-500 N] [--drop-next-n-connections N]\n"
    "                       [--invalid-grant-next-n N]\n"
    "       oauth2_provider --gen-test-ca DIR [--cert-hosts 127.0.0.1,localhost]\n"
    "       oauth2_provider --help\n";

namespace {

long long to_number(const std::string& flag, const std::string& text) {
  try {
    std::size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("--" + flag + " expects a non-negative integer, got '" + text + "'");
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

using Setter = std::function<void(Options&, const std::string&)>;

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"port", [](Options& o, const std::string& v) { o.port = static_cast<int>(to_number("port", v)); }},
      {"client-id", [](Options& o, const std::string& v) { o.client_id = v; }},
      {"client-secret", [](Options& o, const std::string& v) { o.client_secret = v; }},
      {"refresh-token", [](Options& o, const std::string& v) { o.refresh_tokens.push_back(v); }},
      {"expires-in", [](Options& o, const std::string& v) { o.expires_in = to_number("expires-in", v); }},
      {"tls-cert", [](Options& o, const std::string& v) { o.tls_cert = v; }},
      {"tls-key", [](Options& o, const std::string& v) { o.tls_key = v; }},
      {"tls-client-ca", [](Options& o, const std::string& v) { o.tls_client_ca = v; }},
      {"gen-test-ca", [](Options& o, const std::string& v) { o.gen_test_ca_dir = v; }},
      {"cert-hosts", [](Options& o, const std::string& v) { o.cert_hosts = split_commas(v); }},
      {"state", [](Options& o, const std::string& v) { o.state_file = v; }},
      {"log",
       [](Options& o, const std::string& v) {
         if (v != "requests" && v != "errors") throw std::invalid_argument("--log is requests or errors, not '" + v + "'");
         o.log_requests = v == "requests";
       }},
      {"delay-ms", [](Options& o, const std::string& v) { o.faults.delay_ms = static_cast<int>(to_number("delay-ms", v)); }},
      {"fail-next-n-with-500",
       [](Options& o, const std::string& v) { o.faults.fail_next_n_with_500 = static_cast<int>(to_number("fail-next-n-with-500", v)); }},
      {"drop-next-n-connections",
       [](Options& o, const std::string& v) { o.faults.drop_next_n_connections = static_cast<int>(to_number("drop-next-n-connections", v)); }},
      {"invalid-grant-next-n",
       [](Options& o, const std::string& v) { o.faults.invalid_grant_next_n = static_cast<int>(to_number("invalid-grant-next-n", v)); }},
  };
  return table;
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    if (!arg.starts_with("--")) throw std::invalid_argument("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    std::replace(name.begin(), name.end(), '_', '-');
    auto setter = setters().find(name);
    if (setter == setters().end()) throw std::invalid_argument("unknown flag --" + name);
    if (!value) {
      if (i + 1 >= args.size()) throw std::invalid_argument("--" + name + " needs a value");
      value = args[++i];
    }
    setter->second(options, *value);
  }
  if (options.port > 65535) throw std::invalid_argument("--port must be at most 65535");
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw std::invalid_argument("--tls-cert and --tls-key go together");
  }
  return options;
}

}  // namespace oauth2_provider
