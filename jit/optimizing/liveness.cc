#include "jit/optimizing/liveness.h"

#include <algorithm>

#include "jit/optimizing/dominators.h"
#include "jit/optimizing/loops.h"

namespace keel::jit::opt {

namespace {

// A set of values with constant-time add, remove and clear, iterated in no particular order
// (Briggs and Torczon's sparse set): one per function, reused by every block.
class SparseValueSet {
 public:
  explicit SparseValueSet(size_t n) : where_(n, 0) {}
  bool has(ValueId v) const {
    uint32_t at = where_[v.index];
    return at < members_.size() && members_[at] == v;
  }
  void add(ValueId v) {
    if (has(v)) return;
    where_[v.index] = static_cast<uint32_t>(members_.size());
    members_.push_back(v);
  }
  void remove(ValueId v) {
    if (!has(v)) return;
    ValueId last = members_.back();
    where_[last.index] = where_[v.index];
    members_[where_[v.index]] = last;
    members_.pop_back();
  }
  void clear() { members_.clear(); }
  const std::vector<ValueId>& values() const { return members_; }

 private:
  std::vector<uint32_t> where_;
  std::vector<ValueId> members_;
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

// Sorts a value's segments and merges those that overlap or touch; returns the new count.
size_t normalize(std::span<Segment> segments) {
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
  return out;
}

}  // namespace

bool ranges_intersect(std::span<const Segment> a, std::span<const Segment> b) {
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
  // An OSR entry's graph enters its loop nest in the middle, so the nest is one natural loop:
  // the wasm loops it was built from say better how often each block runs.
  if (graph.osr_entry) {
    for (size_t i = 0; i < num_blocks; ++i)
      live.loop_depth[i] = std::max(live.loop_depth[i], graph.block(live.order[i]).wasm_loop_depth);
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

  // Live-in and live-out sets, one value at a time: from each block that uses a value (other
  // than its defining block), walk predecessors backwards until the definition (Appel's and
  // Boissinot et al.'s path exploration for SSA). The work is the size of the sets it makes;
  // the bit-vector fixpoint it replaces cost blocks x values per round, quadratic on the large
  // functions of real programs in time and memory.
  size_t num_values = graph.num_values();
  std::vector<uint32_t> def_block(num_values, kNoPosition);
  std::vector<uint32_t> use_begin(num_values + 1, 0);
  for (size_t i = 0; i < num_blocks; ++i) {
    const Block& block = graph.block(live.order[i]);
    for (ValueId p : block.params) def_block[p.index] = static_cast<uint32_t>(i);
    for (InstId id : block.insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      for_each_use(inst, [&](ValueId v) { ++use_begin[graph.resolve(v).index + 1]; });
      for (uint32_t r = 0; r < inst.num_results; ++r)
        def_block[graph.result(id, r).index] = static_cast<uint32_t>(i);
    }
  }
  for (size_t v = 0; v < num_values; ++v) use_begin[v + 1] += use_begin[v];
  std::vector<uint32_t> use_block(use_begin[num_values]);
  {
    std::vector<uint32_t> fill(use_begin.begin(), use_begin.end() - 1);
    for (size_t i = 0; i < num_blocks; ++i)
      for (InstId id : graph.block(live.order[i]).insts)
        if (!graph.inst(id).dead)
          for_each_use(graph.inst(id), [&](ValueId v) {
            use_block[fill[graph.resolve(v).index]++] = static_cast<uint32_t>(i);
          });
  }
  // Predecessors by order index, as offsets into one array; an edge repeated (a br_table's
  // cases) is listed once.
  std::vector<uint32_t> pred_begin(num_blocks + 1, 0), preds;
  {
    std::vector<uint32_t> last_pred(num_blocks, kNoPosition);
    for (size_t i = 0; i < num_blocks; ++i) {
      for (const Edge& e : graph.block(live.order[i]).preds) {
        uint32_t pi = live.order_index[graph.inst(e.inst).block.index];
        if (pi == kNoPosition || last_pred[pi] == i) continue;
        last_pred[pi] = static_cast<uint32_t>(i);
        preds.push_back(pi);
      }
      pred_begin[i + 1] = static_cast<uint32_t>(preds.size());
    }
  }
  // Found value by value; grouped by block below.
  struct BlockValue {
    uint32_t block;
    ValueId value;
  };
  std::vector<BlockValue> found_in, found_out;
  std::vector<uint32_t> in_mark(num_blocks, kNoPosition), out_mark(num_blocks, kNoPosition);
  std::vector<uint32_t> work;
  for (uint32_t v = 0; v < num_values; ++v) {
    uint32_t def = def_block[v];
    if (def == kNoPosition) continue;
    for (uint32_t u = use_begin[v]; u < use_begin[v + 1]; ++u) {
      uint32_t at = use_block[u];
      if (at == def || in_mark[at] == v) continue;
      in_mark[at] = v;
      found_in.push_back({at, ValueId(v)});
      work.push_back(at);
      while (!work.empty()) {
        uint32_t b = work.back();
        work.pop_back();
        for (uint32_t k = pred_begin[b]; k < pred_begin[b + 1]; ++k) {
          uint32_t p = preds[k];
          if (out_mark[p] != v) {
            out_mark[p] = v;
            found_out.push_back({p, ValueId(v)});
          }
          if (p == def || in_mark[p] == v) continue;
          in_mark[p] = v;
          found_in.push_back({p, ValueId(v)});
          work.push_back(p);
        }
      }
    }
  }

  // Live-in and live-out sets by order index, as offsets into one array each.
  auto by_block = [&](const std::vector<BlockValue>& found, std::vector<uint32_t>& begin,
                      std::vector<ValueId>& values) {
    begin.assign(num_blocks + 1, 0);
    for (const BlockValue& f : found) ++begin[f.block + 1];
    for (size_t i = 0; i < num_blocks; ++i) begin[i + 1] += begin[i];
    values.resize(found.size());
    std::vector<uint32_t> fill(begin.begin(), begin.end() - 1);
    for (const BlockValue& f : found) values[fill[f.block]++] = f.value;
  };
  std::vector<uint32_t> in_begin, out_begin;
  std::vector<ValueId> live_in, live_out;
  by_block(found_in, in_begin, live_in);
  by_block(found_out, out_begin, live_out);
  auto live_in_of = [&](size_t i) {
    return std::span<const ValueId>(live_in.data() + in_begin[i], live_in.data() + in_begin[i + 1]);
  };
  auto live_out_of = [&](size_t i) {
    return std::span<const ValueId>(live_out.data() + out_begin[i],
                                    live_out.data() + out_begin[i + 1]);
  };

  // Ranges, their hulls and use weights. Within a block a value is live from the block entry
  // (live-in, or a parameter) or its definition, to the terminator (live-out) or its last use.
  live.intervals.assign(num_values, {});
  // Segments as (value, segment) pairs in block order, grouped by value at the end.
  struct OwnedSegment {
    uint32_t value;
    Segment segment;
  };
  std::vector<OwnedSegment> found;
  live.weighted_uses.assign(num_values, 0);
  live.live_across.assign(graph.num_insts(), {});
  std::vector<uint32_t> seg_from(num_values, kNoPosition), seg_to(num_values, 0);
  SparseValueSet now(num_values);
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
    for (ValueId v : live_in_of(i)) touch(v, start);
    for (ValueId v : live_out_of(i)) touch(v, end);
    const Block& block = graph.block(live.order[i]);
    for (ValueId p : block.params) {
      touch(p, start);
      live.weighted_uses[p.index] += weight;
      for (const Edge& edge : block.preds) {
        uint32_t at = live.inst_position[edge.inst.index];
        if (at != kNoPosition) found.push_back({p.index, {at + 1, at + 1}});
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
      found.push_back({v.index, {seg_from[v.index], seg_to[v.index]}});
      seg_from[v.index] = kNoPosition;
    }
    // What survives each call: walk the block backwards from its live-out set.
    bool has_call = false;
    for (InstId id : block.insts)
      has_call |= !graph.inst(id).dead && is_call_like(graph.inst(id).kind);
    if (!has_call) continue;
    now.clear();
    for (ValueId v : live_out_of(i)) now.add(v);
    for (size_t k = block.insts.size(); k-- > 0;) {
      InstId id = block.insts[k];
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      for (uint32_t r = 0; r < inst.num_results; ++r) now.remove(graph.result(id, r));
      if (is_call_like(inst.kind)) live.live_across[id.index] = now.values();
      for_each_use(inst, [&](ValueId v) { now.add(graph.resolve(v)); });
    }
  }
  live.range_begin.assign(num_values + 1, 0);
  for (const OwnedSegment& s : found) ++live.range_begin[s.value + 1];
  for (size_t v = 0; v < num_values; ++v) live.range_begin[v + 1] += live.range_begin[v];
  live.segments.resize(found.size());
  {
    std::vector<uint32_t> fill(live.range_begin.begin(), live.range_begin.end() - 1);
    for (const OwnedSegment& s : found) live.segments[fill[s.value]++] = s.segment;
  }
  // Merge each value's segments in place, then close the gaps the merging left.
  uint32_t kept = 0;
  for (size_t v = 0; v < num_values; ++v) {
    uint32_t begin = live.range_begin[v], end = live.range_begin[v + 1];
    size_t count = normalize(std::span<Segment>(live.segments.data() + begin, end - begin));
    live.range_begin[v] = kept;
    for (size_t k = 0; k < count; ++k) {
      const Segment& seg = live.segments[begin + k];
      live.intervals[v].cover(seg.from);
      live.intervals[v].cover(seg.to);
      live.segments[kept++] = seg;
    }
  }
  live.range_begin[num_values] = kept;
  live.segments.resize(kept);
  return live;
}

}  // namespace keel::jit::opt
