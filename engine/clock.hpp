#pragma once
// Time as the engine sees it: a real clock on Asio timers, and a fake one that
// tests advance by hand (tests/support/fake_clock.hpp), so the scheduler and
// expiry logic are tested without sleeping.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/value.hpp"

namespace flow {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  /// Completes at or after `deadline`; completes at once if it has passed.
  virtual boost::asio::awaitable<void> sleep_until(TimePoint deadline) = 0;
  /// Wakes every pending sleep_until early (used on shutdown).
  virtual void cancel_all() = 0;
};

/// The wall clock, sleeping on asio::system_timer.
class SystemClock final : public Clock {
 public:
  explicit SystemClock(boost::asio::any_io_executor executor);
  ~SystemClock() override;
  TimePoint now() const override;
  boost::asio::awaitable<void> sleep_until(TimePoint deadline) override;
  void cancel_all() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flow
