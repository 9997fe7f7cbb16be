// The 16-byte constants of one function (SIMD masks, splats, v128.const), placed after its code
// and loaded RIP-relative: one load instead of the two to five instructions that build a constant
// from immediates, which matters inside loops. Still position independent, so code can be copied.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <vector>

namespace keel::jit {

class ConstantPool {
 public:
  // The label of a 16-byte constant (`lo` is bytes 0-7), shared by equal constants.
  asmjit::Label label_for(asmjit::x86::Assembler& a, uint64_t lo, uint64_t hi) {
    for (const Entry& e : entries_)
      if (e.lo == lo && e.hi == hi) return e.label;
    entries_.push_back({lo, hi, a.newLabel()});
    return entries_.back().label;
  }
  // Emits the constants (16-aligned, so no load splits a cache line) and forgets them.
  void emit(asmjit::x86::Assembler& a) {
    if (entries_.empty()) return;
    a.align(asmjit::AlignMode::kData, 16);
    for (const Entry& e : entries_) {
      a.bind(e.label);
      const uint64_t bytes[2] = {e.lo, e.hi};
      a.embed(bytes, sizeof bytes);
    }
    entries_.clear();
  }
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    uint64_t lo, hi;
    asmjit::Label label;
  };
  std::vector<Entry> entries_;
};

}  // namespace keel::jit
