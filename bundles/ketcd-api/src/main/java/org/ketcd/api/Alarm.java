package org.ketcd.api;

/** An alarm raised on one member, as etcd's AlarmMember. */
public record Alarm(long memberId, AlarmType type) {
}
