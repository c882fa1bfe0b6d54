package org.ketcd.api;

/** etcd's v3lock LockResponse: the key that holds the lock (delete it, or Unlock it, to release) and the header revision. */
public record LockResponse(long revision, byte[] key) {
}
