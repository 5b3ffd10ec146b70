#pragma once
// Command line of the local OAuth2 provider.

#include <optional>
#include <string>
#include <vector>

namespace oauth2_provider {

/// Switches that make the provider misbehave on purpose (tests of retries,
/// timeouts and token loss). Settable by flags and by POST /admin/faults.
struct Faults {
  int delay_ms = 0;                  // every response waits this long; stderr says
                                     // "METHOD PATH arrived; answering in N ms (fault)" first
  int fail_next_n_with_500 = 0;      // the next n token/resource requests answer 500
  int drop_next_n_connections = 0;   // the next n connections are closed unanswered
  int invalid_grant_next_n = 0;      // the next n token requests answer invalid_grant
};

struct Options {
  int port = 0;  // 0: ephemeral
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> refresh_tokens;
  long long expires_in = 3600;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;       // non-empty: require a client certificate signed by it
  std::string gen_test_ca_dir;     // non-empty: write a test CA and exit
  std::vector<std::string> cert_hosts{"127.0.0.1", "localhost"};  // SANs of the generated server cert
  std::string state_file;
  bool log_requests = true;  // --log requests (default) | errors: benchmarks keep the log out of the figures
  Faults faults;
  bool help = false;  // --help or -h: print the usage and exit 0
};

/// Parses argv; throws std::invalid_argument with a usage message on error.
/// Flags accept `--name value` and `--name=value`; `_` and `-` are interchangeable.
Options parse_options(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace oauth2_provider
