// Chained OAuth2 refreshes against the local provider (issue 5), measured side
// by side in one run: the ceiling (a raw Beast loop), the engine sequentially,
// and the engine with 64 instances refreshing concurrently on one io_context.
// Every refresh presents the refresh token the previous answer rotated in, so
// one lost token breaks the chain: the provider's /stats must show
// invalid_grants == 0 at the end, or the run exits 1.
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOW_BENCH=ON -DFLOW_TESTS=OFF
//   cmake --build build-bench --target bench_refresh oauth2_provider -j2
//   FLOW_PROVIDER_BIN=$PWD/build-bench/oauth2_provider ./build-bench/bench/bench_refresh
//   ... ./build-bench/bench/bench_refresh conc-mem seq-disk   (only these sections, and the ceiling)
// (bash bench/run.sh does the same.)
//
// Targets: engine sequential >= 80% of the raw ceiling's requests/s; engine with
// 64 concurrent instances >= 10,000 refreshes/s.
//
// The engine is the whole of it: the seed example's TokenKeeper.Refresh
// (examples/token_refresh.flow) through the Interpreter, the Beast transport and
// the SQLite store (WAL; a run commits its mapped values, its save and its
// history record in one transaction, one fsync with durability full). The
// store is measured in a temp dir on disk as shipped, with --durability
// relaxed (no fsync), on tmpfs (/dev/shm, where an fsync costs nothing), and
// with the in-memory test store, so the reader sees the cost split: fsync,
// SQLite's CPU, and interpreter + transport. The disk's fsync time is printed:
// with durability full a chain cannot refresh faster than one fsync each (the
// rotated token must be on disk before the next request spends the old one).
// So durability full is also measured against 1b, the raw loop keeping each
// token on disk the cheapest way there is (overwrite in place + fdatasync):
// the ceiling of any client that must not lose a token.
//
// Sequential chains run in rounds, raw and engine taking turns every 25
// refreshes, and the ratio is the median of the rounds' ratios: a slow spell of
// this shared 2-core machine then hits both sides of a ratio instead of one.
// The concurrent runs raise BeastTransportOptions::max_idle_per_origin from 4
// to 64 so the 64 loops keep their connections; their runs share commits
// (CommitQueue: one transaction and one fsync per batch).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <optional>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench/refresh_client.hpp"
#include "bench/refresh_engine.hpp"
#include "support/provider.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace asio = boost::asio;
using flow::bench::BenchClock;

constexpr int kRounds = 5;
constexpr int kPerRound = 400;  // sequential refreshes per chain and round
constexpr int kPerBlock = 25;   // ... taken in blocks, raw and engines in turn
constexpr int kConcurrentInstances = 64;
constexpr int kConcurrentCountPerInstance = 1000;  // 64,000 in all, unless time runs out first
constexpr auto kTimeLimit = std::chrono::seconds(3);
const flow::bench::ClientCredentials kCredentials{"bench-client", "bench-client-secret-0123456789",
                                                  "https://app.example.com/callback"};


/// What one measured loop did.
struct Measured {
  std::vector<double> latencies_us;
  double seconds = 0;
  double cpu_seconds = 0;  // CPU time of the measuring thread (user + kernel): the client's own cost
  double per_second() const { return seconds > 0 ? static_cast<double>(latencies_us.size()) / seconds : 0; }
  void add(const Measured& more) {
    latencies_us.insert(latencies_us.end(), more.latencies_us.begin(), more.latencies_us.end());
    seconds += more.seconds;
    cpu_seconds += more.cpu_seconds;
  }
};

/// CPU time the calling thread has used so far, in seconds.
double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

/// Runs `loop` (which adds its latencies to `out`), adding its wall and CPU time to `out`.
template <typename Loop>
void timed(Measured* out, Loop loop) {
  const auto begin = BenchClock::now();
  const double cpu_begin = thread_cpu_seconds();
  loop(begin);
  out->cpu_seconds += thread_cpu_seconds() - cpu_begin;
  out->seconds += std::chrono::duration<double>(BenchClock::now() - begin).count();
}

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

/// One result line: rate, count, wall time, latency mean/p50/p99.
void print_line(const std::string& label, const Measured& m) {
  std::vector<double> sorted = m.latencies_us;
  std::sort(sorted.begin(), sorted.end());
  const double sum = std::accumulate(sorted.begin(), sorted.end(), 0.0);
  const double mean = sorted.empty() ? 0 : sum / static_cast<double>(sorted.size());
  std::cout << std::left << std::setw(52) << label << std::right << std::setw(7) << fixed(m.per_second(), 0)
            << "/s  n=" << std::setw(5) << sorted.size() << " in " << fixed(m.seconds, 2)
            << " s  latency us: mean " << fixed(mean, 0) << " p50 " << fixed(percentile(sorted, 0.50), 0)
            << " p99 " << fixed(percentile(sorted, 0.99), 0);
  // The client's CPU per refresh: where the engine's time goes, apart from waiting on the provider.
  if (!sorted.empty() && m.cpu_seconds > 0)
    std::cout << "  cpu us " << fixed(1e6 * m.cpu_seconds / static_cast<double>(sorted.size()), 1);
  std::cout << "\n";
}

/// The engine's rate as a share of the ceiling's (median over the rounds,
/// with their range), against issue 5's target.
void print_ratio(std::vector<double> ratios, const std::string& of = "the ceiling") {
  std::sort(ratios.begin(), ratios.end());
  const double percent = 100.0 * percentile(ratios, 0.5);
  std::cout << "     -> " << fixed(percent, 1) << "% of " << of << ", median of " << ratios.size() << " rounds (range "
            << fixed(100.0 * ratios.front(), 0) << "-" << fixed(100.0 * ratios.back(), 0)
            << "%; target >= 80%: " << (percent >= 80.0 ? "met" : "MISSED") << ")\n";
}

/// What one fsync costs on the disk under `dir`: with durability full, a chain
/// of refreshes can go no faster than one fsync per refresh (each rotated token
/// must be on disk before the next request spends the previous one).
void print_fsync(const std::filesystem::path& dir) {
  flow::testing::TempDir scratch(dir);
  const std::string path = scratch.file("fsync-probe");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return;
  constexpr int kProbes = 50;
  const auto begin = BenchClock::now();
  for (int i = 0; i < kProbes; ++i) {
    const char byte = 'x';
    if (::write(fd, &byte, 1) != 1 || ::fsync(fd) != 0) break;
  }
  const double ms = std::chrono::duration<double, std::milli>(BenchClock::now() - begin).count() / kProbes;
  ::close(fd);
  std::cout << "   fsync on " << dir.string() << ": " << fixed(ms, 2) << " ms each, so durability full allows at most "
            << fixed(1000.0 / ms, 0) << " sequential refreshes/s here\n";
}

/// Whether the concurrent rate meets issue 5's target.
void print_target(const Measured& concurrent) {
  std::cout << "     -> target >= 10,000 refreshes/s: " << (concurrent.per_second() >= 10'000 ? "met" : "MISSED") << "\n";
}

void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

/// Runs `work` alone on a fresh io_context to completion, rethrowing its exception.
template <typename Awaitable>
void run_on(asio::io_context& io, Awaitable work) {
  asio::co_spawn(io, std::move(work), rethrow);
  io.restart();
  io.run();
}

// ---- 1. the ceiling -------------------------------------------------------

/// A raw Beast client on one keep-alive connection, and the refresh token its
/// chain is at: measured in rounds between the engine's. With `keep_at`, it
/// also keeps each rotated token on disk the cheapest way there is (overwrite
/// in place, fdatasync) before it spends it: the floor of any client that
/// must not lose a token, against which the durable engine is measured.
class RawChain {
 public:
  RawChain(int port, std::string initial_token, std::optional<std::string> keep_at = std::nullopt)
      : client_(io_.get_executor(), port, kCredentials), token_(std::move(initial_token)) {
    if (keep_at) {
      fd_ = ::open(keep_at->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd_ < 0) throw std::runtime_error("cannot open " + *keep_at);
    }
    run_on(io_, client_.connect());
  }
  RawChain(const RawChain&) = delete;
  RawChain& operator=(const RawChain&) = delete;
  ~RawChain() {
    if (fd_ >= 0) ::close(fd_);
  }

  /// `count` chained refreshes, added to `out`.
  void measure(int count, Measured* out) {
    timed(out, [&](BenchClock::time_point) { run_on(io_, chain(count, out)); });
  }

 private:
  asio::awaitable<void> chain(int count, Measured* out) {
    for (int i = 0; i < count; ++i) {
      const auto started = BenchClock::now();
      token_ = co_await client_.refresh(token_);
      if (fd_ >= 0) keep();
      out->latencies_us.push_back(std::chrono::duration<double, std::micro>(BenchClock::now() - started).count());
    }
  }

  void keep() {
    const auto written = ::pwrite(fd_, token_.data(), token_.size(), 0);
    if (written != static_cast<ssize_t>(token_.size()) || ::fdatasync(fd_) != 0)
      throw std::runtime_error("cannot keep the token on disk");
  }

  asio::io_context io_;
  flow::bench::RawRefreshClient client_;
  std::string token_;
  int fd_ = -1;
};

// ---- 2. and 3. the engine ---------------------------------------------------

/// The seed example, verbatim, plus `extra` instance declarations.
std::string seed_program(const std::string& extra) {
  std::ifstream file(FLOW_EXAMPLES_DIR "/token_refresh.flow");
  if (!file) throw std::runtime_error("cannot read " FLOW_EXAMPLES_DIR "/token_refresh.flow");
  std::stringstream text;
  text << file.rdbuf();
  return text.str() + extra;
}

std::string token_name(const std::string& section, int index) { return "rt-" + section + "-" + std::to_string(index); }

/// `count` instances "C-0".. of TokenKeeper, each with its own initial refresh token.
std::string concurrent_instances(const std::string& section, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    text += "instance \"C-" + std::to_string(i) + "\" of TokenKeeper {\n  ClientId = env(\"CLIENT_ID\");\n"
            "  ClientSecret = env(\"CLIENT_SECRET\");\n  RedirectUrl = \"https://app.example.com/callback\";\n"
            "  RefreshToken = \"" + token_name(section, i) + "\";\n}\n";
  }
  return text;
}

/// Where an engine's store lives and how it commits: SQLite in a scratch dir
/// under `parent`, or (no parent) the in-memory test store.
struct StoreSetup {
  std::optional<std::filesystem::path> parent;
  flow::Durability durability = flow::Durability::full;
};

/// The scratch directory of one measured configuration.
struct StorePlace {
  std::optional<flow::testing::TempDir> dir;
  explicit StorePlace(const StoreSetup& setup) {
    if (setup.parent) dir.emplace(*setup.parent);
  }
  std::optional<std::string> db() const { return dir ? std::optional(dir->file("flow.db")) : std::nullopt; }
};

flow::SqliteOptions sqlite_options(const StoreSetup& setup) {
  flow::SqliteOptions options;
  options.durability = setup.durability;
  return options;
}

/// The seed instance TK-1 of one engine configuration, refreshed in a chain
/// (its initial token is `section`'s), measured in rounds.
class EngineChain {
 public:
  EngineChain(const std::string& section, const StoreSetup& setup) : place_(setup) {
    ::setenv("REFRESH_TOKEN", token_name(section, 0).c_str(), 1);  // read once, when TK-1 is seeded
    rig_ = std::make_unique<flow::bench::EngineRig>(seed_program(""), place_.db(), flow::BeastTransportOptions{},
                                                    sqlite_options(setup));
  }

  /// `count` chained runs of TokenKeeper.Refresh, added to `out`.
  void measure(int count, Measured* out) {
    timed(out, [&](BenchClock::time_point begin) {
      run_on(rig_->io(), flow::bench::refresh_chain(&rig_->interpreter(), "TK-1", count, begin + kTimeLimit,
                                                    &out->latencies_us));
    });
  }

 private:
  StorePlace place_;
  std::unique_ptr<flow::bench::EngineRig> rig_;
};

/// 64 run loops co_spawned on the one io_context, one per instance.
Measured measure_engine_concurrent(const std::string& section, const StoreSetup& setup,
                                   std::size_t max_idle_per_origin) {
  ::setenv("REFRESH_TOKEN", "rt-unused", 1);  // TK-1 is seeded but not refreshed here
  StorePlace place(setup);
  flow::BeastTransportOptions transport;
  transport.max_idle_per_origin = max_idle_per_origin;
  flow::bench::EngineRig rig(seed_program(concurrent_instances(section, kConcurrentInstances)), place.db(),
                             transport, sqlite_options(setup));
  std::vector<std::vector<double>> latencies(kConcurrentInstances);
  Measured measured;
  timed(&measured, [&](BenchClock::time_point begin) {
    for (int i = 0; i < kConcurrentInstances; ++i) {
      asio::co_spawn(rig.io(),
                     flow::bench::refresh_chain(&rig.interpreter(), "C-" + std::to_string(i),
                                                kConcurrentCountPerInstance, begin + kTimeLimit, &latencies[i]),
                     rethrow);
    }
    rig.io().run();
  });
  for (const auto& one : latencies) measured.latencies_us.insert(measured.latencies_us.end(), one.begin(), one.end());
  return measured;
}

std::vector<std::string> provider_args() {
  std::vector<std::string> args{"--client-id", kCredentials.client_id, "--client-secret", kCredentials.client_secret,
                                "--expires-in", "3600", "--log", "errors"};
  for (const std::string section : {"raw", "raw-kept", "seq-disk", "seq-relaxed", "seq-shm", "seq-mem"}) {
    args.insert(args.end(), {"--refresh-token", token_name(section, 0)});
  }
  for (const std::string section : {"conc-disk", "conc-relaxed", "conc-shm", "conc-mem"}) {
    for (int i = 0; i < kConcurrentInstances; ++i) args.insert(args.end(), {"--refresh-token", token_name(section, i)});
  }
  return args;
}

nlohmann::json provider_stats(int port) {
  asio::io_context io;
  flow::bench::RawRefreshClient client(io.get_executor(), port, kCredentials);
  nlohmann::json stats;
  run_on(io, [](flow::bench::RawRefreshClient* c, nlohmann::json* out) -> asio::awaitable<void> {
    co_await c->connect();
    *out = co_await c->stats();
  }(&client, &stats));
  return stats;
}

int run_benchmark(const std::vector<std::string>& sections) {
  auto provider = flow::test::start_provider(provider_args());
  ::setenv("TOKEN_BASE_URL", provider.base_url.c_str(), 1);
  ::setenv("CLIENT_ID", kCredentials.client_id.c_str(), 1);
  ::setenv("CLIENT_SECRET", kCredentials.client_secret.c_str(), 1);
  const auto disk = std::filesystem::temp_directory_path();
  const std::filesystem::path shm = "/dev/shm";
  std::cout << "chained refreshes against oauth2_provider at " << provider.base_url << " (sequential: " << kRounds
            << " rounds of " << kPerRound << " per chain, raw and engine in turn every " << kPerBlock
            << "; concurrent: "
            << kConcurrentInstances << "x" << kConcurrentCountPerInstance << " or " << kTimeLimit.count() << " s)\n";

  // Sections named on the command line run alone (e.g. `bench_refresh conc-mem`
  // under perf); the ceiling always runs, every ratio needs it.
  const auto wanted = [&](const std::string& section) {
    return sections.empty() || std::find(sections.begin(), sections.end(), section) != sections.end();
  };
  std::vector<Measured> all;
  struct Sequential {
    std::string name;
    std::string label;
    StoreSetup setup;
  };
  using flow::Durability;
  const std::vector<Sequential> sequential_sections = {
      {"seq-disk", "2. engine sequential, SQLite on disk, durability full", {disk, Durability::full}},
      {"seq-relaxed", "   same, --durability relaxed (survives kill -9)", {disk, Durability::relaxed}},
      {"seq-shm", "   same, durability full on tmpfs (/dev/shm)", {shm, Durability::full}},
      {"seq-mem", "   same, in-memory test store (no SQLite at all)", {std::nullopt}},
  };
  // Sequential figures come in rounds, and each round in blocks: kPerBlock
  // refreshes of the raw chain, then of each engine chain, in turn, so a slow
  // or fast spell of this shared machine (its latency moves 2x between idle and
  // busy) hits both sides of a ratio alike. A round's ratio compares the rates
  // summed over its blocks; the ratio shown is the median of the rounds'.
  RawChain raw(provider.port, token_name("raw", 0));
  std::vector<std::unique_ptr<EngineChain>> chains;
  for (const auto& section : sequential_sections) {
    chains.push_back(wanted(section.name) ? std::make_unique<EngineChain>(section.name, section.setup) : nullptr);
  }
  // Durability full on disk is also measured against the floor of any client
  // that keeps each rotated token on disk before spending it (1b).
  flow::testing::TempDir kept_dir(disk);
  std::optional<RawChain> raw_kept;
  if (wanted("seq-disk")) raw_kept.emplace(provider.port, token_name("raw-kept", 0), kept_dir.file("token"));
  Measured ceiling;
  Measured kept_ceiling;
  std::vector<Measured> sequential(sequential_sections.size());
  std::vector<std::vector<double>> ratios(sequential_sections.size());
  std::vector<double> kept_ratios;  // seq-disk against 1b
  for (int round = 0; round < kRounds; ++round) {
    Measured raw_round;
    Measured kept_round;
    std::vector<Measured> engine_rounds(chains.size());
    for (int done = 0; done < kPerRound; done += kPerBlock) {
      raw.measure(kPerBlock, &raw_round);
      if (raw_kept) raw_kept->measure(kPerBlock, &kept_round);
      for (std::size_t i = 0; i < chains.size(); ++i) {
        if (chains[i]) chains[i]->measure(kPerBlock, &engine_rounds[i]);
      }
    }
    ceiling.add(raw_round);
    if (raw_kept) kept_ceiling.add(kept_round);
    for (std::size_t i = 0; i < chains.size(); ++i) {
      if (!chains[i]) continue;
      const Measured& engine_round = engine_rounds[i];
      ratios[i].push_back(engine_round.per_second() / raw_round.per_second());
      if (sequential_sections[i].name == "seq-disk") kept_ratios.push_back(engine_round.per_second() / kept_round.per_second());
      sequential[i].add(engine_round);
    }
  }
  all.push_back(ceiling);
  print_line("1. ceiling: raw Beast loop, 1 keep-alive connection", ceiling);
  if (raw_kept) {
    all.push_back(kept_ceiling);
    print_line("1b. same, keeping each token on disk (fdatasync)", kept_ceiling);
  }
  if (wanted("seq-disk") || wanted("conc-disk")) print_fsync(disk);
  for (std::size_t i = 0; i < chains.size(); ++i) {
    if (!chains[i]) continue;
    all.push_back(sequential[i]);
    print_line(sequential_sections[i].label, sequential[i]);
    print_ratio(ratios[i]);
    if (sequential_sections[i].name == "seq-disk") print_ratio(kept_ratios, "1b, the durable ceiling");
  }
  const auto concurrent = [&](const std::string& section, const std::string& label, const StoreSetup& setup) {
    if (!wanted(section)) return;
    all.push_back(measure_engine_concurrent(section, setup, kConcurrentInstances));
    print_line(label, all.back());
    print_target(all.back());
  };
  concurrent("conc-disk", "3. engine, 64 instances concurrent, SQLite on disk, full", {disk, Durability::full});
  concurrent("conc-relaxed", "   same, --durability relaxed (survives kill -9)", {disk, Durability::relaxed});
  concurrent("conc-shm", "   same, durability full on tmpfs (/dev/shm)", {shm, Durability::full});
  concurrent("conc-mem", "   same, in-memory test store (no SQLite at all)", {std::nullopt});

  long long counted = 0;
  for (const auto& m : all) counted += static_cast<long long>(m.latencies_us.size());
  const auto stats = provider_stats(provider.port);
  const long long refreshes = stats.value("refreshes", -1LL);
  const long long invalid_grants = stats.value("invalid_grants", -1LL);
  std::cout << "provider /stats: refreshes=" << refreshes << " (the bench counted " << counted
            << ") invalid_grants=" << invalid_grants
            << " connections_accepted=" << stats.value("connections_accepted", -1LL) << "\n";
  if (invalid_grants != 0 || refreshes != counted) {
    std::cerr << "error: the chain broke: invalid grants, or refreshes the bench did not count\n";
    return 1;
  }
  std::cout << "chain intact: invalid_grants == 0, every refresh accounted for\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_benchmark(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& error) {
    std::cerr << "bench_refresh: " << error.what() << "\n";
    return 1;
  }
}
