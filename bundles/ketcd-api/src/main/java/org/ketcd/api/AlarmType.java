package org.ketcd.api;

/** etcd's AlarmType, in wire order. */
public enum AlarmType { NONE, NOSPACE, CORRUPT }
