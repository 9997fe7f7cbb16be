#include "spec_script.h"

namespace keel::spec {
namespace {

std::string lane_text(const SpecLane& lane) {
  switch (lane.nan) {
    case NanPattern::kCanonical:
      return "nan:canonical";
    case NanPattern::kArithmetic:
      return "nan:arithmetic";
    case NanPattern::kNone:
      break;
  }
  return std::to_string(lane.bits);
}

}  // namespace

std::string SpecValue::to_string() const {
  std::string s = val_type_name(type);
  if (is_ref_type(type)) {
    switch (ref) {
      case RefPattern::kNull:
        return s + ":null";
      case RefPattern::kHost:
        return s + ":" + std::to_string(host);
      case RefPattern::kAnyNonNull:
        return s + ":non-null";
    }
  }
  if (any_value) return s + ":any";
  if (type != ValType::kV128) return s + ":" + lane_text(lanes.at(0));
  s += ":";
  s += lane_bits <= 16 ? "i" + std::to_string(lane_bits) : std::string(val_type_name(lane_type));
  s += "x" + std::to_string(128 / lane_bits) + ":";
  for (size_t i = 0; i < lanes.size(); ++i) s += (i ? " " : "") + lane_text(lanes[i]);
  return s;
}

}  // namespace keel::spec
