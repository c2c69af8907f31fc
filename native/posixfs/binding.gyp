{
  # POSIX file calls node:fs lacks (main/store/posixFs.ts): flock for the vault lock, unnamed
  # temporary outputs and buffer alignment (O_DIRECT) for the file jobs. Not built on Windows
  # (named pipe, named temporaries).
  "targets": [
    {
      "target_name": "posixfs",
      "conditions": [["OS!='win'", { "sources": ["posixfs.c"] }]],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
