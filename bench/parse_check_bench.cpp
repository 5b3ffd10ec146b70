// Parse + check throughput and peak memory on a generated file.
//   bench_parse_check [PROCESSES]   (default 10,000)
// Prints MB/s (best of 5 runs, split into parse and check) and the peak
// resident memory growth as a multiple of the file size.
// Targets (issue 3): >= 20 MB/s, < 20x.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench/generate.hpp"
#include "engine/checker.hpp"
#include "engine/program.hpp"
#include "stdlib/stdlib.hpp"

namespace {

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/// Seconds of one parse + check, and of its parse (load) part alone.
struct Timing {
  double total = 0;
  double parse = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// One parse + check of `text`; fails loudly on any diagnostic.
Timing parse_and_check(const std::string& text, const flow::FunctionRegistry& functions) {
  const auto start = std::chrono::steady_clock::now();
  flow::Diagnostics diagnostics;
  auto program = flow::load_program_text("big.flow", text, diagnostics);
  const double parse = seconds_since(start);
  flow::check_program(*program, functions, diagnostics);
  const Timing timing{seconds_since(start), parse};
  if (!diagnostics.items().empty()) {
    std::fprintf(stderr, "unexpected diagnostics:\n%s", flow::render(program->sources, diagnostics).c_str());
    std::exit(1);
  }
  return timing;
}

}  // namespace

int main(int argc, char** argv) {
  const int processes = argc > 1 ? std::atoi(argv[1]) : 10'000;
  flow::FunctionRegistry functions;
  flow::register_stdlib(functions);
  const std::string text = flow::bench::generate_flow(processes);
  const double megabytes = static_cast<double>(text.size()) / 1e6;

  const long rss_before = peak_rss_kb();
  Timing best = parse_and_check(text, functions);
  const long rss_after = peak_rss_kb();
  for (int i = 0; i < 4; ++i) {
    const Timing run = parse_and_check(text, functions);
    if (run.total < best.total) best = run;
  }

  const double growth_mb = static_cast<double>(rss_after - rss_before) / 1024.0;
  std::printf("parse+check: %d processes, %.2f MB\n", processes, megabytes);
  std::printf("  throughput  %.1f MB/s (best of 5: %.3f s = parse %.3f s + check %.3f s)   target >= 20 MB/s\n",
              megabytes / best.total, best.total, best.parse, best.total - best.parse);
  std::printf("  peak memory +%.1f MB = %.1fx the file size        target < 20x\n", growth_mb,
              growth_mb / megabytes);
  return 0;
}
