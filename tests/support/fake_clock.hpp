#pragma once
// The engine's tests drive time with the same virtual clock `flow test` uses
// (engine/virtual_clock.hpp), under the name they have always used.

#include "engine/virtual_clock.hpp"

namespace flow::testing {

using FakeClock = flow::VirtualClock;
using flow::advance_in_steps;

}  // namespace flow::testing
