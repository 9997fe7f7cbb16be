// Member definitions of FunctionBodyDecoder; included from function_body_decoder.h only.
#pragma once

#include <algorithm>

namespace keel {

namespace detail {
// Immediate kinds whose typing comes entirely from the opcode table's signature column.
constexpr bool is_table_driven_imm(ImmKind imm) {
  switch (imm) {
    case ImmKind::None:
    case ImmKind::I32:
    case ImmKind::I64:
    case ImmKind::F32:
    case ImmKind::F64:
    case ImmKind::V128:
    case ImmKind::Shuffle:
    case ImmKind::Lane16:
    case ImmKind::Lane8:
    case ImmKind::Lane4:
    case ImmKind::Lane2:
    case ImmKind::Zero:
      return true;
    default:
      return is_memarg(imm);
  }
}
}  // namespace detail

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_function(uint32_t func_index) {
  func_index_ = func_index;
  failed_ = false;
  const_mode_ = false;
  ops_ = single_byte_ops_.data();
  const Function& fn = module_.functions[func_index];
  const FuncType& type = module_.types[fn.type_index];
  reader_ = Reader(module_.bytes(fn.body), fn.body.offset);
  reader_.set_eof_message("unexpected end of section or function");
  stack_.clear();
  control_.clear();
  if (!decode_locals(type)) return false;
  // The prologue's code (and its stack-check trap) belongs to the first instruction.
  instr_start_ = reader_.position();
  if constexpr (kPayload) buffers_.if_params.clear();
  if constexpr (kRichStart) {
    push_frame(FrameKind::kFunction, BlockSig{{}, type.results});
    iface_.start_function(func_index, std::span<const ValType>(locals_), control_.back().control);
  } else {
    iface_.start_function(func_index, locals_);
    push_frame(FrameKind::kFunction, BlockSig{{}, type.results});
  }
  if (decode_instructions()) return true;
  // Decoding precedes validation in the spec: a malformation later in the body outranks an
  // invalid instruction before it.
  if (error_.kind == ErrorKind::kInvalid) {
    Status scan = scan_function_body(module_, func_index);
    if (!scan.ok()) error_ = std::move(scan).error();
  }
  return false;
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_const_expr(const ConstExpr& expr,
                                                                      ValType expected,
                                                                      uint32_t visible_globals) {
  func_index_ = kNoFunction;
  failed_ = false;
  const_mode_ = true;
  ops_ = const_expr_ops_.data();
  const_expr_refs_.clear();
  visible_globals_ = visible_globals;
  reader_ = Reader(module_.bytes(expr.bytes), expr.bytes.offset);
  reader_.set_eof_message("unexpected end of section or function");
  locals_.clear();
  stack_.clear();
  control_.clear();
  results_storage_.assign(1, expected);
  push_frame(FrameKind::kFunction, BlockSig{{}, results_storage_});
  return decode_instructions();
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_locals(const FuncType& type) {
  Reader& r = reader_;
  locals_.assign(type.params.begin(), type.params.end());
  uint64_t total = locals_.size();
  uint32_t groups = r.read_u32();
  for (uint32_t i = 0; i < groups && r.ok(); ++i) {
    size_t at = r.offset();
    uint32_t count = r.read_u32();
    ValType t = read_val_type(r, features_);
    if (!r.ok()) break;
    total += count;
    if (total > kMaxLocals) return fail(ErrorKind::kMalformed, "too many locals", at);
    locals_.insert(locals_.end(), count, t);
  }
  if (!r.ok()) return reader_failed();
  return true;
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_instructions() {
  Reader& r = reader_;
  for (;;) {
    if (r.at_end()) [[unlikely]]
      return fail(ErrorKind::kMalformed, "END opcode expected", r.offset());
    instr_start_ = r.position();
    Op op = next_opcode();
    if (op == Op::kInvalid) [[unlikely]]
      return failed_ ? false : reader_failed();
    bool ok = false;
    switch (op) {
#define KEEL_DISPATCH(name, ...)      \
  case Op::k##name:                   \
    ok = dispatch_any<Op::k##name>(); \
    break;
      KEEL_OPCODES(KEEL_DISPATCH)
#undef KEEL_DISPATCH
      default:
        break;
    }
    if (!ok) [[unlikely]]
      return false;
    // Only `end` (and `delegate`) pop frames; the function's own `end` finishes the body.
    if ((op == Op::kEnd || op == Op::kDelegate) && control_.empty()) break;
  }
  if (!r.at_end()) return fail(ErrorKind::kMalformed, "section size mismatch", r.offset());
  return true;
}

template <class Interface, class ValidationTag>
template <Op kOp>
bool FunctionBodyDecoder<Interface, ValidationTag>::dispatch() {
  constexpr const OpInfo& info = kOpInfo[static_cast<size_t>(kOp)];
  if constexpr (!info.sig.polymorphic && detail::is_table_driven_imm(info.imm)) {
    return decode_table_driven<kOp>();
  } else if constexpr (kOp == Op::kLocalGet || kOp == Op::kLocalSet || kOp == Op::kLocalTee ||
                       kOp == Op::kGlobalGet || kOp == Op::kCall || kOp == Op::kBr ||
                       kOp == Op::kBrIf || kOp == Op::kBlock || kOp == Op::kLoop ||
                       kOp == Op::kIf || kOp == Op::kEnd || kOp == Op::kDrop ||
                       kOp == Op::kSelect || kOp == Op::kTry || kOp == Op::kReturnCall ||
                       kOp == Op::kGlobalSet) {
    return decode_hot(kOp);
  } else {
    // Rare instructions: one out-of-line handler, which may leave reader errors to this check.
    if (!decode_polymorphic(kOp)) return false;
    if (!reader_.ok()) [[unlikely]]
      return reader_failed();
    return true;
  }
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::read_checked_memarg(const OpInfo& info,
                                                                        MemArgImm& memarg) {
  memarg = read_memarg(reader_, features_);
  if (!reader_.ok()) [[unlikely]]
    return reader_failed();
  if constexpr (!kValidate) return true;
  if (memarg.memory >= module_.memories.size()) [[unlikely]]
    return unknown_index("memory", memarg.memory);
  uint32_t natural = natural_alignment_log2(info.imm);
  if (info.feature == Feature::kThreads) {
    if (memarg.align_log2 != natural) return invalid("alignment must be equal to natural");
  } else if (memarg.align_log2 > natural) {
    return invalid("alignment must not be larger than natural");
  }
  if (ctx_.address_type(memarg.memory) == ValType::kI32 && memarg.offset > UINT32_MAX)
    return invalid("offset out of range");
  return true;
}

template <class Interface, class ValidationTag>
template <Op kOp>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_table_driven() {
  static constexpr OpInfo kInfo = kOpInfo[static_cast<size_t>(kOp)];
  static constexpr ImmKind kImm = kInfo.imm;
  static constexpr OpSig kSig = kInfo.sig;
  Reader& r = reader_;
  InstrImm imm;
  imm.i64 = 0;
  ValType address = ValType::kI32;
  if constexpr (kImm == ImmKind::I32) {
    imm.i32 = r.read_s32();
  } else if constexpr (kImm == ImmKind::I64) {
    imm.i64 = r.read_s64();
  } else if constexpr (kImm == ImmKind::F32) {
    imm.f32 = read_f32_bits(r);
  } else if constexpr (kImm == ImmKind::F64) {
    imm.f64 = read_f64_bits(r);
  } else if constexpr (kImm == ImmKind::V128) {
    imm.bytes = r.position();
    r.skip(16);
  } else if constexpr (kImm == ImmKind::Shuffle) {
    imm.bytes = r.position();
    if constexpr (!kValidate) {
      r.skip(16);
    } else {
      for (int i = 0; i < 16; ++i) {
        size_t at = r.offset();
        uint8_t lane = r.read_u8();
        if (!r.ok()) return reader_failed();
        if (lane >= 32) return fail(ErrorKind::kInvalid, "invalid lane index", at);
      }
    }
  } else if constexpr (lane_count(kImm) != 0 && !is_memarg(kImm)) {
    if (!read_lane(kImm, imm.lane)) return false;
  } else if constexpr (kImm == ImmKind::Zero) {
    size_t at = r.offset();
    if (r.read_u8() != 0 && kValidate && r.ok())
      return fail(ErrorKind::kMalformed, "zero byte expected", at);
  } else if constexpr (is_memarg(kImm)) {
    if (!read_checked_memarg(kInfo, imm.memarg)) return false;
    if constexpr (is_mem_lane(kImm)) {
      if (!read_lane(kImm, imm.lane)) return false;
    }
    address = ctx_.address_type(imm.memarg.memory);
  }
  if constexpr (kImm != ImmKind::None) {
    if (!r.ok()) [[unlikely]]
      return reader_failed();
  }
  ensure_operands(kSig.num_params);
  if constexpr (!kValidate) {
    drop_operands(kSig.num_params);
  } else {
    // The first parameter of a memory instruction is its address, typed by the memory.
    if constexpr (kSig.num_params >= 3) {
      if (!pop_expect(kSig.params[2])) return false;
    }
    if constexpr (kSig.num_params >= 2) {
      if (!pop_expect(kSig.params[1])) return false;
    }
    if constexpr (kSig.num_params >= 1) {
      if (!pop_expect(is_memarg(kImm) ? address : kSig.params[0])) return false;
    }
  }
  (void)address;
  if constexpr (kRichInstr) {
    Args args = popped(kSig.num_params);
    if constexpr (kSig.num_results != 0) {
      with_result(kSig.result, [&](Value* result) { iface_.instr(kOp, imm, args, result); });
    } else {
      iface_.instr(kOp, imm, args, nullptr);
    }
  } else {
    iface_.instr(kOp, imm);
    if constexpr (kSig.num_results != 0) push(kSig.result);
  }
  return true;
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::read_block_sig(BlockSig& sig) {
  BlockTypeImm bt = read_block_type(reader_, features_);
  if (!reader_.ok()) return reader_failed();
  switch (bt.kind) {
    case BlockTypeImm::Kind::kEmpty:
      sig = BlockSig{};
      break;
    case BlockTypeImm::Kind::kValue:
      sig = BlockSig{{}, single_type_span(bt.type)};
      break;
    case BlockTypeImm::Kind::kTypeIndex:
      if (kValidate && bt.type_index >= module_.types.size()) return invalid("unknown type");
      sig = BlockSig{module_.types[bt.type_index].params, module_.types[bt.type_index].results};
      break;
  }
  return true;
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_end() {
  Frame& top = control_.back();
  if (kValidate && top.kind == FrameKind::kIf &&
      !std::equal(top.sig.params.begin(), top.sig.params.end(), top.sig.results.begin(),
                  top.sig.results.end()))
    return type_mismatch();
  std::span<const ValType> results = top.sig.results;
  ensure_operands(results.size());
  if (!check_exact(top, results)) return false;
  if constexpr (kPayload) {
    if (top.kind == FrameKind::kIf) buffers_.if_params.resize(top.saved_params);
  }
  if constexpr (kRichEnd) {
    Args values = top_values(results.size());
    Results after = control_.size() > 1 ? scratch_copy(values) : Results{};
    iface_.end(top, top.control, values, after);
    stack_.shrink_to(top.height);
    control_.pop_back();
    if (!control_.empty()) stack_.append(results, after);
  } else {
    iface_.end(top);
    stack_.shrink_to(top.height);
    control_.pop_back();
    if (!control_.empty()) push_values(results);
  }
  return true;
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_hot(Op op) {
  Reader& r = reader_;
  (void)r;
  auto is_num_or_bottom = [](ValType t) { return is_num_type(t) || t == ValType::kBottom; };
  auto is_vec_or_bottom = [](ValType t) { return t == ValType::kV128 || t == ValType::kBottom; };
  (void)is_num_or_bottom, (void)is_vec_or_bottom;
  switch (op) {
    case Op::kBlock:
    case Op::kLoop:
    case Op::kIf:
    case Op::kTry: {
      BlockSig sig;
      if (!read_block_sig(sig)) return false;
      size_t num_params = sig.params.size();
      ensure_operands(num_params + (op == Op::kIf));
      if (op == Op::kIf && !pop_expect(ValType::kI32)) return false;
      if (!pop_values(sig.params)) return false;
      FrameKind kind = op == Op::kBlock  ? FrameKind::kBlock
                       : op == Op::kLoop ? FrameKind::kLoop
                       : op == Op::kIf   ? FrameKind::kIf
                                         : FrameKind::kTry;
      if constexpr (kPayload) {
        // The popped operands move to the scratch buffer: the block's parameters take their
        // place on the stack, starting as copies of them.
        Args args = scratch_copy(popped(num_params + (op == Op::kIf)));
        auto saved = static_cast<uint32_t>(buffers_.if_params.size());
        if (op == Op::kIf)
          buffers_.if_params.insert(buffers_.if_params.end(), args.begin(),
                                    args.begin() + num_params);
        if constexpr (!kRichBlock) iface_.block(op, sig);
        push_frame(kind, sig);
        Frame& frame = control_.back();
        frame.saved_params = saved;
        Results params{stack_.values() + frame.height, num_params};
        std::copy_n(args.begin(), num_params, params.begin());
        if constexpr (kRichBlock) iface_.block(op, sig, args, params, frame.control);
      } else {
        iface_.block(op, sig);
        push_frame(kind, sig);
      }
      return true;
    }

    case Op::kEnd:
      return decode_end();

    case Op::kBr: {
      uint32_t depth;
      if (!read_label(depth)) return false;
      std::span<const ValType> types = label_frame(depth).label_types();
      ensure_operands(types.size());
      if (!pop_values(types)) return false;
      if constexpr (kRichBr) {
        iface_.br(depth, label_frame(depth).control, popped(types.size()));
      } else {
        iface_.br(depth);
      }
      set_unreachable();
      return true;
    }

    case Op::kBrIf: {
      uint32_t depth;
      if (!read_label(depth)) return false;
      std::span<const ValType> types = label_frame(depth).label_types();
      ensure_operands(types.size() + 1);
      if (!pop_expect(ValType::kI32) || !pop_values(types)) return false;
      if constexpr (kRichBrIf) {
        Args args = scratch_copy(popped(types.size() + 1));
        push_values(types);
        Results passthrough = {stack_.values() + stack_.size() - types.size(), types.size()};
        std::copy_n(args.begin(), types.size(), passthrough.begin());
        iface_.br_if(depth, label_frame(depth).control, args, passthrough);
      } else {
        push_values(types);
        iface_.br_if(depth);
      }
      return true;
    }

    case Op::kCall:
    case Op::kReturnCall: {
      uint32_t callee;
      if (!read_index(callee, module_.functions.size(), "function")) return false;
      const FuncType& type = module_.function_type(callee);
      ensure_operands(type.params.size());
      if (!pop_values(type.params)) return false;
      if constexpr (kRichCall) {
        Results results = scratch(op == Op::kReturnCall ? 0 : type.results.size());
        iface_.call(op, callee, popped(type.params.size()), results);
        return finish_call(op == Op::kReturnCall, type, results);
      } else {
        iface_.call(op, callee);
        return finish_call(op == Op::kReturnCall, type);
      }
    }

    case Op::kDrop: {
      ValType t = kBottom;
      ensure_operands(1);
      if (!pop(t)) return false;
      if constexpr (kRichDrop) {
        iface_.drop(t, popped(1));
      } else {
        iface_.drop(t);
      }
      return true;
    }

    case Op::kSelect: {
      ValType t1 = kBottom, t2 = kBottom;
      ensure_operands(3);
      if (!pop_expect(ValType::kI32) || !pop(t1) || !pop(t2)) return false;
      if constexpr (kValidate) {
        if (!((is_num_or_bottom(t1) && is_num_or_bottom(t2)) ||
              (is_vec_or_bottom(t1) && is_vec_or_bottom(t2))))
          return type_mismatch();
        if (t1 != t2 && t1 != kBottom && t2 != kBottom) return type_mismatch();
      }
      ValType t = t1 == kBottom ? t2 : t1;
      if constexpr (kRichSelect) {
        Args args = popped(3);
        with_result(t, [&](Value* result) { iface_.select(t, args, result); });
      } else {
        iface_.select(t);
        push(t);
      }
      return true;
    }

    case Op::kLocalGet:
    case Op::kLocalSet:
    case Op::kLocalTee: {
      uint32_t index;
      if (!read_index(index, locals_.size(), "local")) return false;
      ValType t = locals_[index];
      size_t num_args = op != Op::kLocalGet;
      ensure_operands(num_args);
      if (op != Op::kLocalGet && !pop_expect(t)) return false;
      if constexpr (kRichLocal) {
        Args args = popped(num_args);
        if (op == Op::kLocalSet) {
          iface_.local(op, index, t, args, nullptr);
        } else {
          with_result(t, [&](Value* result) { iface_.local(op, index, t, args, result); });
        }
      } else {
        iface_.local(op, index, t);
        if (op != Op::kLocalSet) push(t);
      }
      return true;
    }

    case Op::kGlobalGet:
    case Op::kGlobalSet: {
      uint32_t index;
      size_t limit = const_mode_ ? visible_globals_ : module_.globals.size();
      if (!read_index(index, limit, "global")) return false;
      const GlobalType& g = module_.globals[index].type;
      if (kValidate && const_mode_ && g.is_mutable) return invalid("constant expression required");
      size_t num_args = op == Op::kGlobalSet;
      ensure_operands(num_args);
      if (op == Op::kGlobalSet) {
        if (kValidate && !g.is_mutable) return invalid("global is immutable");
        if (!pop_expect(g.type)) return false;
      }
      if constexpr (kRichGlobal) {
        Args args = popped(num_args);
        if (op == Op::kGlobalSet) {
          iface_.global(op, index, g.type, args, nullptr);
        } else {
          with_result(g.type,
                      [&](Value* result) { iface_.global(op, index, g.type, args, result); });
        }
      } else {
        iface_.global(op, index, g.type);
        if (op == Op::kGlobalGet) push(g.type);
      }
      return true;
    }

    default:
      return false;
  }
}

template <class Interface, class ValidationTag>
bool FunctionBodyDecoder<Interface, ValidationTag>::decode_polymorphic(Op op) {
  Reader& r = reader_;
  switch (op) {
    case Op::kUnreachable:
      iface_.unreachable();
      set_unreachable();
      return true;

    case Op::kElse: {
      Frame& top = control_.back();
      if (kValidate && top.kind != FrameKind::kIf)
        return fail(ErrorKind::kMalformed, "else without matching if", instr_offset());
      ensure_operands(top.sig.results.size());
      if (!check_exact(top, top.sig.results)) return false;
      if constexpr (kPayload) {
        Args then_values = scratch_copy(top_values(top.sig.results.size()));
        if constexpr (!kRichElse) iface_.else_(top);
        stack_.shrink_to(top.height);
        // The else branch starts with the if's parameters, as the then branch did.
        std::vector<Value>& saved = buffers_.if_params;
        stack_.append(top.sig.params, Args(saved).subspan(top.saved_params));
        saved.resize(top.saved_params);
        if constexpr (kRichElse) {
          // The hook sees the frame as the then branch left it (kIf, maybe unreachable).
          Results params{stack_.values() + top.height, top.sig.params.size()};
          iface_.else_(top, top.control, then_values, params);
        }
        top.kind = FrameKind::kElse;
        top.unreachable = false;
      } else {
        iface_.else_(top);
        stack_.shrink_to(top.height);
        top.kind = FrameKind::kElse;
        top.unreachable = false;
        push_values(top.sig.params);
      }
      return true;
    }

    case Op::kBrTable: {
      uint32_t count = r.read_count();
      if (!r.ok()) return reader_failed();
      br_targets_.clear();
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t depth;
        if (!read_label(depth)) return false;
        br_targets_.push_back(depth);
      }
      uint32_t default_depth;
      if (!read_label(default_depth)) return false;
      size_t arity = label_frame(default_depth).label_types().size();
      ensure_operands(arity + 1);
      if (!pop_expect(ValType::kI32)) return false;
      if constexpr (kValidate) {
        const Frame& top = control_.back();
        for (uint32_t depth : br_targets_) {
          std::span<const ValType> types = label_frame(depth).label_types();
          if (types.size() != arity) return type_mismatch();
          // Equivalent to push_vals(pop_vals(types)): checks without changing the stack.
          size_t available = stack_.size() - top.height;
          for (size_t i = 0; i < types.size(); ++i) {
            ValType expected = types[types.size() - 1 - i];
            if (i < available) {
              ValType actual = stack_[stack_.size() - 1 - i];
              if (actual != expected && actual != kBottom) return type_mismatch();
            } else if (!top.unreachable) {
              return type_mismatch();
            }
          }
        }
      }
      if (!pop_values(label_frame(default_depth).label_types())) return false;
      if constexpr (kRichBrTable) {
        std::vector<Control*>& frames = buffers_.br_controls;
        frames.clear();
        for (uint32_t depth : br_targets_) frames.push_back(&label_frame(depth).control);
        frames.push_back(&label_frame(default_depth).control);
        iface_.br_table(std::span<const uint32_t>(br_targets_), default_depth,
                        std::span<Control* const>(frames), popped(arity + 1));
      } else {
        iface_.br_table(br_targets_, default_depth);
      }
      set_unreachable();
      return true;
    }

    case Op::kReturn: {
      std::span<const ValType> results = control_.front().sig.results;
      ensure_operands(results.size());
      if (!pop_values(results)) return false;
      if constexpr (kRichReturn) {
        iface_.return_(popped(results.size()));
      } else {
        iface_.return_();
      }
      set_unreachable();
      return true;
    }

    case Op::kCallIndirect:
    case Op::kReturnCallIndirect: {
      uint32_t type_index, table;
      if (!read_index(type_index, module_.types.size(), "type")) return false;
      if (!read_table(table)) return false;
      if (kValidate && module_.tables[table].type.element != ValType::kFuncRef)
        return type_mismatch();
      const FuncType& type = module_.types[type_index];
      ensure_operands(type.params.size() + 1);
      if (!pop_expect(ValType::kI32) || !pop_values(type.params)) return false;
      bool tail_call = op == Op::kReturnCallIndirect;
      if constexpr (kRichCallIndirect) {
        Results results = scratch(tail_call ? 0 : type.results.size());
        iface_.call_indirect(op, type_index, table, popped(type.params.size() + 1), results);
        return finish_call(tail_call, type, results);
      } else {
        iface_.call_indirect(op, type_index, table);
        return finish_call(tail_call, type);
      }
    }

    case Op::kSelectT: {
      uint32_t count = r.read_count();
      ValType t = kBottom;
      for (uint32_t i = 0; i < count && r.ok(); ++i) t = read_val_type(r, features_);
      if (!r.ok()) return reader_failed();
      if (kValidate && count != 1) return invalid("invalid result arity");
      ensure_operands(3);
      if (!pop_expect(ValType::kI32) || !pop_expect(t) || !pop_expect(t)) return false;
      if constexpr (kRichSelect) {
        Args args = popped(3);
        with_result(t, [&](Value* result) { iface_.select(t, args, result); });
      } else {
        iface_.select(t);
        push(t);
      }
      return true;
    }

    case Op::kTableGet:
    case Op::kTableSet:
    case Op::kTableSize:
    case Op::kTableGrow:
    case Op::kTableFill: {
      uint32_t table;
      if (!read_table(table)) return false;
      ValType element = module_.tables[table].type.element;
      bool ok = true;
      size_t num_args = 0;
      switch (op) {
        case Op::kTableGet:
          ensure_operands(num_args = 1);
          ok = pop_expect(ValType::kI32);
          break;
        case Op::kTableSet:
          ensure_operands(num_args = 2);
          ok = pop_expect(element) && pop_expect(ValType::kI32);
          break;
        case Op::kTableGrow:
          ensure_operands(num_args = 2);
          ok = pop_expect(ValType::kI32) && pop_expect(element);
          break;
        case Op::kTableFill:
          ensure_operands(num_args = 3);
          ok = pop_expect(ValType::kI32) && pop_expect(element) && pop_expect(ValType::kI32);
          break;
        default:
          break;
      }
      if (!ok) return false;
      bool has_result = op == Op::kTableGet || op == Op::kTableSize || op == Op::kTableGrow;
      ValType result_type = op == Op::kTableGet ? element : ValType::kI32;
      if constexpr (kRichTableOp) {
        Args args = popped(num_args);
        if (has_result) {
          with_result(result_type,
                      [&](Value* result) { iface_.table_op(op, table, 0, args, result); });
        } else {
          iface_.table_op(op, table, 0, args, nullptr);
        }
      } else {
        iface_.table_op(op, table, 0);
        if (has_result) push(result_type);
      }
      return true;
    }

    case Op::kTableInit: {
      // Read both indices, then check the table first, as the spec's typing rule does.
      uint32_t elem = r.read_u32();
      uint32_t table;
      if (!r.ok()) return reader_failed();
      if (!read_table(table)) return false;
      if constexpr (kValidate) {
        if (elem >= module_.elems.size())
          return invalid("unknown elem segment " + std::to_string(elem));
        if (module_.elems[elem].element_type != module_.tables[table].type.element)
          return type_mismatch();
      }
      ensure_operands(3);
      if (!pop_expect(ValType::kI32) || !pop_expect(ValType::kI32) || !pop_expect(ValType::kI32))
        return false;
      if constexpr (kRichTableOp) {
        iface_.table_op(op, elem, table, popped(3), nullptr);
      } else {
        iface_.table_op(op, elem, table);
      }
      return true;
    }

    case Op::kTableCopy: {
      uint32_t dst, src;
      if (!read_table(dst) || !read_table(src)) return false;
      if (kValidate && module_.tables[dst].type.element != module_.tables[src].type.element)
        return type_mismatch();
      ensure_operands(3);
      if (!pop_expect(ValType::kI32) || !pop_expect(ValType::kI32) || !pop_expect(ValType::kI32))
        return false;
      if constexpr (kRichTableOp) {
        iface_.table_op(op, dst, src, popped(3), nullptr);
      } else {
        iface_.table_op(op, dst, src);
      }
      return true;
    }

    case Op::kElemDrop: {
      uint32_t elem;
      if (!read_index(elem, module_.elems.size(), "elem segment")) return false;
      if constexpr (kRichTableOp) {
        iface_.table_op(op, elem, 0, Args{}, nullptr);
      } else {
        iface_.table_op(op, elem, 0);
      }
      return true;
    }

    case Op::kMemorySize:
    case Op::kMemoryGrow: {
      uint32_t memory;
      if (!read_memory(memory)) return false;
      ValType address = ctx_.address_type(memory);
      size_t num_args = op == Op::kMemoryGrow;
      ensure_operands(num_args);
      if (op == Op::kMemoryGrow && !pop_expect(address)) return false;
      if constexpr (kRichMemoryOp) {
        Args args = popped(num_args);
        with_result(address, [&](Value* result) { iface_.memory_op(op, memory, 0, args, result); });
      } else {
        iface_.memory_op(op, memory, 0);
        push(address);
      }
      return true;
    }

    case Op::kMemoryInit: {
      uint32_t data = r.read_u32();
      uint32_t memory;
      if (!r.ok()) return reader_failed();
      if (!read_memory(memory) || !check_data_index(data)) return false;
      ensure_operands(3);
      if (!pop_expect(ValType::kI32) || !pop_expect(ValType::kI32) ||
          !pop_expect(ctx_.address_type(memory)))
        return false;
      if constexpr (kRichMemoryOp) {
        iface_.memory_op(op, data, memory, popped(3), nullptr);
      } else {
        iface_.memory_op(op, data, memory);
      }
      return true;
    }

    case Op::kDataDrop: {
      uint32_t data = r.read_u32();
      if (!r.ok()) return reader_failed();
      if (!check_data_index(data)) return false;
      if constexpr (kRichMemoryOp) {
        iface_.memory_op(op, data, 0, Args{}, nullptr);
      } else {
        iface_.memory_op(op, data, 0);
      }
      return true;
    }

    case Op::kMemoryCopy: {
      uint32_t dst, src;
      if (!read_memory(dst) || !read_memory(src)) return false;
      ValType dst_type = ctx_.address_type(dst), src_type = ctx_.address_type(src);
      ValType size_type =
          (dst_type == ValType::kI64 && src_type == ValType::kI64) ? ValType::kI64 : ValType::kI32;
      ensure_operands(3);
      if (!pop_expect(size_type) || !pop_expect(src_type) || !pop_expect(dst_type)) return false;
      if constexpr (kRichMemoryOp) {
        iface_.memory_op(op, dst, src, popped(3), nullptr);
      } else {
        iface_.memory_op(op, dst, src);
      }
      return true;
    }

    case Op::kMemoryFill: {
      uint32_t memory;
      if (!read_memory(memory)) return false;
      ValType address = ctx_.address_type(memory);
      ensure_operands(3);
      if (!pop_expect(address) || !pop_expect(ValType::kI32) || !pop_expect(address)) return false;
      if constexpr (kRichMemoryOp) {
        iface_.memory_op(op, memory, 0, popped(3), nullptr);
      } else {
        iface_.memory_op(op, memory, 0);
      }
      return true;
    }

    case Op::kRefNull: {
      ValType t = read_ref_type(r);
      if (!r.ok()) return reader_failed();
      if constexpr (kRichRefNull) {
        with_result(t, [&](Value* result) { iface_.ref_null(t, result); });
      } else {
        iface_.ref_null(t);
        push(t);
      }
      return true;
    }

    case Op::kRefIsNull: {
      ValType t = kBottom;
      ensure_operands(1);
      if (!pop(t)) return false;
      if (kValidate && !is_ref_type(t) && t != kBottom) return type_mismatch();
      if constexpr (kRichRefIsNull) {
        Args args = popped(1);
        with_result(ValType::kI32, [&](Value* result) { iface_.ref_is_null(args, result); });
      } else {
        iface_.ref_is_null();
        push(ValType::kI32);
      }
      return true;
    }

    case Op::kRefFunc: {
      uint32_t callee;
      if (!read_index(callee, module_.functions.size(), "function")) return false;
      if (const_mode_) {
        const_expr_refs_.push_back(callee);
      } else if (kValidate && !ctx_.declared_functions[callee]) {
        return invalid("undeclared function reference");
      }
      if constexpr (kRichRefFunc) {
        with_result(ValType::kFuncRef, [&](Value* result) { iface_.ref_func(callee, result); });
      } else {
        iface_.ref_func(callee);
        push(ValType::kFuncRef);
      }
      return true;
    }

    // Exception handling (the 2022 try/catch/delegate form).
    case Op::kThrow: {
      uint32_t tag;
      if (!read_index(tag, module_.tags.size(), "tag")) return false;
      std::span<const ValType> params = module_.types[module_.tags[tag].type.type_index].params;
      ensure_operands(params.size());
      if (!pop_values(params)) return false;
      if constexpr (kRichException) {
        iface_.exception_op(op, tag, popped(params.size()), Results{}, nullptr);
      } else {
        iface_.exception_op(op, tag);
      }
      set_unreachable();
      return true;
    }

    case Op::kRethrow: {
      uint32_t depth;
      if (!read_label(depth)) return false;
      FrameKind kind = label_frame(depth).kind;
      if (kValidate && kind != FrameKind::kCatch && kind != FrameKind::kCatchAll)
        return invalid("invalid rethrow label");
      if constexpr (kRichException) {
        iface_.exception_op(op, depth, Args{}, Results{}, &label_frame(depth).control);
      } else {
        iface_.exception_op(op, depth);
      }
      set_unreachable();
      return true;
    }

    case Op::kCatch:
    case Op::kCatchAll: {
      uint32_t tag = 0;
      if (op == Op::kCatch && !read_index(tag, module_.tags.size(), "tag")) return false;
      Frame& top = control_.back();
      if (kValidate && top.kind != FrameKind::kTry && top.kind != FrameKind::kCatch)
        return fail(ErrorKind::kMalformed, "catch without matching try", instr_offset());
      ensure_operands(top.sig.results.size());
      if (!check_exact(top, top.sig.results)) return false;
      std::span<const ValType> caught;
      if (op == Op::kCatch) caught = module_.types[module_.tags[tag].type.type_index].params;
      if constexpr (kRichException) {
        std::vector<Value> ending(top_values(top.sig.results.size()).begin(),
                                  top_values(top.sig.results.size()).end());
        Results values = scratch(caught.size());
        iface_.exception_op(op, tag, ending, values, &top.control);
        stack_.shrink_to(top.height);
        stack_.append(caught, values);
      } else {
        iface_.exception_op(op, tag);
        stack_.shrink_to(top.height);
        push_values(caught);
      }
      top.kind = op == Op::kCatch ? FrameKind::kCatch : FrameKind::kCatchAll;
      top.unreachable = false;
      return true;
    }

    case Op::kDelegate: {
      Frame& top = control_.back();
      if (kValidate && top.kind != FrameKind::kTry)
        return fail(ErrorKind::kMalformed, "delegate without matching try", instr_offset());
      uint32_t depth = r.read_u32();
      if (!r.ok()) return reader_failed();
      // The label is counted from the frame enclosing the try.
      if (kValidate && depth >= control_.size() - 1) return invalid("unknown label");
      std::span<const ValType> results = top.sig.results;
      ensure_operands(results.size());
      if (!check_exact(top, results)) return false;
      if constexpr (kRichException) {
        Args values = top_values(results.size());
        Results after = scratch_copy(values);
        iface_.exception_op(op, depth, values, after, &top.control);
        stack_.shrink_to(top.height);
        control_.pop_back();
        stack_.append(results, after);
      } else {
        iface_.exception_op(op, depth);
        stack_.shrink_to(top.height);
        control_.pop_back();
        push_values(results);
      }
      return true;
    }

    default:
      return fail(ErrorKind::kMalformed, "illegal opcode", instr_offset());
  }
}

}  // namespace keel
