// The free list behind syntax::Node's operator new/delete (see grammar/lower.hpp).

#include <new>

#include "grammar/lower.hpp"

namespace flow::syntax {
namespace {

/// A recycled node's storage, linked through its first bytes.
struct FreeNode {
  FreeNode* next;
};
static_assert(sizeof(FreeNode) <= sizeof(Node));

// Per thread: parsing is single-threaded, and concurrent parses must not share it.
thread_local FreeNode* free_nodes = nullptr;

}  // namespace

void* Node::operator new(std::size_t size) {
  // Only Node itself is ever allocated (nothing derives from it).
  if (size != sizeof(Node) || !free_nodes) return ::operator new(size);
  FreeNode* node = free_nodes;
  free_nodes = node->next;
  return node;
}

void Node::operator delete(void* node) noexcept {
  free_nodes = new (node) FreeNode{free_nodes};
}

void Node::release_free_nodes() noexcept {
  while (free_nodes) {
    FreeNode* node = free_nodes;
    free_nodes = node->next;
    ::operator delete(node);
  }
}

}  // namespace flow::syntax
