#pragma once
// Opening instances for a run: stored ones, declared ones (seeded on first use)
// and new ones, each with every declared field present.

#include <optional>
#include <string>

#include "engine/interpreter.hpp"

namespace flow {

/// A new instance of `process` from its field defaults and, if given, the
/// assignments of an `instance` declaration. Throws LocatedError (e.g. env()).
InstanceRecord instance_from_declaration(const ast::ProcessDecl& process, const ast::InstanceDecl* declaration,
                                         const Host& host);

/// The instance a run works on: the stored one with Process ID `id` (seeded from
/// its declaration when the store lacks it), or a new unsaved one when `id` is
/// empty. Fields the record lacks (added to the process later) get their defaults.
InstanceRecord load_or_create(const Program& program, Store& store, const ast::ProcessDecl& process,
                              const std::optional<std::string>& id, const Host& host);

}  // namespace flow
