// Text processing over generated prose: tokenising, a word-frequency table (FNV-1a hashing with
// open addressing and byte-wise key comparison), and a Horspool substring search. Byte loads,
// unpredictable branches and small loops.
#include "bench.h"

#define BENCH_N 115
#define TEXT_BYTES (1024 * 1024)
#define TABLE_SLOTS 16384  // a power of two well above the 4368 possible words

static u8 text[TEXT_BYTES];
static u32 slot_start[TABLE_SLOTS], slot_len[TABLE_SLOTS], slot_count[TABLE_SLOTS];

static const char* const kSyllables[16] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po",
                                           "an", "el", "or", "ul", "ve", "xi", "zo", "qu"};

static usize generate(u32* seed) {
  usize len = 0;
  while (len + 16 < TEXT_BYTES) {
    u32 r = lcg_next(seed);
    int syllables = 1 + (int)((r >> 28) % 3);
    for (int s = 0; s < syllables; s++) {
      const char* syl = kSyllables[(r >> (4 * s + 8)) & 15];
      text[len++] = (u8)syl[0];
      text[len++] = (u8)syl[1];
    }
    text[len++] = (r & 31) == 0 ? '\n' : ((r & 31) == 1 ? ',' : ' ');
  }
  return len;
}

static int is_letter(u8 c) { return (u8)(c - 'a') < 26; }

static int same_word(u32 a, u32 b, u32 len) {
  for (u32 i = 0; i < len; i++) {
    if (text[a + i] != text[b + i]) return 0;
  }
  return 1;
}

// Returns the number of distinct words; slot_count holds each word's frequency.
static u32 count_words(usize len) {
  for (int i = 0; i < TABLE_SLOTS; i++) slot_count[i] = 0;
  u32 distinct = 0;
  usize i = 0;
  while (i < len) {
    while (i < len && !is_letter(text[i])) i++;
    usize start = i;
    u32 hash = 2166136261u;
    while (i < len && is_letter(text[i])) hash = (hash ^ text[i++]) * 16777619u;
    u32 word_len = (u32)(i - start);
    if (word_len == 0) break;
    u32 slot = hash & (TABLE_SLOTS - 1);
    for (;;) {
      if (slot_count[slot] == 0) {
        slot_start[slot] = (u32)start;
        slot_len[slot] = word_len;
        slot_count[slot] = 1;
        distinct++;
        break;
      }
      if (slot_len[slot] == word_len && same_word(slot_start[slot], (u32)start, word_len)) {
        slot_count[slot]++;
        break;
      }
      slot = (slot + 1) & (TABLE_SLOTS - 1);
    }
  }
  return distinct;
}

static u32 horspool_count(usize len, const u8* pattern, usize plen) {
  usize skip[256];
  for (int c = 0; c < 256; c++) skip[c] = plen;
  for (usize k = 0; k + 1 < plen; k++) skip[pattern[k]] = plen - 1 - k;
  u32 found = 0;
  usize at = 0;
  while (at + plen <= len) {
    usize k = plen;
    while (k > 0 && text[at + k - 1] == pattern[k - 1]) k--;
    if (k == 0) found++;
    at += skip[text[at + plen - 1]];
  }
  return found;
}

i64 run(i32 n) {
  static const u8 kPattern[] = {'m', 'i', 'n', 'e', ' ', 'k', 'a'};
  u32 seed = 31337;
  u64 sum = 0;
  for (i32 round = 0; round < n; round++) {
    usize len = generate(&seed);
    u32 distinct = count_words(len);
    u32 best = 0;
    for (int s = 0; s < TABLE_SLOTS; s++) {
      if (slot_count[s] > best) best = slot_count[s];
    }
    u32 found = horspool_count(len, kPattern, sizeof kPattern);
    sum = mix64(sum, (u64)distinct << 40 ^ (u64)best << 20 ^ found);
  }
  return (i64)sum;
}
