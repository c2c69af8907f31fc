{
  # The flock(2) addon of the vault lock (main/store/vaultLock.ts). POSIX only: Windows uses a
  # named pipe instead and builds nothing here.
  "targets": [
    {
      "target_name": "flock",
      "conditions": [["OS!='win'", { "sources": ["flock.c"] }]],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
