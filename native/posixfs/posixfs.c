/*
 * The POSIX file calls Key Vault needs and node:fs lacks, through N-API (node_api.h is
 * ABI-stable, so one build serves Node and Electron). Errors are thrown with `errno` (positive).
 *
 *   lock(fd, exclusive, nonblocking) -> flock(2): true when taken, false when another holder has
 *                                       it (only with nonblocking). The vault's cross-process lock
 *                                       needs a lock the kernel drops when its holder dies.
 *   unlock(fd)                        -> flock(LOCK_UN).
 *   openUnnamed(dir, mode)            -> fd of a new file without a name in `dir` (Linux
 *                                       O_TMPFILE): a killed job's output vanishes with it.
 *   linkUnnamed(fd, path)             -> gives that file the name `path` (linkat through
 *                                       /proc/self/fd); fails with EEXIST if `path` exists.
 *   syncfs(fd)                        -> a promise of syncfs(2) (Linux), run on the thread pool:
 *                                       one durability round for every file of the filesystem
 *                                       instead of an fdatasync each (batched header rewrites).
 *   alignOffset(view, align)          -> bytes from the start of a typed array to the first
 *                                       address that is a multiple of `align` (a power of two):
 *                                       O_DIRECT needs aligned memory, and JS cannot see addresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <node_api.h>

static napi_value errno_error(napi_env env, const char *call, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", call, strerror(err));
  napi_value text;
  napi_value error;
  napi_value number;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &error);
  napi_create_int32(env, err, &number);
  napi_set_named_property(env, error, "errno", number);
  return error;
}

static napi_value throw_errno(napi_env env, const char *call, int err) {
  napi_throw(env, errno_error(env, call, err));
  return NULL;
}

/** A string argument into `buf`; false (with a TypeError thrown) when it is not one or too long. */
static bool read_path(napi_env env, napi_value value, char *buf, size_t size) {
  size_t length = 0;
  // Too long would be truncated, an embedded NUL would cut the path short: both refused.
  if (napi_get_value_string_utf8(env, value, buf, size, &length) != napi_ok || length == 0 || length >= size - 1 || strlen(buf) != length) {
    napi_throw_type_error(env, NULL, "posixfs: path must be a non-empty string without NUL, shorter than PATH_MAX");
    return false;
  }
  return true;
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

static napi_value open_unnamed(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  char dir[4096];
  uint32_t mode;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "openUnnamed: missing arguments");
    return NULL;
  }
  if (!read_path(env, argv[0], dir, sizeof dir)) return NULL;
  if (napi_get_value_uint32(env, argv[1], &mode) != napi_ok) {
    napi_throw_type_error(env, NULL, "openUnnamed: mode must be a number");
    return NULL;
  }
#ifdef O_TMPFILE
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, (mode_t)(mode & 07777));
  if (fd < 0) return throw_errno(env, "open(O_TMPFILE)", errno);
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
#else
  (void)mode;
  return throw_errno(env, "open(O_TMPFILE)", EOPNOTSUPP);
#endif
}

static napi_value link_unnamed(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  int32_t fd;
  char path[4096];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "linkUnnamed: missing arguments");
    return NULL;
  }
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "linkUnnamed: fd must be a non-negative integer");
    return NULL;
  }
  if (!read_path(env, argv[1], path, sizeof path)) return NULL;
#ifdef __linux__
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) != 0) return throw_errno(env, "linkat", errno);
  return NULL;
#else
  return throw_errno(env, "linkat", EOPNOTSUPP);
#endif
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  int err;
} sync_job;

static void sync_execute(napi_env env, void *data) {
  (void)env;
  sync_job *job = data;
#ifdef __linux__
  job->err = syncfs(job->fd) == 0 ? 0 : errno;
#else
  job->err = EOPNOTSUPP;
#endif
}

static void sync_complete(napi_env env, napi_status status, void *data) {
  sync_job *job = data;
  int err = status == napi_ok ? job->err : ECANCELED;
  if (err == 0) {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, job->deferred, undefined);
  } else {
    napi_reject_deferred(env, job->deferred, errno_error(env, "syncfs", err));
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value sync_fs(napi_env env, napi_callback_info info) {
  int32_t fd;
  bool unused[2];
  if (!read_args(env, info, 1, &fd, unused)) return NULL;
  sync_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, "syncfs", ENOMEM);
  job->fd = fd;
  napi_value promise;
  napi_value name;
  napi_create_string_utf8(env, "posixfs.syncfs", NAPI_AUTO_LENGTH, &name);
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_async_work(env, NULL, name, sync_execute, sync_complete, job, &job->work) != napi_ok) {
    free(job);
    return throw_errno(env, "syncfs", ENOMEM);
  }
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    napi_delete_async_work(env, job->work);
    free(job);
    return throw_errno(env, "syncfs", EAGAIN);
  }
  return promise;
}

static napi_value align_offset(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  bool is_typed = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) {
    napi_throw_type_error(env, NULL, "alignOffset: expects a typed array and an alignment");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  uint32_t align;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || napi_get_value_uint32(env, argv[1], &align) != napi_ok || align == 0 ||
      (align & (align - 1)) != 0 || align > (1u << 20)) {
    napi_throw_type_error(env, NULL, "alignOffset: align must be a power of two up to 1 MiB");
    return NULL;
  }
  uint32_t offset = (uint32_t)((align - ((uintptr_t)data & (align - 1))) & (align - 1));
  napi_value result;
  napi_create_uint32(env, offset, &result);
  return result;
}

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  export_function(env, exports, "lock", lock);
  export_function(env, exports, "unlock", unlock);
  export_function(env, exports, "openUnnamed", open_unnamed);
  export_function(env, exports, "linkUnnamed", link_unnamed);
  export_function(env, exports, "syncfs", sync_fs);
  export_function(env, exports, "alignOffset", align_offset);
  return exports;
}
