package org.ketcd.api;

import java.util.List;

/** A cluster member, as etcd's Member. */
public record Member(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {
}
