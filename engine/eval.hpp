#pragma once
// Expression evaluation (pure apart from built-ins that read the clock or the
// store). Rule execution lives in exec.cpp; the split keeps eval synchronous
// and cheap, and only calls to datasources suspend.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/functions.hpp"
#include "engine/store.hpp"
#include "engine/value.hpp"
#include "grammar/ast.hpp"

namespace flow {

/// An OAuth2 error answer (RFC 6749 section 5.2: a 400 or 401 whose JSON body
/// has `error`) that a call failed on.
struct OAuthRefusal {
  std::string error;        // its code, "invalid_grant"; only [A-Za-z0-9_.-], so never a secret's text
  std::string token_field;  // the field the call sent as refresh_token (`body.refresh_token = RefreshToken`); may be empty
};

/// A run error with the range of the expression or rule that caused it.
class LocatedError : public RunError {
 public:
  LocatedError(SourceRange range, const std::string& message) : RunError(message), range_(range) {}
  const SourceRange& range() const { return range_; }
  /// Handler frames the error crossed, innermost first (Program::handler_label:
  /// "TokenKeeper.Refresh", "TokenKeeper: on change ExpiresIn").
  const std::vector<std::pair<std::string, SourceRange>>& trace() const { return trace_; }
  void add_frame(std::string frame, SourceRange at) { trace_.emplace_back(std::move(frame), at); }
  /// A failure worth retrying later (network error, HTTP 5xx or 429).
  bool transient() const { return transient_; }
  void set_transient(bool transient) { transient_ = transient; }
  /// The OAuth2 error answer of the call that failed, if it was one.
  const std::optional<OAuthRefusal>& refusal() const { return refusal_; }
  void set_refusal(std::optional<OAuthRefusal> refusal) { refusal_ = std::move(refusal); }

 private:
  SourceRange range_;
  std::vector<std::pair<std::string, SourceRange>> trace_;
  bool transient_ = false;
  std::optional<OAuthRefusal> refusal_;
};

/// What names mean while evaluating: the instance's fields, plus namespaces
/// bound by the rule being run (`body`, `header`, `status` in on_success,
/// `error` in on_error).
struct Scope {
  const FieldMap* fields = nullptr;
  const std::map<std::string, Value, std::less<>>* locals = nullptr;
  const FunctionRegistry* functions = nullptr;
  CallContext context;
};

/// Evaluates `expr`. Throws LocatedError for every user-facing failure.
Value evaluate(const ast::Expr& expr, const Scope& scope);

/// Where a part of a value's text is: offsets into to_text(value).
struct TextSpan {
  std::size_t begin = 0;
  std::size_t size = 0;
  bool whole = false;  // the text of a secret the run knows whole (is_whole_secret())
};

/// A value, and the spans of its text that came from secret values.
struct WithSecretSpans {
  Value value;
  std::vector<TextSpan> secret_spans;  // in order, apart
};

/// Evaluates `expr` as evaluate() does, and tells which spans of its text came
/// from secret values: of a string literal, each secret value interpolated
/// into it (`"https://h/t/${TenantKey}"`: the key, not the host); of any other
/// expression, all of it when it is secret. A null adds no text, so no span.
/// For what must hide a text's secret parts and keep the rest (a log message,
/// the secrets a request sends); evaluate() itself pays nothing for it.
WithSecretSpans evaluate_with_secret_spans(const ast::Expr& expr, const Scope& scope);

/// Applies a binary operator to two values (exposed for tests and the REPL).
Value apply_binary(ast::BinaryOp op, const Value& lhs, const Value& rhs);

/// A message's text as it is, and as output shows it unless secrets are
/// revealed: each secret span masked on its own.
struct RenderedMessage {
  std::string text;
  std::string masked;
};

/// The text of a message expression (`log`, `fail`, `validate`), evaluated
/// once: `log "token ${AccessToken} refreshed"` masked keeps its words and
/// hides the token (evaluate_with_secret_spans).
RenderedMessage render_message(const ast::Expr& expr, const Scope& scope);

}  // namespace flow
