package org.ketcd.api;

/**
 * etcd's v3election LeaderKey: the key a campaigner holds leadership with ({@code name/<lease in hex>}),
 * the revision that key was created at, and its lease. Proclaim and Resign act only while that key,
 * at that create revision, still exists.
 */
public record LeaderKey(byte[] name, byte[] key, long revision, long lease) {
}
