#pragma once
// Starts tools/oauth2_provider for a test: the binary named by FLOW_PROVIDER_BIN
// (ctest sets it), on an ephemeral port of 127.0.0.1, and waits for its
// "listening on 127.0.0.1:PORT" line so the test never races its startup.

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/subprocess.hpp"

namespace flow::test {

struct RunningProvider {
  ChildProcess process;
  int port = 0;
  /// "http://127.0.0.1:PORT" (or https:// when started with --tls-cert).
  std::string base_url;
};

/// The provider binary: $FLOW_PROVIDER_BIN. Throws when it is not set.
inline std::string provider_binary() {
  const char* path = std::getenv("FLOW_PROVIDER_BIN");
  if (path == nullptr || *path == '\0') {
    throw std::runtime_error("FLOW_PROVIDER_BIN is not set (ctest sets it; when running a test binary "
                             "directly, export FLOW_PROVIDER_BIN=<build>/oauth2_provider)");
  }
  return path;
}

/// Starts the provider with `args` (add "--port", "0" yourself only to override:
/// it is the default). Throws std::runtime_error, with the provider's stderr,
/// when it does not announce its port within `startup_timeout`.
inline RunningProvider start_provider(std::vector<std::string> args,
                                      std::chrono::milliseconds startup_timeout = std::chrono::seconds(10)) {
  bool tls = false;
  for (const auto& arg : args) tls = tls || arg == "--tls-cert" || arg.starts_with("--tls-cert=");
  std::vector<std::string> argv{provider_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunningProvider provider{ChildProcess::start(std::move(argv)), 0, ""};
  const std::string prefix = "listening on 127.0.0.1:";
  std::string line = provider.process.read_line(startup_timeout);
  if (!line.starts_with(prefix)) {
    throw std::runtime_error("unexpected first line from the provider: '" + line + "'; stderr:\n" +
                             provider.process.stderr_text());
  }
  provider.port = std::stoi(line.substr(prefix.size()));
  provider.base_url = (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(provider.port);
  return provider;
}

/// Runs `oauth2_provider --gen-test-ca dir` (plus `extra` flags such as
/// "--cert-hosts", "localhost") and waits for it: dir then holds ca.pem,
/// server.pem/.key and client.pem/.key.
inline void generate_test_ca(const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{provider_binary(), "--gen-test-ca", dir};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto process = ChildProcess::start(std::move(argv));
  int code = process.wait(std::chrono::seconds(30));
  if (code != 0) {
    throw std::runtime_error("oauth2_provider --gen-test-ca failed (" + std::to_string(code) + "):\n" +
                             process.stderr_text());
  }
}

}  // namespace flow::test
