#pragma once
// The retry policy's arithmetic: what is transient, how long to wait. Pure
// functions, so they are tested without a network or a clock.

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "engine/http_transport.hpp"

namespace flow::http {

/// The delay a `Retry-After` header asks for (delta-seconds or an HTTP-date
/// relative to `now`); nullopt when absent or unparsable.
std::optional<std::chrono::milliseconds> retry_after(const HttpResult& result,
                                                     std::chrono::system_clock::time_point now);

/// Exponential backoff with "equal jitter" after failed attempt number `attempt`
/// (1-based): half of min(max, initial * 2^(attempt-1)) fixed, half random, so
/// clients that failed together do not retry in lockstep.
std::chrono::milliseconds backoff_delay(const RetryOptions& retry, int attempt, std::mt19937_64& random);

}  // namespace flow::http
