#include "cli/commands/wasi_options.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <CLI/CLI.hpp>

extern char** environ;

namespace keel::cli {
namespace {

Error usage(std::string message) {
  return make_error(ErrorKind::kUsage, std::move(message));
}

// wasmtime's boolean -S values: a bare key is "yes".
std::optional<bool> parse_bool(std::string_view value) {
  if (value.empty() || value == "y" || value == "yes" || value == "true") return true;
  if (value == "n" || value == "no" || value == "false") return false;
  return std::nullopt;
}

constexpr OptionKey kWasiKeys[] = {
    {"inherit-env", "=y|n", "Give the guest all of keel's environment (then --env)"},
    {"tcplisten", "=ADDR:PORT", "Bind and listen; the guest gets the socket (as --tcplisten)"},
    {"listenfd", "=y|n", "Pass on systemd's sockets (LISTEN_FDS; as --listenfd)"},
    {"cli", "=y|n", "=y accepted: keel's host always has args, environment, stdio, clocks"},
    {"common", "=y|n", "wasmtime's old name for cli"},
    {"preview0", "=y|n", "wasi_unstable beside preview1 (default y; =n: preview1 only)"},
    {"preview2", "=y|n", "Accepted: keel has one preview1 implementation for both"},
    {"tcp", "=y|n", "=y accepted: TCP is what keel's preopened listeners are"},
    {"udp", "=y|n", "Accepted: preview1 guests cannot open UDP sockets in keel"},
    {"inherit-network", "=y|n", "Accepted: preview1 guests cannot open sockets, only listeners"},
    {"allow-ip-name-lookup", "=y|n", "Accepted: preview1 has no name lookup"},
    {"inherit-stdin", "=y|n", "=n: the guest's stdin is empty (/dev/null)"},
    {"inherit-stdout", "=y|n", "=n: what the guest writes to stdout is discarded"},
    {"inherit-stderr", "=y|n", "=n: what the guest writes to stderr is discarded"},
    {"threads", "=y|n", "=y refused: keel has no wasi-threads"},
    {"http", "=y|n", "=y refused: keel has no wasi-http (preview2)"},
    {"nn", "=y|n", "=y refused: keel has no wasi-nn"},
    {"config", "=y|n", "=y refused: keel has no wasi-config (preview2)"},
    {"keyvalue", "=y|n", "=y refused: keel has no wasi-keyvalue (preview2)"},
    {"tls", "=y|n", "=y refused: keel has no wasi-tls (preview2)"},
    {"p3", "=y|n", "=y refused: keel has no WASIp3"},
};

// Keys of wasmtime's preview2 host with no counterpart in preview1: what each would have needed.
constexpr std::pair<std::string_view, std::string_view> kPreview2Only[] = {
    {"cwd", "working directory (wasi:cli/environment)"},
    {"nn-graph", "wasi-nn"},
    {"config-var", "wasi-config"},
    {"keyvalue-in-memory-data", "wasi-keyvalue"},
    {"max-resources", "preview2 resources"},
    {"hostcall-fuel", "preview2 hostcall fuel"},
    {"max-random-size", "wasi-random 0.2"},
    {"max-http-fields-size", "wasi-http"},
    {"http-outgoing-body-buffer-chunks", "wasi-http"},
    {"http-outgoing-body-chunk-size", "wasi-http"},
    {"cli-exit-with-code", "wasi:cli/exit's exit-with-code"},
    {"network-error-code", "wasi:sockets network-error-code"},
};

}  // namespace

std::span<const OptionKey> wasi_keys() {
  return kWasiKeys;
}

void add_wasi_options(CLI::App& command, WasiOptions& o) {
  const std::string group = "WASI";
  command
      .add_option("--dir", o.dir_values,
                  "Grant a host directory: HOST (the guest sees the same path), HOST::GUEST, "
                  "or HOST::GUEST::ro for read-only (repeatable)")
      ->type_name("HOST[::GUEST][::ro]")
      ->each([&o](const std::string& spec) {
        o.dirs.push_back({spec, false});
      })
      ->allow_extra_args(false)
      ->group(group);
  command.add_option("--dir-ro", o.dir_values, "Grant a host directory read-only (repeatable)")
      ->type_name("HOST[::GUEST]")
      ->each([&o](const std::string& spec) {
        o.dirs.push_back({spec, true});
      })
      ->allow_extra_args(false)
      ->group(group);
  command
      .add_option("--env", o.envs,
                  "Set NAME=VALUE in the guest's environment, or copy NAME from keel's "
                  "(repeatable; the guest's environment is otherwise empty)")
      ->type_name("NAME[=VALUE]")
      ->allow_extra_args(false)
      ->group(group);
  command
      .add_option("-S", o.wasi,
                  "WASI options as wasmtime spells them: inherit-env, tcplisten=ADDR:PORT, "
                  "listenfd, preview0, cli, tcp, ...; `-S help` lists them and what each does "
                  "in keel (comma-separated or repeated)")
      ->type_name("KEY[=VALUE]")
      ->allow_extra_args(false)
      ->group(group);
  command
      .add_option("--tcplisten", o.tcplisten,
                  "Bind and listen on ADDR:PORT; the guest gets the socket (fd 3 on, repeatable)")
      ->type_name("ADDR:PORT")
      ->allow_extra_args(false)
      ->group(group);
  command
      .add_flag("--listenfd", o.listenfd,
                "Pass on the sockets systemd gave keel (LISTEN_FDS, LISTEN_PID)")
      ->group(group);
  command
      .add_option("--argv0", o.argv0,
                  "The guest's argv[0] (default: the module's file name, without directories)")
      ->group(group);
}

Result<wasi::PreopenDir> parse_dir(std::string_view spec, bool read_only) {
  std::vector<std::string_view> parts;
  for (std::string_view rest = spec;;) {
    size_t sep = rest.find("::");
    parts.push_back(rest.substr(0, sep));
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 2);
  }
  if (parts.size() == 3 && (parts[2] == "ro" || parts[2] == "readonly")) {
    read_only = true;
    parts.pop_back();
  }
  if (parts.size() > 2 || parts[0].empty() || (parts.size() == 2 && parts[1].empty())) {
    return usage("--dir wants HOST, HOST::GUEST or HOST::GUEST::ro, got \"" + std::string(spec) +
                 "\"");
  }
  wasi::PreopenDir dir;
  dir.host_path = std::string(parts[0]);
  dir.guest_path = std::string(parts.size() == 2 ? parts[1] : parts[0]);
  dir.read_only = read_only;
  return dir;
}

Result<WasiSettings> parse_wasi_settings(const WasiOptions& o) {
  WasiSettings s;
  s.listenfd = o.listenfd;
  for (const std::string& list : o.wasi) {
    std::string_view rest = list;
    while (!rest.empty()) {
      std::string_view item = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), item.size() + 1));
      size_t eq = item.find('=');
      std::string_view key = item.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
      std::string text = "-S " + std::string(item);
      if (key == "tcplisten") {
        if (value.empty()) return usage("-S tcplisten wants ADDR:PORT");
        s.tcplisten.emplace_back(value);
        continue;
      }
      for (const auto& [name, lacks] : kPreview2Only) {
        if (key == name)
          return usage(text + ": keel's WASI is preview1, which has no " + std::string(lacks));
      }
      std::optional<bool> on = parse_bool(value);
      if (!on) {
        return usage("-S " + std::string(key) + " wants y or n, got \"" + std::string(value) +
                     "\"");
      }
      if (key == "inherit-env") {
        s.inherit_env = *on;
      } else if (key == "listenfd") {
        s.listenfd = *on;
      } else if (key == "cli" || key == "common") {
        // wasmtime's switches for the CLI interfaces, on by default; keel always has them.
        if (!*on) {
          return usage(text +
                       ": keel's WASI host always provides the CLI functions (args, "
                       "environment, stdio, clocks, random)");
        }
      } else if (key == "preview0") {
        s.preview0 = *on;
      } else if (key == "inherit-stdin" || key == "inherit-stdout" || key == "inherit-stderr") {
        (key == "inherit-stdin"    ? s.inherit_stdin
         : key == "inherit-stdout" ? s.inherit_stdout
                                   : s.inherit_stderr) = *on;
      } else if (key == "tcp") {
        s.tcp = *on;
      } else if (key == "preview2" || key == "udp" || key == "inherit-network" ||
                 key == "allow-ip-name-lookup") {
        // preview2: wasmtime chooses between two preview1 implementations; keel has one. The
        // others govern preview2's sockets: a preview1 guest in keel opens none (no UDP, no name
        // lookup, no outgoing connections), so granting them changes nothing.
      } else if (key == "threads" || key == "http" || key == "nn" || key == "config" ||
                 key == "keyvalue" || key == "tls" || key == "p3") {
        if (*on) {
          return usage(text + ": keel has no " +
                       (key == "p3" ? std::string("WASIp3") : "wasi-" + std::string(key)) +
                       " (its WASI is preview1)");
        }
      } else {
        return usage("unknown -S option \"" + std::string(key) +
                     "\" (`keel run -S help` lists them)");
      }
    }
  }
  s.tcplisten.insert(s.tcplisten.end(), o.tcplisten.begin(), o.tcplisten.end());
  if (!s.tcp && (!s.tcplisten.empty() || s.listenfd))
    return usage("-S tcp=n: contradicts the TCP listeners --tcplisten/--listenfd grant");
  return s;
}

Result<std::vector<std::string>> guest_environment(const WasiOptions& o,
                                                   const WasiSettings& settings,
                                                   const char* const* host_environ) {
  std::vector<std::string> env;
  auto set = [&env](std::string_view name, std::string_view value) {
    std::string entry = std::string(name) + "=" + std::string(value);
    for (std::string& e : env) {
      if (e.compare(0, name.size() + 1, entry, 0, name.size() + 1) == 0) {
        e = std::move(entry);
        return;
      }
    }
    env.push_back(std::move(entry));
  };
  auto host_value = [host_environ](std::string_view name) -> const char* {
    for (const char* const* p = host_environ; p && *p; ++p) {
      std::string_view e = *p;
      if (e.size() > name.size() && e.substr(0, name.size()) == name && e[name.size()] == '=')
        return *p + name.size() + 1;
    }
    return nullptr;
  };
  if (settings.inherit_env) {
    for (const char* const* p = host_environ; p && *p; ++p) {
      std::string_view e = *p;
      size_t eq = e.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      set(e.substr(0, eq), e.substr(eq + 1));
    }
  }
  for (const std::string& spec : o.envs) {
    size_t eq = spec.find('=');
    std::string_view name = std::string_view(spec).substr(0, eq);
    if (name.empty()) return usage("--env wants NAME=VALUE or NAME, got \"" + spec + "\"");
    if (eq != std::string::npos) {
      set(name, std::string_view(spec).substr(eq + 1));
    } else if (const char* value = host_value(name)) {
      set(name, value);
    }  // a NAME keel's environment lacks is left out, as wasmtime does
  }
  return env;
}

Result<wasi::fs::UniqueFd> bind_tcp_listener(std::string_view address) {
  std::string text(address);
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return usage("--tcplisten wants ADDR:PORT, got \"" + text + "\"");
  std::string host = text.substr(0, colon);
  std::string port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return make_error(ErrorKind::kIo, "--tcplisten " + text + ": " + gai_strerror(rc));
  int saved = 0;
  for (addrinfo* a = found; a; a = a->ai_next) {
    wasi::fs::UniqueFd fd(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) {
      saved = errno;
      continue;
    }
    int one = 1;
    // A restarted server should not wait out TIME_WAIT on its own port.
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd.get(), a->ai_addr, a->ai_addrlen) == 0 && listen(fd.get(), SOMAXCONN) == 0) {
      freeaddrinfo(found);
      return fd;
    }
    saved = errno;
  }
  freeaddrinfo(found);
  return make_error(ErrorKind::kIo, "--tcplisten " + text + ": " + std::strerror(saved));
}

std::vector<int> systemd_listen_fds() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* count = std::getenv("LISTEN_FDS");
  if (!pid || !count || std::strtol(pid, nullptr, 10) != getpid()) return {};
  long n = std::strtol(count, nullptr, 10);
  std::vector<int> fds;
  constexpr int kFirst = 3;  // SD_LISTEN_FDS_START
  for (long i = 0; i < n && i < 1024; ++i) fds.push_back(kFirst + static_cast<int>(i));
  return fds;
}

namespace {
unsigned g_closed_standard_fds = 0;
}  // namespace

void reserve_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() returns the lowest free number, which is `fd` (the lower ones are open by now).
    int held = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (held == fd) {
      g_closed_standard_fds |= 1u << fd;
    } else if (held >= 0) {
      close(held);
    }
  }
}

unsigned closed_standard_fds() {
  return g_closed_standard_fds;
}

Result<wasi::WasiConfig> make_wasi_config(const WasiOptions& o, const std::string& module_path,
                                          const std::vector<std::string>& guest_args,
                                          std::vector<wasi::fs::UniqueFd>& owned) {
  auto settings = parse_wasi_settings(o);
  if (!settings) return std::move(settings).error();
  wasi::WasiConfig config;
  // argv[0] is the module's file name without its directories, as in wasmtime (which keeps the
  // host's paths out of the guest), unless --argv0 says otherwise.
  std::string base = module_path.substr(module_path.find_last_of('/') + 1);
  config.args.push_back(o.argv0.empty() ? base : o.argv0);
  config.args.insert(config.args.end(), guest_args.begin(), guest_args.end());
  auto env = guest_environment(o, *settings, environ);
  if (!env) return std::move(env).error();
  config.env = std::move(*env);
  config.preview0 = settings->preview0;
  // A stdio stream keel was started without is closed for the guest too: -1 gives EBADF.
  unsigned closed = closed_standard_fds();
  if (closed & 1) config.stdin_fd = -1;
  if (closed & 2) config.stdout_fd = -1;
  if (closed & 4) config.stderr_fd = -1;
  // -S inherit-stdin=n and the like: /dev/null instead, as wasmtime gives an empty stream.
  for (auto [inherit, fd, mode] :
       {std::tuple{settings->inherit_stdin, &config.stdin_fd, O_RDONLY},
        std::tuple{settings->inherit_stdout, &config.stdout_fd, O_WRONLY},
        std::tuple{settings->inherit_stderr, &config.stderr_fd, O_WRONLY}}) {
    if (inherit) continue;
    wasi::fs::UniqueFd null(open("/dev/null", mode | O_CLOEXEC));
    if (!null.valid())
      return make_error(ErrorKind::kIo, std::string("/dev/null: ") + std::strerror(errno));
    *fd = null.get();
    owned.push_back(std::move(null));
  }
  for (const DirSpec& spec : o.dirs) {
    auto dir = parse_dir(spec.spec, spec.read_only);
    if (!dir) return std::move(dir).error();
    config.dirs.push_back(std::move(*dir));
  }
  // wasmtime's order: systemd's sockets, then the ones bound here, then the directories.
  if (settings->listenfd) config.listen_fds = systemd_listen_fds();
  for (const std::string& address : settings->tcplisten) {
    auto fd = bind_tcp_listener(address);
    if (!fd) return std::move(fd).error();
    config.listen_fds.push_back(fd->get());
    owned.push_back(std::move(*fd));
  }
  return config;
}

}  // namespace keel::cli
