package org.ketcd.server.config;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.ketcd.api.ListenFailure;

/**
 * The member's ports can be bound: its first peer URL (Ratis serves one address), every client URL and every metrics URL, peers
 * first, as etcd binds its listeners before it touches the data dir. A port another process holds fails the
 * start with etcd's fatal error ({@code listen tcp 127.0.0.1:2379: bind: address already in use}), exit status 1.
 */
public final class ListenPorts {
    private ListenPorts() {
    }

    public static void check(ServerConfig config) throws ConfigException {
        List<URI> urls = new ArrayList<>();
        urls.add(config.listenPeerUrls().get(0));
        urls.addAll(config.listenClientUrls());
        urls.addAll(config.listenMetricsUrls());
        for (URI url : urls) {
            try {
                ListenFailure.checkBindable(url.getHost().replaceAll("^\\[|\\]$", ""), url.getPort());
            } catch (IOException e) {
                throw new ConfigException(e.getMessage(), 1);
            }
        }
    }
}
