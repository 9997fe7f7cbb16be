// SHA-256 (FIPS 180-4) over a generated buffer, chained: each digest is written back into the
// buffer before the next hash, so no round can be skipped. 32-bit rotates and adds; the lengths
// vary so the padding path runs too.
#include "bench.h"

#define BENCH_N 640
#define BUFFER_BYTES (256 * 1024)

static u8 buffer[BUFFER_BYTES];

static const u32 kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline u32 rotr(u32 x, int k) { return (x >> k) | (x << (32 - k)); }

static void compress(u32 state[8], const u8* block) {
  u32 w[64];
  for (int i = 0; i < 16; i++) {
    w[i] = (u32)block[4 * i] << 24 | (u32)block[4 * i + 1] << 16 | (u32)block[4 * i + 2] << 8 |
           (u32)block[4 * i + 3];
  }
  for (int i = 16; i < 64; i++) {
    u32 s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    u32 s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  u32 a = state[0], b = state[1], c = state[2], d = state[3];
  u32 e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; i++) {
    u32 t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
    u32 t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a, state[1] += b, state[2] += c, state[3] += d;
  state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

static void sha256(const u8* data, usize len, u32 out[8]) {
  u32 state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  usize whole = len & ~(usize)63;
  for (usize off = 0; off < whole; off += 64) compress(state, data + off);
  u8 tail[128] = {0};
  usize rest = len - whole;
  for (usize i = 0; i < rest; i++) tail[i] = data[whole + i];
  tail[rest] = 0x80;
  usize tail_len = rest < 56 ? 64 : 128;
  u64 bits = (u64)len * 8;
  for (int i = 0; i < 8; i++) tail[tail_len - 1 - i] = (u8)(bits >> (8 * i));
  for (usize off = 0; off < tail_len; off += 64) compress(state, tail + off);
  for (int i = 0; i < 8; i++) out[i] = state[i];
}

i64 run(i32 n) {
  // The FIPS 180-4 example: a wrong kernel fails loudly instead of timing the wrong thing.
  static const u8 abc[3] = {'a', 'b', 'c'};
  u32 digest[8];
  sha256(abc, 3, digest);
  if (digest[0] != 0xba7816bf || digest[7] != 0xf20015ad) return -1;

  u32 seed = 99;
  for (int i = 0; i < BUFFER_BYTES; i++) buffer[i] = (u8)(lcg_next(&seed) >> 24);
  for (i32 round = 0; round < n; round++) {
    sha256(buffer, BUFFER_BYTES - round % 61, digest);
    usize at = ((usize)round * 32) % BUFFER_BYTES;
    for (int i = 0; i < 8; i++) {
      for (int k = 0; k < 4; k++) buffer[at + 4 * i + k] = (u8)(digest[i] >> (24 - 8 * k));
    }
  }
  return (i64)((u64)digest[0] << 32 | digest[1]);
}
