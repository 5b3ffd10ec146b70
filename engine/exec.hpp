#pragma once
// Rule execution for one run (internal to the interpreter). Synchronous rules
// run inline; only call, trigger, start and blocks suspend.

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/eval.hpp"
#include "engine/interpreter.hpp"
#include "engine/rest_call.hpp"
#include "engine/secret_scrub.hpp"

namespace flow {

class CommitQueue;
class InstanceLocks;

/// What a failure that is no run error says: "store: WHAT" for a store's,
/// "internal error: WHAT" for anything else (a broken invariant, a library's
/// exception, memory exhausted). Such a failure still ends as a failed run.
std::string failure_text(const std::exception_ptr& failure);

/// Everything one run reads and writes.
struct RunState {
  const Program& program;
  const Host& host;
  const RunOptions& options;
  InstanceLocks& locks;
  CommitQueue& commits;
  const ast::ProcessDecl* process = nullptr;
  InstanceRecord instance;
  std::vector<std::string> log;          // as shown to the user
  std::vector<std::string> masked_log;   // as kept in history: always masked
  bool saved = false;                    // a commit wrote a `save`
  int depth = 0;                         // nested trigger/start/change handlers
  RunCommit pending;                     // writes held back until the next call or start, or the end
  const RunState* parent = nullptr;      // the run whose `start` rule runs this one
  const void* chain = nullptr;           // holds the locks: the top-level run and the runs it starts share it
  FieldMap mapped_in;                    // every value a successful call mapped in during the run
  /// What the run's requests sent of secrets (HttpRequest::secrets), and what
  /// their answers brought of them (CallSecrets::learn): scrubbed from every
  /// output of the rest of the run, whatever the fields hold by then.
  std::vector<std::string> known_secrets;
  /// The instance's fields as the store holds them at instance.revision (none
  /// at revision 0): read when it was loaded, then what each commit wrote.
  /// The run holds the instance's lock, so no one else writes them meanwhile.
  /// nullopt when not known. The base of what is kept after a failed commit
  /// when the store cannot be read then (CommitQueue::keep_unwritten).
  std::optional<FieldMap> stored;
  /// Told of each wait for another flow process's run: the top-level
  /// request's, shared by the runs its `start` rules run.
  OtherProcessWait on_wait_for_other_process;
  /// The run's task (empty for a run by hand) and handler, for the note of a
  /// call in flight (Store::note_call).
  std::string task{};
  std::string handler{};

  /// Commits `pending`, with `history` when given, in one store transaction
  /// (shared with other runs committing at the same moment), and notes a save
  /// in the logs (history included). Throws what the store threw (StoreError,
  /// or anything else), the logs then unchanged and `pending` kept.
  boost::asio::awaitable<void> commit(std::optional<RunRecord> history = std::nullopt);
};

/// What InstanceLocks::acquire calls as a run's wait for another flow
/// process's run on instance `id` of `process` begins: `waited` set, and
/// `on_wait` (if any) told of it. A wait may end with that run killed in its
/// call: the waiting run then asks the store (Store::record_calls_lost).
std::function<void()> wait_notice(const OtherProcessWait& on_wait, std::string process, std::string id, bool& waited);

/// Every spelling of every secret the run knows: its instance's secret values
/// and its known_secrets. Text from outside is scrubbed of them.
std::vector<SecretText> run_secrets(const RunState& state);

/// run_secrets built at its first use and kept, for one call rule: from its
/// answer to the end of its mapping block's evaluation nothing changes them
/// but learn() (the block evaluates every value before it assigns a field).
/// Once a field has been assigned it may be stale: a secret field may hold a
/// new value.
class CallSecrets {
 public:
  explicit CallSecrets(RunState& state) : state_(state) {}
  const std::vector<SecretText>& get();
  /// Adds `texts`, secrets the answer brings (credential_members, a value a
  /// mapping puts in a secret field), to the run's known_secrets: from now on
  /// they taint what the call maps in and are scrubbed from the run's output.
  void learn(const std::vector<std::string>& texts);

 private:
  RunState& state_;
  std::optional<std::vector<SecretText>> texts_;
};

class Executor {
 public:
  explicit Executor(RunState& state) : state_(state) {}

  /// Runs a handler's rules; a LocatedError leaving it gains a trace frame.
  boost::asio::awaitable<void> run_handler(const ast::Handler& handler);
  /// The scope of plain field reads (no rule namespaces).
  Scope field_scope(const Locals* locals = nullptr) const;
  /// Assigns a field with type coercion; queues its change handler if the value changed.
  void assign(const ast::Name& field, Value value);

 private:
  boost::asio::awaitable<void> exec_block(const ast::Block& block);
  boost::asio::awaitable<void> exec_async(const ast::Rule& rule);
  void exec_sync(const ast::Rule& rule);
  boost::asio::awaitable<void> fire_change_handlers();

  boost::asio::awaitable<void> exec_call(const ast::CallRule& rule, const ast::Rule& at);
  boost::asio::awaitable<void> exec_trigger(const ast::TriggerRule& rule);
  boost::asio::awaitable<void> exec_start(const ast::StartRule& rule, const ast::Rule& at);
  /// A new instance gets its Process ID when it is first written.
  void ensure_id();
  /// Queues the instance for the next commit; throws at `at` while a required field is empty.
  void exec_save(const ast::Rule& at);
  void add_log(const ast::Expr& message);
  void note(const std::string& line);
  MappedRequest map_request(const ast::CallRule& rule, const ast::MethodDecl& method);
  /// What on_success/on_error assignments set, and the first of them that failed.
  struct Mapped {
    FieldMap written;
    std::exception_ptr failure;
  };
  /// Applies every on_success/on_error assignment it can: one that fails (a
  /// value its field cannot take) does not keep the others from being set, so
  /// a rotated token mapped beside a malformed expires_in is still kept.
  /// `secrets` is read only before the first assignment.
  Mapped apply_mappings(const std::vector<ast::Assignment>& mappings, const Locals& locals, CallSecrets& secrets);
  /// `value`, which a call's answer brings into field `field_name` (a
  /// mapping's, or what `into` stores), made secret when its text holds a
  /// secret the run knows (CallSecrets), in any spelling: the one check of
  /// both paths.
  Value tainted_by_echo(Value value, std::string_view field_name, CallSecrets& secrets) const;
  /// What `into` stores of a call's whole `answer`: its array (answer_array);
  /// a json field takes the whole answer when it holds none. Throws at `at`
  /// when a list field would get no array.
  Value into_value(const ast::CallRule& rule, const ast::MethodDecl& method, const Value& answer,
                   const ast::Rule& at) const;
  void checkpoint(FieldMap fields);
  std::string label(const ast::CallRule& rule) const;

  RunState& state_;
  std::vector<std::string> changed_;
};

}  // namespace flow
