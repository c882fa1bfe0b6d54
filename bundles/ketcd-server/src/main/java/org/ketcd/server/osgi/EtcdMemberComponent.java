package org.ketcd.server.osgi;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.ketcd.api.EtcdServer;
import org.ketcd.raft.RaftNode;
import org.ketcd.server.EtcdMember;
import org.ketcd.server.config.ConfigException;
import org.ketcd.server.config.ServerConfig;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts this member's {@link EtcdMember} from ConfigAdmin PID {@code org.ketcd.server}
 * ({@code etc/org.ketcd.server.cfg}, keys are etcd flag names such as {@code listen-client-urls}),
 * the {@code ETCD_*} environment and the command-line flags of {@code bin/ketcd}, in etcd's
 * precedence order, and registers its {@link EtcdServer} as an OSGi service with the client URLs
 * as service properties. Stops the member when deactivated (bundle stop/update, config change).
 *
 * <p>Flags arrive from {@code bin/ketcd} as a file, the arguments separated by NUL bytes (so any
 * argument survives): the file named by the system property {@value #ARGS_FILE_PROPERTY}, or else
 * {@code ${karaf.data}/ketcd.args}. {@code bin/ketcd} gives every member its own {@code karaf.data}
 * ({@code <data-dir>/karaf}) and rewrites the file at each start; a Karaf not started by
 * {@code bin/ketcd} has no such file and uses only ConfigAdmin and the environment.
 */
@Component(name = "org.ketcd.server", configurationPid = "org.ketcd.server",
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
public final class EtcdMemberComponent {
    static final String ARGS_FILE_PROPERTY = "ketcd.args.file";
    /** Service property: the member's client listen URLs (String[]). */
    public static final String PROP_LISTEN_CLIENT_URLS = "ketcd.listen.client.urls";
    public static final String PROP_ADVERTISE_CLIENT_URLS = "ketcd.advertise.client.urls";
    public static final String PROP_MEMBER_NAME = "ketcd.member.name";
    public static final String PROP_MEMBER_ID = "ketcd.member.id";

    private static final Logger LOG = LoggerFactory.getLogger(EtcdMemberComponent.class);

    private EtcdMember member;
    private ServiceRegistration<EtcdServer> registration;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) throws Exception {
        ServerConfig config;
        try {
            config = ServerConfig.resolve(commandLineArgs(), System.getenv(), cfgProperties(properties));
        } catch (ConfigException e) {
            LOG.error("ketcd: {}", e.getMessage());
            throw e;
        }
        // Ratis is embedded in ketcd-raft and loads its RPC and metrics implementations by class
        // name through the context class loader; its threads inherit the loader set here.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RaftNode.class.getClassLoader());
        try {
            member = EtcdMember.start(config);
        } finally {
            thread.setContextClassLoader(previous);
        }
        try {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(PROP_LISTEN_CLIENT_URLS, toStrings(config.listenClientUrls()));
            props.put(PROP_ADVERTISE_CLIENT_URLS, toStrings(config.advertiseClientUrls()));
            props.put(PROP_MEMBER_NAME, config.name());
            props.put(PROP_MEMBER_ID, Long.toHexString(member.memberId()));
            registration = context.registerService(EtcdServer.class, member.server(), props);
        } catch (RuntimeException e) {
            closeMember();
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters the services of a stopping bundle itself
            }
            registration = null;
        }
        closeMember();
    }

    private void closeMember() {
        EtcdMember m = member;
        member = null;
        if (m == null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(RaftNode.class.getClassLoader());
        try {
            m.close();
        } catch (Exception e) {
            LOG.warn("closing member failed", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static String[] toStrings(List<URI> urls) {
        return urls.stream().map(URI::toString).toArray(String[]::new);
    }

    /** The component properties that can be etcd flags, as strings (ServerConfig ignores the rest). */
    static Map<String, String> cfgProperties(Map<String, Object> properties) {
        Map<String, String> cfg = new HashMap<>();
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            Object v = e.getValue();
            if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                cfg.put(e.getKey(), String.valueOf(v));
            } else if (v instanceof String[] array) {
                cfg.put(e.getKey(), String.join(",", array));
            }
        }
        return cfg;
    }

    /** The flags {@code bin/ketcd} was started with, or none. */
    static String[] commandLineArgs() throws IOException {
        String file = System.getProperty(ARGS_FILE_PROPERTY);
        if ((file == null || file.isEmpty()) && System.getProperty("karaf.data") != null) {
            file = Path.of(System.getProperty("karaf.data"), "ketcd.args").toString();
        }
        if (file == null || file.isEmpty() || !Files.exists(Path.of(file))) {
            return new String[0];
        }
        String all = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length(); i++) {
            if (all.charAt(i) == '\0') {
                args.add(all.substring(start, i));
                start = i + 1;
            }
        }
        if (start < all.length()) {
            args.add(all.substring(start));
        }
        return args.toArray(new String[0]);
    }
}
