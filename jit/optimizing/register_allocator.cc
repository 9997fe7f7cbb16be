#include "jit/optimizing/register_allocator.h"

#include <algorithm>
#include <span>

namespace keel::jit::opt {

namespace {

struct Active {
  ValueId value;
  uint32_t end;
};

// Frame slots, reused once the value holding one is dead: slot lifetimes follow intervals too.
class SlotPool {
 public:
  int32_t take(ValType type, uint32_t start) {
    release_until(start);
    int32_t size = type == ValType::kV128 ? 16 : 8;
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].size != size) continue;
      int32_t slot = free_[i].slot;
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      return slot;
    }
    bytes_ = (bytes_ + size + size - 1) & ~(size - 1);
    // Slots start below the saved context at [rbp - 8].
    return -(8 + bytes_);
  }
  void hold(int32_t slot, ValType type, uint32_t end) {
    held_.push_back({slot, type == ValType::kV128 ? 16 : 8, end});
  }
  int32_t bytes() const { return bytes_; }

 private:
  struct Slot {
    int32_t slot;
    int32_t size;
    uint32_t end = 0;
  };
  void release_until(uint32_t start) {
    for (size_t i = 0; i < held_.size();) {
      if (held_[i].end < start) {
        free_.push_back(held_[i]);
        held_[i] = held_.back();
        held_.pop_back();
      } else {
        ++i;
      }
    }
  }
  std::vector<Slot> held_, free_;
  int32_t bytes_ = 0;
};

}  // namespace

Allocation allocate_registers(const Graph& graph, const Liveness& liveness) {
  Allocation out;
  size_t n = graph.num_values();
  out.locations.assign(n, {});
  out.save_slot.assign(n, 0);
  std::vector<ValueId> sorted;
  for (uint32_t v = 0; v < n; ++v)
    if (!liveness.intervals[v].empty()) sorted.push_back(ValueId(v));
  std::stable_sort(sorted.begin(), sorted.end(), [&](ValueId a, ValueId b) {
    return liveness.intervals[a.index].start < liveness.intervals[b.index].start;
  });
  auto weight = [&](ValueId v) {
    const Interval& i = liveness.intervals[v.index];
    return static_cast<double>(liveness.weighted_uses[v.index]) / (i.end - i.start + 1);
  };

  std::vector<bool> crosses_call(n, false);
  for (const std::vector<ValueId>& across : liveness.live_across)
    for (ValueId v : across) crosses_call[v.index] = true;

  for (RegKind kind : {RegKind::kGp, RegKind::kXmm}) {
    std::span<const uint8_t> regs = kind == RegKind::kGp
                                        ? std::span<const uint8_t>(kAllocatableGp)
                                        : std::span<const uint8_t>(kAllocatableXmm);
    std::vector<uint8_t> free(regs.rbegin(), regs.rend());  // pop_back takes the first listed
    std::vector<Active> active;
    for (ValueId v : sorted) {
      if (reg_kind(graph.type_of(v)) != kind) continue;
      const Interval& interval = liveness.intervals[v.index];
      // Expire intervals that ended before this one starts.
      for (size_t i = 0; i < active.size();) {
        if (active[i].end < interval.start) {
          free.push_back(out.locations[active[i].value.index].reg);
          active[i] = active.back();
          active.pop_back();
        } else {
          ++i;
        }
      }
      ++out.allocated_values;
      if (!free.empty()) {
        out.locations[v.index] = {Location::kReg, free.back(), 0};
        free.pop_back();
        active.push_back({v, interval.end});
        continue;
      }
      // No register: spill the cheapest of the active intervals and this one.
      size_t cheapest = active.size();
      double cheapest_weight = weight(v);
      for (size_t i = 0; i < active.size(); ++i) {
        double w = weight(active[i].value);
        if (w < cheapest_weight) cheapest = i, cheapest_weight = w;
      }
      ++out.spilled_values;
      if (cheapest == active.size()) {
        out.locations[v.index] = {Location::kStack, 0, 0};
        continue;
      }
      ValueId victim = active[cheapest].value;
      out.locations[v.index] = {Location::kReg, out.locations[victim.index].reg, 0};
      out.locations[victim.index] = {Location::kStack, 0, 0};
      active[cheapest] = {v, interval.end};
    }
  }

  // Frame slots for spilled values and for register values saved around calls.
  SlotPool slots;
  for (ValueId v : sorted) {
    Location& loc = out.locations[v.index];
    bool needs_slot = loc.kind == Location::kStack || crosses_call[v.index];
    if (!needs_slot) continue;
    const Interval& interval = liveness.intervals[v.index];
    int32_t slot = slots.take(graph.type_of(v), interval.start);
    slots.hold(slot, graph.type_of(v), interval.end);
    if (loc.kind == Location::kStack) {
      loc.slot = slot;
    } else {
      out.save_slot[v.index] = slot;
      ++out.call_saved_values;
    }
  }
  out.frame_slots_bytes = slots.bytes();
  return out;
}

}  // namespace keel::jit::opt
