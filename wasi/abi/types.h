// WASI preview1/preview0 ABI constants and record layouts (witx typenames, branch wasi-0.1),
// the two module flavours' differences in one place, and the rights sets keel grants.
#pragma once

#include <cstdint>

namespace keel::wasi {

// Which import module a call came through. The numbering and layouts that differ between
// wasi_unstable and wasi_snapshot_preview1 are looked up through this.
enum class Flavor : uint8_t { kPreview1, kPreview0 };

namespace rights {
inline constexpr uint64_t kFdDatasync = 1ull << 0, kFdRead = 1ull << 1, kFdSeek = 1ull << 2,
                          kFdFdstatSetFlags = 1ull << 3, kFdSync = 1ull << 4, kFdTell = 1ull << 5,
                          kFdWrite = 1ull << 6, kFdAdvise = 1ull << 7, kFdAllocate = 1ull << 8,
                          kPathCreateDirectory = 1ull << 9, kPathCreateFile = 1ull << 10,
                          kPathLinkSource = 1ull << 11, kPathLinkTarget = 1ull << 12,
                          kPathOpen = 1ull << 13, kFdReaddir = 1ull << 14,
                          kPathReadlink = 1ull << 15, kPathRenameSource = 1ull << 16,
                          kPathRenameTarget = 1ull << 17, kPathFilestatGet = 1ull << 18,
                          kPathFilestatSetSize = 1ull << 19, kPathFilestatSetTimes = 1ull << 20,
                          kFdFilestatGet = 1ull << 21, kFdFilestatSetSize = 1ull << 22,
                          kFdFilestatSetTimes = 1ull << 23, kPathSymlink = 1ull << 24,
                          kPathRemoveDirectory = 1ull << 25, kPathUnlinkFile = 1ull << 26,
                          kPollFdReadwrite = 1ull << 27, kSockShutdown = 1ull << 28,
                          kSockAccept = 1ull << 29;
inline constexpr uint64_t kAll = (1ull << 30) - 1;

inline constexpr uint64_t kRegularFile =
    kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync | kFdTell | kFdWrite | kFdAdvise |
    kFdAllocate | kFdFilestatGet | kFdFilestatSetSize | kFdFilestatSetTimes | kPollFdReadwrite;
inline constexpr uint64_t kDirectory =
    kFdFdstatSetFlags | kFdSync | kFdAdvise | kPathCreateDirectory | kPathCreateFile |
    kPathLinkSource | kPathLinkTarget | kPathOpen | kFdReaddir | kPathReadlink | kPathRenameSource |
    kPathRenameTarget | kPathFilestatGet | kPathFilestatSetSize | kPathFilestatSetTimes |
    kFdFilestatGet | kFdFilestatSetTimes | kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile;
inline constexpr uint64_t kDirectoryInheriting = kDirectory | kRegularFile;
// No seek or tell: wasi-libc's isatty() is "character device without seek/tell rights".
inline constexpr uint64_t kTty =
    kFdRead | kFdWrite | kFdFdstatSetFlags | kFdFilestatGet | kPollFdReadwrite;
inline constexpr uint64_t kPipe = kTty;
inline constexpr uint64_t kSocket = kTty | kSockShutdown | kSockAccept;
// What a read-only grant never holds, on the directory or on anything opened beneath it.
inline constexpr uint64_t kMutating =
    kFdDatasync | kFdWrite | kFdAllocate | kPathCreateDirectory | kPathCreateFile |
    kPathLinkSource | kPathLinkTarget | kPathRenameSource | kPathRenameTarget |
    kPathFilestatSetSize | kPathFilestatSetTimes | kFdFilestatSetSize | kFdFilestatSetTimes |
    kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile;
}  // namespace rights

enum class Filetype : uint8_t {
  kUnknown = 0,
  kBlockDevice = 1,
  kCharacterDevice = 2,
  kDirectory = 3,
  kRegularFile = 4,
  kSocketDgram = 5,
  kSocketStream = 6,
  kSymbolicLink = 7,
};

namespace fdflags {
inline constexpr uint16_t kAppend = 1, kDsync = 2, kNonblock = 4, kRsync = 8, kSync = 16;
}
namespace oflags {
inline constexpr uint16_t kCreat = 1, kDirectory = 2, kExcl = 4, kTrunc = 8;
}
namespace fstflags {
inline constexpr uint16_t kAtim = 1, kAtimNow = 2, kMtim = 4, kMtimNow = 8;
}
inline constexpr uint32_t kLookupSymlinkFollow = 1;
inline constexpr uint16_t kSubclockAbstime = 1;
inline constexpr uint16_t kEventFdReadwriteHangup = 1;
inline constexpr uint16_t kRiRecvPeek = 1, kRiRecvWaitall = 2, kRoRecvDataTruncated = 1;
inline constexpr uint8_t kSdRd = 1, kSdWr = 2;

enum class EventType : uint8_t { kClock = 0, kFdRead = 1, kFdWrite = 2 };

// whence: preview1 is SET=0, CUR=1, END=2; wasi_unstable was CUR=0, END=1, SET=2.
// Returns the host SEEK_* value, or -1 for a value the flavour does not define.
int host_whence(Flavor flavor, uint8_t whence);

// Record layouts (byte offsets) of the witx records the host writes or reads.
struct FilestatLayout {
  uint32_t size, dev, ino, filetype, nlink, nlink_size, fsize, atim, mtim, ctim;
};
// preview1: nlink is u64 (64 bytes); wasi_unstable: nlink is u32 (56 bytes).
const FilestatLayout& filestat_layout(Flavor flavor);

// subscription: userdata u64 @0, tag u8 @8, union @16. The clock member of wasi_unstable starts
// with an extra `identifier` u64, so its fields and the record's size shift by 8.
struct SubscriptionLayout {
  uint32_t size, clock_id, clock_timeout, clock_precision, clock_flags, fd;
};
const SubscriptionLayout& subscription_layout(Flavor flavor);

inline constexpr uint32_t kEventSize = 32;  // userdata u64, error u16 @8, type u8 @10, nbytes
                                            // u64 @16, flags u16 @24 (same in both flavours)
inline constexpr uint32_t kDirentHeaderSize = 24;  // d_next u64, d_ino u64, d_namlen u32, d_type u8
inline constexpr uint32_t kFdstatSize = 24;  // filetype u8, flags u16 @2, base @8, inheriting @16

}  // namespace keel::wasi
