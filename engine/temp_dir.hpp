#pragma once
// A fresh directory of its own (mkdtemp: created with mode 0700, never one that
// existed) under the system temp dir or `parent`, removed with its contents
// when the object goes. `flow test` keeps its throwaway stores there; the
// engine's own tests their SQLite files, CAs and state.

#include <filesystem>
#include <string>

namespace flow {

class TempDir {
 public:
  /// Throws std::filesystem::filesystem_error when the directory cannot be made.
  explicit TempDir(const std::filesystem::path& parent = std::filesystem::temp_directory_path());
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace flow
