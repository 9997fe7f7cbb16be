// What tier-2 IR tests share: a verified-graph expectation that prints the graph when it fails.
#pragma once

#include <gtest/gtest.h>

#include "jit/optimizing/ir.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {

inline void expect_valid(const Graph& g) {
  Status status = verify(g);
  EXPECT_TRUE(status.ok()) << status.error().message << "\n" << print_graph(g);
}

}  // namespace keel::jit::opt
