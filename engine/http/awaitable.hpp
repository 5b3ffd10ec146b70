#pragma once
// The completion token of Flow's asynchronous network steps (the client, the
// local OAuth2 provider, the tests' servers).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flow::http {

/// Each `co_await` on it gives back (error, results...): a failed step is a
/// value the caller classifies, not an exception thrown through the coroutine.
inline constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace flow::http
