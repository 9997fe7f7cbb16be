// The register allocator's view of a Graph: a linear block order (reverse postorder with every
// natural loop kept contiguous), two positions per block entry and per instruction (2k reads the
// operands, 2k + 1 writes the results, so a result may take the register of an operand that dies
// there, and a block parameter that of the argument its edge passes), the loop depth
// of each block, live-in/live-out sets, and per SSA value its live ranges (sorted, disjoint
// segments of positions, with holes where the value is dead, as in Wimmer and Franz's linear
// scan) and their hull. Block parameters are defined at their block's entry and also written at
// every predecessor's terminator (the edge moves, at its odd position), so their ranges cover
// those positions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// [start, end] in instruction positions; empty for values nothing uses or defines.
struct Interval {
  uint32_t start = UINT32_MAX;
  uint32_t end = 0;
  bool empty() const { return start > end; }
  void cover(uint32_t position) {
    if (position < start) start = position;
    if (position > end) end = position;
  }
};

inline constexpr uint32_t kNoPosition = UINT32_MAX;

// The positions [from, to] of one stretch where a value is live.
struct Segment {
  uint32_t from;
  uint32_t to;
};

// Whether two sorted, disjoint segment lists share a position.
bool ranges_intersect(std::span<const Segment> a, std::span<const Segment> b);

struct Liveness {
  std::vector<BlockId> order;           // the linear block order, the entry first
  std::vector<uint32_t> order_index;    // by BlockId: position in `order`, or kNoPosition
  std::vector<uint32_t> block_start;    // by order index: position of the block entry
  std::vector<uint32_t> block_end;      // by order index: its terminator's odd position
  std::vector<uint32_t> loop_depth;     // by order index: natural loops containing the block
  std::vector<bool> loop_header;        // by order index: the target of a back edge
  std::vector<uint32_t> inst_position;  // by InstId: its even position, or kNoPosition
  std::vector<Interval> intervals;      // by ValueId: the hull of its ranges
  // By ValueId: its ranges, sorted, disjoint and non-adjacent, at segments[range_begin[v] ..
  // range_begin[v + 1]) (one array for all values: a function has as many as it has values).
  std::vector<uint32_t> range_begin;
  std::vector<Segment> segments;
  std::span<const Segment> ranges(ValueId v) const {
    return {segments.data() + range_begin[v.index], segments.data() + range_begin[v.index + 1]};
  }
  std::vector<uint32_t> weighted_uses;  // by ValueId: defs and uses, 10^loop depth each
  // By InstId, for calls (kCall, kCallIndirect, kRuntimeCall): the values live after the call
  // other than its results, which must survive the call in memory.
  std::vector<std::vector<ValueId>> live_across;
  uint32_t num_positions = 0;
  uint32_t non_contiguous_loops = 0;  // loops the order could not keep together (irreducible)
};

// True for the instructions that clobber every allocatable register.
bool is_call_like(InstKind kind);

Liveness compute_liveness(const Graph& graph);

}  // namespace keel::jit::opt
