#include "engine/http/retry.hpp"

#include <charconv>
#include <ctime>
#include <string>

#include "engine/http/errors.hpp"

namespace flow::http {

namespace {

/// Longer than any deadline a request has: a server asking for more is
/// answered "no retry" by the caller all the same, without overflowing.
constexpr long long kLongestWait = 365LL * 24 * 3600;

/// Seconds since the epoch of an HTTP-date.
std::optional<long long> parse_http_date(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<long long>(timegm(&tm));
}

}  // namespace

std::optional<std::chrono::milliseconds> retry_after(const HttpResult& result,
                                                     std::chrono::system_clock::time_point now) {
  const auto* response = std::get_if<HttpResponse>(&result);
  if (!response) return std::nullopt;
  auto value = response->header("Retry-After");
  if (!value) return std::nullopt;
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec == std::errc() && end == value->data() + value->size() && seconds >= 0) {
    return std::chrono::seconds(std::min(seconds, kLongestWait));
  }
  auto when = parse_http_date(*value);
  if (!when) return std::nullopt;
  const long long from = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const long long delay = *when > from ? std::min(*when - from, kLongestWait) : 0;  // both far from overflowing
  return std::chrono::seconds(delay);
}

std::chrono::milliseconds backoff_delay(const RetryOptions& retry, int attempt, std::mt19937_64& random) {
  using std::chrono::milliseconds;
  long long base = std::max<long long>(retry.initial_backoff.count(), 0);
  long long cap = std::max<long long>(retry.max_backoff.count(), 0);
  long long ceiling = base;
  for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  long long half = ceiling / 2;
  std::uniform_int_distribution<long long> jitter(0, ceiling - half);
  return milliseconds(half + jitter(random));
}

}  // namespace flow::http
