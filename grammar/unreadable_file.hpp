#pragma once
// Why a file cannot be read, said the one way: a .flow file named on the
// command line or imported, and a datasource's TLS files.

#include <string>

namespace flow {

/// Why the file at `path` cannot be read, or "" when it can: "it is a
/// directory" (which opens for reading, and reads as nothing), or the
/// system's reason ("No such file or directory", "Permission denied"). The
/// file is opened and closed to know.
std::string unreadable_file(const std::string& path);

}  // namespace flow
