#pragma once
// tao::pegtl::parse_tree::parse without the throwaway nodes. PEGTL's builder gives
// every rule that is not selected but may contain selected ones (`rule`, `primary`,
// `unary`, each `seq<sep, must<X>>` step ...) a node of its own, only to move its
// children up to the parent when the rule succeeds or drop them when it fails. An
// expression alone passes through a dozen such rules, so most of the parse time
// went to creating, filling and destroying those nodes.
//
// Here such a rule appends straight to the nearest selected node and only
// remembers how many children that node had when it started; on failure the
// children added since are dropped. The resulting tree is the same node for node.
// Selected rules and leaves are handled by PEGTL's own code, unchanged.

#include <cassert>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

namespace flow::syntax::tree {

namespace pegtl = tao::pegtl;
namespace pt = tao::pegtl::parse_tree;

/// PEGTL's builder state (the stack of selected nodes being matched) plus, for each
/// unselected rule being matched, its start mark: the top node's child count.
template <typename Node>
struct state : pt::internal::state<Node> {
  std::vector<std::size_t> marks;
};

/// An unselected rule that may contain selected ones: marks the top node's children.
template <typename Node, template <typename...> class Control, typename Rule>
struct unselected_handler : pegtl::remove_first_state<Control<Rule>> {
  static constexpr bool enable = true;  // as PEGTL's handler: it counts for limit_depth

  template <typename ParseInput, typename... States>
  static void start(const ParseInput& /*unused*/, state<Node>& s, States&&... /*unused*/) {
    s.marks.push_back(s.back()->children.size());
  }
  template <typename ParseInput, typename... States>
  static void success(const ParseInput& /*unused*/, state<Node>& s, States&&... /*unused*/) {
    s.marks.pop_back();
  }
  template <typename ParseInput, typename... States>
  static void failure(const ParseInput& /*unused*/, state<Node>& s, States&&... /*unused*/) {
    s.back()->children.resize(s.marks.back());
    s.marks.pop_back();
  }
  template <typename ParseInput, typename... States>
  static void unwind(const ParseInput& /*unused*/, state<Node>& s, States&&... /*unused*/) {
    s.marks.pop_back();
  }
};

/// PEGTL's make_control with unselected_handler in place of its node-per-rule handler.
template <typename Node, template <typename...> class Selector, template <typename...> class Control>
struct make_control {
  template <typename Rule>
  static constexpr bool selected = pt::internal::is_selected_node<Rule, Selector>;
  template <typename Rule>
  static constexpr bool leaf = pt::internal::is_leaf<8, typename Rule::subs_t, Selector>;

  template <typename Rule>
  using handler = std::conditional_t<
      selected<Rule> || leaf<Rule>,
      typename pt::internal::make_control<Node, Selector, Control>::template state_handler<Rule, selected<Rule>,
                                                                                             leaf<Rule>>,
      unselected_handler<Node, Control, Rule>>;

  template <typename Rule>
  using type = pegtl::rotate_states_right<handler<Rule>>;
};

/// As tao::pegtl::parse_tree::parse: the root node, or nullptr if `Rule` did not match.
template <typename Rule, typename Node, template <typename...> class Selector, template <typename...> class Action,
          template <typename...> class Control, typename ParseInput>
std::unique_ptr<Node> parse(ParseInput& in) {
  state<Node> s;
  if (!pegtl::parse<Rule, Action, make_control<Node, Selector, Control>::template type>(in, s)) return nullptr;
  assert(s.stack.size() == 1 && s.marks.empty());
  return std::move(s.back());
}

}  // namespace flow::syntax::tree
