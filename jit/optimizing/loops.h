// The natural loops of a Graph and how they nest: the back end keeps each loop contiguous in its
// block order and weighs uses by loop depth; LICM hoists out of them, innermost first. A natural
// loop is a header h and every block that reaches a back edge u -> h (h dominates u) without
// passing through h; back edges to one header make one loop. Cycles entered at more than one
// block (irreducible control flow) are not natural loops and are not found.
#pragma once

#include <cstdint>
#include <vector>

#include "jit/optimizing/dominators.h"
#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

inline constexpr uint32_t kNoLoop = UINT32_MAX;

struct Loop {
  BlockId header;
  std::vector<bool> members;    // by BlockId; a block made since is one only if added
  std::vector<BlockId> blocks;  // the members in reverse postorder, the header first
  uint32_t parent = kNoLoop;    // index of the innermost loop around this one, or kNoLoop
  uint32_t depth = 1;           // loops containing this one, itself included
  // The block outside the loop whose jump is the header's only incoming edge from outside:
  // code placed there runs once each time the loop is entered. Invalid when the header has
  // several entry edges or its one entry edge is a branch that may also go elsewhere.
  BlockId preheader;

  bool contains(BlockId block) const {
    return block.index < members.size() && members[block.index];
  }
};

// Loops in reverse postorder of their headers: every loop comes after the loops that contain it.
std::vector<Loop> find_loops(const Graph& graph, const DominatorTree& dom);

// Gives loops[loop_index] a preheader: routes the header's entry edges through a new block that
// jumps to it. With one entry edge its arguments move to the new jump; with several, the new block
// takes them as parameters and passes those on. The new block joins every loop around this one,
// just ahead of this loop's header.
void make_preheader(Graph& graph, std::vector<Loop>& loops, uint32_t loop_index);

}  // namespace keel::jit::opt
