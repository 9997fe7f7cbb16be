// Expected minimum passed counts, per script and in total, kept in the repository so a change that
// makes fewer spec commands pass fails the test. Expectations are only ever raised.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace keel::spec {

struct ExpectedTotals {
  std::map<std::string, uint32_t> files;  // script name -> passed commands
  uint32_t total = 0;
};

Result<ExpectedTotals> read_expected(const std::filesystem::path& path);
Status write_expected(const std::filesystem::path& path, const ExpectedTotals& totals);

// One line per count that fell below its expectation (a script that did not run counts as 0).
std::vector<std::string> find_drops(const ExpectedTotals& expected, const ExpectedTotals& actual);

}  // namespace keel::spec
