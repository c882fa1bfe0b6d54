package org.ketcd.api;

/** etcd's v3election CampaignResponse: leadership won, held with {@code leader}. */
public record CampaignResponse(long revision, LeaderKey leader) {
}
