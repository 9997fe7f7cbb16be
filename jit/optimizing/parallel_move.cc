#include "jit/optimizing/parallel_move.h"

namespace keel::jit::opt {

namespace {

// Whether `a` and `b`, accessed as `a_kind` and `b_kind`, are the same place. A frame slot is one
// place whichever class reads or writes it (the allocator reuses a slot for values of either
// class); a register is only the same one in its own class.
bool same_place(const Location& a, RegKind a_kind, const Location& b, RegKind b_kind) {
  if (a.kind != b.kind) return false;
  if (a.kind == Location::kStack) return a.slot == b.slot;
  return a.kind == Location::kReg && a.reg == b.reg && a_kind == b_kind;
}

}  // namespace

std::vector<Move> sequentialize(std::vector<Move> moves, const Location (&temp)[2]) {
  std::vector<Move> out;
  std::vector<Move> pending;
  for (const Move& m : moves)
    if (!(m.src == m.dst)) pending.push_back(m);
  auto is_read = [&](const Location& loc, RegKind kind, size_t except) {
    for (size_t i = 0; i < pending.size(); ++i)
      if (i != except && same_place(pending[i].src, pending[i].kind, loc, kind)) return true;
    return false;
  };
  while (!pending.empty()) {
    bool progressed = false;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (is_read(pending[i].dst, pending[i].kind, i)) continue;
      out.push_back(pending[i]);
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      progressed = true;
      break;
    }
    if (progressed) continue;
    // Every pending move is on a cycle: park one destination's current value in the temporary
    // and let its readers take it from there, which frees that destination. The value is parked
    // as its readers see it (a slot may be written as one class and read as the other).
    const Move& m = pending.front();
    Location parked = m.dst;
    RegKind writer = m.kind;
    RegKind kind = m.kind;
    ValType type = m.type;
    for (const Move& other : pending) {
      if (same_place(other.src, other.kind, parked, writer)) {
        kind = other.kind;
        type = other.type;
      }
    }
    Location t = temp[static_cast<int>(kind)];
    out.push_back({parked, t, kind, type});
    for (Move& other : pending)
      if (same_place(other.src, other.kind, parked, writer)) other.src = t;
  }
  return out;
}

}  // namespace keel::jit::opt
