// The AST dump: one node per line, two spaces of indent per level, `@line:col` of
// each node's start. Deterministic (no addresses, no maps), so tests compare it whole.

#include "grammar/ast_dump.hpp"

#include <algorithm>

#include <date/date.h>

namespace flow {
namespace {

using namespace ast;

template <typename... F>
struct overloaded : F... {
  using F::operator()...;
};
template <typename... F>
overloaded(F...) -> overloaded<F...>;

/// `"text"` with quotes, backslashes and control bytes escaped.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[(c >> 4) & 0xF];
      out += hex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string instant(const SysTime& time) { return date::format("%FT%TZ", time); }

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }
std::string clock(const TimeOfDay& t) { return two_digits(t.hour) + ":" + two_digits(t.minute); }

const char* weekday_name(Weekday day) {
  static constexpr const char* names[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                                          "saturday"};
  return names[static_cast<int>(day)];
}

const char* binary_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::add: return "+";
    case BinaryOp::sub: return "-";
    case BinaryOp::mul: return "*";
    case BinaryOp::div: return "/";
    case BinaryOp::eq: return "==";
    case BinaryOp::ne: return "!=";
    case BinaryOp::lt: return "<";
    case BinaryOp::le: return "<=";
    case BinaryOp::gt: return ">";
    case BinaryOp::ge: return ">=";
    case BinaryOp::logical_and: return "and";
    case BinaryOp::logical_or: return "or";
    case BinaryOp::coalesce: return "??";
  }
  return "?";
}

std::string path(const std::vector<Name>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ".") + n.text;
  return out;
}

class Dumper {
 public:
  Dumper() = default;
  explicit Dumper(const std::vector<HiddenText>& hidden) : hidden_(&hidden) {}
  std::string take() { return std::move(out_); }

  /// A line for a node: its text and where it starts.
  void line(int depth, const std::string& text, const SourceRange& range) {
    raw(depth, text + " @" + std::to_string(range.begin.line) + ":" + std::to_string(range.begin.column));
  }
  /// A line for a value the AST keeps without a range (schedule policies).
  void raw(int depth, const std::string& text) {
    out_.append(static_cast<std::size_t>(depth) * 2, ' ');
    out_ += text + "\n";
  }

  void expr(const Expr& e, int depth);
  void string(const StringLiteral& s, const SourceRange& range, int depth);
  void assignments(const char* title, const std::vector<Assignment>& list, int depth);
  void block(const Block& rules, int depth);
  void rule(const Rule& r, int depth);
  void call(const CallRule& c, const SourceRange& range, int depth);
  void datasource(const DatasourceDecl& ds, int depth);
  void method(const MethodDecl& m, int depth);
  void process(const ProcessDecl& p, int depth);
  void schedule(const ScheduleDecl& s, int depth);
  void when(const ScheduleWhen& w, int depth);
  void test(const TestDecl& t, int depth);

 private:
  /// The mask of the hidden part `range` starts in, or nullptr.
  const std::string* hidden_at(const SourceRange& range) const {
    if (!hidden_) return nullptr;
    for (const auto& part : *hidden_)
      if (part.begin <= range.begin.offset && range.begin.offset < part.end) return &part.shown;
    return nullptr;
  }

  const std::vector<HiddenText>* hidden_ = nullptr;
  std::string out_;
};

void Dumper::expr(const Expr& e, int depth) {
  const auto& r = e.range;
  std::visit(overloaded{
                 [&](const NullLiteral&) { line(depth, "null", r); },
                 [&](const BoolLiteral& b) { line(depth, b.value ? "true" : "false", r); },
                 [&](const NumberLiteral& n) { line(depth, "number " + n.text, r); },
                 [&](const StringLiteral& s) { string(s, r, depth); },
                 [&](const DurationLiteral& d) {
                   line(depth, "duration " + d.text + " = " + std::to_string(d.value.count()) + "ms", r);
                 },
                 [&](const DateTimeLiteral& d) { line(depth, "datetime " + d.text + " = " + instant(d.value), r); },
                 [&](const Identifier& i) { line(depth, "ident " + i.name, r); },
                 [&](const Member& m) {
                   line(depth, "member ." + m.name.text, r);
                   expr(*m.object, depth + 1);
                 },
                 [&](const Index& i) {
                   line(depth, "index", r);
                   expr(*i.object, depth + 1);
                   expr(*i.index, depth + 1);
                 },
                 [&](const Call& c) {
                   line(depth, "call " + c.callee.text, r);
                   for (const auto& arg : c.args) expr(arg, depth + 1);
                 },
                 [&](const Unary& u) {
                   line(depth, u.op == UnaryOp::negate ? "unary -" : "unary not", r);
                   expr(*u.operand, depth + 1);
                 },
                 [&](const Binary& b) {
                   line(depth, std::string("binary ") + binary_name(b.op), r);
                   expr(*b.lhs, depth + 1);
                   expr(*b.rhs, depth + 1);
                 },
             },
             e.node);
}

// A plain string dumps on one line; an interpolated one lists its parts.
void Dumper::string(const StringLiteral& s, const SourceRange& range, int depth) {
  if (const auto* mask = hidden_at(range)) {
    line(depth, "string " + *mask, range);  // without quotes, as every masked secret
    return;
  }
  const bool plain = s.parts.size() <= 1 && (s.parts.empty() || std::holds_alternative<std::string>(s.parts[0].part));
  if (plain) {
    line(depth, "string " + quoted(s.parts.empty() ? "" : std::get<std::string>(s.parts[0].part)), range);
    return;
  }
  line(depth, "string", range);
  for (const auto& part : s.parts) {
    std::visit(overloaded{
                   [&](const std::string& text) { line(depth + 1, "text " + quoted(text), range); },
                   [&](const ExprPtr& e) { expr(*e, depth + 1); },
               },
               part.part);
  }
}

// Clauses (map, on_success, then, else) have no range of their own: their lines carry none.
void Dumper::assignments(const char* title, const std::vector<Assignment>& list, int depth) {
  raw(depth, title);
  for (const auto& a : list) {
    line(depth + 1, "assign " + path(a.target), a.range);
    expr(a.value, depth + 2);
  }
}

void Dumper::block(const Block& rules, int depth) {
  for (const auto& r : rules) rule(r, depth);
}

void Dumper::rule(const Rule& rule, int depth) {
  const auto& r = rule.range;
  std::visit(overloaded{
                 [&](const SetRule& s) {
                   line(depth, "set " + s.field.text, r);
                   expr(s.value, depth + 1);
                 },
                 [&](const ClearRule& c) { line(depth, "clear " + c.field.text, r); },
                 [&](const CallRule& c) { call(c, r, depth); },
                 [&](const SaveRule&) { line(depth, "save", r); },
                 [&](const IfRule& i) {
                   line(depth, "if", r);
                   expr(i.condition, depth + 1);
                   raw(depth + 1, "then");
                   block(i.then_block, depth + 2);
                   if (i.else_block.empty()) return;
                   raw(depth + 1, "else");
                   block(i.else_block, depth + 2);
                 },
                 [&](const ValidateRule& v) {
                   line(depth, "validate", r);
                   expr(v.condition, depth + 1);
                   expr(v.message, depth + 1);
                 },
                 [&](const FailRule& f) {
                   line(depth, "fail", r);
                   expr(f.message, depth + 1);
                 },
                 [&](const LogRule& l) {
                   line(depth, "log", r);
                   expr(l.message, depth + 1);
                 },
                 [&](const TriggerRule& t) { line(depth, "trigger " + t.handler.text, r); },
                 [&](const StartRule& s) {
                   line(depth, "start " + s.process.text + " trigger " + s.handler.text, r);
                   if (s.id) {
                     raw(depth + 1, "id");
                     expr(*s.id, depth + 2);
                   }
                   if (!s.map.empty()) assignments("map", s.map, depth + 1);
                   if (s.on_success) assignments("on_success", *s.on_success, depth + 1);
                 },
             },
             rule.node);
}

void Dumper::call(const CallRule& c, const SourceRange& range, int depth) {
  static constexpr const char* kinds[] = {"create_item", "update_item", "delete_item", "find_item"};
  std::string head = std::string(kinds[static_cast<int>(c.kind)]) + " " + c.datasource.text + "." + c.method.text;
  if (c.into) head += " into " + c.into->text;
  line(depth, head, range);
  if (!c.map.empty()) assignments("map", c.map, depth + 1);
  if (c.on_success) assignments("on_success", *c.on_success, depth + 1);
  if (c.on_error) assignments("on_error", *c.on_error, depth + 1);
}

void Dumper::datasource(const DatasourceDecl& ds, int depth) {
  line(depth, "datasource " + ds.name.text + " " + ds.kind.text, ds.range);
  for (const auto& setting : ds.settings) {
    line(depth + 1, "setting " + setting.name.text, setting.range);
    expr(setting.value, depth + 2);
  }
  for (const auto& header : ds.headers) {
    line(depth + 1, "header " + quoted(header.header) + (header.secret ? " secret" : ""), header.range);
    expr(header.value, depth + 2);
  }
  for (const auto& m : ds.methods) method(m, depth + 1);
}

void Dumper::method(const MethodDecl& m, int depth) {
  static constexpr const char* verbs[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  static constexpr const char* formats[] = {"none", "form", "json"};
  static constexpr const char* parts[] = {"header", "query", "body", "path"};
  line(depth, "method " + m.name.text + " " + verbs[static_cast<int>(m.verb)] + " " + quoted(m.path) +
                  " request=" + formats[static_cast<int>(m.request_format)] +
                  " response=" + formats[static_cast<int>(m.response_format)],
       m.range);
  for (const auto& part : m.request) {
    std::string text = std::string("request ") + parts[static_cast<int>(part.kind)] + " " + part.name.text;
    if (part.wire_name) text += " " + quoted(*part.wire_name);
    if (part.secret) text += " secret";
    line(depth + 1, text, part.range);
    if (part.default_value) expr(*part.default_value, depth + 2);
  }
  for (const auto& part : m.response) {
    std::string text = std::string("response ") + (part.is_header ? "header " : "body ") + part.name.text;
    if (part.wire_name) text += " " + quoted(*part.wire_name);
    line(depth + 1, text, part.range);
  }
}

void Dumper::process(const ProcessDecl& p, int depth) {
  static constexpr const char* types[] = {"text",     "number", "boolean", "datetime",
                                          "duration", "secret", "json",    "list"};
  line(depth, "process " + p.name.text, p.range);
  for (const auto& f : p.fields) {
    line(depth + 1, "field " + f.name.text + " " + types[static_cast<int>(f.type)] + (f.required ? " required" : ""),
         f.range);
    if (f.default_value) expr(*f.default_value, depth + 2);
  }
  for (const auto& h : p.handlers) {
    const std::string head = h.kind == HandlerKind::change ? "on change " + h.name.text
                             : h.kind == HandlerKind::load ? std::string("on load")
                                                           : "on " + h.name.text;
    line(depth + 1, head, h.range);
    block(h.body, depth + 2);
  }
}

void Dumper::when(const ScheduleWhen& w, int depth) {
  static constexpr const char* units[] = {"seconds", "minutes", "hours", "days", "weeks", "months"};
  const auto& r = w.range;
  std::visit(overloaded{
                 [&](const IntervalWhen& i) {
                   std::string unit = units[static_cast<int>(i.unit)];
                   if (i.count == 1) unit.pop_back();  // "every 1 second"
                   line(depth, "every " + std::to_string(i.count) + " " + unit, r);
                 },
                 [&](const DailyWhen& d) {
                   std::string days;
                   for (const auto day : d.days) days += (days.empty() ? "" : ", ") + std::string(weekday_name(day));
                   line(depth, "every " + (days.empty() ? std::string("day") : days) + " at " + clock(d.at), r);
                 },
                 [&](const MonthlyWhen& m) {
                   static constexpr const char* ordinals[] = {"last",  "?",      "first", "second",
                                                              "third", "fourth", "fifth"};
                   const int nth = std::clamp(m.nth.value_or(0), -1, 5);
                   std::string on = m.day_of_month ? "day " + std::to_string(*m.day_of_month) : ordinals[nth + 1];
                   if (m.weekday) on += std::string(" ") + weekday_name(*m.weekday);
                   line(depth, "every month on " + on + " at " + clock(m.at), r);
                 },
                 [&](const HourlyWhen& h) { line(depth, "every hour at minute " + std::to_string(h.minute), r); },
                 [&](const CronWhen& c) { line(depth, "cron " + quoted(c.expression), r); },
                 [&](const OnceWhen& o) { line(depth, "once at " + instant(o.at.value), r); },
                 [&](const DynamicWhen& d) {
                   line(depth, "at", r);
                   expr(d.at, depth + 1);
                 },
             },
             w.node);
}

void Dumper::schedule(const ScheduleDecl& s, int depth) {
  line(depth, "schedule " + quoted(s.name), s.range);
  if (s.when) when(*s.when, depth + 1);
  if (s.timezone) line(depth + 1, "timezone " + quoted(*s.timezone), s.timezone_range);
  if (s.process) line(depth + 1, "process " + s.process->text, s.process->range);
  if (s.id) {
    raw(depth + 1, "id");
    expr(*s.id, depth + 2);
  }
  if (s.trigger) line(depth + 1, "trigger " + s.trigger->text, s.trigger->range);
  if (s.expires) {
    const auto& e = *s.expires;
    line(depth + 1, e.at ? "expires " + instant(e.at->value) : "expires after " + std::to_string(*e.after_runs) + " runs",
         e.range);
  }
  raw(depth + 1, std::string("on_overlap ") + (s.on_overlap == OverlapPolicy::skip ? "skip" : "queue") +
                    ", on_missed " + (s.on_missed == MissedPolicy::run_once ? "run_once" : "skip"));
  if (s.retry)
    line(depth + 1,
         "retry " + std::to_string(s.retry->times) + (s.retry->times == 1 ? " time" : " times") + " backoff " +
             std::to_string(s.retry->backoff ? s.retry->backoff->value.count() : 0) + "ms",
         s.retry->range);
  if (s.jitter) raw(depth + 1, "jitter " + std::to_string(s.jitter->count()) + "ms");
  if (s.first_run_now) line(depth + 1, "first run now", s.first_run_range);
}

void Dumper::test(const TestDecl& t, int depth) {
  line(depth, "test " + quoted(t.name), t.range);
  for (const auto& variable : t.environment) {
    line(depth + 1, "env " + variable.name.text, variable.range);
    expr(variable.value, depth + 2);
  }
  for (const auto& inst : t.instances) {
    line(depth + 1, "instance " + quoted(inst.id) + " of " + inst.process.text, inst.range);
    assignments("values", inst.values, depth + 2);
  }
  for (const auto& step : t.steps) {
    std::visit(overloaded{
                   [&](const MockStep& m) {
                     line(depth + 1, "mock " + m.datasource.text + "." + m.method.text, m.range);
                     const auto& a = m.answer;
                     if (a.failure) line(depth + 2, "fails " + *a.failure, a.failure_range);
                     if (a.status) {
                       raw(depth + 2, "status");
                       expr(*a.status, depth + 3);
                     }
                     for (const auto& h : a.headers) {
                       line(depth + 2, "header " + quoted(h.name), h.range);
                       expr(h.value, depth + 3);
                     }
                     if (a.body) assignments("body", *a.body, depth + 2);
                     if (a.text) {
                       raw(depth + 2, "text");
                       expr(*a.text, depth + 3);
                     }
                   },
                   [&](const RunStep& r) {
                     line(depth + 1, "run " + r.process.text + "." + r.handler.text + (r.fails ? " fails" : ""),
                          r.range);
                     if (r.id) {
                       raw(depth + 2, "on");
                       expr(*r.id, depth + 3);
                     }
                     if (r.failure_text) {
                       raw(depth + 2, "failure text");
                       expr(*r.failure_text, depth + 3);
                     }
                   },
                   [&](const AdvanceStep& a) {
                     line(depth + 1, "advance " + std::to_string(a.by.value.count()) + "ms", a.range);
                   },
                   [&](const ClockStep& c) { line(depth + 1, "clock " + instant(c.at.value), c.range); },
                   [&](const ExpectStep& e) {
                     line(depth + 1, "expect", e.range);
                     expr(e.condition, depth + 2);
                   },
               },
               step.node);
  }
}

}  // namespace

std::string dump_expr(const ast::Expr& expr) {
  Dumper d;
  d.expr(expr, 0);
  return d.take();
}

std::string dump_ast(const ast::Module& module, const std::vector<HiddenText>& hidden) {
  Dumper d(hidden);
  d.raw(0, "module " + std::to_string(module.file));
  for (const auto& i : module.imports) d.line(1, "import " + quoted(i.path), i.range);
  for (const auto& ds : module.datasources) d.datasource(ds, 1);
  for (const auto& p : module.processes) d.process(p, 1);
  for (const auto& inst : module.instances) {
    d.line(1, "instance " + quoted(inst.id) + " of " + inst.process.text, inst.range);
    for (const auto& a : inst.values) {
      d.line(2, "assign " + path(a.target), a.range);
      d.expr(a.value, 3);
    }
  }
  for (const auto& s : module.schedules) d.schedule(s, 1);
  for (const auto& t : module.tests) d.test(t, 1);
  return d.take();
}

}  // namespace flow
