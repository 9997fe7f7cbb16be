// args_sizes_get, args_get, environ_sizes_get, environ_get: exact contents, and EFAULT for
// buffers outside memory.
#include "common.h"

int main(void) {
  __wasi_size_t argc, argv_size;
  EXPECT_OK(__wasi_args_sizes_get(&argc, &argv_size));
  CHECK(argc == 3);
  char* argv[3];
  char* argv_buf = malloc(argv_size);
  EXPECT_OK(__wasi_args_get((uint8_t**)argv, (uint8_t*)argv_buf));
  CHECK(strcmp(argv[1], "first") == 0);
  CHECK(strcmp(argv[2], "with space") == 0);
  CHECK(argv_buf[argv_size - 1] == 0);
  EXPECT_ERRNO(__wasi_args_get((uint8_t**)OUTSIDE_MEMORY, (uint8_t*)argv_buf), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO(__wasi_args_get((uint8_t**)argv, (uint8_t*)OUTSIDE_MEMORY), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO(__wasi_args_sizes_get((__wasi_size_t*)OUTSIDE_MEMORY, &argv_size),
               __WASI_ERRNO_FAULT);

  __wasi_size_t envc, env_size;
  EXPECT_OK(__wasi_environ_sizes_get(&envc, &env_size));
  CHECK(envc == 2);  // only what the test grants: nothing inherited
  char* env[2];
  char* env_buf = malloc(env_size);
  EXPECT_OK(__wasi_environ_get((uint8_t**)env, (uint8_t*)env_buf));
  int seen = 0;
  for (int i = 0; i < 2; ++i) {
    if (strcmp(env[i], "GREETING=hello world") == 0) seen |= 1;
    if (strcmp(env[i], "EMPTY=") == 0) seen |= 2;
  }
  CHECK(seen == 3);
  EXPECT_ERRNO(__wasi_environ_get((uint8_t**)env, (uint8_t*)OUTSIDE_MEMORY), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO(__wasi_environ_sizes_get(&envc, (__wasi_size_t*)OUTSIDE_MEMORY), __WASI_ERRNO_FAULT);
  printf("%s %s|%s\n", argv[1], argv[2], getenv("GREETING"));
  return 0;
}
