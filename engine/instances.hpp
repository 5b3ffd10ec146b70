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

/// Gives each stored value of `record` the type `process` declares for its
/// field now, as an assignment would convert it: a field declared `secret`
/// since the value was saved masks it, text that spells a number becomes the
/// number of a field now declared `number`. A value that cannot take the type
/// is a LocatedError at the field's declaration naming the instance; it is
/// never dropped, since the next save would store the loss.
void apply_declared_types(const ast::ProcessDecl& process, InstanceRecord& record);

/// The instance a run works on: the stored one with Process ID `id` (seeded from
/// its declaration when the store lacks it), or a new unsaved one when `id` is
/// empty. Stored values take their fields' declared types (apply_declared_types);
/// fields the record lacks (added to the process later) get their defaults.
/// `stored_fields`, when given, receives the fields as the store holds them at
/// the returned revision, before either (none for an instance it does not hold).
InstanceRecord load_or_create(const Program& program, Store& store, const ast::ProcessDecl& process,
                              const std::optional<std::string>& id, const Host& host,
                              FieldMap* stored_fields = nullptr);

/// The Process ID a new instance of `process` gets at its first save: the
/// store's next (Store::allocate_id, which passes over stored IDs), passing
/// over too those `program` declares. A declared instance the store does not
/// hold yet (its seeding failed, or a file declaring it was loaded after the
/// store was used) keeps its ID: its declared values are seeded on first use,
/// and a schedule naming it runs on it, never on a stranger.
std::string allocate_undeclared_id(const Program& program, Store& store, const std::string& process);

}  // namespace flow
