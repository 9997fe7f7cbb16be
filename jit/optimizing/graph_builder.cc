#include "jit/optimizing/graph_builder.h"

#include <array>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/ssa_builder.h"
#include "validate/function_body_decoder.h"

namespace keel::jit::opt {
namespace {

// The decoder's consumer. Dead code (after br, return, unreachable, or inside a construct that
// began in dead code) has no current block: its hooks make nothing and its values stay invalid.
class GraphBuilder {
 public:
  using Value = ValueId;
  struct Control {
    bool dead = false;  // the construct began in dead code: nothing in it is reachable
    BlockId merge;      // where its end (and branches to a block, if or function) go
    BlockId header;     // loops: where branches to it go
    BlockId else_block;
    bool has_else = false;
    std::vector<ValueId> if_params;  // for an if without else: what its false edge carries
  };
  using Args = std::span<const ValueId>;
  using Results = std::span<ValueId>;

  GraphBuilder(const ValidationContext& ctx, uint32_t func_index, uint32_t osr_loop)
      : ctx_(ctx),
        module_(ctx.module),
        graph_(module_.function_type(func_index)),
        b_(graph_),
        ssa_(graph_),
        current_(graph_.entry()),
        osr_loop_(osr_loop) {
    // About one IR instruction and value per two bytes of body: growing the arrays instead
    // moved every instruction built so far a few times over.
    size_t body = module_.functions[func_index].body.size;
    graph_.reserve(body / 2, body / 2, body / 16);
  }

  // Where the instruction being decoded is: instructions get its module offset (source maps).
  void set_offset_source(std::function<uint32_t()> offset) { offset_ = std::move(offset); }
  // The decoder's operand stack, which enter_by_osr rebinds below the loop's parameters.
  struct OperandStack {
    std::function<size_t()> size;
    std::function<ValType(size_t)> type;
    std::function<ValueId&(size_t)> value;
  };
  void set_operand_stack(OperandStack stack) { stack_ = std::move(stack); }
  Graph take_graph() { return std::move(graph_); }
  const std::optional<std::string>& error() const { return error_; }
  void finish() {
    stamp_pending();
    if (osr_loop_ != kNoOsrLoop && !error_)
      error_ = "no loop at offset " + std::to_string(osr_loop_) + " to enter by OSR";
    ssa_.finish();
  }

  // --- hooks (function_body_decoder.h, "consumer payloads") -----------------------------------
  void start_function(uint32_t, std::span<const ValType> locals, Control& frame) {
    // OSR: the entry block waits for the loop; the body starts in a block nothing enters.
    BlockId start = graph_.entry();
    if (osr_loop_ != kNoOsrLoop) {
      start = graph_.create_block();
      ssa_.seal(start);
      graph_.osr_entry = true;
    }
    const std::vector<ValueId>& params = graph_.block(graph_.entry()).params;
    for (size_t i = 0; i < locals.size(); ++i) {
      Variable var = ssa_.declare_var(locals[i]);
      locals_.push_back(var);
      local_types_.push_back(locals[i]);
      if (i < params.size()) ssa_.def_var(var, start, params[i]);
    }
    frame.merge = make_block(graph_.signature().results);
    ssa_.seal(graph_.entry());
    enter(start);
  }

  void instr(Op op, const InstrImm& imm, Args args, ValueId* result) {
    if (!begin()) return;
    const OpInfo& info = op_info(op);
    ValueId made;
    switch (op) {
      case Op::kNop:
        return;
      case Op::kI32Const:
        made = b_.i32_const(imm.i32);
        break;
      case Op::kI64Const:
        made = b_.i64_const(imm.i64);
        break;
      case Op::kF32Const: {
        uint32_t bits;
        std::memcpy(&bits, &imm.f32, 4);
        made = b_.f32_const_bits(bits);
        break;
      }
      case Op::kF64Const: {
        uint64_t bits;
        std::memcpy(&bits, &imm.f64, 8);
        made = b_.f64_const_bits(bits);
        break;
      }
      case Op::kV128Const: {
        uint64_t half[2];
        std::memcpy(half, imm.bytes, 16);
        made = b_.v128_const(half[0], half[1]);
        break;
      }
      case Op::kI8x16Shuffle: {
        std::array<uint8_t, 16> lanes;
        std::memcpy(lanes.data(), imm.bytes, 16);
        made = b_.shuffle(args[0], args[1], lanes);
        break;
      }
      default:
        if (info.feature == Feature::kThreads) return unsupported(op);
        if (is_memarg(info.imm)) {
          made = memory_access(op, imm, args);
        } else if (args.size() == 1) {
          made = b_.wasm(op, {args[0]}, imm.lane);
        } else if (args.size() == 2) {
          made = b_.wasm(op, {args[0], args[1]}, imm.lane);
        } else if (args.size() == 3) {
          made = b_.wasm(op, {args[0], args[1], args[2]}, imm.lane);
        } else {
          return unsupported(op);
        }
        break;
    }
    if (result) *result = made;
  }

  void block(Op op, const BlockSig& sig, Args args, Results params, Control& frame) {
    if (!begin()) {
      if (op == Op::kLoop && pending_offset_ == osr_loop_ && !error_) {
        // Unreachable from the function's start, but entered by OSR.
        ++loop_depth_;
        frame.header = make_block(sig.params);
        enter_by_osr(sig, frame.header);
        enter(frame.header);
        const std::vector<ValueId>& header_params = graph_.block(frame.header).params;
        std::copy(header_params.begin(), header_params.end(), params.begin());
        return;
      }
      frame.dead = true;
      return;
    }
    switch (op) {
      case Op::kBlock:
        frame.merge = make_block(sig.results);
        break;
      case Op::kLoop: {
        ++loop_depth_;
        frame.header = make_block(sig.params);
        b_.jump(frame.header, {args.begin(), args.end()});
        if (pending_offset_ == osr_loop_) enter_by_osr(sig, frame.header);
        enter(frame.header);
        const std::vector<ValueId>& header_params = graph_.block(frame.header).params;
        std::copy(header_params.begin(), header_params.end(), params.begin());
        break;
      }
      case Op::kIf: {
        frame.merge = make_block(sig.results);
        BlockId then_block = new_block();
        frame.else_block = new_block();
        frame.if_params.assign(args.begin(), args.end() - 1);
        b_.branch(args.back(), then_block, {}, frame.else_block, {});
        ssa_.seal(then_block);
        ssa_.seal(frame.else_block);
        enter(then_block);
        break;
      }
      default:
        frame.dead = true;
        unsupported(op);
        break;
    }
  }

  void else_(const ControlFrame&, Control& frame, Args then_values, Results) {
    begin();
    if (frame.dead) return;
    frame.has_else = true;
    if (live()) b_.jump(frame.merge, {then_values.begin(), then_values.end()});
    enter(frame.else_block);
  }

  void end(const ControlFrame& info, Control& frame, Args values, Results after) {
    begin();
    if (frame.dead) return;
    if (info.kind == FrameKind::kLoop) {
      --loop_depth_;
      ssa_.seal(frame.header);
      return;  // the fall-through values are `after` already
    }
    if (live()) b_.jump(frame.merge, {values.begin(), values.end()});
    if (info.kind == FrameKind::kIf && !frame.has_else) {
      // An if without else passes its parameters through on the false edge.
      enter(frame.else_block);
      b_.jump(frame.merge, frame.if_params);
    }
    ssa_.seal(frame.merge);
    if (info.kind == FrameKind::kFunction) {
      enter(frame.merge);
      b_.ret(graph_.block(frame.merge).params);
      current_ = BlockId();
      return;
    }
    if (graph_.block(frame.merge).preds.empty()) {
      current_ = BlockId();  // every path into it branched elsewhere
      return;
    }
    enter(frame.merge);
    const std::vector<ValueId>& merged = graph_.block(frame.merge).params;
    std::copy(merged.begin(), merged.end(), after.begin());
  }

  void br(uint32_t, Control& target, Args values) {
    if (!begin()) return;
    b_.jump(target_of(target), {values.begin(), values.end()});
    current_ = BlockId();
  }

  void br_if(uint32_t, Control& target, Args args, Results) {
    if (!begin()) return;
    BlockId next = new_block();
    b_.branch(args.back(), target_of(target), {args.begin(), args.end() - 1}, next, {});
    ssa_.seal(next);
    enter(next);
  }

  void br_table(std::span<const uint32_t>, uint32_t, std::span<Control* const> targets, Args args) {
    if (!begin()) return;
    std::vector<ValueId> values(args.begin(), args.end() - 1);
    std::vector<BlockCall> cases;
    for (size_t i = 0; i + 1 < targets.size(); ++i)
      cases.push_back({target_of(*targets[i]), values});
    b_.switch_(args.back(), std::move(cases), {target_of(*targets.back()), values});
    current_ = BlockId();
  }

  void return_(Args values) {
    if (!begin()) return;
    b_.ret({values.begin(), values.end()});
    current_ = BlockId();
  }

  void unreachable() {
    if (!begin()) return;
    b_.trap(TrapCode::kUnreachable);
    current_ = BlockId();
  }

  void call(Op op, uint32_t func_index, Args args, Results results) {
    if (!begin()) return;
    if (op != Op::kCall) return unsupported(op);
    auto made = b_.call(func_index, module_.function_type(func_index), args);
    std::copy(made.begin(), made.end(), results.begin());
  }

  void call_indirect(Op op, uint32_t type_index, uint32_t table, Args args, Results results) {
    if (!begin()) return;
    if (op != Op::kCallIndirect) return unsupported(op);
    auto made = b_.call_indirect(type_index, table, module_.types[type_index],
                                 args.subspan(0, args.size() - 1), args.back());
    std::copy(made.begin(), made.end(), results.begin());
  }

  void drop(ValType, Args) {}

  void select(ValType, Args args, ValueId* result) {
    if (!begin()) return;
    *result = b_.select(args[2], args[0], args[1]);
  }

  void local(Op op, uint32_t index, ValType, Args args, ValueId* result) {
    if (!begin()) return;
    if (op == Op::kLocalGet) {
      *result = ssa_.use_var(locals_[index], current_);
      return;
    }
    ssa_.def_var(locals_[index], current_, args[0]);
    if (op == Op::kLocalTee) *result = args[0];
  }

  void global(Op op, uint32_t index, ValType type, Args args, ValueId* result) {
    if (!begin()) return;
    if (op == Op::kGlobalGet)
      *result = b_.global_get(index, type);
    else
      b_.global_set(index, args[0]);
  }

  // a, b: the instruction's immediates in binary order (table.init: elem, table).
  void table_op(Op op, uint32_t a, uint32_t b, Args args, ValueId* result) {
    if (!begin()) return;
    switch (op) {
      case Op::kTableGet:
        *result = b_.table_get(a, module_.tables[a].type.element, args[0]);
        return;
      case Op::kTableSet:
        b_.table_set(a, args[0], args[1]);
        return;
      case Op::kTableSize:
        *result = b_.table_size(a);
        return;
      default:
        runtime_call(op, a, b, args, result);
        return;
    }
  }

  void memory_op(Op op, uint32_t a, uint32_t b, Args args, ValueId* result) {
    if (!begin()) return;
    if (op == Op::kMemorySize) {
      *result = b_.memory_size(a);
      return;
    }
    runtime_call(op, a, b, args, result);
  }

  void ref_null(ValType type, ValueId* result) {
    if (begin()) *result = b_.ref_null(type);
  }
  void ref_is_null(Args args, ValueId* result) {
    if (begin()) *result = b_.ref_is_null(args[0]);
  }
  void ref_func(uint32_t func_index, ValueId* result) {
    if (begin()) *result = b_.ref_func(func_index, &module_.function_type(func_index));
  }

  void exception_op(Op op, uint32_t, Args, Results, Control*) {
    if (begin()) unsupported(op);
  }

 private:
  bool live() const { return current_.valid() && !error_; }

  // The OSR entry (the graph's entry block): every local, the values of enclosing blocks below
  // the loop on the operand stack, and the loop's parameters from the OSR buffer (in tier 1's
  // order: locals, then the stack from the bottom), then a jump to the loop's header. The values
  // below were made by code the entry skips, so their stack entries are bound to the new
  // definitions, which dominate everything the loop reaches.
  void enter_by_osr(const BlockSig& sig, BlockId header) {
    osr_loop_ = kNoOsrLoop;  // found
    size_t below = stack_.size ? stack_.size() - sig.params.size() : 0;
    for (size_t i = 0; i < below; ++i) {
      if (stack_.type(i) == ValType::kBottom) {
        error_ = "OSR into a loop below unreachable code's operand stack";
        return;
      }
    }
    b_.set_block(graph_.entry());
    uint32_t k = 0;
    for (size_t i = 0; i < locals_.size(); ++i)
      ssa_.def_var(locals_[i], graph_.entry(), b_.osr_value(k++, local_types_[i]));
    for (size_t i = 0; i < below; ++i) stack_.value(i) = b_.osr_value(k++, stack_.type(i));
    ValueList params;
    for (ValType t : sig.params) params.push_back(b_.osr_value(k++, t));
    b_.jump(header, std::move(params));
  }

  // Every hook starts here: what the previous instruction made gets its offset.
  bool begin() {
    stamp_pending();
    if (offset_) pending_offset_ = offset_();
    return live();
  }
  void stamp_pending() {
    for (size_t i = stamped_; i < graph_.num_insts(); ++i)
      graph_.inst(InstId(static_cast<uint32_t>(i))).module_offset = pending_offset_;
    stamped_ = graph_.num_insts();
  }

  void enter(BlockId block) {
    current_ = block;
    b_.set_block(block);
  }

  BlockId new_block() {
    BlockId block = graph_.create_block();
    graph_.block(block).wasm_loop_depth = loop_depth_;
    return block;
  }
  BlockId make_block(std::span<const ValType> params) {
    BlockId block = new_block();
    for (ValType t : params) graph_.add_block_param(block, t);
    return block;
  }

  // A branch to a loop continues it; to a block, an if or the function, it leaves them.
  static BlockId target_of(const Control& target) {
    return target.header.valid() ? target.header : target.merge;
  }

  ValueId memory_access(Op op, const InstrImm& imm, Args args) {
    const MemArgImm& m = imm.memarg;
    bool has_result = op_info(op).sig.num_results != 0;
    if (is_mem_lane(op_info(op).imm)) {
      if (has_result) return b_.load_lane(op, m.memory, m.offset, args[0], args[1], imm.lane);
      b_.store_lane(op, m.memory, m.offset, args[0], args[1], imm.lane);
      return ValueId();
    }
    if (has_result) return b_.load(op, m.memory, m.offset, args[0]);
    b_.store(op, m.memory, m.offset, args[0], args[1]);
    return ValueId();
  }

  // Of these only memory.grow and table.grow have a result: the old size, typed by the memory's
  // address type (tables are 32-bit until table64).
  void runtime_call(Op op, uint32_t a, uint32_t b, Args args, ValueId* result) {
    ValType type = !result                 ? ValType::kBottom
                   : op == Op::kMemoryGrow ? ctx_.address_type(a)
                                           : ValType::kI32;
    InstId id = b_.runtime_call(op, a, b, args, type);
    if (result) *result = graph_.result(id);
  }

  void unsupported(Op op) {
    if (!error_) error_ = "tier 2 does not compile " + std::string(op_text(op)) + " yet";
  }

  const ValidationContext& ctx_;
  const Module& module_;
  Graph graph_;
  Builder b_;
  SsaBuilder ssa_;
  BlockId current_;
  std::vector<Variable> locals_;
  std::vector<ValType> local_types_;
  std::optional<std::string> error_;
  std::function<uint32_t()> offset_;
  uint32_t pending_offset_ = 0;
  size_t stamped_ = 0;
  uint32_t osr_loop_;        // kNoOsrLoop once entered (or never asked for)
  uint32_t loop_depth_ = 0;  // wasm loops around the code being built (live ones)
  OperandStack stack_;
};

template <class Tag>
Result<Graph> decode_into_graph(const ValidationContext& ctx, uint32_t func_index,
                                uint32_t osr_loop) {
  GraphBuilder builder(ctx, func_index, osr_loop);
  FunctionBodyDecoder<GraphBuilder, Tag> decoder(ctx, builder);
  builder.set_offset_source([&] { return static_cast<uint32_t>(decoder.current_offset()); });
  builder.set_operand_stack({[&] { return decoder.operand_stack_size(); },
                             [&](size_t i) { return decoder.operand_stack_type(i); },
                             [&](size_t i) -> ValueId& { return decoder.operand_stack_value(i); }});
  if (!decoder.decode_function(func_index)) return decoder.take_error();
  if (builder.error())
    return make_error(ErrorKind::kUsage, *builder.error(), kNoOffset, func_index);
  builder.finish();
  Graph graph = builder.take_graph();
  graph.remove_unreachable_blocks();
  return graph;
}

}  // namespace

Result<Graph> build_graph(const ValidationContext& ctx, uint32_t func_index,
                          const GraphBuildOptions& options) {
  const Module& m = ctx.module;
  if (func_index >= m.functions.size() || m.functions[func_index].imported)
    return make_error(ErrorKind::kUsage, "not a defined function", kNoOffset, func_index);
  if (options.validated)
    return decode_into_graph<NoValidationTag>(ctx, func_index, options.osr_loop);
  return decode_into_graph<FullValidationTag>(ctx, func_index, options.osr_loop);
}

}  // namespace keel::jit::opt
