#include "engine/clock.hpp"

#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flow {

namespace asio = boost::asio;

// The timers of the sleeps in progress, so cancel_all can reach them. Each
// sleep registers its own timer (living in its coroutine frame) and removes it
// when it resumes or its frame is destroyed. Like every Asio object, this is
// used from the one io_context thread only: call cancel_all from a handler on
// that executor (an asio::signal_set handler, for instance).
struct SystemClock::Impl {
  asio::any_io_executor executor;
  std::set<asio::system_timer*> sleeping;
};

namespace {

/// Removes a timer from the registry however its coroutine ends.
class Registration {
 public:
  Registration(std::set<asio::system_timer*>& set, asio::system_timer* timer) : set_(set), timer_(timer) {
    set_.insert(timer_);
  }
  ~Registration() { set_.erase(timer_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  std::set<asio::system_timer*>& set_;
  asio::system_timer* timer_;
};

}  // namespace

SystemClock::SystemClock(asio::any_io_executor executor)
    : impl_(std::make_unique<Impl>(Impl{std::move(executor), {}})) {}

SystemClock::~SystemClock() = default;

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

asio::awaitable<void> SystemClock::sleep_until(TimePoint deadline) {
  if (deadline <= now()) co_return;
  asio::system_timer timer(impl_->executor, deadline);
  Registration registration(impl_->sleeping, &timer);
  // A cancelled wait (cancel_all) is an expected outcome, not an exception.
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

void SystemClock::cancel_all() {
  for (auto* timer : impl_->sleeping) timer->cancel();
}

}  // namespace flow
