// A small WASI command: counts lines, words and bytes of each file named (or of standard input),
// like wc(1). Files are reachable only inside directories granted with `keel run --dir`.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct Counts {
  unsigned long lines, words, bytes;
};

static struct Counts count(FILE* f) {
  struct Counts c = {0, 0, 0};
  int in_word = 0;
  for (int ch; (ch = getc(f)) != EOF;) {
    ++c.bytes;
    if (ch == '\n') ++c.lines;
    if (isspace(ch)) {
      in_word = 0;
    } else if (!in_word) {
      in_word = 1;
      ++c.words;
    }
  }
  return c;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    struct Counts c = count(stdin);
    printf("%7lu %7lu %7lu\n", c.lines, c.words, c.bytes);
    return 0;
  }
  struct Counts total = {0, 0, 0};
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    FILE* f = fopen(argv[i], "r");
    if (!f) {
      // Outside every granted directory this is ENOTCAPABLE: the sandbox at work.
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    struct Counts c = count(f);
    fclose(f);
    printf("%7lu %7lu %7lu %s\n", c.lines, c.words, c.bytes, argv[i]);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if (argc > 2) printf("%7lu %7lu %7lu total\n", total.lines, total.words, total.bytes);
  return status;
}
