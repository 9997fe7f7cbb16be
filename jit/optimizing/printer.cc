#include "jit/optimizing/printer.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace keel::jit::opt {

namespace {

std::string hex(uint64_t bits, int digits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, digits, bits);
  return buf;
}

std::string type_list(const std::vector<ValType>& types) {
  std::string out = "(";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += ", ";
    out += val_type_name(types[i]);
  }
  return out + ")";
}

std::string value_list(std::span<const ValueId> values, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i != begin) out += ", ";
    out += value_name(values[i]);
  }
  return out;
}

std::string block_call(const BlockCall& call) {
  std::string out = block_name(call.block);
  if (!call.args.empty()) out += "(" + value_list(call.args, 0, call.args.size()) + ")";
  return out;
}

std::string constant_text(const Inst& inst) {
  switch (inst.type) {
    case ValType::kI32:
      return "i32.const " + std::to_string(static_cast<int32_t>(inst.imm[0]));
    case ValType::kI64:
      return "i64.const " + std::to_string(static_cast<int64_t>(inst.imm[0]));
    case ValType::kF32:
      return "f32.const bits:" + hex(inst.imm[0], 8);
    case ValType::kF64:
      return "f64.const bits:" + hex(inst.imm[0], 16);
    case ValType::kV128:
      return "v128.const i64x2 " + hex(inst.imm[0], 16) + ", " + hex(inst.imm[1], 16);
    default:
      return "const <bad type>";
  }
}

std::string memory_operand(const Inst& inst) {
  std::string out = "mem" + std::to_string(inst.index) + "[" + value_name(inst.operands[0]);
  if (inst.imm[0]) out += " + " + std::to_string(inst.imm[0]);
  return out + "]";
}

std::string trap_set(uint32_t traps) {
  std::string out;
  for (uint32_t code = 0; code < 32; ++code) {
    if (!(traps & (1u << code))) continue;
    if (!out.empty()) out += ", ";
    out += trap_name(static_cast<TrapCode>(code));
  }
  return out;
}

std::string body(const Graph& graph, const Inst& inst) {
  const ValueList& ops = inst.operands;
  std::string all = value_list(ops, 0, ops.size());
  switch (inst.kind) {
    case InstKind::kConst:
      return constant_text(inst);
    case InstKind::kWasm: {
      std::string out(op_text(inst.op));
      if (!ops.empty()) out += " " + all;
      ImmKind imm = op_info(inst.op).imm;
      if (imm == ImmKind::Shuffle) {
        uint8_t lanes[16];
        std::memcpy(lanes, inst.imm, sizeof lanes);
        out += " [";
        for (int i = 0; i < 16; ++i) out += (i ? " " : "") + std::to_string(lanes[i]);
        out += "]";
      } else if (lane_count(imm) != 0) {
        out += " lane " + std::to_string(inst.imm[1]);
      }
      if (inst.effects.may_trap()) out += " !trap(" + trap_set(inst.effects.traps) + ")";
      return out;
    }
    case InstKind::kSelect:
      return "select " + all;
    case InstKind::kMulHigh:
      return std::string(inst.index ? "mul_high_s " : "mul_high_u ") + all;
    case InstKind::kRefNull:
      return std::string("ref.null ") + val_type_name(inst.type);
    case InstKind::kRefFunc:
      return "ref.func f" + std::to_string(inst.index);
    case InstKind::kRefIsNull:
      return "ref.is_null " + all;
    case InstKind::kLoad: {
      std::string out = std::string(op_text(inst.op)) + " " + memory_operand(inst);
      if (ops.size() > 1) out += ", " + value_list(ops, 1, ops.size());
      if (lane_count(op_info(inst.op).imm)) out += " lane " + std::to_string(inst.imm[1]);
      return out;
    }
    case InstKind::kStore: {
      std::string out = std::string(op_text(inst.op)) + " " + memory_operand(inst) + ", " +
                        value_list(ops, 1, ops.size());
      if (lane_count(op_info(inst.op).imm)) out += " lane " + std::to_string(inst.imm[1]);
      return out;
    }
    case InstKind::kGlobalGet:
      return "global.get g" + std::to_string(inst.index);
    case InstKind::kOsrValue:
      return "osr.value " + std::to_string(inst.index);
    case InstKind::kGlobalSet:
      return "global.set g" + std::to_string(inst.index) + ", " + all;
    case InstKind::kTableGet:
      return "table.get t" + std::to_string(inst.index) + "[" + all + "]";
    case InstKind::kTableSet:
      return "table.set t" + std::to_string(inst.index) + "[" + value_name(ops[0]) + "], " +
             value_list(ops, 1, ops.size());
    case InstKind::kTableSize:
      return "table.size t" + std::to_string(inst.index);
    case InstKind::kMemorySize:
      return "memory.size mem" + std::to_string(inst.index);
    case InstKind::kRuntimeCall: {
      std::string out = "runtime " + std::string(op_text(inst.op)) + " " +
                        std::to_string(inst.index) + " " + std::to_string(inst.index2);
      if (!ops.empty()) out += ", " + all;
      return out;
    }
    case InstKind::kCall:
      return "call f" + std::to_string(inst.index) + "(" + all + ")";
    case InstKind::kCallIndirect:
      return "call_indirect t" + std::to_string(inst.index2) + " type" +
             std::to_string(inst.index) + " " + value_name(ops.back()) + "(" +
             value_list(ops, 0, ops.size() - 1) + ")";
    case InstKind::kTrapIf:
      return "trap_if " + all + ", " + trap_name(inst.trap_code);
    case InstKind::kJump:
      return "jump " + block_call(inst.targets[0]);
    case InstKind::kBranch:
      return "brif " + all + ", " + block_call(inst.targets[0]) + ", " +
             block_call(inst.targets[1]);
    case InstKind::kSwitch: {
      std::string out = "br_table " + all + ", [";
      for (size_t i = 0; i + 1 < inst.targets.size(); ++i)
        out += (i ? ", " : "") + block_call(inst.targets[i]);
      return out + "], " + block_call(inst.targets.back());
    }
    case InstKind::kReturn:
      return ops.empty() ? "return" : "return " + all;
    case InstKind::kTrap:
      return "trap " + trap_name(inst.trap_code);
  }
  (void)graph;
  return "<bad instruction>";
}

}  // namespace

std::string value_name(ValueId id) {
  return id.valid() ? "v" + std::to_string(id.index) : "v?";
}
std::string block_name(BlockId id) {
  return id.valid() ? "block" + std::to_string(id.index) : "block?";
}

std::string trap_name(TrapCode code) {
  std::string out = trap_message(code);
  for (char& c : out)
    if (c == ' ') c = '_';
  return out;
}

std::string print_inst(const Graph& graph, InstId id) {
  const Inst& inst = graph.inst(id);
  std::string out;
  for (uint32_t i = 0; i < inst.num_results; ++i) {
    if (i) out += ", ";
    out += value_name(graph.result(id, i));
  }
  if (inst.num_results) out += " = ";
  return out + body(graph, inst);
}

std::string print_graph(const Graph& graph, const InstAnnotator& annotate) {
  std::string out = "function " + type_list(graph.signature().params) + " -> " +
                    type_list(graph.signature().results) + " {\n";
  for (BlockId b : graph.layout()) {
    const Block& block = graph.block(b);
    out += block_name(b);
    if (!block.params.empty()) {
      out += "(";
      for (size_t i = 0; i < block.params.size(); ++i) {
        if (i) out += ", ";
        out += value_name(block.params[i]) + ": " + val_type_name(graph.type_of(block.params[i]));
      }
      out += ")";
    }
    out += ":\n";
    for (InstId i : block.insts) {
      if (graph.inst(i).dead) continue;
      out += "  " + print_inst(graph, i);
      if (annotate) {
        std::string note = annotate(i);
        if (!note.empty()) out += "  ; " + note;
      }
      out += "\n";
    }
  }
  return out + "}\n";
}

}  // namespace keel::jit::opt
