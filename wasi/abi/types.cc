#include "wasi/abi/types.h"

#include <unistd.h>

namespace keel::wasi {

int host_whence(Flavor flavor, uint8_t whence) {
  static constexpr int kPreview1[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  static constexpr int kPreview0[] = {SEEK_CUR, SEEK_END, SEEK_SET};
  if (whence > 2) return -1;
  return flavor == Flavor::kPreview1 ? kPreview1[whence] : kPreview0[whence];
}

const FilestatLayout& filestat_layout(Flavor flavor) {
  static constexpr FilestatLayout kPreview1{64, 0, 8, 16, 24, 8, 32, 40, 48, 56};
  static constexpr FilestatLayout kPreview0{56, 0, 8, 16, 20, 4, 24, 32, 40, 48};
  return flavor == Flavor::kPreview1 ? kPreview1 : kPreview0;
}

const SubscriptionLayout& subscription_layout(Flavor flavor) {
  static constexpr SubscriptionLayout kPreview1{48, 16, 24, 32, 40, 16};
  static constexpr SubscriptionLayout kPreview0{56, 24, 32, 40, 48, 16};
  return flavor == Flavor::kPreview1 ? kPreview1 : kPreview0;
}

}  // namespace keel::wasi
