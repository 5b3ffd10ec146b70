#include "engine/virtual_clock.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flow {

namespace asio = boost::asio;

struct VirtualClock::Sleeper {
  TimePoint deadline;
  asio::steady_timer* timer;
};

namespace {
/// Removes a sleeper however its coroutine ends (resumed or destroyed).
template <typename List>
struct Unregister {
  List& sleepers;
  typename List::iterator entry;
  ~Unregister() { sleepers.erase(entry); }
};
}  // namespace

VirtualClock::VirtualClock(asio::any_io_executor executor, TimePoint start)
    : executor_(std::move(executor)), now_(start) {}

asio::awaitable<void> VirtualClock::sleep_until(TimePoint deadline) {
  const auto generation = generation_;
  while (now_ < deadline && generation == generation_) {
    asio::steady_timer timer(executor_, asio::steady_timer::time_point::max());
    Sleeper sleeper{deadline, &timer};
    Unregister<Sleepers> unregister{sleepers_, sleepers_.insert(sleepers_.end(), &sleeper)};
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void VirtualClock::cancel_all() {
  ++generation_;
  for (auto* sleeper : sleepers_) sleeper->timer->cancel();
}

void VirtualClock::advance_to(TimePoint t) {
  if (t > now_) {
    steady_ += t - now_;
    now_ = t;
  }
  for (auto* sleeper : sleepers_) {
    if (sleeper->deadline <= now_) sleeper->timer->cancel();
  }
}

void VirtualClock::step_wall(Duration by) {
  now_ += by;
  cancel_all();  // every sleep returns: its caller reads the time again
}

std::optional<TimePoint> VirtualClock::next_deadline() const {
  std::optional<TimePoint> earliest;
  for (const auto* sleeper : sleepers_) {
    if (!earliest || sleeper->deadline < *earliest) earliest = sleeper->deadline;
  }
  return earliest;
}

void advance_in_steps(asio::io_context& io, VirtualClock& clock, TimePoint target) {
  io.restart();
  io.poll();
  while (auto next = clock.next_deadline()) {
    if (*next > target) break;
    clock.advance_to(*next);
    io.restart();
    io.poll();
  }
  clock.advance_to(target);
  io.restart();
  io.poll();
}

}  // namespace flow
