#pragma once
// The tests' throwaway directories are the engine's (engine/temp_dir.hpp).

#include "engine/temp_dir.hpp"

namespace flow::testing {

using flow::TempDir;

}  // namespace flow::testing
