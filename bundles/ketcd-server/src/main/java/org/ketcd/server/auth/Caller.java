package org.ketcd.server.auth;

/**
 * Who sent a request, as etcd's AuthInfo: the user and the auth store's revision when the user's
 * credentials were checked. {@link #NONE}: no credentials (with auth enabled, refused as "user name is empty").
 */
public record Caller(String user, long authRevision) {
    public static final Caller NONE = new Caller("", 0);
}
