#pragma once
// Calling built-ins the way the interpreter does, a fixed clock, and printing
// Values in Catch2 messages: shared by the stdlib tests.

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.hpp"
#include "engine/functions.hpp"
#include "engine/value.hpp"

namespace flow::test {

/// A clock stopped at one instant; nothing in the stdlib sleeps.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint at) : at_(at) {}
  TimePoint now() const override { return at_; }
  Duration steady() const override { return Duration(0); }
  boost::asio::awaitable<void> sleep_until(TimePoint) override { co_return; }
  void cancel_all() override {}

 private:
  TimePoint at_;
};

/// The registry register_stdlib() fills, built once.
const FunctionRegistry& stdlib_registry();

/// Calls built-in `name` with `args`; throws std::logic_error when the function is
/// missing or the argument count is outside its spec (the checker's job, a test bug here).
Value call(std::string_view name, std::vector<Value> args, const CallContext& context = {});

/// How a short secret is shown (mask_secret): "••••".
inline const std::string kMask = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";

/// A secret text value.
Value secret(std::string text);

/// An instant from ISO 8601 UTC text, for writing expectations ("2024-02-29T10:00:00Z").
TimePoint at(std::string_view iso);

}  // namespace flow::test

namespace Catch {
template <>
struct StringMaker<flow::Value> {
  static std::string convert(const flow::Value& value) {
    return std::string(flow::kind_name(value.kind())) + (value.secret ? " (secret) " : " ") +
           flow::to_text(value);
  }
};
}  // namespace Catch
