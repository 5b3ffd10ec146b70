#pragma once
// A fresh directory under the system temp dir for one test, removed with its
// contents when the test ends (real files: SQLite stores, test CAs, state).

#include <filesystem>
#include <random>
#include <string>

namespace flow::testing {

class TempDir {
 public:
  /// Under `parent` (the benchmarks also use /dev/shm).
  explicit TempDir(const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::random_device random;
    path_ = parent / ("flow-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace flow::testing
