// What tier-2 IR tests share: a verified-graph expectation that prints the graph when it fails.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "jit/optimizing/ir.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {

// How many times `what` occurs in `text` (a printed graph).
inline size_t occurrences(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

inline void expect_valid(const Graph& g) {
  Status status = verify(g);
  EXPECT_TRUE(status.ok()) << status.error().message << "\n" << print_graph(g);
}

}  // namespace keel::jit::opt
