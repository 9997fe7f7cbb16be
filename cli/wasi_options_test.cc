// The WASI options of `keel run`: --dir forms, the guest environment, -S settings, listeners.
#include "cli/commands/wasi_options.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

namespace keel::cli {
namespace {

TEST(WasiOptions, DirForms) {
  auto d = parse_dir("/data", false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host_path, "/data");
  EXPECT_EQ(d->guest_path, "/data");
  EXPECT_FALSE(d->read_only);
  d = parse_dir("./x::/sandbox", false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host_path, "./x");
  EXPECT_EQ(d->guest_path, "/sandbox");
  d = parse_dir("x::y::ro", false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->guest_path, "y");
  EXPECT_TRUE(d->read_only);
  d = parse_dir("x::y", true);  // --dir-ro
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->read_only);
  EXPECT_FALSE(parse_dir("", false));
  EXPECT_FALSE(parse_dir("x::", false));
  EXPECT_FALSE(parse_dir("x::y::rw", false));
  EXPECT_FALSE(parse_dir("a::b::c::d", false));
}

TEST(WasiOptions, EnvironmentIsEmptyUnlessGranted) {
  const char* host[] = {"HOME=/root", "PATH=/bin", "ODD", nullptr};
  WasiOptions o;
  auto s = parse_wasi_settings(o);
  ASSERT_TRUE(s);
  auto env = guest_environment(o, *s, host);
  ASSERT_TRUE(env);
  EXPECT_TRUE(env->empty());

  o.envs = {"A=1", "HOME", "MISSING", "A=2", "B=x=y", "EMPTY="};
  env = guest_environment(o, *s, host);
  ASSERT_TRUE(env);
  EXPECT_EQ(*env, (std::vector<std::string>{"A=2", "HOME=/root", "B=x=y", "EMPTY="}));

  o.envs = {"PATH=/guest"};
  o.wasi = {"inherit-env"};
  s = parse_wasi_settings(o);
  ASSERT_TRUE(s);
  env = guest_environment(o, *s, host);
  ASSERT_TRUE(env);
  EXPECT_EQ(*env, (std::vector<std::string>{"HOME=/root", "PATH=/guest"}));
}

TEST(WasiOptions, Settings) {
  WasiOptions o;
  o.wasi = {"inherit-env=n,listenfd", "tcplisten=127.0.0.1:0", "cli,preview2=n"};
  o.tcplisten = {"[::1]:0"};
  auto s = parse_wasi_settings(o);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->inherit_env);
  EXPECT_TRUE(s->listenfd);
  EXPECT_EQ(s->tcplisten, (std::vector<std::string>{"127.0.0.1:0", "[::1]:0"}));
  for (const char* bad : {"nope", "inherit-env=2", "tcplisten", "cli=n"}) {
    o.wasi = {bad};
    auto r = parse_wasi_settings(o);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kUsage);
  }
}

TEST(WasiOptions, ConfigOrdersArgsDirsAndListeners) {
  WasiOptions o;
  o.dirs = {{"/tmp", false}, {"/::/host", true}};
  o.tcplisten = {"127.0.0.1:0"};
  o.argv0 = "tool";
  std::vector<wasi::fs::UniqueFd> owned;
  auto c = make_wasi_config(o, "m.wasm", {"a", "--b"}, owned);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->args, (std::vector<std::string>{"tool", "a", "--b"}));
  ASSERT_EQ(c->dirs.size(), 2u);
  EXPECT_EQ(c->dirs[1].guest_path, "/host");
  EXPECT_TRUE(c->dirs[1].read_only);
  ASSERT_EQ(c->listen_fds.size(), 1u);
  ASSERT_EQ(owned.size(), 1u);
  o.argv0.clear();  // by default the module's file name, as in wasmtime
  c = make_wasi_config(o, "/some/dir/m.wasm", {}, owned);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->args, (std::vector<std::string>{"m.wasm"}));
  int listening = 0;
  socklen_t len = sizeof listening;
  ASSERT_EQ(getsockopt(c->listen_fds[0], SOL_SOCKET, SO_ACCEPTCONN, &listening, &len), 0);
  EXPECT_EQ(listening, 1);
}

TEST(WasiOptions, ListenerErrorsNameTheAddress) {
  auto r = bind_tcp_listener("256.1.1.1:80");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("256.1.1.1:80"), std::string::npos);
  EXPECT_FALSE(bind_tcp_listener(":80"));
}

}  // namespace
}  // namespace keel::cli
