#include "base/small_vector.h"

#include <gtest/gtest.h>

#include <vector>

namespace keel {
namespace {

using Small = SmallVector<int, 3>;

std::vector<int> items(const Small& v) {
  return {v.begin(), v.end()};
}

TEST(SmallVector, StaysInlineUpToItsCapacityThenMovesToTheHeap) {
  Small v;
  const int* inline_storage = v.data();
  for (int i = 0; i < 3; ++i) v.push_back(i);
  EXPECT_EQ(v.data(), inline_storage);
  EXPECT_EQ(v.capacity(), 3u);
  v.push_back(3);
  EXPECT_NE(v.data(), inline_storage);
  EXPECT_GE(v.capacity(), 4u);
  EXPECT_EQ(items(v), (std::vector<int>{0, 1, 2, 3}));
}

TEST(SmallVector, PushingAnElementOfItselfWhileGrowing) {
  Small v{7, 8, 9};
  v.push_back(v[0]);  // the reference dies when the storage moves
  EXPECT_EQ(items(v), (std::vector<int>{7, 8, 9, 7}));
}

TEST(SmallVector, InsertAndEraseKeepOrder) {
  Small v{1, 4};
  v.insert(v.begin() + 1, 2);
  int more[] = {3, 5, 6};
  v.insert(v.begin() + 2, more, more + 1);
  v.insert(v.end(), more + 1, more + 3);
  EXPECT_EQ(items(v), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  v.erase(v.begin());
  v.erase(v.begin() + 1, v.begin() + 3);
  EXPECT_EQ(items(v), (std::vector<int>{2, 5, 6}));
  EXPECT_EQ(erase_if(v, [](int x) { return x > 4; }), 2u);
  EXPECT_EQ(items(v), (std::vector<int>{2}));
}

TEST(SmallVector, CopiesAndMovesInlineAndHeapStorage) {
  for (int n : {2, 5}) {
    Small source;
    for (int i = 0; i < n; ++i) source.push_back(i * 10);
    Small copy = source;
    EXPECT_EQ(copy, source);
    EXPECT_NE(copy.data(), source.data());
    Small moved = std::move(copy);
    EXPECT_EQ(moved, source);
    EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moving leaves it empty
    Small assigned{1};
    assigned = std::move(moved);
    EXPECT_EQ(assigned, source);
    assigned = source;
    EXPECT_EQ(assigned, source);
  }
}

TEST(SmallVector, BuildsFromContiguousRangesAndResizes) {
  std::vector<int> from{4, 5, 6, 7};
  Small v = from;
  EXPECT_EQ(items(v), from);
  v.resize(2);
  EXPECT_EQ(items(v), (std::vector<int>{4, 5}));
  v.resize(4, 9);
  EXPECT_EQ(items(v), (std::vector<int>{4, 5, 9, 9}));
  v.assign(3, 1);
  EXPECT_EQ(items(v), (std::vector<int>{1, 1, 1}));
  v.clear();
  EXPECT_TRUE(v.empty());
}

}  // namespace
}  // namespace keel
