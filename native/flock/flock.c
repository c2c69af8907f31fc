/*
 * flock(2) for Node and Electron through N-API (node_api.h is ABI-stable, so one build serves
 * both). The vault's cross-process lock needs a lock the kernel drops when its holder dies,
 * which node:fs does not offer.
 *
 *   lock(fd, exclusive, nonblocking) -> true when taken, false when another holder has it
 *                                       (only with nonblocking); throws on any other error.
 *   unlock(fd)                        -> undefined; throws on error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, const char *call, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", call, strerror(err));
  napi_value code;
  napi_value text;
  napi_value error;
  const char *name = err == EBADF ? "EBADF" : err == EINVAL ? "EINVAL" : err == ENOLCK ? "ENOLCK" : err == EINTR ? "EINTR" : "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

static bool read_args(napi_env env, napi_callback_info info, size_t want, int32_t *fd, bool *flags) {
  napi_value argv[3];
  size_t argc = 3;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "flock: missing arguments");
    return false;
  }
  if (napi_get_value_int32(env, argv[0], fd) != napi_ok || *fd < 0) {
    napi_throw_type_error(env, NULL, "flock: fd must be a non-negative integer");
    return false;
  }
  for (size_t i = 1; i < want; i++) {
    if (napi_get_value_bool(env, argv[i], &flags[i - 1]) != napi_ok) {
      napi_throw_type_error(env, NULL, "flock: flags must be booleans");
      return false;
    }
  }
  return true;
}

static napi_value lock(napi_env env, napi_callback_info info) {
  int32_t fd;
  bool flags[2];
  if (!read_args(env, info, 3, &fd, flags)) return NULL;
  int op = (flags[0] ? LOCK_EX : LOCK_SH) | (flags[1] ? LOCK_NB : 0);
  int rc;
  do {
    rc = flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  napi_value result;
  if (rc == 0) {
    napi_get_boolean(env, true, &result);
    return result;
  }
  if (errno == EWOULDBLOCK && flags[1]) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  return throw_errno(env, "flock", errno);
}

static napi_value unlock(napi_env env, napi_callback_info info) {
  int32_t fd;
  bool unused[2];
  if (!read_args(env, info, 1, &fd, unused)) return NULL;
  if (flock(fd, LOCK_UN) != 0) return throw_errno(env, "flock(LOCK_UN)", errno);
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  napi_create_function(env, "lock", NAPI_AUTO_LENGTH, lock, NULL, &fn);
  napi_set_named_property(env, exports, "lock", fn);
  napi_create_function(env, "unlock", NAPI_AUTO_LENGTH, unlock, NULL, &fn);
  napi_set_named_property(env, exports, "unlock", fn);
  return exports;
}
