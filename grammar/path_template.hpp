#pragma once
// A method's path (`"/orders/{id}"`) read as literal text and `{name}`
// parameters, once, at lowering (ast::MethodDecl::path_template): the one
// reading `flow check` and a call share, so a path the checker accepts is one
// a call can fill, and a call refuses what it refuses.

#include <string>
#include <string_view>
#include <vector>

namespace flow {

/// Literal text of a path, or (`parameter`) the name of a `{name}` segment.
struct PathPiece {
  std::string text;
  bool parameter = false;
};

/// A method path read. `problem` is empty when it is well formed, else says
/// what is wrong, quoting the path: it does not start with '/' (it is appended
/// to base_url's path as written), a '{' is not closed, a '}' is not opened,
/// or a parameter is empty or not a name (letters, digits and _, as
/// `path.NAME` needs). `pieces` holds what was read before the problem.
struct PathTemplate {
  std::vector<PathPiece> pieces;
  std::string problem;
};

/// Reads `path`; an empty path (the base_url itself) is well formed.
PathTemplate read_path_template(std::string_view path);

}  // namespace flow
