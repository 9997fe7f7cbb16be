#include "jit/optimizing/parallel_move.h"

namespace keel::jit::opt {

namespace {

bool same_place(const Move& a, const Location& b, RegKind kind) {
  return a.kind == kind && a.src == b;
}

}  // namespace

std::vector<Move> sequentialize(std::vector<Move> moves, const Location (&temp)[2]) {
  std::vector<Move> out;
  std::vector<Move> pending;
  for (const Move& m : moves)
    if (!(m.src == m.dst)) pending.push_back(m);
  auto is_read = [&](const Location& loc, RegKind kind, size_t except) {
    for (size_t i = 0; i < pending.size(); ++i)
      if (i != except && same_place(pending[i], loc, kind)) return true;
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
    // and let its readers take it from there, which frees that destination.
    Move& m = pending.front();
    Location t = temp[static_cast<int>(m.kind)];
    Location parked = m.dst;
    RegKind kind = m.kind;
    ValType type = m.type;
    for (const Move& other : pending)
      if (same_place(other, parked, kind)) type = other.type;  // the parked value's own type
    out.push_back({parked, t, kind, type});
    for (Move& other : pending)
      if (same_place(other, parked, kind)) other.src = t;
  }
  return out;
}

}  // namespace keel::jit::opt
