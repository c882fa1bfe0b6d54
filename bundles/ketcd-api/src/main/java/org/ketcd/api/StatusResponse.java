package org.ketcd.api;

import java.util.List;

/** etcd's Maintenance StatusResponse. */
public record StatusResponse(long revision, String version, long dbSize, long dbSizeInUse, long leader,
                             long raftIndex, long raftTerm, long raftAppliedIndex, List<String> errors,
                             boolean learner) {
}
