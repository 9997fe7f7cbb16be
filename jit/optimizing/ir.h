// Tier 2's intermediate representation: a control-flow graph of basic blocks in SSA form, with
// block parameters instead of phis (Cranelift style). Values, instructions and blocks live in
// arenas indexed by 32-bit ids so passes, the register allocator and the emitter can keep side
// tables as plain vectors. Pure wasm numeric and SIMD instructions are one kind, kWasm, that
// carries the wasm Op: their names, immediates and signatures come from opcodes.def.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/small_vector.h"
#include "ir/opcodes.h"
#include "ir/types.h"
#include "runtime/vm_abi.h"

namespace keel::jit::opt {

using vm::TrapCode;

template <class Tag>
struct Id {
  static constexpr uint32_t kInvalidIndex = UINT32_MAX;
  uint32_t index = kInvalidIndex;

  constexpr Id() = default;
  constexpr explicit Id(uint32_t i) : index(i) {}
  constexpr bool valid() const { return index != kInvalidIndex; }
  constexpr auto operator<=>(const Id&) const = default;
};

struct ValueTag;
struct InstTag;
struct BlockTag;
using ValueId = Id<ValueTag>;
using InstId = Id<InstTag>;
using BlockId = Id<BlockTag>;

enum class InstKind : uint8_t {
  kConst,         // type, imm[0] (and imm[1] for v128): the value's bits
  kWasm,          // op: non-polymorphic, no immediate but a lane (imm[1]) or shuffle (imm)
  kSelect,        // operands: condition, if-true, if-false
  kMulHigh,       // type: i32 or i64; operands: two of that type; index: 1 signed, 0 unsigned;
                  // the high half of their double-width product. Wasm has no such instruction;
                  // strength reduction divides by constants with it.
  kRefNull,       // type: funcref or externref
  kRefFunc,       // index: function; call_signature: its type, or kUnknownSignature
  kRefIsNull,     // operand: a reference
  kLoad,          // op: the wasm load or atomic; index: memory; imm[0]: offset; operands:
                  // address [, vector for load-lane (lane in imm[1]), atomic operands]
  kStore,         // like kLoad, no result; operands: address, value (the vector for store-lane)
  kGlobalGet,     // index: global; type
  kOsrValue,      // index: the value's place k in the OSR buffer (16 * k bytes into
                  // VMContext::osr_buffer); type. Only in an OSR entry's entry block.
  kGlobalSet,     // index: global; operand: value
  kTableGet,      // index: table; operand: element index
  kTableSet,      // index: table; operands: element index, reference
  kTableSize,     // index: table
  kMemorySize,    // index: memory
  kRuntimeCall,   // op: the wasm instruction a runtime function implements (memory.grow, bulk ops);
                  // index, index2: its immediates in binary order (memory.init: data, memory;
                  // table.init: elem, table; memory.copy, table.copy: destination, source);
                  // operands: its wasm operands
  kCall,          // index: function; signature: call_signature
  kCallIndirect,  // index: type, index2: table; operands: arguments then callee element index
  kTrapIf,        // operand: condition; trap_code: raised when the condition is non-zero
  // Terminators.
  kJump,    // targets[0]
  kBranch,  // operand: condition; targets[0] when non-zero, targets[1] when zero
  kSwitch,  // operand: index; targets[0..n-1] by index, targets[n] the default
  kReturn,  // operands: the function's results
  kTrap,    // trap_code
};

constexpr bool is_terminator(InstKind kind) {
  return kind >= InstKind::kJump;
}

// What an instruction does besides computing its results. Passes may only remove, reorder or
// merge instructions whose effects allow it; a pass that proves a trap impossible clears it.
struct Effects {
  enum Bit : uint16_t {
    kReadsMemory = 1 << 0,
    kWritesMemory = 1 << 1,
    kReadsGlobal = 1 << 2,
    kWritesGlobal = 1 << 3,
    kReadsTable = 1 << 4,
    kWritesTable = 1 << 5,
    kCall = 1 << 6,     // anything can happen: calls may read and write all of the above
    kControl = 1 << 7,  // a terminator
  };
  uint16_t bits = 0;
  uint32_t traps = 0;  // a set of TrapCode: bit (1 << code)

  static constexpr uint32_t trap_bit(TrapCode code) { return 1u << static_cast<uint32_t>(code); }
  bool has(Bit bit) const { return (bits & bit) != 0; }
  bool may_trap() const { return traps != 0; }
  bool is_pure() const { return bits == 0 && traps == 0; }
  // Removable when nothing needs its results: it only reads state and cannot trap.
  bool removable_if_unused() const {
    return traps == 0 && (bits & ~(kReadsMemory | kReadsGlobal | kReadsTable)) == 0;
  }
};

// The traps a kWasm instruction may raise (integer division, float-to-integer truncation).
uint32_t wasm_op_traps(Op op);

// Operands and edge arguments: nearly always three or fewer, kept inside the instruction.
using ValueList = SmallVector<ValueId, 3>;

// One outgoing edge of a terminator: the target and the values bound to its parameters.
struct BlockCall {
  BlockId block;
  ValueList args;
};

struct Inst {
  InstKind kind = InstKind::kConst;
  bool dead = false;  // removed; the id stays allocated
  Op op = Op::kInvalid;
  ValType type = ValType::kBottom;  // type of a single result, kBottom without one
  TrapCode trap_code = TrapCode::kNone;
  uint32_t index = 0;
  uint32_t index2 = 0;
  uint32_t call_signature = 0;  // into Graph::signatures()
  uint64_t imm[2] = {0, 0};     // constant bits; memory offset; lane index in imm[1]
  // Byte offset in the module of the wasm instruction this came from (0: unknown), for the
  // source map at calls and trap sites. The graph builder fills it.
  uint32_t module_offset = 0;
  Effects effects;
  BlockId block;
  ValueId first_result;
  uint32_t num_results = 0;
  ValueList operands;
  std::vector<BlockCall> targets;
};

struct Value {
  ValType type = ValType::kBottom;
  bool is_param = false;
  BlockId block;       // a parameter's block
  InstId inst;         // a result's instruction
  uint32_t index = 0;  // position among the block's parameters or the instruction's results
  ValueId alias;       // set when a pass replaced this value by another
};

// An incoming edge: targets[slot] of the terminator `inst`.
struct Edge {
  InstId inst;
  uint32_t slot = 0;
  bool operator==(const Edge&) const = default;
};

inline constexpr uint32_t kUnknownSignature = UINT32_MAX;

struct Block {
  bool removed = false;
  // How many wasm loops enclosed the code this block was built from (the graph builder's; 0 for
  // blocks passes make). In an OSR entry's graph, entered in the middle of a loop nest, the
  // natural loops merge into one and say less about where code runs often (Graph::osr_entry).
  uint32_t wasm_loop_depth = 0;
  std::vector<ValueId> params;
  std::vector<InstId> insts;   // in order; the last one is the terminator
  SmallVector<Edge, 2> preds;  // kept up to date by append() and rebuild_predecessors()
};

class Graph {
 public:
  // Creates the entry block, whose parameters are the function's parameters.
  explicit Graph(FuncType signature);

  const FuncType& signature() const { return signature_; }
  BlockId entry() const { return BlockId(0); }
  // The entry is an OSR entry into a loop (graph_builder.h, GraphBuildOptions::osr_loop).
  bool osr_entry = false;

  // Room for this many instructions, values and blocks before the arrays grow.
  void reserve(size_t insts, size_t values, size_t blocks) {
    insts_.reserve(insts);
    values_.reserve(values);
    blocks_.reserve(blocks);
  }

  BlockId create_block();
  // The same, laid out just before `next`. The back end orders blocks itself (liveness.h), so
  // this only makes a block a pass puts in front of another (a loop preheader) print there.
  BlockId create_block_before(BlockId next);
  ValueId add_block_param(BlockId block, ValType type);
  // Removes parameter `position` and the matching argument of every incoming edge.
  void remove_block_param(BlockId block, uint32_t position);

  uint32_t add_signature(FuncType type);
  const FuncType& call_signature(uint32_t id) const { return signatures_[id]; }

  // Appends `inst` to `block` (or inserts it at `position`) and makes its results. A
  // single-result instruction takes inst.type; a call takes its signature's results.
  InstId append(BlockId block, Inst inst);
  InstId insert(BlockId block, size_t position, Inst inst);

  Inst& inst(InstId id) { return insts_[id.index]; }
  const Inst& inst(InstId id) const { return insts_[id.index]; }
  Block& block(BlockId id) { return blocks_[id.index]; }
  const Block& block(BlockId id) const { return blocks_[id.index]; }
  const Value& value(ValueId id) const { return values_[id.index]; }
  ValType type_of(ValueId id) const { return values_[id.index].type; }
  ValueId result(InstId id, uint32_t i = 0) const {
    return ValueId(insts_[id.index].first_result.index + i);
  }

  size_t num_values() const { return values_.size(); }
  size_t num_insts() const { return insts_.size(); }
  size_t num_blocks() const { return blocks_.size(); }
  // Blocks in layout order, the entry first; removed blocks are not in it.
  const std::vector<BlockId>& layout() const { return layout_; }

  // The terminator of a block, or an invalid id while the block is open.
  InstId terminator(BlockId block) const;
  std::vector<BlockId> successors(BlockId block) const;
  std::vector<BlockId> predecessor_blocks(BlockId block) const;

  // Replacing values: `from` becomes an alias of `to`; resolve_aliases() rewrites every use.
  void make_alias(ValueId from, ValueId to);
  ValueId resolve(ValueId id) const;
  void resolve_aliases();

  void kill(InstId id);  // marks dead; remove_dead_insts() drops it from its block
  void remove_dead_insts();
  // Drops blocks the entry cannot reach, then rebuilds predecessor lists.
  bool remove_unreachable_blocks();
  void rebuild_predecessors();
  // When `block` ends in a jump to a block that has no other incoming edge (and is not the
  // entry), appends that block's instructions to `block`, binding its parameters to the jump's
  // arguments (as aliases), and removes it. Returns whether it did.
  bool merge_with_successor(BlockId block);

  // For each value, how many live instructions (operands and edge arguments) use it.
  std::vector<uint32_t> use_counts() const;
  // For each value, the live instructions that use it, once per use, in layout order: the
  // use lists the register allocator and the backend start from.
  std::vector<std::vector<InstId>> users() const;

 private:
  void register_edges(InstId id);

  FuncType signature_;
  std::vector<FuncType> signatures_;
  std::vector<Value> values_;
  std::vector<Inst> insts_;
  std::vector<Block> blocks_;
  std::vector<BlockId> layout_;
};

// Calls fn(ValueId&) for every operand and edge argument of an instruction.
template <class Fn>
void for_each_use(Inst& inst, Fn&& fn) {
  for (ValueId& v : inst.operands) fn(v);
  for (BlockCall& call : inst.targets)
    for (ValueId& v : call.args) fn(v);
}
template <class Fn>
void for_each_use(const Inst& inst, Fn&& fn) {
  for (const ValueId& v : inst.operands) fn(v);
  for (const BlockCall& call : inst.targets)
    for (const ValueId& v : call.args) fn(v);
}

// The effects an instruction of this shape has before any pass refines them.
Effects default_effects(const Inst& inst);

}  // namespace keel::jit::opt
