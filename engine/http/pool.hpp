#pragma once
// Idle keep-alive connections, per origin. Used from one thread.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/http/connection.hpp"

namespace flow::http {

/// A connection parked for less than this is taken without peeking at its
/// socket for a close by the peer (bytes left over from the last answer still
/// make it unusable, however briefly it was parked).
inline constexpr std::chrono::milliseconds kUncheckedIdle{1000};

class ConnectionPool {
 public:
  ConnectionPool(std::size_t max_idle_per_origin, std::chrono::milliseconds max_idle_time);

  /// The most recently parked live connection for `origin`, or null. Connections
  /// that are too old, or that the peer closed meanwhile (checked once parked
  /// for kUncheckedIdle, or always with `always_peek`), are discarded on the way.
  std::unique_ptr<Connection> take(const std::string& origin, bool always_peek = false);
  /// Parks a connection whose last response allowed keep-alive; drops the
  /// oldest one of the origin when it is full.
  void park(const std::string& origin, std::unique_ptr<Connection> connection);
  /// Closes the idle connections of every origin for which `doomed` is true.
  void discard_if(const std::function<bool(const std::string& origin)>& doomed);
  std::size_t idle_count() const;

 private:
  std::size_t max_idle_per_origin_;
  std::chrono::milliseconds max_idle_time_;
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle_;
};

}  // namespace flow::http
