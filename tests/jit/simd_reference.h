// The spec's SIMD semantics in plain C++, lane by lane, for the lowering tests. Instructions are
// recognised by their text ("i16x8.add_sat_s"): shape, then operation.
#pragma once

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "jit/simd_harness.h"

namespace keel::jit::testing {

// The expected result: exact bits, except float lanes that are NaN, which only need to be NaN of
// the right kind (canonical when every NaN input was, else arithmetic).
struct SimdExpect {
  V128 bits;
  int float_lane_bits = 0;  // 32 or 64 when the result has float lanes
  bool nan_canonical = true;
  bool known = true;  // false: no reference for this instruction
};

namespace ref {

template <typename F>
using Bits = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;

template <typename F>
bool is_canonical_or_number(F x) {
  if (!std::isnan(x)) return true;
  Bits<F> b = std::bit_cast<Bits<F>>(x) & ~(Bits<F>(1) << (sizeof(F) * 8 - 1));
  return b == (sizeof(F) == 4 ? Bits<F>(0x7fc00000u) : Bits<F>(0x7ff8000000000000ull));
}

template <typename T>
constexpr int lanes() {
  return 16 / sizeof(T);
}

template <typename T, typename Fn>
V128 map1(const V128& a, Fn fn) {
  V128 r;
  for (int i = 0; i < lanes<T>(); ++i) r.set<T>(i, fn(a.get<T>(i)));
  return r;
}
template <typename T, typename Fn>
V128 map2(const V128& a, const V128& b, Fn fn) {
  V128 r;
  for (int i = 0; i < lanes<T>(); ++i) r.set<T>(i, fn(a.get<T>(i), b.get<T>(i)));
  return r;
}
template <typename T>
T mask(bool x) {
  return x ? T(~T(0)) : T(0);
}
template <typename T, typename W>
T sat(W v) {
  return T(std::clamp<W>(v, W(std::numeric_limits<T>::min()), W(std::numeric_limits<T>::max())));
}

// Integer instructions of one shape: S signed lane type, U unsigned.
template <typename S>
bool integer(std::string_view name, const SimdInputs& in, V128& r) {
  using U = std::make_unsigned_t<S>;
  using W = int64_t;
  constexpr int bits = sizeof(S) * 8;
  const V128 &a = in.a, &b = in.b;
  auto bin = [&](auto fn) { r = map2<U>(a, b, fn); };
  if (name == "add") return bin([](U x, U y) { return U(x + y); }), true;
  if (name == "sub") return bin([](U x, U y) { return U(x - y); }), true;
  if (name == "mul") return bin([](U x, U y) { return U(uint64_t(x) * uint64_t(y)); }), true;
  if (name == "add_sat_s")
    return r = map2<S>(a, b, [](S x, S y) { return sat<S>(W(x) + W(y)); }), true;
  if (name == "sub_sat_s")
    return r = map2<S>(a, b, [](S x, S y) { return sat<S>(W(x) - W(y)); }), true;
  if (name == "add_sat_u") return bin([](U x, U y) { return sat<U>(W(x) + W(y)); }), true;
  if (name == "sub_sat_u") return bin([](U x, U y) { return sat<U>(W(x) - W(y)); }), true;
  if (name == "min_s") return r = map2<S>(a, b, [](S x, S y) { return std::min(x, y); }), true;
  if (name == "max_s") return r = map2<S>(a, b, [](S x, S y) { return std::max(x, y); }), true;
  if (name == "min_u") return bin([](U x, U y) { return std::min(x, y); }), true;
  if (name == "max_u") return bin([](U x, U y) { return std::max(x, y); }), true;
  if (name == "avgr_u") return bin([](U x, U y) { return U((W(x) + W(y) + 1) >> 1); }), true;
  if (name == "eq") return bin([](U x, U y) { return mask<U>(x == y); }), true;
  if (name == "ne") return bin([](U x, U y) { return mask<U>(x != y); }), true;
  if (name == "lt_s") return r = map2<S>(a, b, [](S x, S y) { return S(mask<U>(x < y)); }), true;
  if (name == "gt_s") return r = map2<S>(a, b, [](S x, S y) { return S(mask<U>(x > y)); }), true;
  if (name == "le_s") return r = map2<S>(a, b, [](S x, S y) { return S(mask<U>(x <= y)); }), true;
  if (name == "ge_s") return r = map2<S>(a, b, [](S x, S y) { return S(mask<U>(x >= y)); }), true;
  if (name == "lt_u") return bin([](U x, U y) { return mask<U>(x < y); }), true;
  if (name == "gt_u") return bin([](U x, U y) { return mask<U>(x > y); }), true;
  if (name == "le_u") return bin([](U x, U y) { return mask<U>(x <= y); }), true;
  if (name == "ge_u") return bin([](U x, U y) { return mask<U>(x >= y); }), true;
  if (name == "abs") return r = map1<U>(a, [](U x) { return S(x) < 0 ? U(U(0) - x) : x; }), true;
  if (name == "neg") return r = map1<U>(a, [](U x) { return U(U(0) - x); }), true;
  if (name == "popcnt") return r = map1<U>(a, [](U x) { return U(std::popcount(x)); }), true;
  const uint32_t count = uint32_t(in.scalar) % bits;
  if (name == "shl") return r = map1<U>(a, [&](U x) { return U(x << count); }), true;
  if (name == "shr_u") return r = map1<U>(a, [&](U x) { return U(x >> count); }), true;
  if (name == "shr_s") return r = map1<S>(a, [&](S x) { return S(x >> count); }), true;
  if (name == "splat") {
    for (int i = 0; i < lanes<U>(); ++i) r.set<U>(i, U(in.scalar));
    return true;
  }
  if (name == "all_true") {
    bool all = true;
    for (int i = 0; i < lanes<U>(); ++i) all = all && a.get<U>(i) != 0;
    r.set<uint64_t>(0, all ? 1 : 0);
    return true;
  }
  if (name == "bitmask") {
    uint64_t m = 0;
    for (int i = 0; i < lanes<S>(); ++i) m |= uint64_t(a.get<S>(i) < 0) << i;
    r.set<uint64_t>(0, m);
    return true;
  }
  return false;
}

// Widening, narrowing and the multiplies that change the lane width: N is the narrow signed
// type, D the double-width one.
template <typename N, typename D>
bool widening(std::string_view name, const SimdInputs& in, V128& r) {
  using NU = std::make_unsigned_t<N>;
  using DU = std::make_unsigned_t<D>;
  constexpr int n = lanes<D>();
  const V128 &a = in.a, &b = in.b;
  auto half = [&](const V128& v, int i, bool high, bool is_signed) -> int64_t {
    int k = i + (high ? n : 0);
    return is_signed ? int64_t(v.get<N>(k)) : int64_t(v.get<NU>(k));
  };
  bool is_s = name.ends_with("_s");
  bool high = name.find("high") != std::string_view::npos;
  if (name.starts_with("extend_")) {
    for (int i = 0; i < n; ++i) r.set<D>(i, D(half(a, i, high, is_s)));
    return true;
  }
  if (name.starts_with("extmul_")) {
    for (int i = 0; i < n; ++i)
      r.set<DU>(i, DU(uint64_t(half(a, i, high, is_s)) * uint64_t(half(b, i, high, is_s))));
    return true;
  }
  if (name.starts_with("extadd_pairwise_")) {
    for (int i = 0; i < n; ++i) {
      int64_t x = is_s ? a.get<N>(2 * i) : a.get<NU>(2 * i);
      int64_t y = is_s ? a.get<N>(2 * i + 1) : a.get<NU>(2 * i + 1);
      r.set<D>(i, D(x + y));
    }
    return true;
  }
  if (name.starts_with("narrow_")) {
    // The result has the narrow lanes: a's wide lanes, then b's.
    for (int i = 0; i < n; ++i) {
      int64_t x = a.get<D>(i), y = b.get<D>(i);
      if (is_s) {
        r.set<N>(i, sat<N>(x));
        r.set<N>(i + n, sat<N>(y));
      } else {
        r.set<NU>(i, sat<NU>(x));
        r.set<NU>(i + n, sat<NU>(y));
      }
    }
    return true;
  }
  if (name == "dot_i16x8_s") {
    for (int i = 0; i < n; ++i)
      r.set<D>(i, D(uint32_t(int64_t(a.get<N>(2 * i)) * b.get<N>(2 * i) +
                             int64_t(a.get<N>(2 * i + 1)) * b.get<N>(2 * i + 1))));
    return true;
  }
  return false;
}

template <typename F>
F canonical_nan() {
  return std::numeric_limits<F>::quiet_NaN();
}

// Float instructions of one shape.
template <typename F>
bool floating(std::string_view name, const SimdInputs& in, V128& r, bool& canonical) {
  using B = Bits<F>;
  constexpr int n = lanes<F>();
  const V128 &a = in.a, &b = in.b;
  constexpr B sign = B(1) << (sizeof(F) * 8 - 1);
  auto lanes_canonical = [&](const V128& v) {
    for (int i = 0; i < n; ++i)
      if (!is_canonical_or_number(v.get<F>(i))) return false;
    return true;
  };
  auto un = [&](auto fn) {
    canonical = lanes_canonical(a);
    r = map1<F>(a, fn);
  };
  auto bin = [&](auto fn) {
    canonical = lanes_canonical(a) && lanes_canonical(b);
    r = map2<F>(a, b, fn);
  };
  auto cmp = [&](auto fn) {
    r = map2<F>(a, b, [&](F x, F y) { return std::bit_cast<F>(mask<B>(fn(x, y))); });
  };
  if (name == "add") return bin([](F x, F y) { return x + y; }), true;
  if (name == "sub") return bin([](F x, F y) { return x - y; }), true;
  if (name == "mul") return bin([](F x, F y) { return x * y; }), true;
  if (name == "div") return bin([](F x, F y) { return x / y; }), true;
  if (name == "sqrt") return un([](F x) { return std::sqrt(x); }), true;
  if (name == "ceil") return un([](F x) { return std::ceil(x); }), true;
  if (name == "floor") return un([](F x) { return std::floor(x); }), true;
  if (name == "trunc") return un([](F x) { return std::trunc(x); }), true;
  if (name == "nearest") return un([](F x) { return std::nearbyint(x); }), true;
  if (name == "min" || name == "max") {
    bool is_min = name == "min";
    return bin([&](F x, F y) {
             if (std::isnan(x) || std::isnan(y)) return canonical_nan<F>();
             if (x == 0 && y == 0) {
               bool neg =
                   is_min ? std::signbit(x) || std::signbit(y) : std::signbit(x) && std::signbit(y);
               return neg ? F(-0.0) : F(0.0);
             }
             return is_min ? std::min(x, y) : std::max(x, y);
           }),
           true;
  }
  // Bitwise results: exact, NaN payloads included.
  if (name == "pmin") return r = map2<F>(a, b, [](F x, F y) { return y < x ? y : x; }), true;
  if (name == "pmax") return r = map2<F>(a, b, [](F x, F y) { return x < y ? y : x; }), true;
  if (name == "abs") return r = map1<B>(a, [&](B x) { return B(x & ~sign); }), true;
  if (name == "neg") return r = map1<B>(a, [&](B x) { return B(x ^ sign); }), true;
  if (name == "eq") return cmp([](F x, F y) { return x == y; }), true;
  if (name == "ne") return cmp([](F x, F y) { return x != y; }), true;
  if (name == "lt") return cmp([](F x, F y) { return x < y; }), true;
  if (name == "gt") return cmp([](F x, F y) { return x > y; }), true;
  if (name == "le") return cmp([](F x, F y) { return x <= y; }), true;
  if (name == "ge") return cmp([](F x, F y) { return x >= y; }), true;
  if (name == "splat") {
    for (int i = 0; i < n; ++i) r.set<B>(i, B(in.scalar));
    return true;
  }
  return false;
}

template <typename I, typename F>
I trunc_sat(F x) {
  if (std::isnan(x)) return 0;
  if (x <= F(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (x >= F(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return I(std::trunc(x));
}

inline bool conversion(std::string_view text, const SimdInputs& in, SimdExpect& e) {
  const V128& a = in.a;
  V128& r = e.bits;
  auto canonical_in = [&](int bits) {
    for (int i = 0; i < 16 / (bits / 8); ++i)
      if (bits == 32 ? !is_canonical_or_number(a.get<float>(i))
                     : !is_canonical_or_number(a.get<double>(i)))
        return false;
    return true;
  };
  if (text == "i32x4.trunc_sat_f32x4_s") {
    for (int i = 0; i < 4; ++i) r.set<int32_t>(i, trunc_sat<int32_t>(a.get<float>(i)));
  } else if (text == "i32x4.trunc_sat_f32x4_u") {
    for (int i = 0; i < 4; ++i) r.set<uint32_t>(i, trunc_sat<uint32_t>(a.get<float>(i)));
  } else if (text == "i32x4.trunc_sat_f64x2_s_zero") {
    for (int i = 0; i < 2; ++i) r.set<int32_t>(i, trunc_sat<int32_t>(a.get<double>(i)));
  } else if (text == "i32x4.trunc_sat_f64x2_u_zero") {
    for (int i = 0; i < 2; ++i) r.set<uint32_t>(i, trunc_sat<uint32_t>(a.get<double>(i)));
  } else if (text == "f32x4.convert_i32x4_s") {
    for (int i = 0; i < 4; ++i) r.set<float>(i, float(a.get<int32_t>(i)));
  } else if (text == "f32x4.convert_i32x4_u") {
    for (int i = 0; i < 4; ++i) r.set<float>(i, float(a.get<uint32_t>(i)));
  } else if (text == "f64x2.convert_low_i32x4_s") {
    for (int i = 0; i < 2; ++i) r.set<double>(i, double(a.get<int32_t>(i)));
  } else if (text == "f64x2.convert_low_i32x4_u") {
    for (int i = 0; i < 2; ++i) r.set<double>(i, double(a.get<uint32_t>(i)));
  } else if (text == "f32x4.demote_f64x2_zero") {
    for (int i = 0; i < 2; ++i) r.set<float>(i, float(a.get<double>(i)));
    e.float_lane_bits = 32;
    e.nan_canonical = canonical_in(64);
  } else if (text == "f64x2.promote_low_f32x4") {
    for (int i = 0; i < 2; ++i) r.set<double>(i, double(a.get<float>(i)));
    e.float_lane_bits = 64;
    e.nan_canonical = true;
    for (int i = 0; i < 2; ++i)
      if (!is_canonical_or_number(a.get<float>(i))) e.nan_canonical = false;
  } else {
    return false;
  }
  return true;
}

}  // namespace ref

inline SimdExpect simd_reference(Op op, const SimdInputs& in, uint8_t lane, const uint8_t* shuffle);

namespace ref {

inline Op op_named(std::string_view text) {
  for (size_t i = 0; i < std::size(kOpInfo); ++i)
    if (kOpInfo[i].text == text) return static_cast<Op>(i);
  return Op::kInvalid;
}

// Relaxed SIMD: of the results the spec allows, the one keel's lowering gives on every CPU
// (jit/common/simd_relaxed.cc): the instruction each relaxes; madd unfused; the dot products as
// SSSE3's pmaddubsw (the second operand's bytes unsigned, i16 sums saturated).
inline bool relaxed(Op op, const SimdInputs& in, uint8_t lane, const uint8_t* shuffle,
                    SimdExpect& e) {
  if (op_info(op).feature != Feature::kRelaxedSimd) return false;
  std::string text(op_text(op));
  const std::string shape = text.substr(0, text.find('.'));
  auto same_as = [&](std::string_view name) {
    e = simd_reference(op_named(name), in, lane, shuffle);
    return true;
  };
  if (text.find("laneselect") != std::string::npos) return same_as("v128.bitselect");
  if (text == "i8x16.relaxed_swizzle") return same_as("i8x16.swizzle");
  if (text == "i16x8.relaxed_q15mulr_s") return same_as("i16x8.q15mulr_sat_s");
  if (text.find("relaxed_trunc") != std::string::npos) {
    std::string sat = text;
    sat.replace(sat.find("relaxed_trunc"), 13, "trunc_sat");
    return same_as(sat);
  }
  if (text.ends_with("relaxed_min")) return same_as(shape + ".min");
  if (text.ends_with("relaxed_max")) return same_as(shape + ".max");
  if (text.ends_with("madd")) {
    SimdExpect product = simd_reference(op_named(shape + ".mul"), in, lane, shuffle);
    if (text.ends_with("nmadd")) {
      bool canonical = product.nan_canonical;
      product = simd_reference(op_named(shape + ".neg"), {product.bits, {}, {}, 0}, lane, shuffle);
      product.nan_canonical = canonical;
    }
    e = simd_reference(op_named(shape + ".add"), {product.bits, in.c, {}, 0}, lane, shuffle);
    // The product's NaN stands for any arithmetic one when an input NaN was not canonical.
    e.nan_canonical = e.nan_canonical && product.nan_canonical;
    return true;
  }
  auto dot16 = [&](int i) {
    int32_t sum = 0;
    for (int k : {2 * i, 2 * i + 1}) sum += int32_t(in.b.b[k]) * int32_t(int8_t(in.a.b[k]));
    return int16_t(std::clamp(sum, -32768, 32767));
  };
  if (text == "i16x8.relaxed_dot_i8x16_i7x16_s") {
    for (int i = 0; i < 8; ++i) e.bits.set<int16_t>(i, dot16(i));
    return true;
  }
  if (text == "i32x4.relaxed_dot_i8x16_i7x16_add_s") {
    for (int j = 0; j < 4; ++j)
      e.bits.set<uint32_t>(
          j, uint32_t(int32_t(dot16(2 * j)) + dot16(2 * j + 1)) + in.c.get<uint32_t>(j));
    return true;
  }
  e.known = false;
  return true;
}

}  // namespace ref

inline SimdExpect simd_reference(Op op, const SimdInputs& in, uint8_t lane,
                                 const uint8_t* shuffle) {
  SimdExpect e;
  if (ref::relaxed(op, in, lane, shuffle, e)) return e;
  V128& r = e.bits;
  const std::string_view text = op_text(op);
  const std::string_view shape = text.substr(0, text.find('.'));
  const std::string_view name = text.substr(text.find('.') + 1);
  const V128 &a = in.a, &b = in.b, &c = in.c;
  if (ref::conversion(text, in, e)) {
    if (!e.float_lane_bits && text.starts_with("f32")) e.float_lane_bits = 32;
    if (!e.float_lane_bits && text.starts_with("f64")) e.float_lane_bits = 64;
    return e;
  }
  if (shape == "v128") {
    if (name == "not") return r = ref::map1<uint64_t>(a, [](uint64_t x) { return ~x; }), e;
    auto bin = [&](auto fn) { r = ref::map2<uint64_t>(a, b, fn); };
    if (name == "and") return bin([](uint64_t x, uint64_t y) { return x & y; }), e;
    if (name == "andnot") return bin([](uint64_t x, uint64_t y) { return x & ~y; }), e;
    if (name == "or") return bin([](uint64_t x, uint64_t y) { return x | y; }), e;
    if (name == "xor") return bin([](uint64_t x, uint64_t y) { return x ^ y; }), e;
    if (name == "bitselect") {
      for (int i = 0; i < 2; ++i) {
        uint64_t m = c.get<uint64_t>(i);
        r.set<uint64_t>(i, (a.get<uint64_t>(i) & m) | (b.get<uint64_t>(i) & ~m));
      }
      return e;
    }
    if (name == "any_true") {
      r.set<uint64_t>(0, (a.get<uint64_t>(0) | a.get<uint64_t>(1)) != 0);
      return e;
    }
  }
  if (text == "i8x16.shuffle") {
    for (int i = 0; i < 16; ++i) r.b[i] = shuffle[i] < 16 ? a.b[shuffle[i]] : b.b[shuffle[i] - 16];
    return e;
  }
  if (text == "i8x16.swizzle") {
    for (int i = 0; i < 16; ++i) r.b[i] = b.b[i] < 16 ? a.b[b.b[i]] : 0;
    return e;
  }
  if (text == "i16x8.q15mulr_sat_s") {
    r = ref::map2<int16_t>(a, b, [](int16_t x, int16_t y) {
      return ref::sat<int16_t>((int64_t(x) * y + 0x4000) >> 15);
    });
    return e;
  }
  // Lane access: results and scalars in the low bytes.
  auto lane_op = [&]<typename T>(T*) {
    if (name.starts_with("extract_lane")) {
      T v = a.get<T>(lane);
      uint64_t bits = 0;
      if constexpr (std::is_integral_v<T> && sizeof(T) < 4) {
        bits = name.ends_with("_s") ? uint32_t(int32_t(std::make_signed_t<T>(v))) : uint32_t(v);
      } else {
        std::memcpy(&bits, &v, sizeof(T));
      }
      r.set<uint64_t>(0, bits);
      return true;
    }
    if (name == "replace_lane") {
      r = a;
      T v;
      std::memcpy(&v, &in.scalar, sizeof(T));
      r.set<T>(lane, v);
      return true;
    }
    return false;
  };
  if (shape == "i8x16" && lane_op(static_cast<uint8_t*>(nullptr))) return e;
  if (shape == "i16x8" && lane_op(static_cast<uint16_t*>(nullptr))) return e;
  if (shape == "i32x4" && lane_op(static_cast<uint32_t*>(nullptr))) return e;
  if (shape == "i64x2" && lane_op(static_cast<uint64_t*>(nullptr))) return e;
  if (shape == "f32x4" && lane_op(static_cast<uint32_t*>(nullptr))) return e;
  if (shape == "f64x2" && lane_op(static_cast<uint64_t*>(nullptr))) return e;
  bool ok = false;
  if (shape == "i8x16") ok = ref::integer<int8_t>(name, in, r);
  const bool narrow = name.starts_with("narrow_");  // lanes of the shape from wider ones
  if (shape == "i16x8")
    ok = ref::integer<int16_t>(name, in, r) ||
         (narrow ? ref::widening<int16_t, int32_t>(name, in, r)
                 : ref::widening<int8_t, int16_t>(name, in, r));
  if (shape == "i32x4")
    ok = ref::integer<int32_t>(name, in, r) || ref::widening<int16_t, int32_t>(name, in, r);
  if (shape == "i64x2")
    ok = ref::integer<int64_t>(name, in, r) || ref::widening<int32_t, int64_t>(name, in, r);
  if (shape == "i8x16" && !ok) ok = ref::widening<int8_t, int16_t>(name, in, r);
  if (shape == "f32x4") {
    ok = ref::floating<float>(name, in, r, e.nan_canonical);
    e.float_lane_bits = 32;
  }
  if (shape == "f64x2") {
    ok = ref::floating<double>(name, in, r, e.nan_canonical);
    e.float_lane_bits = 64;
  }
  // Results that are masks or bit patterns compare exactly.
  static constexpr std::string_view kExact[] = {"eq",   "ne",   "lt",  "gt",  "le",   "ge",
                                                "pmin", "pmax", "abs", "neg", "splat"};
  for (std::string_view x : kExact)
    if (name == x) e.float_lane_bits = 0;
  e.known = ok;
  return e;
}

// Compares a result with the reference; float NaN lanes by kind.
// Scalar results compare in their low bytes only.
inline bool simd_matches(const SimdExpect& e, const V128& got, ValType result) {
  if (result != ValType::kV128) {
    size_t n = result == ValType::kI32 || result == ValType::kF32 ? 4 : 8;
    return std::memcmp(got.b, e.bits.b, n) == 0;
  }
  if (e.float_lane_bits == 0) return got == e.bits;
  for (int i = 0; i < 16 / (e.float_lane_bits / 8); ++i) {
    uint64_t g = e.float_lane_bits == 32 ? got.get<uint32_t>(i) : got.get<uint64_t>(i);
    uint64_t w = e.float_lane_bits == 32 ? e.bits.get<uint32_t>(i) : e.bits.get<uint64_t>(i);
    ValType t = e.float_lane_bits == 32 ? ValType::kF32 : ValType::kF64;
    if (!float_matches(t, g, w, e.nan_canonical)) return false;
  }
  return true;
}

// Operand vectors: lanes of every width drawn from edge cases, float specials included.
inline V128 simd_value(uint64_t& state) {
  static constexpr uint64_t k8[] = {0, 1, 2, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x55, 0x10, 7, 8};
  static constexpr uint64_t k16[] = {0, 1, 0x7fff, 0x8000, 0x8001, 0xffff, 0x00ff, 0xff00, 15, 16};
  static constexpr uint64_t k32[] = {0,          1,          0x7fffffff, 0x80000000, 0xffffffff,
                                     0x0000ffff, 0xffff0000, 31,         32,         0x12345678,
                                     0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000,
                                     0xffc00000, 0x7fa00000, 0x7fc00001, 0x80000001, 0x00000001,
                                     0x4f000000, 0x4f800000, 0xcf000000, 0x3f000000, 0x3fc00000,
                                     0x4effffff, 0x4f7fffff, 0x40200000, 0xc0200000, 0x7f7fffff};
  static constexpr uint64_t k64[] = {0,
                                     1,
                                     0x7fffffffffffffff,
                                     0x8000000000000000,
                                     0xffffffffffffffff,
                                     0x00000000ffffffff,
                                     0xffffffff00000000,
                                     63,
                                     64,
                                     0x3ff0000000000000,
                                     0xbff0000000000000,
                                     0x7ff0000000000000,
                                     0xfff0000000000000,
                                     0x7ff8000000000000,
                                     0xfff8000000000000,
                                     0x7ff4000000000000,
                                     0x7ff8000000000001,
                                     0x41e0000000000000,
                                     0x41efffffffe00000,
                                     0x41f0000000000000,
                                     0xc1e0000000200000,
                                     0x3fe0000000000000,
                                     0x3ff8000000000000,
                                     0x4330000000000001,
                                     0x0000000000000001,
                                     0x7fefffffffffffff};
  V128 v;
  auto pick = [&](const auto& table) { return table[mix(state) % std::size(table)]; };
  switch (mix(state) % 6) {
    case 0:
      for (int i = 0; i < 2; ++i) v.set<uint64_t>(i, mix(state));
      break;
    case 1:
      for (int i = 0; i < 16; ++i) v.set<uint8_t>(i, uint8_t(pick(k8)));
      break;
    case 2:
      for (int i = 0; i < 8; ++i) v.set<uint16_t>(i, uint16_t(pick(k16)));
      break;
    case 3:
    case 4:
      for (int i = 0; i < 4; ++i)
        v.set<uint32_t>(i, mix(state) % 4 == 0 ? uint32_t(mix(state)) : uint32_t(pick(k32)));
      break;
    default:
      for (int i = 0; i < 2; ++i) v.set<uint64_t>(i, mix(state) % 4 == 0 ? mix(state) : pick(k64));
      break;
  }
  return v;
}

inline uint64_t simd_scalar(uint64_t& state, ValType t, bool shift) {
  if (shift) {
    static constexpr uint64_t kCounts[] = {0,  1,  2,  7,  8,  9,  15,  16,         17,
                                           31, 32, 33, 63, 64, 65, 127, 0xffffffff, 0x80000000};
    return mix(state) % 2 ? kCounts[mix(state) % std::size(kCounts)] : mix(state);
  }
  V128 v = simd_value(state);
  return t == ValType::kI32 || t == ValType::kF32 ? v.get<uint32_t>(0) : v.get<uint64_t>(0);
}

inline int lane_count(Op op) {
  switch (op_info(op).imm) {
    case ImmKind::Lane2:
      return 2;
    case ImmKind::Lane4:
      return 4;
    case ImmKind::Lane8:
      return 8;
    case ImmKind::Lane16:
      return 16;
    default:
      return 0;
  }
}

// Every lane immediate (or a few shuffles) under one CPU profile, many operands each.
inline void check_simd_op(Op op, bool fallback, int runs = 300) {
  ASSERT_TRUE(is_simd_op(op)) << op_text(op);
  const platform::CpuFeatures cpu = simd_cpu_for(fallback);
  const OpSig& sig = op_info(op).sig;
  const std::string_view text = op_text(op);
  const bool shift = text.find(".sh") != std::string_view::npos;
  uint64_t state = static_cast<uint64_t>(op) * 7919 + (fallback ? 1 : 0);
  std::vector<std::vector<uint8_t>> shuffles;
  if (op == Op::kI8x16Shuffle) {
    shuffles.push_back({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    shuffles.push_back({16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
    shuffles.push_back({31, 0, 30, 1, 29, 2, 28, 3, 27, 4, 26, 5, 25, 6, 24, 7});
    for (int k = 0; k < 5; ++k) {
      std::vector<uint8_t> s(16);
      for (auto& x : s) x = uint8_t(mix(state) % 32);
      shuffles.push_back(s);
    }
  }
  // Shifts also by constant counts (immediate forms), after the count in a register.
  std::vector<std::optional<int32_t>> imms = {std::nullopt};
  if (simd_accepts_imm(op)) {
    for (int32_t count : {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, -1, INT32_MIN})
      imms.push_back(count);
  }
  int lanes = lane_count(op);
  int variants = op == Op::kI8x16Shuffle ? int(shuffles.size()) : std::max(lanes, 1);
  variants = std::max(variants, int(imms.size()));
  for (int variant = 0; variant < variants; ++variant) {
    uint8_t lane = lanes ? uint8_t(variant) : 0;
    const uint8_t* shuffle = shuffles.empty() ? nullptr : shuffles[variant].data();
    std::optional<int32_t> imm = imms.size() > 1 ? imms[variant] : std::nullopt;
    SimdCompiled fn(op, cpu, lane, shuffle, imm);
    ASSERT_TRUE(fn.ok()) << text << ": " << fn.error();
    for (int run = 0; run < runs; ++run) {
      SimdInputs in{simd_value(state), simd_value(state), simd_value(state), 0};
      if (sig.params[0] != ValType::kV128) in.scalar = simd_scalar(state, sig.params[0], false);
      if (sig.num_params > 1 && sig.params[1] != ValType::kV128)
        in.scalar = imm ? uint64_t(uint32_t(*imm)) : simd_scalar(state, sig.params[1], shift);
      // Same operands: the lowering must not assume a and b differ.
      if (run % 17 == 0) in.b = in.a;
      SimdExpect want = simd_reference(op, in, lane, shuffle);
      ASSERT_TRUE(want.known) << "no reference for " << text;
      V128 got = fn.run(in);
      ASSERT_TRUE(simd_matches(want, got, sig.result))
          << text << " lane " << int(lane) << (imm ? " imm " + std::to_string(*imm) : "")
          << (fallback ? " (sse4.1 only)" : " (detected)") << "\n a " << hex(in.a) << "\n b "
          << hex(in.b) << "\n c " << hex(in.c) << "\n scalar " << hex(in.scalar) << "\n got  "
          << hex(got) << "\n want " << hex(want.bits);
    }
  }
}

// The lowering families, one test file each.
enum class SimdFamily { kLanes, kInteger, kFloat, kConversion };

inline SimdFamily simd_family(Op op) {
  const std::string_view text = op_text(op);
  auto has = [&](std::string_view part) { return text.find(part) != std::string_view::npos; };
  if (has("convert") || has("trunc_sat") || has("demote") || has("promote"))
    return SimdFamily::kConversion;
  if (text.starts_with("v128.") || has("splat") || has("_lane") || has("shuffle") ||
      has("swizzle") || has("all_true") || has("bitmask"))
    return SimdFamily::kLanes;
  if (text.starts_with("f32x4.") || text.starts_with("f64x2.")) return SimdFamily::kFloat;
  return SimdFamily::kInteger;
}

// Every instruction emit_simd lowers, of one family.
inline std::vector<Op> simd_ops(SimdFamily family) {
  std::vector<Op> out;
  for (size_t i = 0; i < std::size(kOpInfo); ++i) {
    Op op = static_cast<Op>(i);
    if (is_simd_op(op) && simd_family(op) == family) out.push_back(op);
  }
  return out;
}

struct SimdParam {
  Op op;
  bool fallback;
};

inline std::vector<SimdParam> simd_params(std::span<const Op> ops) {
  std::vector<SimdParam> out;
  for (bool fallback : {false, true})
    for (Op op : ops) out.push_back({op, fallback});
  return out;
}

inline std::string simd_param_name(const ::testing::TestParamInfo<SimdParam>& info) {
  std::string name(op_text(info.param.op));
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name + (info.param.fallback ? "_sse41" : "_detected");
}

}  // namespace keel::jit::testing
