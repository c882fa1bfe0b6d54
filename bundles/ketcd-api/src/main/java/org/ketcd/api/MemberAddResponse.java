package org.ketcd.api;

import java.util.List;

/** etcd's MemberAddResponse: the added member and the member list after the change. */
public record MemberAddResponse(Member member, List<Member> members) {
}
