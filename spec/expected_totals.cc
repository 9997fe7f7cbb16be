#include "expected_totals.h"

#include <fstream>

#include <nlohmann/json.hpp>

namespace keel::spec {

Result<ExpectedTotals> read_expected(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::kIo, "cannot open " + path.string() +
                                          " (generate it with --write-expected, see "
                                          "spec/README.md)");
  }
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    ExpectedTotals totals;
    totals.total = j.at("total").get<uint32_t>();
    totals.files = j.at("files").get<std::map<std::string, uint32_t>>();
    return totals;
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorKind::kIo, path.string() + ": " + e.what());
  }
}

Status write_expected(const std::filesystem::path& path, const ExpectedTotals& totals) {
  nlohmann::json j;
  j["comment"] =
      "Minimum passed commands per spec script. Only ever raise these: see spec/README.md";
  j["total"] = totals.total;
  j["files"] = totals.files;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << j.dump(2) << '\n';
  if (!out) return make_error(ErrorKind::kIo, "cannot write " + path.string());
  return {};
}

std::vector<std::string> find_drops(const ExpectedTotals& expected, const ExpectedTotals& actual) {
  std::vector<std::string> drops;
  auto check = [&](const std::string& what, uint32_t want, uint32_t got) {
    if (got < want) {
      drops.push_back(what + ": " + std::to_string(got) + " passed, expected at least " +
                      std::to_string(want));
    }
  };
  for (const auto& [name, want] : expected.files) {
    auto it = actual.files.find(name);
    check(it == actual.files.end() ? name + " (did not run)" : name, want,
          it == actual.files.end() ? 0 : it->second);
  }
  check("total", expected.total, actual.total);
  return drops;
}

}  // namespace keel::spec
