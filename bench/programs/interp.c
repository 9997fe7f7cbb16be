// A stack-machine bytecode interpreter with switch dispatch (the loop at the heart of every
// scripting engine): indirect branches, a memory-resident operand stack, i64 arithmetic. The
// bytecode is assembled at run time, so the compiler cannot specialise the interpreter to it.
#include "bench.h"

#define BENCH_N 23
#define ITERATIONS_PER_N 1000000

enum Op {
  kPush,   // imm: push it
  kLoad,   // reg: push it
  kStore,  // reg: pop into it
  kInc,    // reg: add one to it
  kAdd,
  kSub,
  kMul,
  kAnd,
  kXor,
  kShr,
  kLt,
  kJz,   // target: pop, jump if zero
  kJnz,  // target: pop, jump if not zero
  kJmp,  // target
  kHalt,
};

static i64 code[128];
static int code_size;

static void emit(i64 word) { code[code_size++] = word; }

static i64 interpret(i64 limit) {
  i64 stack[32];
  i64 reg[8] = {0};
  reg[1] = limit;
  int sp = 0, pc = 0;
  for (;;) {
    i64 op = code[pc++];
    switch (op) {
      case kPush: stack[sp++] = code[pc++]; break;
      case kLoad: stack[sp++] = reg[code[pc++]]; break;
      case kStore: reg[code[pc++]] = stack[--sp]; break;
      case kInc: reg[code[pc++]]++; break;
      case kAdd: sp--; stack[sp - 1] += stack[sp]; break;
      case kSub: sp--; stack[sp - 1] -= stack[sp]; break;
      case kMul: sp--; stack[sp - 1] = (i64)((u64)stack[sp - 1] * (u64)stack[sp]); break;
      case kAnd: sp--; stack[sp - 1] &= stack[sp]; break;
      case kXor: sp--; stack[sp - 1] ^= stack[sp]; break;
      case kShr: sp--; stack[sp - 1] = (i64)((u64)stack[sp - 1] >> (stack[sp] & 63)); break;
      case kLt: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case kJz: { i64 t = code[pc++]; if (stack[--sp] == 0) pc = (int)t; break; }
      case kJnz: { i64 t = code[pc++]; if (stack[--sp] != 0) pc = (int)t; break; }
      case kJmp: pc = (int)code[pc]; break;
      case kHalt: return stack[sp - 1];
      default: return -1;
    }
  }
}

// Registers: r0 = i, r1 = limit, r2 = acc, r3 = sampled sum. The program is
//   while (i < limit) { acc = (acc * 31 + i) ^ (i >> 3); if (!(i & 7)) sum += acc & 0xffff; i++; }
//   return acc ^ sum;
static void assemble(void) {
  code_size = 0;
  emit(kPush), emit(1), emit(kStore), emit(2);
  int loop = code_size;
  emit(kLoad), emit(0), emit(kLoad), emit(1), emit(kLt), emit(kJz);
  int exit_patch = code_size;
  emit(0);
  emit(kLoad), emit(2), emit(kPush), emit(31), emit(kMul), emit(kLoad), emit(0), emit(kAdd);
  emit(kLoad), emit(0), emit(kPush), emit(3), emit(kShr), emit(kXor), emit(kStore), emit(2);
  emit(kLoad), emit(0), emit(kPush), emit(7), emit(kAnd), emit(kJnz);
  int skip_patch = code_size;
  emit(0);
  emit(kLoad), emit(3), emit(kLoad), emit(2), emit(kPush), emit(0xffff), emit(kAnd), emit(kAdd);
  emit(kStore), emit(3);
  code[skip_patch] = code_size;
  emit(kInc), emit(0), emit(kJmp), emit(loop);
  code[exit_patch] = code_size;
  emit(kLoad), emit(2), emit(kLoad), emit(3), emit(kXor), emit(kHalt);
}

i64 run(i32 n) {
  assemble();
  return interpret((i64)n * ITERATIONS_PER_N);
}
