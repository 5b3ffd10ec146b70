#include "engine/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace flow {

TempDir::TempDir(const std::filesystem::path& parent) {
  auto pattern = (parent / "flow-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    throw std::filesystem::filesystem_error("cannot create a temporary directory", parent,
                                            std::error_code(errno, std::generic_category()));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace flow
