#include "runtime/tier_up.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "runtime/module_impl.h"
#include "runtime/store_impl.h"

namespace keel::runtime {

TierUpQueue& TierUpQueue::global() {
  static auto* queue = new TierUpQueue();
  return *queue;
}

void TierUpQueue::enqueue(const std::shared_ptr<ModuleImpl>& module, uint32_t func_index,
                          unsigned threads, uint32_t osr_loop) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  // An OSR entry is for a frame that is running now: it goes ahead of whole functions.
  uint64_t hotness = osr_loop == kWholeFunction ? 1 : UINT32_MAX;
  items_.push_back({module, module.get(), func_index, osr_loop, hotness, next_order_++,
                    std::chrono::steady_clock::now()});
  // Workers start with the first tier-up, so a program that never gets hot never pays for them.
  for (; workers_ < threads; ++workers_) std::thread([this] { work(); }).detach();
  ready_.notify_one();
}

void TierUpQueue::bump(const ModuleImpl* module, uint32_t func_index) {
  std::lock_guard lock(mutex_);
  for (Item& item : items_) {
    if (item.key == module && item.func_index == func_index && item.osr_loop == kWholeFunction) {
      ++item.hotness;
      return;
    }
  }
}

void TierUpQueue::forget(const ModuleImpl* module) {
  std::lock_guard lock(mutex_);
  std::erase_if(items_, [&](const Item& item) { return item.key == module; });
}

void TierUpQueue::stop() {
  std::lock_guard lock(mutex_);
  std::lock_guard publishing(publish_mutex_);
  stopped_ = true;
  items_.clear();
  ready_.notify_all();
}

TierUpQueue::PublishLock::PublishLock(TierUpQueue& queue)
    : queue_(queue), lock_(queue.publish_mutex_) {}

void TierUpQueue::work() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopped_ || !items_.empty(); });
      if (stopped_) return;
      // Queues stay short (hot functions, not all of them): a scan is cheaper than keeping a heap
      // ordered under bump().
      auto hottest =
          std::min_element(items_.begin(), items_.end(), [](const Item& a, const Item& b) {
            return a.hotness != b.hotness ? a.hotness > b.hotness : a.order < b.order;
          });
      item = std::move(*hottest);
      items_.erase(hottest);
    }
    std::shared_ptr<ModuleImpl> module = item.module.lock();
    if (!module) continue;  // destroyed while it waited
    double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - item.queued).count();
    if (item.osr_loop == kWholeFunction)
      module->compile_tier2(item.func_index, waited);
    else
      module->compile_osr(item.func_index, item.osr_loop, waited);
  }
}

spdlog::logger& tier_up_log() {
  // Never destroyed: background compile threads may still log while the process exits, after
  // static destructors (spdlog's registry among them) have run. TSan caught the logger freed
  // under a worker's feet.
  static auto* log = new std::shared_ptr<spdlog::logger>([] {
    auto l = std::make_shared<spdlog::logger>("tierup",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("keel: [tierup] %v");
    l->set_level(spdlog::level::off);
    spdlog::register_logger(l);  // so KEEL_LOG's "tierup=LEVEL" reaches it (base/log_spec.h)
    return l;
  }());
  return **log;
}

}  // namespace keel::runtime

namespace keel {

void stop_background_compiles() {
  runtime::TierUpQueue::global().stop();
}

LoadedModule::TierUpCounts process_tier_up_counts() {
  auto& queue = runtime::TierUpQueue::global();
  return {queue.queued.load(std::memory_order_relaxed),
          queue.compiled.load(std::memory_order_relaxed),
          queue.failed.load(std::memory_order_relaxed),
          queue.osr_compiled.load(std::memory_order_relaxed),
          queue.osr_failed.load(std::memory_order_relaxed),
          queue.osr_entered.load(std::memory_order_relaxed)};
}

}  // namespace keel

// Here rather than with the other helpers in trap.cc: tier 1 references it, and tests that run
// tier-1 code with helpers of their own must not pull trap.cc's in with it.
extern "C" uint32_t keel_rt_tier_up(keel::vm::VMContext* ctx, uint32_t func_index) {
  auto* instance = keel::runtime::InstanceImpl::from_context(ctx);
  instance->loaded->tier_up(instance->loaded, func_index);
  return 0;
}

extern "C" const void* keel_rt_tier_up_loop(keel::vm::VMContext* ctx, uint32_t func_index,
                                            uint32_t point, uintptr_t frame) {
  auto* instance = keel::runtime::InstanceImpl::from_context(ctx);
  return instance->loaded->tier_up_loop(instance->loaded, ctx, func_index, point, frame);
}
