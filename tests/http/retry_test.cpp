#include "engine/http/retry.hpp"

#include <catch2/catch.hpp>

namespace flow::http {
namespace {

using namespace std::chrono_literals;

HttpResult status(int code, HttpHeaders headers = {}) {
  HttpResponse response;
  response.status = code;
  response.headers = std::move(headers);
  return response;
}

HttpResult error(HttpErrorKind kind) { return HttpError{kind, "x"}; }

}  // namespace

TEST_CASE("retry: what is transient") {
  for (int code : {429, 500, 502, 503, 504}) CHECK(is_transient(status(code)));
  for (int code : {200, 301, 400, 401, 403, 404, 407, 409, 422}) CHECK_FALSE(is_transient(status(code)));
  for (auto kind : {HttpErrorKind::network, HttpErrorKind::timeout, HttpErrorKind::refused, HttpErrorKind::dns}) {
    CHECK(is_transient(error(kind)));
  }
  for (auto kind : {HttpErrorKind::tls, HttpErrorKind::too_large, HttpErrorKind::malformed,
                    HttpErrorKind::invalid_url, HttpErrorKind::proxy}) {
    CHECK_FALSE(is_transient(error(kind)));
  }
}

TEST_CASE("retry: Retry-After as seconds or as an HTTP date") {
  auto now = std::chrono::system_clock::from_time_t(1'700'000'000);  // Tue, 14 Nov 2023 22:13:20 GMT
  CHECK(retry_after(status(429, {{"retry-after", "7"}}), now) == 7000ms);
  CHECK(retry_after(status(503, {{"Retry-After", "Tue, 14 Nov 2023 22:13:30 GMT"}}), now) == 10000ms);
  CHECK(retry_after(status(503, {{"Retry-After", "Tue, 14 Nov 2023 22:00:00 GMT"}}), now) == 0ms);
  CHECK(retry_after(status(503, {{"Retry-After", "soon"}}), now) == std::nullopt);
  CHECK(retry_after(status(503), now) == std::nullopt);
  CHECK(retry_after(error(HttpErrorKind::network), now) == std::nullopt);
}

TEST_CASE("retry: a Retry-After far in the future is capped at a year, not overflowed (found by fuzzing)") {
  auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  const std::chrono::milliseconds year = std::chrono::hours(24 * 365);
  CHECK(retry_after(status(503, {{"Retry-After", "1111111111141111111"}}), now) == year);
  CHECK(retry_after(status(503, {{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}), now) == year);
}

TEST_CASE("retry: exponential backoff with equal jitter, capped") {
  RetryOptions options{10, 100ms, 1000ms};
  std::mt19937_64 random(42);
  for (int i = 0; i < 200; ++i) {
    auto first = backoff_delay(options, 1, random);
    CHECK((first >= 50ms && first <= 100ms));
    auto third = backoff_delay(options, 3, random);
    CHECK((third >= 200ms && third <= 400ms));
    auto late = backoff_delay(options, 30, random);
    CHECK((late >= 500ms && late <= 1000ms));
  }
}

}  // namespace flow::http
