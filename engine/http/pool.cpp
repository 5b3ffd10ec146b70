#include "engine/http/pool.hpp"

namespace flow::http {

ConnectionPool::ConnectionPool(std::size_t max_idle_per_origin, std::chrono::milliseconds max_idle_time)
    : max_idle_per_origin_(max_idle_per_origin), max_idle_time_(max_idle_time) {}

std::unique_ptr<Connection> ConnectionPool::take(const std::string& origin, bool always_peek) {
  auto found = idle_.find(origin);
  if (found == idle_.end()) return nullptr;
  auto& parked = found->second;
  std::unique_ptr<Connection> connection;
  while (!parked.empty() && !connection) {
    auto candidate = std::move(parked.back());
    parked.pop_back();
    const auto idle = Clock::now() - candidate->idle_since;
    // Peeking costs a syscall per request, so a connection parked a moment ago
    // is taken without it: one the server closed anyway fails as stale, and an
    // idempotent request is sent again on a fresh one (beast_transport.cpp).
    // A request that must not be repeated (`always_peek`) is not risked on it.
    const bool peek = always_peek || idle >= kUncheckedIdle;
    if (idle < max_idle_time_ && candidate->looks_reusable(peek)) connection = std::move(candidate);
  }
  if (parked.empty()) idle_.erase(found);
  return connection;
}

void ConnectionPool::park(const std::string& origin, std::unique_ptr<Connection> connection) {
  if (max_idle_per_origin_ == 0) return;
  connection->reused = true;
  connection->idle_since = Clock::now();
  auto& parked = idle_[origin];
  if (parked.size() >= max_idle_per_origin_) parked.pop_front();
  parked.push_back(std::move(connection));
}

void ConnectionPool::discard_if(const std::function<bool(const std::string& origin)>& doomed) {
  std::erase_if(idle_, [&doomed](const auto& entry) { return doomed(entry.first); });
}

std::size_t ConnectionPool::idle_count() const {
  std::size_t count = 0;
  for (const auto& [origin, parked] : idle_) count += parked.size();
  return count;
}

}  // namespace flow::http
