#include "engine/clock.hpp"

#include <time.h>

#include <algorithm>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/clock_steps.hpp"

namespace flow {

namespace asio = boost::asio;

namespace {

/// One sleep in progress: its timer (re-armed for each nap) and whether
/// cancel_all has ended it.
struct Sleep {
  asio::steady_timer timer;
  bool cancelled = false;
};

}  // namespace

// The sleeps in progress, so cancel_all can reach them. Each sleep registers
// itself (living in its coroutine frame) and removes itself when it resumes or
// its frame is destroyed. Like every Asio object, this is used from the one
// io_context thread only: call cancel_all from a handler on that executor (an
// asio::signal_set handler, for instance).
struct SystemClock::Impl {
  asio::any_io_executor executor;
  std::set<Sleep*> sleeping;
};

namespace {

/// Removes a sleep from the registry however its coroutine ends.
class Registration {
 public:
  Registration(std::set<Sleep*>& set, Sleep* sleep) : set_(set), sleep_(sleep) { set_.insert(sleep_); }
  ~Registration() { set_.erase(sleep_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  std::set<Sleep*>& set_;
  Sleep* sleep_;
};

}  // namespace

SystemClock::SystemClock(asio::any_io_executor executor)
    : impl_(std::make_unique<Impl>(Impl{std::move(executor), {}})) {}

SystemClock::~SystemClock() = default;

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

Duration SystemClock::steady() const {
  // CLOCK_BOOTTIME goes on while the machine is suspended, as the wall clock
  // does: a resume is no step. (CLOCK_MONOTONIC, std::chrono::steady_clock, stops.)
  timespec ts{};
  if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) {
    return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch());
  }
  return std::chrono::duration_cast<Duration>(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

asio::awaitable<void> SystemClock::sleep_until(TimePoint deadline) {
  if (deadline <= now()) co_return;
  Sleep sleep{asio::steady_timer(impl_->executor), false};
  Registration registration(impl_->sleeping, &sleep);
  ClockWatch watch(*this);
  while (!sleep.cancelled) {
    if (watch.observe() != Duration(0)) co_return;  // the wall clock was set
    const TimePoint wall = now();
    if (wall >= deadline) co_return;
    // Never longer than a nap: the wall clock is read again at least this often.
    sleep.timer.expires_after(std::min<Duration>(deadline - wall, kLongestNap));
    // A cancelled wait (cancel_all) is an expected outcome, not an exception.
    co_await sleep.timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void SystemClock::cancel_all() {
  for (auto* sleep : impl_->sleeping) {
    sleep->cancelled = true;
    sleep->timer.cancel();
  }
}

}  // namespace flow
