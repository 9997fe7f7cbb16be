// Tiering's background half: the process-wide queue of functions waiting for tier 2, ordered by
// hotness, and the threads that compile them. Tier-1 code finds a function hot
// (keel_rt_tier_up), its module queues it here, and a worker compiles it with the module's
// compiler and publishes it in its code slot (ModuleImpl::compile_tier2).
//
// Shutdown: the process never waits for a compile. stop() makes every later publish a no-op and
// waits only for publishes under way, so after it no worker touches code memory, the code
// registry or the log; workers still compiling then finish into nothing, or die with the process.
// Everything a compile reads is owned by its module, which the worker holds while it compiles.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/spdlog.h>

namespace keel::runtime {

class ModuleImpl;

class TierUpQueue {
 public:
  // Never destroyed: its detached workers may outlive static destruction.
  static TierUpQueue& global();

  // Queues `func_index` of `module` and makes sure `threads` workers exist (never fewer than
  // before). A function is queued once; its module keeps that rule (ModuleImpl::tier_up).
  // `osr_loop`: an OSR entry of that loop (module offset) instead of the whole function.
  static constexpr uint32_t kWholeFunction = UINT32_MAX;
  void enqueue(const std::shared_ptr<ModuleImpl>& module, uint32_t func_index, unsigned threads,
               uint32_t osr_loop = kWholeFunction);
  // The function's budget ran out again while it waited: it moves ahead of cooler ones.
  void bump(const ModuleImpl* module, uint32_t func_index);
  // Drops the module's waiting functions (it is being destroyed).
  void forget(const ModuleImpl* module);
  // See the top of this file. Idempotent.
  void stop();

  // The process-wide counts (process_tier_up_counts); modules add theirs as they go.
  std::atomic<uint32_t> queued{0}, compiled{0}, failed{0};
  std::atomic<uint32_t> osr_compiled{0}, osr_failed{0}, osr_entered{0};

  // Held while a compile publishes its code; false (and nothing may be published) after stop().
  class PublishLock {
   public:
    explicit PublishLock(TierUpQueue& queue);
    explicit operator bool() const { return !queue_.stopped_; }

   private:
    TierUpQueue& queue_;
    std::lock_guard<std::mutex> lock_;
  };

 private:
  TierUpQueue() = default;
  void work();

  struct Item {
    std::weak_ptr<ModuleImpl> module;
    const ModuleImpl* key;
    uint32_t func_index;
    uint32_t osr_loop;
    uint64_t hotness;  // times the budget ran out, the first included
    uint64_t order;    // ties go to the first queued
    std::chrono::steady_clock::time_point queued;
  };
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Item> items_;
  uint64_t next_order_ = 0;
  unsigned workers_ = 0;
  std::mutex publish_mutex_;
  bool stopped_ = false;  // written under both mutexes, so either one suffices to read it
};

// The "tierup" log (KEEL_LOG=tierup=debug): each tier-up with its function, size, queue wait and
// compile time. Off by default; never destroyed, like the queue's workers that write to it.
spdlog::logger& tier_up_log();

}  // namespace keel::runtime
