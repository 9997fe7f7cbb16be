// clock_res_get, clock_time_get, random_get, sched_yield, poll_oneoff (clock and fd events),
// proc_raise: results, EINVAL for unknown clocks and empty subscriptions, EFAULT outside memory.
#include "common.h"

int main(void) {
  __wasi_timestamp_t res, t0, t1;
  EXPECT_OK(__wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res));
  CHECK(res > 0);
  EXPECT_OK(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
  CHECK(res > 0);
  EXPECT_ERRNO(__wasi_clock_res_get(99, &res), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, OUTSIDE_MEMORY), __WASI_ERRNO_FAULT);
  EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t0));
  CHECK(t0 > 1600000000ull * 1000000000ull);  // after 2020
  EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0));
  EXPECT_OK(__wasi_sched_yield());
  EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1));
  CHECK(t1 >= t0);
  EXPECT_ERRNO(__wasi_clock_time_get(99, 1, &t0), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, OUTSIDE_MEMORY),
               __WASI_ERRNO_FAULT);

  uint8_t a[64] = {0}, b[64] = {0};
  EXPECT_OK(__wasi_random_get(a, sizeof a));
  EXPECT_OK(__wasi_random_get(b, sizeof b));
  CHECK(memcmp(a, b, sizeof a) != 0);
  EXPECT_OK(__wasi_random_get(a, 0));
  EXPECT_ERRNO(__wasi_random_get(OUTSIDE_MEMORY, 64), __WASI_ERRNO_FAULT);

  // A 5 ms relative timeout, and stdout ready for writing: both report, with their userdata.
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 0x1234;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 5000000;
  __wasi_event_t events[2];
  __wasi_size_t n = 0;
  EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0));
  EXPECT_OK(__wasi_poll_oneoff(subs, events, 1, &n));
  EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1));
  CHECK(n == 1 && events[0].userdata == 0x1234 && events[0].error == 0);
  CHECK(events[0].type == __WASI_EVENTTYPE_CLOCK);
  CHECK(t1 - t0 >= 4000000);
  subs[1].userdata = 0x5678;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[1].u.u.fd_write.file_descriptor = 1;
  subs[0].u.u.clock.timeout = 10000000000ull;  // 10 s: the ready fd must end the wait first
  EXPECT_OK(__wasi_poll_oneoff(subs, events, 2, &n));
  CHECK(n >= 1);
  int saw_write = 0;
  for (__wasi_size_t i = 0; i < n; ++i)
    if (events[i].userdata == 0x5678 && events[i].type == __WASI_EVENTTYPE_FD_WRITE) saw_write = 1;
  CHECK(saw_write);
  EXPECT_ERRNO(__wasi_poll_oneoff(subs, events, 0, &n), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(__wasi_poll_oneoff(OUTSIDE_MEMORY, events, 1, &n), __WASI_ERRNO_FAULT);
  // A subscription on a closed fd reports EBADF in its event, not from the call.
  subs[1].u.u.fd_write.file_descriptor = 999;
  EXPECT_OK(__wasi_poll_oneoff(&subs[1], events, 1, &n));
  CHECK(n == 1 && events[0].error == __WASI_ERRNO_BADF);

  // Signals do not exist in WASI: proc_raise is ENOTSUP, as in wasmtime.
  EXPECT_ERRNO(raw_proc_raise(15 /* SIGTERM */), __WASI_ERRNO_NOTSUP);
  puts("ok");
  return 0;
}
