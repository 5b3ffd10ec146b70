#pragma once
// End-to-end helpers: the flow binary as a child process, the real OAuth2
// provider, and plain HTTP reads of the provider's /stats (through Flow's own
// Beast transport, so no curl is needed).

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "engine/http/beast_transport.hpp"
#include "engine/value.hpp"
#include "support/engine_fixture.hpp"
#include "support/provider.hpp"

namespace flow::e2e {

inline constexpr const char* kClientId = "e2e-client";
inline constexpr const char* kClientSecret = "e2e-client-secret-0123456789";
inline constexpr const char* kInitialRefresh = "e2e-initial-refresh-token-0123456789";

inline std::string flow_binary() {
  const char* path = std::getenv("FLOW_BIN");
  if (!path || !*path) throw std::runtime_error("FLOW_BIN is not set (ctest sets it)");
  return path;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// The seed example with its 55-minute schedule replaced by `every`.
inline std::string seed_example(const std::string& every = "every 55 minutes;") {
  auto text = read_text(std::string(FLOW_SOURCE_DIR) + "/examples/token_refresh.flow");
  return std::regex_replace(text, std::regex("every 55 minutes;"), every);
}

/// Writes the seed example (with `every` as its interval) into `dir`; its path.
inline std::string write_seed(const testing::TempDir& dir, const std::string& every = "every 55 minutes;") {
  const auto file = dir.file("token_refresh.flow");
  write_text(file, seed_example(every));
  return file;
}

inline test::RunningProvider start_seed_provider(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--client-id", kClientId, "--client-secret", kClientSecret,
                                "--refresh-token", kInitialRefresh, "--expires-in", "3600"};
  args.insert(args.end(), extra.begin(), extra.end());
  return test::start_provider(args);
}

inline std::map<std::string, std::string> seed_env(const test::RunningProvider& provider) {
  return {{"TOKEN_BASE_URL", provider.base_url},
          {"CLIENT_ID", kClientId},
          {"CLIENT_SECRET", kClientSecret},
          {"REFRESH_TOKEN", kInitialRefresh}};
}

/// A seed file under a name of its own: the seed example with something added
/// or changed, for a case that needs more than the seed's one process.
struct SeedFile {
  std::string name;
  std::string text;
};

/// The seed example (with `every` as its schedule, or a SeedFile) in a fresh
/// directory and the path of its store, flow.db beside it: the set-up of the
/// cases that never reach the provider.
struct SeedFiles {
  explicit SeedFiles(const std::string& every = "every 55 minutes;") : file(write_seed(dir, every)) {}
  explicit SeedFiles(const SeedFile& seed) : file(dir.file(seed.name)) { write_text(file, seed.text); }

  /// The arguments of `flow trigger` of the seed's instance TK-1 on this store.
  std::vector<std::string> trigger() const {
    return {"trigger", file, "TokenKeeper.Refresh", "--id", "TK-1", "--db", db};
  }

  /// The same without `--db`, then `extra`: on the default store, which is `db`.
  std::vector<std::string> trigger_on_default_store(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"trigger", file, "TokenKeeper.Refresh", "--id", "TK-1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  /// The arguments of `flow run` on this store, with `--for how_long` unless it is empty.
  std::vector<std::string> run(const std::string& how_long = "") const {
    std::vector<std::string> args{"run", file, "--db", db};
    if (!how_long.empty()) args.insert(args.end(), {"--for", how_long});
    return args;
  }

  testing::TempDir dir;
  std::string file;
  std::string db = dir.file("flow.db");
};

/// Where most daemon tests start: the seed files, the provider, and the
/// environment the seed reads to call it.
struct SeedScenario : SeedFiles {
  explicit SeedScenario(const std::string& every = "every 55 minutes;", std::vector<std::string> provider_args = {})
      : SeedFiles(every), provider(start_seed_provider(std::move(provider_args))), env(seed_env(provider)) {}
  explicit SeedScenario(const SeedFile& seed, std::vector<std::string> provider_args = {})
      : SeedFiles(seed), provider(start_seed_provider(std::move(provider_args))), env(seed_env(provider)) {}

  test::RunningProvider provider;
  std::map<std::string, std::string> env;
};

/// Output of one finished flow command.
struct FlowRun {
  int code = 0;
  std::string out;
  std::string err;
};

/// `flow ARGS...` started, not waited for: a daemon, or a command beside one.
inline test::ChildProcess start_flow(std::vector<std::string> args, std::map<std::string, std::string> env) {
  args.insert(args.begin(), flow_binary());
  return test::ChildProcess::start(std::move(args), std::move(env));
}

/// Waits until the provider (started with --delay-ms) holds a token request
/// and not yet its answer: it says so on stderr as the request arrives (one
/// said after byte `from` of its stderr). Bounded generously; a failure shows
/// what the provider said.
inline void wait_for_token_request(test::RunningProvider& provider, std::size_t from = 0) {
  if (!provider.process.wait_for_stderr("POST /oauth/token arrived", std::chrono::seconds(30), from)) {
    FAIL("the provider did not say a token request arrived, in 30 s; its stderr:\n" << provider.process.stderr_text());
  }
}

/// Runs `argv` (a program and its arguments) to its end.
inline FlowRun run_program(const std::vector<std::string>& argv, std::map<std::string, std::string> env = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  auto child = test::ChildProcess::start(argv, std::move(env));
  FlowRun run;
  run.out = child.read_all_stdout_until_exit(timeout);
  run.code = child.wait(timeout);
  run.err = child.stderr_text();
  return run;
}

inline FlowRun run_flow(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  args.insert(args.begin(), flow_binary());
  return run_program(args, std::move(env), timeout);
}

/// GET `url` with Flow's transport; the body (throws on a transport error).
inline std::string http_get(const std::string& url) {
  boost::asio::io_context io;
  auto transport = make_beast_transport(io.get_executor());
  HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.timeout = std::chrono::seconds(5);
  std::optional<HttpResult> result;
  boost::asio::co_spawn(io, transport->send(request), [&](std::exception_ptr e, HttpResult r) {
    if (e) std::rethrow_exception(e);
    result = std::move(r);
  });
  io.run();
  if (const auto* error = std::get_if<HttpError>(&*result)) throw std::runtime_error(error->message);
  return std::get<HttpResponse>(*result).body;
}

inline Json provider_stats(const test::RunningProvider& provider) {
  return Json::parse(http_get(provider.base_url + "/stats"));
}

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace flow::e2e
