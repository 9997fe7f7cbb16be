// The one function-body decoding loop. It decodes each instruction, validates it with the spec's
// algorithm (operand stack, control stack, polymorphic stack after unreachable/br/return), and
// hands it to a consumer (`Interface`) with its decoded immediates and types. The validator uses
// NullInterface; the baseline compiler plugs in an emitting interface, so decoding, validation and
// code generation are one pass over the bytes.
//
// The same loop, in constant-expression mode, validates global initialisers and segment offsets.
//
// Validation is a compile-time mode (the second template argument): FullValidationTag checks
// everything; NoValidationTag is for bodies that already passed it (every body of a module from
// load_module), and keeps only the decoding a consumer needs (see the tags below).
//
// A consumer may keep its own data on the decoder's stacks (see "Consumer payloads" below), so a
// compiler that builds values (an SSA graph builder) needs no second operand or control stack.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "base/reader.h"
#include "decode/immediates.h"
#include "ir/module.h"
#include "ir/opcodes.h"
#include "validate/validation_context.h"

namespace keel {

// A block's signature: parameters and results, pointing into the module's types or a static
// one-element array for a single value type.
struct BlockSig {
  std::span<const ValType> params;
  std::span<const ValType> results;
};

enum class FrameKind : uint8_t { kFunction, kBlock, kLoop, kIf, kElse, kTry, kCatch, kCatchAll };

struct ControlFrame {
  FrameKind kind;
  bool unreachable;
  uint32_t height;  // operand stack height at entry, parameters excluded
  BlockSig sig;

  std::span<const ValType> label_types() const {
    return kind == FrameKind::kLoop ? sig.params : sig.results;
  }
};

// Immediates of instructions whose typing the table fully describes (numeric, memory, lane,
// constant and SIMD instructions), passed to Interface::instr.
struct InstrImm {
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t lane;
  };
  MemArgImm memarg;
  const uint8_t* bytes = nullptr;  // v128.const and i8x16.shuffle: 16 bytes in the module
};

// --- validation modes ----------------------------------------------------------------------------
// FullValidationTag: every rule of the spec's validation algorithm is checked; an invalid body
// is an error. NoValidationTag: only for bodies that passed validation already. Immediates,
// LEB128s, block types and the stack's shape (heights, the polymorphic bottom) are still decoded,
// since the consumer needs them; type checks on pops, index ranges, alignment, lane indices and
// the other rules compile away, and an invalid body is undefined behaviour, not an error.
// Malformed bytes (a truncated body, an unknown opcode) still fail without reading out of bounds.
struct FullValidationTag {
  static constexpr bool validate = true;
};
struct NoValidationTag {
  static constexpr bool validate = false;
};

// The consumer that does nothing: pure validation. Every hook a compiler needs is listed here;
// an emitting interface implements the same set.
struct NullInterface {
  void start_function(uint32_t /*func_index*/, std::span<const ValType> /*locals*/) {}
  void instr(Op, const InstrImm&) {}
  void block(Op, const BlockSig&) {}  // block, loop, if, try
  void else_(const ControlFrame&) {}
  void end(const ControlFrame&) {}  // also ends the function body (kind kFunction)
  void br(uint32_t /*depth*/) {}
  void br_if(uint32_t /*depth*/) {}
  void br_table(std::span<const uint32_t> /*targets*/, uint32_t /*default_depth*/) {}
  void return_() {}
  void unreachable() {}
  void call(Op, uint32_t /*func_index*/) {}  // call, return_call
  void call_indirect(Op, uint32_t /*type_index*/, uint32_t /*table*/) {}
  void drop(ValType) {}
  void select(ValType) {}
  void local(Op, uint32_t /*index*/, ValType) {}        // local.get / set / tee
  void global(Op, uint32_t /*index*/, ValType) {}       // global.get / set
  void table_op(Op, uint32_t /*a*/, uint32_t /*b*/) {}  // table.* and elem.drop
  void memory_op(Op, uint32_t /*a*/, uint32_t /*b*/) {
  }  // memory.size/grow/init/copy/fill, data.drop
  void ref_null(ValType) {}
  void ref_is_null() {}
  void ref_func(uint32_t /*func_index*/) {}
  void exception_op(Op, uint32_t /*index*/) {}  // throw, rethrow, catch, catch_all, delegate
};

// --- consumer payloads ---------------------------------------------------------------------------
// An interface that declares `using Value = V;` gets a V beside every operand-stack entry, and one
// that declares `using Control = C;` a C in every control frame (both default-constructible and
// copyable; a C is value-initialised when its frame is pushed). Declaring either makes the
// decoder offer the rich form of each hook below, used wherever the interface has it (else the
// plain form above is called, so hooks can move to the rich form one at a time). Without either
// declaration the stacks are the plain ones and nothing of this costs anything.
//
// Conventions, Args = std::span<const Value>, Results = std::span<Value>:
//  - `args` are the instruction's popped operands in stack order (deepest first: a binary op gets
//    {lhs, rhs}, `if` gets {params..., condition}, br_if {values..., condition}, call_indirect
//    {params..., table index}). They are valid only during the hook.
//  - `result` (a single result, null when the instruction has none) and `results` are written by
//    the hook and pushed after it. They start default-constructed, except that the values a
//    construct passes through start as copies of what flows in: a block's params, else's params
//    (the if's), br_if's passthrough, and the values after a block's end (its fall-through ones).
//  - Hooks run in unreachable code too (the top frame's `unreachable` says so). An operand popped
//    from the polymorphic bottom there has type kBottom and a default-constructed Value.
//  - block() gets the new frame's Control (the frame is pushed); else_() and end() get the frame
//    as the code before them left it (kind, unreachable), before the decoder resets or pops it.
//    An if without else passes its params to its end on the false path: a consumer that needs
//    them keeps them from block() in its Control.
//
//  start_function(func_index, locals, Control& function_frame)
//  instr(op, imm, Args args, Value* result)
//  block(op, sig, Args args, Results params, Control& new_frame)     block, loop, if, try
//  else_(frame, Control&, Args then_values, Results else_params)
//  end(frame, Control&, Args values, Results after)  values: the fall-through ones (for the
//                                                    function: returned); after: empty there
//  br(depth, Control& target, Args values)
//  br_if(depth, Control& target, Args args, Results passthrough)
//  br_table(targets, default_depth, std::span<Control* const> target_frames (targets, then the
//           default), Args args)
//  return_(Args values)
//  call(op, func_index, Args args, Results results)              results empty for return_call
//  call_indirect(op, type_index, table, Args args, Results results)
//  drop(ValType, Args args)
//  select(ValType, Args args, Value* result)                     args: {v1, v2, condition}
//  local(op, index, ValType, Args args, Value* result)           get: no args; set: no result
//  global(op, index, ValType, Args args, Value* result)
//  table_op(op, a, b, Args args, Value* result)
//  memory_op(op, a, b, Args args, Value* result)
//  ref_null(ValType, Value* result)
//  ref_is_null(Args args, Value* result)
//  ref_func(func_index, Value* result)
//  exception_op(op, index, Args args, Results results, Control* frame)
//           throw: args are the tag's values; rethrow: frame is the catch's; catch, catch_all,
//           delegate: args are the values ending the previous body, frame is the try's, results
//           the caught values (catch) or those after the try (delegate)
//  unreachable()                                                  no rich form
struct NoPayload {};

namespace detail {
template <class I>
struct ValueOf {
  using type = NoPayload;
};
template <class I>
requires requires {
  typename I::Value;
}
struct ValueOf<I> {
  using type = typename I::Value;
};
template <class I>
struct ControlOf {
  using type = NoPayload;
};
template <class I>
requires requires {
  typename I::Control;
}
struct ControlOf<I> {
  using type = typename I::Control;
};
}  // namespace detail

// A control frame with the consumer's data.
template <class Control>
struct PayloadFrame : ControlFrame {
  Control control{};
  uint32_t saved_params = 0;  // ifs: where their parameter values wait for `else`
};

// The operand stack of types: a growable array whose push stays inline (the validator pushes
// once per instruction, so std::vector's out-of-line growth path costs measurably).
class TypeStack {
 public:
  [[gnu::always_inline]] void push_back(ValType t) {
    if (size_ == capacity_) [[unlikely]]
      grow(1);
    data_[size_++] = t;
  }
  void append(std::span<const ValType> types) {
    if (size_ + types.size() > capacity_) grow(types.size());
    for (ValType t : types) data_[size_++] = t;
  }
  void pop_back() { --size_; }
  ValType back() const { return data_[size_ - 1]; }
  ValType operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  void shrink_to(size_t n) { size_ = n; }
  void clear() { size_ = 0; }

 private:
  [[gnu::noinline]] void grow(size_t extra) {
    size_t want = std::max<size_t>({2 * capacity_, size_ + extra, 64});
    storage_.resize(want);
    data_ = storage_.data();
    capacity_ = want;
  }
  std::vector<ValType> storage_;
  ValType* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// The operand stack with a consumer's Value per entry, kept beside the types (so a run of popped
// operands is a contiguous span of Values). Popping leaves a Value in place until the next push.
template <class Value>
class PayloadStack {
 public:
  [[gnu::always_inline]] void push_back(ValType t, const Value& v = Value{}) {
    if (size_ == types_.size()) [[unlikely]]
      grow(1);
    types_[size_] = t;
    values_[size_++] = v;
  }
  void append(std::span<const ValType> types) {
    if (size_ + types.size() > types_.size()) grow(types.size());
    for (ValType t : types) {
      types_[size_] = t;
      values_[size_++] = Value{};
    }
  }
  void append(std::span<const ValType> types, std::span<const Value> values) {
    if (size_ + types.size() > types_.size()) grow(types.size());
    for (size_t i = 0; i < types.size(); ++i) {
      types_[size_] = types[i];
      values_[size_++] = values[i];
    }
  }
  // Inserts `count` bottom entries (the polymorphic stack's) at position `at`.
  [[gnu::noinline, gnu::cold]] void insert_bottom(size_t at, size_t count) {
    if (size_ + count > types_.size()) grow(count);
    std::move_backward(types_.begin() + at, types_.begin() + size_, types_.begin() + size_ + count);
    std::move_backward(values_.begin() + at, values_.begin() + size_,
                       values_.begin() + size_ + count);
    std::fill_n(types_.begin() + at, count, ValType::kBottom);
    std::fill_n(values_.begin() + at, count, Value{});
    size_ += count;
  }
  void pop_back() { --size_; }
  ValType back() const { return types_[size_ - 1]; }
  ValType operator[](size_t i) const { return types_[i]; }
  size_t size() const { return size_; }
  void shrink_to(size_t n) { size_ = n; }
  void clear() { size_ = 0; }
  Value* values() { return values_.data(); }

 private:
  [[gnu::noinline]] void grow(size_t extra) {
    size_t want = std::max<size_t>({2 * types_.size(), size_ + extra, 64});
    types_.resize(want);
    values_.resize(want);
  }
  std::vector<ValType> types_;
  std::vector<Value> values_;
  size_t size_ = 0;
};

template <class Interface, class ValidationTag = FullValidationTag>
class FunctionBodyDecoder {
 public:
  using Value = typename detail::ValueOf<Interface>::type;
  using Control = typename detail::ControlOf<Interface>::type;
  static constexpr bool kPayload = requires { typename Interface::Value; }
  || requires { typename Interface::Control; };
  static constexpr bool kValidate = ValidationTag::validate;
  // The frames and stack entries hooks see: ControlFrame and ValType without a payload.
  using Frame = std::conditional_t<kPayload, PayloadFrame<Control>, ControlFrame>;

  FunctionBodyDecoder(const ValidationContext& ctx, Interface& iface)
      : ctx_(ctx), module_(ctx.module), features_(ctx.features), iface_(iface) {
    control_.reserve(64);
    // Opcode lookup with the module's features already applied: one load per instruction.
    for (size_t i = 0; i < kOpCount; ++i)
      enabled_[i] = feature_enabled(features_, kOpInfo[i].feature);
    for (size_t b = 0; b < 256; ++b) {
      Op op = kSingleByteOps[b];
      bool enabled = op != Op::kInvalid && enabled_[static_cast<size_t>(op)];
      single_byte_ops_[b] = enabled ? op : Op::kInvalid;
      const_expr_ops_[b] = enabled && allowed_in_const_expr(op, features_) ? op : Op::kInvalid;
    }
  }

  // Decodes and validates function `func_index` (a defined function). On failure, error() says
  // why, with the offset and function index.
  bool decode_function(uint32_t func_index);

  // Validates a constant expression producing `expected`. Globals below `visible_globals` may be
  // read, and must be immutable.
  bool decode_const_expr(const ConstExpr& expr, ValType expected, uint32_t visible_globals);

  // Functions the last constant expression named with ref.func (they join C.refs).
  std::span<const uint32_t> const_expr_refs() const { return const_expr_refs_; }

  const Error& error() const { return error_; }
  Error take_error() { return std::move(error_); }

  // Module byte offset of the instruction being decoded: a compiling consumer records it for
  // source maps (backtraces) from inside its hooks.
  size_t current_offset() const { return instr_offset(); }
  // Entries on the operand stack (every frame's), for a consumer that needs to know what lies
  // below a construct's parameters.
  size_t operand_stack_size() const { return stack_.size(); }
  // Entry i of the operand stack (0 at the bottom): its type and the consumer's payload, which a
  // consumer may rebind (an OSR entry gives the values below a loop's parameters new definitions).
  ValType operand_stack_type(size_t i) const { return stack_[i]; }
  Value& operand_stack_value(size_t i) requires kPayload { return stack_.values()[i]; }

  // The opcode of the next instruction, decoded through the same tables as the decoding loop
  // without consuming it; for a consumer's look-ahead from inside a hook, where the reader has
  // passed the current instruction's immediates. Op::kInvalid at the end of the body and
  // wherever decoding would fail (unknown, disabled or, in a constant expression, disallowed).
  Op peek_opcode() const {
    if (reader_.at_end()) return Op::kInvalid;
    uint8_t b = reader_.peek_u8();
    if (!is_prefix_byte(b)) return ops_[b];
    Reader r({reader_.position() + 1, reader_.remaining() - 1});
    Op op = lookup_op(b, r.read_u32());
    if (!r.ok() || op == Op::kInvalid || !enabled_[static_cast<size_t>(op)]) return Op::kInvalid;
    if (const_mode_ && !allowed_in_const_expr(op, features_)) return Op::kInvalid;
    return op;
  }

 private:
  static constexpr ValType kBottom = ValType::kBottom;
  using Args = std::span<const Value>;
  using Results = std::span<Value>;
  using Stack = std::conditional_t<kPayload, PayloadStack<Value>, TypeStack>;

  // Which hooks the interface has in the rich form (see "consumer payloads").
  static constexpr bool kRichStart =
      requires(Interface & i, std::span<const ValType> l, Control& c) {
    i.start_function(uint32_t{}, l, c);
  };
  static constexpr bool kRichInstr = requires(Interface & i, Args a, Value* r) {
    i.instr(Op{}, InstrImm{}, a, r);
  };
  static constexpr bool kRichBlock = requires(Interface & i, Args a, Results r, Control& c) {
    i.block(Op{}, BlockSig{}, a, r, c);
  };
  static constexpr bool kRichElse = requires(Interface & i, Frame& f, Args a, Results r) {
    i.else_(f, f.control, a, r);
  };
  static constexpr bool kRichEnd = requires(Interface & i, Frame& f, Args a, Results r) {
    i.end(f, f.control, a, r);
  };
  static constexpr bool kRichBr = requires(Interface & i, Args a, Control& c) {
    i.br(uint32_t{}, c, a);
  };
  static constexpr bool kRichBrIf = requires(Interface & i, Args a, Results r, Control& c) {
    i.br_if(uint32_t{}, c, a, r);
  };
  static constexpr bool kRichBrTable =
      requires(Interface & i, std::span<const uint32_t> t, std::span<Control* const> c, Args a) {
    i.br_table(t, uint32_t{}, c, a);
  };
  static constexpr bool kRichReturn = requires(Interface & i, Args a) { i.return_(a); };
  static constexpr bool kRichCall = requires(Interface & i, Args a, Results r) {
    i.call(Op{}, uint32_t{}, a, r);
  };
  static constexpr bool kRichCallIndirect = requires(Interface & i, Args a, Results r) {
    i.call_indirect(Op{}, uint32_t{}, uint32_t{}, a, r);
  };
  static constexpr bool kRichDrop = requires(Interface & i, Args a) { i.drop(ValType{}, a); };
  static constexpr bool kRichSelect = requires(Interface & i, Args a, Value* r) {
    i.select(ValType{}, a, r);
  };
  static constexpr bool kRichLocal = requires(Interface & i, Args a, Value* r) {
    i.local(Op{}, uint32_t{}, ValType{}, a, r);
  };
  static constexpr bool kRichGlobal = requires(Interface & i, Args a, Value* r) {
    i.global(Op{}, uint32_t{}, ValType{}, a, r);
  };
  static constexpr bool kRichTableOp = requires(Interface & i, Args a, Value* r) {
    i.table_op(Op{}, uint32_t{}, uint32_t{}, a, r);
  };
  static constexpr bool kRichMemoryOp = requires(Interface & i, Args a, Value* r) {
    i.memory_op(Op{}, uint32_t{}, uint32_t{}, a, r);
  };
  static constexpr bool kRichRefNull = requires(Interface & i, Value* r) {
    i.ref_null(ValType{}, r);
  };
  static constexpr bool kRichRefIsNull = requires(Interface & i, Args a, Value* r) {
    i.ref_is_null(a, r);
  };
  static constexpr bool kRichRefFunc = requires(Interface & i, Value* r) {
    i.ref_func(uint32_t{}, r);
  };
  static constexpr bool kRichException = requires(Interface & i, Args a, Results r, Control* c) {
    i.exception_op(Op{}, uint32_t{}, a, r, c);
  };

  size_t instr_offset() const { return reader_.offset_of(instr_start_); }
  [[gnu::noinline, gnu::cold]] bool fail(ErrorKind kind, std::string message, size_t at) {
    if (!failed_) {
      failed_ = true;
      error_ = make_error(kind, std::move(message), at, func_index_);
    }
    return false;
  }
  [[gnu::noinline, gnu::cold]] bool invalid(std::string message) {
    return fail(ErrorKind::kInvalid, std::move(message), instr_offset());
  }
  [[gnu::noinline, gnu::cold]] bool type_mismatch() { return invalid("type mismatch"); }
  [[gnu::noinline, gnu::cold]] bool reader_failed() {
    Error e = reader_.take_error();
    return fail(e.kind, std::move(e.message), e.offset);
  }

  // --- operand stack -----------------------------------------------------------------------------
  [[gnu::always_inline]] void push(ValType t) { stack_.push_back(t); }
  // Pops one operand; an empty stack under an unreachable frame yields kBottom.
  bool pop(ValType& out) {
    const Frame& top = control_.back();
    if (stack_.size() == top.height) {
      if (!kValidate || top.unreachable) {
        out = kBottom;
        return true;
      }
      return type_mismatch();
    }
    out = stack_.back();
    stack_.pop_back();
    return true;
  }
  [[gnu::always_inline]] bool pop_expect(ValType expected) {
    const Frame& top = control_.back();
    if (stack_.size() > top.height) {
      ValType actual = stack_.back();
      if constexpr (kValidate) {
        if (actual != expected && actual != kBottom && expected != kBottom) return type_mismatch();
      }
      (void)actual;
      stack_.pop_back();
      return true;
    }
    if (!kValidate || top.unreachable) return true;
    return type_mismatch();
  }
  // Without validation: pops `n` operands, or what there is above an unreachable frame's base.
  [[gnu::always_inline]] void drop_operands(size_t n) {
    size_t height = control_.back().height;
    stack_.shrink_to(stack_.size() - height >= n ? stack_.size() - n : height);
  }
  bool pop_values(std::span<const ValType> types) {
    if constexpr (!kValidate) {
      drop_operands(types.size());
      return true;
    }
    for (size_t i = types.size(); i-- > 0;)
      if (!pop_expect(types[i])) return false;
    return true;
  }
  void push_values(std::span<const ValType> types) { stack_.append(types); }
  // Checks the operands above the frame's height are exactly `types`, without popping.
  bool check_exact(const Frame& frame, std::span<const ValType> types) {
    if constexpr (!kValidate) return true;
    size_t available = stack_.size() - frame.height;
    if (!frame.unreachable && available != types.size()) return type_mismatch();
    if (available > types.size()) return type_mismatch();
    for (size_t i = 0; i < available; ++i) {
      ValType actual = stack_[stack_.size() - available + i];
      ValType expected = types[types.size() - available + i];
      if (actual != expected && actual != kBottom) return type_mismatch();
    }
    return true;
  }
  // After a call's arguments are popped: push its results, or for a tail call check that they
  // are the caller's and end the block's reachable code.
  bool finish_call(bool tail_call, const FuncType& callee, Results results = {}) {
    if (!tail_call) {
      if constexpr (kPayload) {
        stack_.append(callee.results, results);
      } else {
        push_values(callee.results);
      }
      return true;
    }
    std::span<const ValType> caller = control_.front().sig.results;
    if (kValidate &&
        !std::equal(callee.results.begin(), callee.results.end(), caller.begin(), caller.end()))
      return type_mismatch();
    set_unreachable();
    return true;
  }
  void set_unreachable() {
    Frame& top = control_.back();
    stack_.shrink_to(top.height);
    top.unreachable = true;
  }
  [[gnu::always_inline]] void push_frame(FrameKind kind, const BlockSig& sig) {
    auto height = static_cast<uint32_t>(stack_.size());
    if constexpr (kPayload) {
      Frame frame{};
      frame.kind = kind;
      frame.unreachable = false;
      frame.height = height;
      frame.sig = sig;
      control_.push_back(frame);
    } else {
      control_.push_back(ControlFrame{kind, false, height, sig});
    }
    push_values(sig.params);
  }

  // --- payloads (only with kPayload) -------------------------------------------------------------
  // Before popping `n` operands: under an unreachable frame, the ones missing become explicit
  // bottom entries at the frame's base, so the popped Values are one contiguous span. The pops
  // that follow see what they would see anyway (kBottom), so validation is unchanged.
  [[gnu::always_inline]] void ensure_operands(size_t n) {
    if constexpr (kPayload) {
      const Frame& top = control_.back();
      size_t available = stack_.size() - top.height;
      if (available < n && top.unreachable) [[unlikely]]
        stack_.insert_bottom(top.height, n - available);
    }
    (void)n;
  }
  // The Values of the `n` operands just popped (still in the stack's storage), or of the top `n`.
  Args popped(size_t n) requires kPayload { return {stack_.values() + stack_.size(), n}; }
  Args top_values(size_t n) requires kPayload { return {stack_.values() + stack_.size() - n, n}; }
  // Results live in a scratch buffer until pushed, so that writing them cannot change `args`.
  Results scratch(size_t n) requires kPayload {
    buffers_.scratch.assign(n, Value{});
    return buffers_.scratch;
  }
  Results scratch_copy(Args from) requires kPayload {
    buffers_.scratch.assign(from.begin(), from.end());
    return buffers_.scratch;
  }
  // Calls `hook(Value* result)` and pushes the result with type `t`.
  template <class Hook>
  [[gnu::always_inline]] void with_result(ValType t, Hook&& hook) {
    Value result{};
    hook(&result);
    stack_.push_back(t, result);
  }

  // --- immediates with validation ----------------------------------------------------------------
  bool read_block_sig(BlockSig& sig);
  bool read_label(uint32_t& depth) {
    depth = reader_.read_u32();
    if (!reader_.ok()) return reader_failed();
    if (kValidate && depth >= control_.size()) return invalid("unknown label");
    return true;
  }
  Frame& label_frame(uint32_t depth) { return control_[control_.size() - 1 - depth]; }
  [[gnu::always_inline]] bool read_index(uint32_t& index, size_t limit, const char* what) {
    index = reader_.read_u32();
    if (!reader_.ok()) [[unlikely]]
      return reader_failed();
    if (kValidate && index >= limit) [[unlikely]]
      return unknown_index(what, index);
    return true;
  }
  [[gnu::noinline, gnu::cold]] bool unknown_index(const char* what, uint32_t index) {
    return invalid(std::string("unknown ") + what + " " + std::to_string(index));
  }
  bool read_memory(uint32_t& memory) {
    memory = read_memory_index(reader_, features_);
    if (!reader_.ok()) return reader_failed();
    if (kValidate && memory >= module_.memories.size())
      return invalid("unknown memory " + std::to_string(memory));
    return true;
  }
  bool read_table(uint32_t& table) { return read_index(table, module_.tables.size(), "table"); }
  [[gnu::always_inline]] inline bool read_checked_memarg(const OpInfo& info, MemArgImm& memarg);
  bool read_lane(ImmKind imm, uint8_t& lane) {
    size_t at = reader_.offset();
    lane = read_lane_index(reader_);
    if (!reader_.ok()) return reader_failed();
    if (kValidate && lane >= lane_count(imm))
      return fail(ErrorKind::kInvalid, "invalid lane index", at);
    return true;
  }
  // A data index must name a segment; and the binary format requires a data count section
  // before code that uses data indices (checked second, so an unknown segment reads as such).
  bool check_data_index(uint32_t data) {
    if constexpr (!kValidate) return true;
    size_t count = module_.data_count ? *module_.data_count : module_.datas.size();
    if (data >= count) return invalid("unknown data segment " + std::to_string(data));
    if (!module_.data_count)
      return fail(ErrorKind::kMalformed, "data count section required", instr_offset());
    return true;
  }

  bool decode_locals(const FuncType& type);
  [[gnu::always_inline]] Op next_opcode() {
    Reader& r = reader_;
    uint8_t b = r.read_u8_unchecked();
    if (b < kPrefixFC) [[likely]] {
      Op op = ops_[b];
      if (op != Op::kInvalid) [[likely]]
        return op;
      op = single_byte_ops_[b];
      if (op != Op::kInvalid) return invalid("constant expression required"), Op::kInvalid;
    } else {
      Op op = lookup_op(b, r.read_u32());
      if (op != Op::kInvalid && enabled_[static_cast<size_t>(op)] && r.ok()) {
        if (!const_mode_ || allowed_in_const_expr(op, features_)) return op;
        return invalid("constant expression required"), Op::kInvalid;
      }
    }
    if (r.ok()) fail(ErrorKind::kMalformed, "illegal opcode", instr_offset());
    return Op::kInvalid;
  }
  bool decode_instructions();
  // Each opcode's handler is specialised on the opcode at compile time, so its table row folds
  // into constants and the loop dispatches once per instruction.
  template <Op kOp>
  [[gnu::always_inline]] inline bool dispatch();
  // Prefixed (SIMD, bulk, atomic, ...) instructions are rarer: their handlers stay out of line,
  // which keeps the loop's function small enough to compile quickly.
  template <Op kOp>
  [[gnu::noinline]] bool dispatch_out_of_line() {
    return dispatch<kOp>();
  }
  template <Op kOp>
  [[gnu::always_inline]] bool dispatch_any() {
    if constexpr (kOpInfo[static_cast<size_t>(kOp)].prefix == 0) {
      return dispatch<kOp>();
    } else {
      return dispatch_out_of_line<kOp>();
    }
  }
  template <Op kOp>
  [[gnu::always_inline]] inline bool decode_table_driven();
  [[gnu::always_inline]] inline bool decode_hot(Op op);
  [[gnu::noinline]] bool decode_polymorphic(Op op);
  bool decode_end();

  const ValidationContext& ctx_;
  const Module& module_;
  const Features& features_;
  Interface& iface_;

  std::array<Op, 256> single_byte_ops_;
  std::array<Op, 256> const_expr_ops_;  // only what a constant expression may contain
  const Op* ops_ = single_byte_ops_.data();
  std::array<bool, kOpCount> enabled_;
  Reader reader_{std::span<const uint8_t>()};
  uint32_t func_index_ = kNoFunction;
  const uint8_t* instr_start_ = nullptr;  // offset computed only when reporting an error
  bool failed_ = false;
  bool const_mode_ = false;
  uint32_t visible_globals_ = 0;
  Error error_;

  // Reused across functions so a thread validating thousands allocates only a few times.
  std::vector<ValType> locals_;
  Stack stack_;
  std::vector<Frame> control_;
  std::vector<uint32_t> br_targets_;
  std::vector<uint32_t> const_expr_refs_;
  std::vector<ValType> results_storage_;  // the const expression's expected type
  struct PayloadBuffers {
    std::vector<Value> scratch;         // results, until pushed
    std::vector<Value> if_params;       // parameter values of open ifs, for their `else`
    std::vector<Control*> br_controls;  // br_table's target frames
  };
  [[no_unique_address]] std::conditional_t<kPayload, PayloadBuffers, NoPayload> buffers_;
};

// One-element spans for single-value block types.
inline constexpr ValType kSingleValTypes[256] = {
#define KEEL_T(n) static_cast<ValType>(n),
#define KEEL_T16(n) \
  KEEL_T(n)         \
  KEEL_T(n + 1)     \
  KEEL_T(n + 2)     \
  KEEL_T(n + 3)     \
  KEEL_T(n + 4)     \
  KEEL_T(n + 5)     \
  KEEL_T(n + 6)     \
  KEEL_T(n + 7)     \
  KEEL_T(n + 8)     \
  KEEL_T(n + 9)     \
  KEEL_T(n + 10) KEEL_T(n + 11) KEEL_T(n + 12) KEEL_T(n + 13) KEEL_T(n + 14) KEEL_T(n + 15)
    KEEL_T16(0) KEEL_T16(16) KEEL_T16(32) KEEL_T16(48) KEEL_T16(64) KEEL_T16(80) KEEL_T16(96)
        KEEL_T16(112) KEEL_T16(128) KEEL_T16(144) KEEL_T16(160) KEEL_T16(176) KEEL_T16(192)
            KEEL_T16(208) KEEL_T16(224) KEEL_T16(240)
#undef KEEL_T16
#undef KEEL_T
};
inline std::span<const ValType> single_type_span(ValType t) {
  return {&kSingleValTypes[static_cast<uint8_t>(t)], 1};
}

}  // namespace keel

#include "validate/function_body_decoder_impl.h"

namespace keel {
// The validator's instantiation is compiled once, in function_body_decoder.cc.
extern template class FunctionBodyDecoder<NullInterface, FullValidationTag>;
}  // namespace keel
