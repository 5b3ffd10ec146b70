#pragma once
// The tests' throwaway directories are the engine's (engine/temp_dir.hpp).

#include <filesystem>
#include <string>

#include "engine/temp_dir.hpp"

namespace flow::testing {

using flow::TempDir;

/// How many entries `directory` holds; 0 when it does not exist.
inline std::size_t files_in(const std::string& directory) {
  std::error_code error;
  std::size_t count = 0;
  for (std::filesystem::directory_iterator at(directory, error), end; !error && at != end; at.increment(error)) ++count;
  return count;
}

}  // namespace flow::testing
