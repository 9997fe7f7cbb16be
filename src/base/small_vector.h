// A vector that keeps its first N elements inside itself and goes to the heap only beyond them,
// for trivially copyable elements. Tier 2's IR gives every instruction a list of operands and
// every edge a list of arguments; nearly all have three or fewer, and a std::vector made each of
// them a heap allocation (a fifth of tier 2's compile time on Yosys went to malloc and free).
// LLVM's SmallVector and Boost's small_vector are the models; neither is a dependency keel has,
// and this needs only the part of std::vector's interface the IR uses.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <type_traits>

namespace keel {

template <class T, uint32_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  static_assert(N > 0);

 public:
  using value_type = T;
  using size_type = size_t;
  using iterator = T*;
  using const_iterator = const T*;
  using reference = T&;
  using const_reference = const T&;

  SmallVector() = default;
  SmallVector(std::initializer_list<T> items) { assign(items.begin(), items.end()); }
  template <std::input_iterator It>
  SmallVector(It first, It last) {
    assign(first, last);
  }
  // From any contiguous range of T (a std::vector, a span), so IR code can pass either.
  template <class Range>
  requires(!std::is_same_v<std::remove_cvref_t<Range>, SmallVector> && requires(const Range& r) {
    { std::data(r) } -> std::convertible_to<const T*>;
    std::size(r);
  }) SmallVector(const Range& range) {  // NOLINT(google-explicit-constructor)
    assign(std::data(range), std::data(range) + std::size(range));
  }
  SmallVector(size_t count, const T& value) { assign(count, value); }
  SmallVector(const SmallVector& other) { assign(other.begin(), other.end()); }
  SmallVector(SmallVector&& other) noexcept { take(other); }
  SmallVector& operator=(const SmallVector& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  SmallVector& operator=(SmallVector&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  SmallVector& operator=(std::initializer_list<T> items) {
    assign(items.begin(), items.end());
    return *this;
  }
  ~SmallVector() { release(); }

  T* data() { return on_heap() ? heap_ : reinterpret_cast<T*>(inline_); }
  const T* data() const { return on_heap() ? heap_ : reinterpret_cast<const T*>(inline_); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }

  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size_ - 1]; }
  const T& back() const { return data()[size_ - 1]; }

  void reserve(size_t wanted) {
    if (wanted > capacity_) grow(wanted);
  }
  void push_back(const T& value) {
    if (size_ == capacity_) {
      T copy = value;  // `value` may live in this vector
      grow(size_ + 1);
      data()[size_++] = copy;
      return;
    }
    data()[size_++] = value;
  }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    push_back(T{std::forward<Args>(args)...});
    return back();
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void resize(size_t count, const T& value = T{}) {
    reserve(count);
    for (size_t i = size_; i < count; ++i) data()[i] = value;
    size_ = static_cast<uint32_t>(count);
  }
  template <std::input_iterator It>
  void assign(It first, It last) {
    size_t count = static_cast<size_t>(std::distance(first, last));
    size_ = 0;
    reserve(count);
    std::copy(first, last, data());
    size_ = static_cast<uint32_t>(count);
  }
  void assign(std::initializer_list<T> items) { assign(items.begin(), items.end()); }
  void assign(size_t count, const T& value) {
    size_ = 0;
    resize(count, value);
  }
  T* insert(const T* position, const T& value) {
    size_t at = static_cast<size_t>(position - data());
    T copy = value;
    reserve(size_ + 1);
    T* base = data();
    std::memmove(base + at + 1, base + at, (size_ - at) * sizeof(T));
    base[at] = copy;
    ++size_;
    return base + at;
  }
  template <std::input_iterator It>
  T* insert(const T* position, It first, It last) {
    size_t at = static_cast<size_t>(position - data());
    size_t count = static_cast<size_t>(std::distance(first, last));
    reserve(size_ + count);
    T* base = data();
    std::memmove(base + at + count, base + at, (size_ - at) * sizeof(T));
    std::copy(first, last, base + at);
    size_ += static_cast<uint32_t>(count);
    return base + at;
  }
  T* erase(const T* position) { return erase(position, position + 1); }
  T* erase(const T* first, const T* last) {
    T* base = data();
    size_t at = static_cast<size_t>(first - base), count = static_cast<size_t>(last - first);
    std::memmove(base + at, base + at + count, (size_ - at - count) * sizeof(T));
    size_ -= static_cast<uint32_t>(count);
    return base + at;
  }

  template <class Pred>
  friend size_t erase_if(SmallVector& v, Pred pred) {
    T* kept = std::remove_if(v.begin(), v.end(), pred);
    size_t removed = static_cast<size_t>(v.end() - kept);
    v.size_ -= static_cast<uint32_t>(removed);
    return removed;
  }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool on_heap() const { return capacity_ > N; }
  void grow(size_t wanted) {
    size_t capacity = std::max<size_t>(wanted, 2 * static_cast<size_t>(capacity_));
    T* fresh = static_cast<T*>(std::malloc(capacity * sizeof(T)));
    if (fresh == nullptr) throw std::bad_alloc();
    if (size_ > 0) std::memcpy(fresh, data(), size_ * sizeof(T));
    release();
    heap_ = fresh;
    capacity_ = static_cast<uint32_t>(capacity);
  }
  void release() {
    if (on_heap()) std::free(heap_);
    capacity_ = N;
  }
  // Leaves `other` empty and inline.
  void take(SmallVector& other) {
    size_ = other.size_;
    capacity_ = other.capacity_;
    if (other.on_heap()) {
      heap_ = other.heap_;
    } else {
      std::memcpy(inline_, other.inline_, other.size_ * sizeof(T));
    }
    other.size_ = 0;
    other.capacity_ = N;
  }

  union {
    alignas(T) unsigned char inline_[N * sizeof(T)] = {};
    T* heap_;
  };
  uint32_t size_ = 0;
  uint32_t capacity_ = N;
};

}  // namespace keel
