#include "engine/interpreter.hpp"

#include <algorithm>
#include <utility>

#include "engine/commit_queue.hpp"
#include "engine/exec.hpp"
#include "engine/instance_locks.hpp"
#include "engine/instances.hpp"
#include "grammar/printable.hpp"

namespace flow {

namespace asio = boost::asio;

class Interpreter::Impl {
 public:
  explicit Impl(const Host& host) : locks(host.store), commits(host.store, host.clock) {}
  InstanceLocks locks;
  CommitQueue commits;
  bool stopping = false;  // stop_waiting() was called
  std::uint64_t runs_ended = 0;  // runs recorded in the history, on any instance
};

Interpreter::Interpreter(const Program& program, Host host, RunOptions options)
    : program_(program), host_(host), options_(options), impl_(std::make_unique<Impl>(host_)) {
  host_.program = &program_;  // instance("ID") in any of its runs reads values typed as this program declares
}

Interpreter::~Interpreter() = default;

void Interpreter::stop_waiting() {
  impl_->locks.stop_waiting();
  impl_->stopping = true;
  host_.clock->cancel_all();  // wakes write_unwritten_before_exit's pause
}

bool Interpreter::waiting_for_other_process() const { return impl_->locks.waiting_for_other_process(); }

namespace {

/// "error: WHAT" as a line of a run's error: WHAT may quote text from outside
/// (a server's answer, a Process ID), written visibly (printable()).
std::string error_line(std::string_view what) { return "error: " + printable(what) + "\n"; }

/// The frames from `at` on as a group repeated: {period, times}, the group
/// that covers the most frames (the shortest of equals); {1, 1} when none
/// repeats. A change loop A -> B -> A nests A, B, A, B ...: {2, 16}.
template <typename Frames>
std::pair<std::size_t, std::size_t> repetition(const Frames& frames, std::size_t at) {
  constexpr std::size_t kLongestLoop = 8;
  std::pair<std::size_t, std::size_t> best{1, 1};
  for (std::size_t period = 1; period <= kLongestLoop && at + 2 * period <= frames.size(); ++period) {
    std::size_t times = 1;
    while (at + (times + 1) * period <= frames.size() &&
           std::equal(frames.begin() + at, frames.begin() + at + period, frames.begin() + at + times * period))
      ++times;
    if (times > 1 && period * times > best.first * best.second) best = {period, times};
  }
  return best;
}

/// The error with its trace of handlers; `loose`: the outermost frame is the
/// REPL's typed input, which needs no "in ..." line of its own.
std::string render_located(const SourceSet& sources, const LocatedError& error, const std::vector<SecretText>& secrets,
                           bool loose = false) {
  Diagnostic d{Severity::error, error.range(), scrub_secrets(error.what(), secrets)};
  std::string out = render(sources, d);
  auto frames = error.trace();
  if (loose && !frames.empty()) frames.pop_back();
  // A loop 32 handlers deep repeats its frames: said once, with the count.
  const auto line = [&](const auto& frame) { return "  in " + frame.first + " (" + location(sources, frame.second) + ")"; };
  for (std::size_t i = 0; i < frames.size();) {
    const auto [period, times] = repetition(frames, i);
    if (period == 1) {
      out += line(frames[i]) + (times > 1 ? " x" + std::to_string(times) : "") + "\n";
    } else {
      for (std::size_t j = i; j < i + period; ++j) out += line(frames[j]) + "\n";
      out += "  (the " + std::to_string(period) + " lines above x" + std::to_string(times) + ")\n";
    }
    i += period * times;
  }
  return out;
}

RunRecord history_record(const RunRequest& request, const RunState& state, const RunResult& result,
                         TimePoint started, TimePoint finished) {
  RunRecord record;
  record.task = request.task;
  record.instance_id = state.instance.id;
  record.process = request.process;
  record.handler = request.handler;
  record.started = started;
  record.finished = finished;
  record.ok = result.ok;
  record.message = result.error;
  record.log = state.masked_log;
  return record;
}

/// Thrown, under the instance's lock, for a preview older than the store's copy.
class StaleCopyError : public RunError {
 public:
  using RunError::RunError;
};

/// Throws StaleCopyError unless `preview` is as new as the stored instance.
void require_current(Store& store, const InstanceRecord& preview) {
  const auto stored = store.load_instance(preview.id);
  const std::int64_t revision = stored ? stored->revision : 0;
  if (revision == preview.revision) return;
  throw StaleCopyError("instance " + preview.id + " changed in the store (revision " + std::to_string(revision) +
                       ") since this copy of it was read (revision " + std::to_string(preview.revision) +
                       "): nothing was run or saved, since its values here may be older than the store's, a spent "
                       "refresh token among them");
}

/// A run refused before any rule ran (`failure`): its instance held past the
/// wait, older here than in the store, or with values the store still cannot take.
void refuse(RunResult& result, const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const StaleCopyError& e) {
    result.error = error_line(e.what());
    result.stale = true;
  } catch (const WaitStoppedError& e) {
    result.error = error_line(std::string("store: ") + e.what());
    result.stopped = true;
  } catch (const RunError& e) {
    result.error = error_line(e.what());
  } catch (const StoreError& e) {
    result.error = error_line(std::string("store: ") + e.what());
    result.transient = true;  // the other process's run ends, the disk gets room: a later attempt may run
  } catch (...) {
    result.error = error_line(failure_text(std::current_exception()));
  }
}

/// The instance `id` of `process` as the store holds it, typed as declared;
/// nullopt when it holds none or cannot be read (the run's own error says why).
std::optional<InstanceRecord> stored_copy(Store& store, const ast::ProcessDecl& process, const std::string& id) {
  if (id.empty()) return std::nullopt;
  try {
    auto stored = store.load_instance(id);
    if (stored) apply_declared_types(process, *stored);
    return stored;
  } catch (const RunError&) {
    return std::nullopt;
  } catch (const StoreError&) {
    return std::nullopt;
  }
}

/// One attempt at writing every instance's unwritten values, each under its
/// lock (not waited for: another process's run on it fails the attempt).
/// Returns the causes of those still unwritten, keyed by what they are.
std::map<std::string, std::string> try_write_unwritten(CommitQueue& commits, InstanceLocks& locks,
                                                       const std::function<void(const std::string&)>& note) {
  std::map<std::string, std::string> failed;
  const bool chain_anchor = true;
  for (const auto& [id, what] : commits.unwritten()) {
    try {
      const auto guard = locks.try_acquire(id, &chain_anchor);
      if (!guard) {
        failed.emplace(what, "a run in another flow process holds " + id);
        continue;
      }
      const auto written = commits.write_unwritten(id);
      if (!written.written.empty()) note(what_mapped_into(id, field_names(written.written)) + " is written to the store now");
      if (!written.dropped.empty()) note(written.dropped_note(id));
    } catch (...) {
      failed.emplace(what, failure_text(std::current_exception()));
    }
  }
  return failed;
}

}  // namespace

void Interpreter::record_history_alone(const RunRequest& request, RunState& state, const RunResult& result,
                                       TimePoint started) {
  try {
    host_.store->record_run(history_record(request, state, result, started, host_.clock->now()));
  } catch (...) {
    state.log.push_back("warning: run history not recorded: " + failure_text(std::current_exception()));
  }
}

void Interpreter::keep_after_failed_commit(const RunRequest& request, RunState& state, RunResult& result,
                                           TimePoint started, const std::exception_ptr& failure, bool record) {
  if (!state.pending.writes_instance()) {  // only the history record was refused
    state.log.push_back("warning: run history not recorded: " + failure_text(failure));
    return;
  }
  result.ok = false;
  result.transient = false;
  result.error += error_line(failure_text(failure));  // after the run's own error, if any
  if (!state.mapped_in.empty() && !state.instance.id.empty()) {
    impl_->commits.keep_unwritten(state.instance.id, state.process->name.text, state.instance.revision,
                                  state.mapped_in, state.stored);
    result.error += "  what calls mapped in (" + field_names(state.mapped_in) + ") is kept in memory and written before " +
                    state.instance.id + "'s next run calls anything, or before this process exits\n";
    result.transient = true;  // worth the schedule's retry: the write is retried first
  }
  if (record) record_history_alone(request, state, result, started);
}

asio::awaitable<std::vector<std::string>> Interpreter::write_unwritten_before_exit(
    std::vector<Duration> pauses, std::function<void(const std::string&)> note) {
  auto failed = try_write_unwritten(impl_->commits, impl_->locks, note);
  for (const Duration pause : pauses) {
    if (failed.empty() || impl_->stopping) break;
    for (const auto& [what, cause] : failed)
      note(what + " could not be written: " + cause + "; trying again in " + format_duration(pause));
    co_await host_.clock->sleep_until(host_.clock->now() + pause);
    if (impl_->stopping) break;
    failed = try_write_unwritten(impl_->commits, impl_->locks, note);
  }
  std::vector<std::string> lost;
  for (const auto& [what, cause] : failed) {
    lost.push_back(what + " could not be written and is lost: " + cause +
                   "; the store keeps what it held before (a refresh token the call replaced may no longer work)");
  }
  co_return lost;
}

bool Interpreter::keeps_unwritten(const std::string& id) const { return impl_->commits.keeps(id); }

std::optional<InstanceRecord> Interpreter::stored_instance(const std::string& process, const std::string& id) {
  const auto* declared = program_.process(process);
  return declared ? stored_copy(*host_.store, *declared, id) : std::nullopt;
}

std::vector<std::string> Interpreter::seed_instances() { return seed_instances(program_.instances()); }

std::vector<std::string> Interpreter::seed_instances(const std::vector<const ast::InstanceDecl*>& declarations) {
  std::vector<std::string> errors;
  for (const auto* declaration : declarations) {
    try {
      if (host_.store->load_instance(declaration->id)) continue;
      const auto& process = program_.require_process(declaration->process);
      host_.store->seed_instance(instance_from_declaration(process, declaration, host_), host_.clock->now());
    } catch (const LocatedError& e) {
      errors.push_back(render_located(program_.sources, e, {}));
    } catch (const RunError& e) {
      errors.push_back(location(program_.sources, declaration->range) + ": " + error_line(e.what()));
    } catch (const StoreError& e) {
      // Not fatal: a run on the instance seeds it again when the store takes writes.
      errors.push_back(location(program_.sources, declaration->range) + ": " + error_line(std::string("store: ") + e.what()));
    }
  }
  return errors;
}

asio::awaitable<RunResult> Interpreter::run(RunRequest request, std::optional<InstanceRecord> preview) {
  return run_counted(RunInFlight(impl_->commits), std::move(request), std::move(preview), std::nullopt);
}

asio::awaitable<RunResult> Interpreter::run_rules(LooseRules rules, InstanceRecord instance,
                                                  OtherProcessWait on_wait) {
  RunRequest request{instance.process, rules.handler->name.text, std::nullopt, ""};
  request.on_wait_for_other_process = std::move(on_wait);
  return run_counted(RunInFlight(impl_->commits), std::move(request), std::move(instance), rules);
}

asio::awaitable<RunResult> Interpreter::run_counted([[maybe_unused]] RunInFlight in_flight, RunRequest request,
                                                    std::optional<InstanceRecord> preview,
                                                    std::optional<LooseRules> loose) {
  RunResult result;
  // Not a conditional expression: g++ 12 mishandles co_await inside `?:` temporaries.
  if (preview && !preview->id.empty()) request.instance_id = preview->id;
  // Named from the request until it is loaded: a run that cannot load or seed
  // its instance still says which one it was for.
  result.instance.process = request.process;
  result.instance.id = request.instance_id.value_or("");
  const auto* process = program_.process(request.process);
  const ast::Handler* handler = nullptr;
  if (loose) handler = loose->handler;
  else if (process) handler = Program::handler(*process, request.handler);
  const SourceSet& sources = loose ? *loose->sources : program_.sources;
  if (!process || !handler) {
    result.error = error_line(process ? "process " + request.process + " has no handler '" + request.handler + "'"
                                      : "unknown process '" + request.process + "'");
    co_return result;
  }
  const bool chain_anchor = true;  // in this coroutine's frame: stays put while the run lasts
  const InstanceLocks::Chain chain = &chain_anchor;
  InstanceLocks::Guard guard;
  WriteBack flushed;  // what an earlier run on this instance could not commit, written now
  std::vector<std::string> lost;  // calls of another process's run, killed while this one waited for it
  if (request.instance_id) {
    std::exception_ptr refused;
    bool waited = false;
    try {
      if (auto free = impl_->locks.try_acquire(*request.instance_id, chain)) guard = std::move(*free);
      else guard = co_await impl_->locks.acquire(*request.instance_id, chain,
                                                  wait_notice(request.on_wait_for_other_process, request.process,
                                                              *request.instance_id, waited));
      if (waited) lost = host_.store->record_calls_lost();
      if (preview) require_current(*host_.store, *preview);
      flushed = impl_->commits.write_unwritten_before_call(*request.instance_id);
    } catch (...) {
      refused = std::current_exception();
    }
    if (refused) {
      refuse(result, refused);
      co_return result;
    }
  }
  const auto started = host_.clock->now();
  RunState state{program_, host_,   options_, impl_->locks, impl_->commits, process, result.instance, {}, {},
                 false,    0,       {},       nullptr,      chain,          {},     {},      {},
                 std::move(request.on_wait_for_other_process)};
  state.task = request.task;
  state.handler = request.handler;
  for (const auto& line : lost) {
    state.log.push_back(printable(line));
    state.masked_log.push_back(state.log.back());
  }
  if (const auto dropped = flushed.dropped_note(result.instance.id); !dropped.empty()) {
    state.log.push_back(dropped);
    state.masked_log.push_back(dropped);
  }
  try {
    if (preview) {
      state.instance = std::move(*preview);
      for (auto& [name, value] : flushed.written) state.instance.fields.insert_or_assign(name, std::move(value));
      const auto stored = state.instance.id.empty() ? std::nullopt : host_.store->load_instance(state.instance.id);
      state.stored = stored ? stored->fields : FieldMap{};
      // The preview is as new as the store again: a later run on it is not refused as stale.
      if (stored && !flushed.written.empty()) state.instance.revision = stored->revision;
    } else {
      state.stored.emplace();
      state.instance = load_or_create(program_, *host_.store, *process, request.instance_id, host_, &*state.stored);
    }
    result.loaded = true;
    Executor executor(state);
    const auto* on_load = loose ? nullptr : Program::load_handler(*process);  // typed rules run on what is loaded
    if (on_load) co_await executor.run_handler(*on_load);
    co_await executor.run_handler(*handler);
    result.ok = true;
  } catch (const LocatedError& e) {
    result.error = render_located(sources, e, run_secrets(state), loose.has_value());
    result.transient = e.transient();
    result.refused = e.refusal();
  } catch (const RunError& e) {
    result.error = error_line(scrub_secrets(e.what(), run_secrets(state)));
  } catch (...) {  // a store's failure, or one that is no run error: still a failed run, recorded
    result.error = error_line(scrub_secrets(failure_text(std::current_exception()), run_secrets(state)));
  }
  // The run's held-back writes and its history record: one transaction.
  std::optional<RunRecord> history;  // not a `?:`: g++ 12 mishandles co_await temporaries there
  if (!loose) history = history_record(request, state, result, started, host_.clock->now());
  std::exception_ptr not_written;  // no co_await in a catch handler: handled after it
  try {
    co_await state.commit(std::move(history));
  } catch (...) {
    not_written = std::current_exception();
  }
  if (not_written) keep_after_failed_commit(request, state, result, started, not_written, !loose);
  if (!loose) ++impl_->runs_ended;
  result.log = std::move(state.log);
  result.instance = std::move(state.instance);
  result.saved = state.saved;
  if (request.want_stored) result.stored = stored_copy(*host_.store, *process, result.instance.id);
  co_return result;
}

std::uint64_t Interpreter::runs_ended() const { return impl_->runs_ended; }

Value Interpreter::evaluate_on(const ast::Expr& expr, const std::string& process_name,
                               const std::optional<std::string>& id) {
  const auto* process = program_.process(process_name);
  if (!process) throw RunError("unknown process '" + process_name + "'");
  const auto instance = load_or_create(program_, *host_.store, *process, id, host_);
  Scope scope;
  scope.fields = &instance.fields;
  scope.functions = host_.functions;
  scope.context = host_.context(instance.id);
  return evaluate(expr, scope);
}

}  // namespace flow
