#include "engine/exec.hpp"

#include "engine/commit_queue.hpp"
#include "engine/instances.hpp"
#include "engine/unset_variables.hpp"
#include "grammar/printable.hpp"
#include "grammar/suggest.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace flow {

namespace asio = boost::asio;

namespace {

constexpr int kMaxDepth = 32;  // nested trigger/start/change handlers

const char* call_kind_text(ast::CallKind kind) {
  switch (kind) {
    case ast::CallKind::create_item: return "create_item";
    case ast::CallKind::update_item: return "update_item";
    case ast::CallKind::delete_item: return "delete_item";
    case ast::CallKind::find_item: return "find_item";
  }
  return "call";
}

bool is_async(const ast::Rule& rule) {
  return std::holds_alternative<ast::CallRule>(rule.node) || std::holds_alternative<ast::IfRule>(rule.node) ||
         std::holds_alternative<ast::TriggerRule>(rule.node) || std::holds_alternative<ast::StartRule>(rule.node);
}

using Stages = std::vector<std::vector<const ast::Expr*>>;

/// The expressions of a rule by the stage that evaluates them: a stage runs
/// whole or fails, and a failure ends the rule (a `validate` evaluates its
/// message only when its condition fails; a call its answer's mappings only
/// after its request). A nested block's rules are rules of their own.
struct EvaluationStages {
  Stages operator()(const ast::SetRule& n) const { return {{&n.value}}; }
  Stages operator()(const ast::IfRule& n) const { return {{&n.condition}}; }
  Stages operator()(const ast::ValidateRule& n) const { return {{&n.condition}, {&n.message}}; }
  Stages operator()(const ast::FailRule& n) const { return {{&n.message}}; }
  Stages operator()(const ast::LogRule& n) const { return {{&n.message}}; }
  Stages operator()(const ast::CallRule& n) const {
    Stages stages{values(n.map)};
    if (n.on_success) stages.push_back(values(*n.on_success));
    if (n.on_error) stages.push_back(values(*n.on_error));
    return stages;
  }
  Stages operator()(const ast::StartRule& n) const {
    Stages stages;
    if (n.id) stages.push_back({&*n.id});
    stages.push_back(values(n.map));
    return stages;
  }
  Stages operator()(const ast::ClearRule&) const { return {}; }
  Stages operator()(const ast::SaveRule&) const { return {}; }
  Stages operator()(const ast::TriggerRule&) const { return {}; }

  static std::vector<const ast::Expr*> values(const std::vector<ast::Assignment>& assignments) {
    std::vector<const ast::Expr*> stage;
    for (const auto& a : assignments) stage.push_back(&a.value);
    return stage;
  }
};

/// What `failure` of `rule` says when it is the first of several unset
/// variables a stage of the rule needs (env() throws at the first it meets):
/// a message naming them all. Else nullopt.
std::optional<std::string> every_unset_variable_of_rule(const ast::Rule& rule, const LocatedError& failure,
                                                        const CallContext& context) {
  for (const auto& stage : std::visit(EvaluationStages{}, rule.node)) {
    if (auto every = every_unset_variable(stage, failure.range(), context)) return every;
  }
  return std::nullopt;
}

}  // namespace

std::string failure_text(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const StoreError& e) {
    return std::string("store: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("internal error: ") + e.what();
  } catch (...) {
    return "internal error: an exception of unknown type";
  }
}

std::function<void()> wait_notice(const OtherProcessWait& on_wait, std::string process, std::string id, bool& waited) {
  return [on_wait, process = std::move(process), id = std::move(id), &waited] {
    waited = true;
    if (on_wait) on_wait(process, id);
  };
}

std::vector<SecretText> run_secrets(const RunState& state) {
  return secret_texts(state.instance.fields, state.known_secrets);
}

const std::vector<SecretText>& CallSecrets::get() {
  if (!texts_) texts_ = run_secrets(state_);
  return *texts_;
}

void CallSecrets::learn(const std::vector<std::string>& texts) {
  auto& known = state_.known_secrets;
  for (const auto& text : texts) {
    if (text.size() < kMinSecretLength || std::find(known.begin(), known.end(), text) != known.end()) continue;
    known.push_back(text);
    texts_.reset();
  }
}

Scope Executor::field_scope(const Locals* locals) const {
  Scope scope;
  scope.fields = &state_.instance.fields;
  scope.locals = locals;
  scope.functions = state_.host.functions;
  scope.context = state_.host.context(state_.instance.id);
  return scope;
}

void Executor::assign(const ast::Name& field, Value value) {
  const auto* decl = Program::field(*state_.process, field.text);
  if (!decl) {
    throw LocatedError(field.range, "process " + state_.process->name.text + " has no field '" + field.text + "'" +
                                        did_you_mean(field.text, Program::field_names(*state_.process)));
  }
  try {
    coerce_field_in_place(value, decl->type, field.text);
  } catch (const FieldTypeMismatch& e) {
    // Its message quotes the value cut short, which the scrubbing of the
    // error would not know for a secret (an env() value equal to a token):
    // such a value is named by its kind alone.
    const bool holds_secret = !value.secret && contains_secret(to_text(value), run_secrets(state_));
    throw LocatedError(field.range, holds_secret ? e.typed : std::string(e.what()));
  } catch (const RunError& e) {
    throw LocatedError(field.range, e.what());
  }
  auto& slot = state_.instance.fields[field.text];
  if (slot == value && slot.secret == value.secret) return;
  slot = std::move(value);
  if (Program::change_handler(*state_.process, field.text)) changed_.push_back(field.text);
}

// A log line is one line whatever it quotes (a server's answer, a value):
// its control characters are written visibly, a forged line is not one.
void Executor::note(const std::string& line) {
  state_.log.push_back(printable(line));
  state_.masked_log.push_back(state_.log.back());
}

void Executor::add_log(const ast::Expr& message) {
  const auto scope = field_scope();
  const auto rendered = render_message(message, scope);  // once: a message may read the clock
  const auto masked = printable(scrub_secrets(rendered.masked, run_secrets(state_)));
  state_.masked_log.push_back(masked);
  state_.log.push_back(state_.options.reveal_secrets ? printable(rendered.text) : masked);
}

asio::awaitable<void> Executor::run_handler(const ast::Handler& handler) {
  if (++state_.depth > kMaxDepth) {
    --state_.depth;
    throw LocatedError(handler.range, "handlers nest deeper than " + std::to_string(kMaxDepth) +
                                          " (a trigger or change loop?)");
  }
  try {
    co_await exec_block(handler.body);
  } catch (LocatedError& e) {
    --state_.depth;
    e.add_frame(Program::handler_label(*state_.process, handler), handler.range);
    throw;
  }
  --state_.depth;
}

asio::awaitable<void> Executor::exec_block(const ast::Block& block) {
  for (const auto& rule : block) {
    try {
      if (is_async(rule)) co_await exec_async(rule);
      else exec_sync(rule);
    } catch (const LocatedError& e) {
      auto every = every_unset_variable_of_rule(rule, e, state_.host.context(state_.instance.id));
      if (!every) throw;
      LocatedError named(e.range(), *every);
      for (const auto& [frame, at] : e.trace()) named.add_frame(frame, at);
      throw named;
    } catch (const RunError&) {
      throw;
    } catch (const StoreError&) {
      throw;
    } catch (...) {  // a broken invariant or a library's exception: a failed run, located at its rule
      throw LocatedError(rule.range, failure_text(std::current_exception()));
    }
    if (!changed_.empty()) co_await fire_change_handlers();
  }
}

asio::awaitable<void> Executor::fire_change_handlers() {
  auto fields = std::move(changed_);
  changed_.clear();
  for (const auto& field : fields) {
    if (const auto* handler = Program::change_handler(*state_.process, field)) co_await run_handler(*handler);
  }
}

void Executor::exec_sync(const ast::Rule& rule) {
  try {
    std::visit(
        [&](const auto& node) {
          using T = std::decay_t<decltype(node)>;
          if constexpr (std::is_same_v<T, ast::SetRule>) {
            assign(node.field, evaluate(node.value, field_scope()));
          } else if constexpr (std::is_same_v<T, ast::ClearRule>) {
            assign(node.field, Value());
          } else if constexpr (std::is_same_v<T, ast::SaveRule>) {
            exec_save(rule);
          } else if constexpr (std::is_same_v<T, ast::ValidateRule>) {
            if (!truthy(evaluate(node.condition, field_scope())))
              throw LocatedError(rule.range, render_message(node.message, field_scope()).masked);
          } else if constexpr (std::is_same_v<T, ast::FailRule>) {
            throw LocatedError(rule.range, render_message(node.message, field_scope()).masked);
          } else if constexpr (std::is_same_v<T, ast::LogRule>) {
            add_log(node.message);
          } else {
            throw std::logic_error("exec_sync reached an asynchronous rule");
          }
        },
        rule.node);
  } catch (const LocatedError&) {
    throw;
  } catch (const StoreError&) {
    throw;
  } catch (const RunError& e) {
    throw LocatedError(rule.range, e.what());
  }
}

asio::awaitable<void> Executor::exec_async(const ast::Rule& rule) {
  if (const auto* call = std::get_if<ast::CallRule>(&rule.node)) {
    co_await exec_call(*call, rule);
  } else if (const auto* branch = std::get_if<ast::IfRule>(&rule.node)) {
    const bool taken = truthy(evaluate(branch->condition, field_scope()));
    const auto& block = taken ? branch->then_block : branch->else_block;
    co_await exec_block(block);
  } else if (const auto* trigger = std::get_if<ast::TriggerRule>(&rule.node)) {
    co_await exec_trigger(*trigger);
  } else if (const auto* start = std::get_if<ast::StartRule>(&rule.node)) {
    co_await exec_start(*start, rule);
  }
}

void Executor::ensure_id() {
  if (state_.instance.id.empty())
    state_.instance.id = allocate_undeclared_id(state_.program, *state_.host.store, state_.process->name.text);
}

void Executor::exec_save(const ast::Rule& at) {
  // Kianda's required fields: a form with one left empty cannot be saved.
  for (const auto& field : state_.process->fields) {
    if (!field.required) continue;
    const auto found = state_.instance.fields.find(field.name.text);
    if (found == state_.instance.fields.end() || found->second.is_null() ||
        (found->second.is<std::string>() && found->second.as<std::string>().empty())) {
      throw LocatedError(at.range, "cannot save: required field '" + field.name.text + "' is empty");
    }
  }
  ensure_id();
  state_.pending.save = state_.instance;
  state_.pending.checkpoint.clear();  // the saved copy holds those values
}

void Executor::checkpoint(FieldMap fields) {
  if (fields.empty()) return;
  ensure_id();
  for (auto& [name, value] : fields) {
    state_.mapped_in.insert_or_assign(name, value);
    state_.pending.checkpoint.insert_or_assign(name, std::move(value));
  }
}

asio::awaitable<void> RunState::commit(std::optional<RunRecord> history) {
  if (!pending.writes_instance() && !history) co_return;
  RunCommit commit = std::exchange(pending, {});
  commit.instance_id = instance.id;
  commit.process = process->name.text;
  // The store bumps the stored revision by one; runs on this instance hold its
  // lock, so the stored revision is the one this run loaded or last committed.
  const std::string note = commit.save ? "saved " + instance.id + " (revision " + std::to_string(instance.revision + 1) + ")" : "";
  if (history && !note.empty()) history->log.push_back(note);
  commit.history = std::move(history);
  std::exception_ptr failure;
  try {
    co_await commits.commit(commit);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {  // nothing was written: the writes wait for the run's next commit
    commit.history.reset();
    commit.error = nullptr;
    commit.revision = 0;
    pending = std::move(commit);
    std::rethrow_exception(failure);
  }
  if (commit.writes_instance()) {  // a checkpoint stamps the stored instance as a save does
    instance.revision = commit.revision;
    instance.created = commit.created;
    instance.modified = commit.modified;
    // A save writes the whole instance, a checkpoint its fields (Store::commit_runs).
    if (stored && commit.save) *stored = std::move(commit.save->fields);  // `commit` ends here
    else if (stored) for (const auto& [name, value] : commit.checkpoint) stored->insert_or_assign(name, value);
  }
  if (commit.save) {
    saved = true;
    log.push_back(note);
    masked_log.push_back(note);
  }
}

std::string Executor::label(const ast::CallRule& rule) const {
  return std::string(call_kind_text(rule.kind)) + " " + call_name(rule.datasource.text, rule.method.text);
}

asio::awaitable<void> Executor::exec_trigger(const ast::TriggerRule& rule) {
  const ast::Handler& handler = Program::require_handler(*state_.process, rule.handler);
  co_await run_handler(handler);
}

}  // namespace flow
