#pragma once
// Secret literals in the source (`instance "TK-1" of P { RefreshToken = "..."; }`)
// are shown as their masks in every excerpt of their file: a warning about one
// of them, or any diagnostic or run error whose source line holds one, never
// prints them.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/program.hpp"

namespace flow {

/// A string literal an expression carries into the value it gives.
struct CarriedLiteral {
  const ast::Expr* expr;             // the literal, or a `+` chain of literals
  std::optional<std::string> text;   // its text; nullopt for a literal with `${...}`
  bool env_default = false;          // env()'s default: the source holds it, env() reads it first
};

/// The string literals `value` carries into what it gives, in source order: a
/// literal text (`"abc"`, `"ab" + "c"`) as one, wherever it stands (the whole
/// value, a call's argument, an operand, a `${...}` of a template); a literal
/// with `${...}` as one when `whole_templates` (a secret field's: all its text
/// is the secret's), else only the literals inside it. Not env()'s variable
/// name, nor a key that names a value (`Body["access_token"]`, json_get()'s path).
std::vector<CarriedLiteral> carried_literals(const ast::Expr& value, bool whole_templates);

/// Shorter than a credential plausibly is: a placeholder ("none"), a separator
/// (`":"`) or a scheme (`"Basic "`).
inline constexpr std::size_t kShortestCredential = 8;

/// Whether a literal carried into a credential's `value` reads as a credential
/// written into the source: a text that is the whole value ("" and a template
/// aside), or one of kShortestCredential characters or more inside it
/// (`"Basic ${base64("id:secret")}"`).
bool reads_as_credential(const CarriedLiteral& literal, const ast::Expr& value);

/// For a `name` that is no field of `process` (a typo the checker refuses):
/// whether a value given to it is a secret all the same, for the diagnostic's
/// excerpt not to show it: the field it misspells (closest_name(), the
/// checker's "did you mean") is secret, or the name reads as a credential
/// (is_credential_name()).
bool misspells_secret_field(const ast::ProcessDecl& process, std::string_view name);

/// Hides (SourceSet::hide) the string literals of every expression given to a
/// secret field (or to a name that misspells_secret_field()): a field's
/// default, an instance's or a test instance's value,
/// `set`, an on_success / on_error mapping, a `start`'s map; and the
/// literals of a credential request part's value that reads_as_credential()
/// (ast::RequestPart::credential, a datasource's `header "X-Api-Key" = "..."`
/// named so or declared `secret`), as its default or as a call's map entry for
/// it (`body.client_secret = "..."`, `header.Auth = "Basic ${base64("id:secret")}"`).
/// The literals are carried_literals(): a literal text (`"abc"`, `"ab" + "c"`)
/// shows as the mask of its text, a secret field's literal with `${...}` as
/// `••••`, without quotes as every masked secret; the variable env() reads is
/// not hidden, its default is.
void hide_secret_literals(Program& program);

/// The string literals of a source `text` no AST describes (a REPL input, a
/// file that does not parse) that read as given to a secret: after `TARGET =`
/// (not `==`), every literal up to the statement's end (`;`, a line break or
/// `}`), when `is_secret(TARGET)`; TARGET is the name just before `=` (the
/// last of a path such as `body.password`) or a quoted name (a header's).
/// Masked as hide_secret_literals() masks them; env()'s variable name stays.
std::vector<HiddenText> scan_secret_literals(std::string_view text,
                                             const std::function<bool(std::string_view)>& is_secret);

/// For a file that does not parse: scan_secret_literals() of the names it
/// declares `field NAME secret` or `header NAME "WIRE"` with WIRE a
/// credential's name or declared `secret` (read leniently, as far as the text
/// goes) and
/// of every name that reads as a credential (is_credential_name(): `secret`
/// of `field Key secret = "..."`, `Authorization`, `"X-Api-Key"`, `password`).
std::vector<HiddenText> likely_secret_literals(std::string_view text);

}  // namespace flow
