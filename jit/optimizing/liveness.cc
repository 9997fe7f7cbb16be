#include "jit/optimizing/liveness.h"

#include <algorithm>

#include "jit/optimizing/dominators.h"
#include "jit/optimizing/loops.h"

namespace keel::jit::opt {

namespace {

// A set of values as a bit vector: liveness is dense enough that this beats hash sets.
class ValueSet {
 public:
  explicit ValueSet(size_t n = 0) : words_((n + 63) / 64, 0) {}
  void add(ValueId v) { words_[v.index / 64] |= uint64_t{1} << (v.index % 64); }
  void remove(ValueId v) { words_[v.index / 64] &= ~(uint64_t{1} << (v.index % 64)); }
  bool has(ValueId v) const { return (words_[v.index / 64] >> (v.index % 64)) & 1; }
  // this |= other & ~minus; returns whether this changed.
  bool add_all_but(const ValueSet& other, const ValueSet& minus) {
    bool changed = false;
    for (size_t i = 0; i < words_.size(); ++i) {
      uint64_t next = words_[i] | (other.words_[i] & ~minus.words_[i]);
      changed |= next != words_[i];
      words_[i] = next;
    }
    return changed;
  }
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (size_t i = 0; i < words_.size(); ++i)
      for (uint64_t w = words_[i]; w; w &= w - 1)
        fn(ValueId(static_cast<uint32_t>(i * 64 + __builtin_ctzll(w))));
  }

 private:
  std::vector<uint64_t> words_;
};

// Places `blocks` (in reverse postorder) and, right after each loop header, the rest of its loop.
void place(const std::vector<BlockId>& blocks, const std::vector<Loop>& loops,
           std::vector<bool>& placed, std::vector<BlockId>& order) {
  for (BlockId b : blocks) {
    if (placed[b.index]) continue;
    placed[b.index] = true;
    order.push_back(b);
    for (const Loop& loop : loops) {
      if (loop.header != b) continue;
      std::vector<BlockId> body;
      for (BlockId x : blocks)
        if (loop.members[x.index] && !placed[x.index]) body.push_back(x);
      place(body, loops, placed, order);
    }
  }
}

uint32_t depth_weight(uint32_t depth) {
  uint32_t w = 1;
  for (uint32_t i = 0; i < depth && i < 5; ++i) w *= 10;
  return w;
}

// Adds [from, to] to a segment list kept sorted and merged.
void add_segment(std::vector<Segment>& segments, uint32_t from, uint32_t to) {
  segments.push_back({from, to});
}

void normalize(std::vector<Segment>& segments) {
  std::sort(segments.begin(), segments.end(),
            [](const Segment& a, const Segment& b) { return a.from < b.from; });
  size_t out = 0;
  for (const Segment& s : segments) {
    if (out > 0 && s.from <= segments[out - 1].to + 1) {
      segments[out - 1].to = std::max(segments[out - 1].to, s.to);
    } else {
      segments[out++] = s;
    }
  }
  segments.resize(out);
}

}  // namespace

bool ranges_intersect(const std::vector<Segment>& a, const std::vector<Segment>& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].to < b[j].from) {
      ++i;
    } else if (b[j].to < a[i].from) {
      ++j;
    } else {
      return true;
    }
  }
  return false;
}

bool is_call_like(InstKind kind) {
  return kind == InstKind::kCall || kind == InstKind::kCallIndirect ||
         kind == InstKind::kRuntimeCall;
}

Liveness compute_liveness(const Graph& graph) {
  Liveness live;
  DominatorTree dom(graph);
  std::vector<Loop> loops = find_loops(graph, dom);
  std::vector<bool> placed(graph.num_blocks(), false);
  place(dom.reverse_postorder(), loops, placed, live.order);

  size_t num_blocks = live.order.size();
  live.order_index.assign(graph.num_blocks(), kNoPosition);
  for (size_t i = 0; i < num_blocks; ++i)
    live.order_index[live.order[i].index] = static_cast<uint32_t>(i);
  live.loop_depth.assign(num_blocks, 0);
  live.loop_header.assign(num_blocks, false);
  for (const Loop& loop : loops) {
    uint32_t first = kNoPosition, last = 0, count = 0;
    for (size_t i = 0; i < num_blocks; ++i) {
      if (!loop.members[live.order[i].index]) continue;
      ++live.loop_depth[i];
      first = std::min(first, static_cast<uint32_t>(i));
      last = static_cast<uint32_t>(i);
      ++count;
    }
    live.loop_header[live.order_index[loop.header.index]] = true;
    if (last - first + 1 != count) ++live.non_contiguous_loops;
  }

  // Positions.
  live.inst_position.assign(graph.num_insts(), kNoPosition);
  live.block_start.resize(num_blocks);
  live.block_end.resize(num_blocks);
  // Two positions per block entry and instruction: 2k reads operands, 2k + 1 writes results (a
  // terminator's: the edge moves into its successors' parameters).
  uint32_t slot = 0;
  for (size_t i = 0; i < num_blocks; ++i) {
    live.block_start[i] = 2 * slot++;
    for (InstId id : graph.block(live.order[i]).insts) {
      if (graph.inst(id).dead) continue;
      live.inst_position[id.index] = 2 * slot;
      live.block_end[i] = 2 * slot++ + 1;
    }
  }
  live.num_positions = 2 * slot;

  // Live-in sets by backward dataflow to a fixpoint.
  size_t num_values = graph.num_values();
  std::vector<ValueSet> uses(num_blocks, ValueSet(num_values)),
      defs(num_blocks, ValueSet(num_values));
  for (size_t i = 0; i < num_blocks; ++i) {
    const Block& block = graph.block(live.order[i]);
    for (ValueId p : block.params) defs[i].add(p);
    for (InstId id : block.insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      for_each_use(inst, [&](ValueId v) {
        v = graph.resolve(v);
        if (!defs[i].has(v)) uses[i].add(v);
      });
      for (uint32_t r = 0; r < inst.num_results; ++r) defs[i].add(graph.result(id, r));
    }
  }
  std::vector<ValueSet> live_in(num_blocks, ValueSet(num_values)),
      live_out(num_blocks, ValueSet(num_values));
  ValueSet nothing(num_values);
  for (size_t i = 0; i < num_blocks; ++i) live_in[i].add_all_but(uses[i], nothing);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t k = num_blocks; k-- > 0;) {
      for (BlockId s : graph.successors(live.order[k])) {
        uint32_t si = live.order_index[s.index];
        if (si != kNoPosition) live_out[k].add_all_but(live_in[si], nothing);
      }
      changed |= live_in[k].add_all_but(live_out[k], defs[k]);
    }
  }

  // Ranges, their hulls and use weights. Within a block a value is live from the block entry
  // (live-in, or a parameter) or its definition, to the terminator (live-out) or its last use.
  live.intervals.assign(num_values, {});
  live.ranges.assign(num_values, {});
  live.weighted_uses.assign(num_values, 0);
  live.live_across.assign(graph.num_insts(), {});
  std::vector<uint32_t> seg_from(num_values, kNoPosition), seg_to(num_values, 0);
  std::vector<ValueId> touched;
  for (size_t i = 0; i < num_blocks; ++i) {
    uint32_t start = live.block_start[i], end = live.block_end[i];
    uint32_t weight = depth_weight(live.loop_depth[i]);
    touched.clear();
    auto touch = [&](ValueId v, uint32_t at) {
      if (seg_from[v.index] == kNoPosition) {
        touched.push_back(v);
        seg_from[v.index] = at;
        seg_to[v.index] = at;
      }
      seg_from[v.index] = std::min(seg_from[v.index], at);
      seg_to[v.index] = std::max(seg_to[v.index], at);
    };
    live_in[i].for_each([&](ValueId v) { touch(v, start); });
    live_out[i].for_each([&](ValueId v) { touch(v, end); });
    const Block& block = graph.block(live.order[i]);
    for (ValueId p : block.params) {
      touch(p, start);
      live.weighted_uses[p.index] += weight;
      for (const Edge& edge : block.preds) {
        uint32_t at = live.inst_position[edge.inst.index];
        if (at != kNoPosition) add_segment(live.ranges[p.index], at + 1, at + 1);
      }
    }
    for (InstId id : block.insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      uint32_t at = live.inst_position[id.index];
      for_each_use(inst, [&](ValueId v) {
        v = graph.resolve(v);
        touch(v, at);
        live.weighted_uses[v.index] += weight;
      });
      for (uint32_t r = 0; r < inst.num_results; ++r) {
        ValueId v = graph.result(id, r);
        touch(v, at + 1);
        live.weighted_uses[v.index] += weight;
      }
    }
    for (ValueId v : touched) {
      add_segment(live.ranges[v.index], seg_from[v.index], seg_to[v.index]);
      seg_from[v.index] = kNoPosition;
    }
    // What survives each call: walk the block backwards from its live-out set.
    ValueSet now(num_values);
    now.add_all_but(live_out[i], nothing);
    for (size_t k = block.insts.size(); k-- > 0;) {
      InstId id = block.insts[k];
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      for (uint32_t r = 0; r < inst.num_results; ++r) now.remove(graph.result(id, r));
      if (is_call_like(inst.kind))
        now.for_each([&](ValueId v) { live.live_across[id.index].push_back(v); });
      for_each_use(inst, [&](ValueId v) { now.add(graph.resolve(v)); });
    }
  }
  for (size_t v = 0; v < num_values; ++v) {
    normalize(live.ranges[v]);
    for (const Segment& seg : live.ranges[v]) {
      live.intervals[v].cover(seg.from);
      live.intervals[v].cover(seg.to);
    }
  }
  return live;
}

}  // namespace keel::jit::opt
