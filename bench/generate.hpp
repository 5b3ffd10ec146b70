#pragma once
// A generator of large, valid .flow files for the parse+check benchmark.

#include <string>

namespace flow::bench {

/// A module with `processes` processes (each with 8 fields and 2 handlers using
/// calls, mappings, ifs and interpolation), a datasource per 100 processes, an
/// instance and a schedule per 10 processes. Checks clean.
std::string generate_flow(int processes);

}  // namespace flow::bench
