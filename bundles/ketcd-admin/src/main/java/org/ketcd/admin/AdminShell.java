package org.ketcd.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.publickey.PublickeyLoginModule;
import org.apache.sshd.server.SshServer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's admin shell: Karaf's SSH server (feature ssh; etc/org.apache.karaf.shell.cfg binds it to
 * loopback, allows public keys only and names this realm) with the JAAS realm {@value #REALM}, which accepts
 * the one key of {@code ${karaf.data}/admin/keys.properties} ({@link AdminKeys}).
 * <p>
 * For each SSH server Karaf starts: the key pair is made unless it exists, then, once the server listens, its
 * port is written to {@code ${karaf.data}/admin/ssh.port} (so a port file means the key is there too), which
 * {@code bin/ketcd admin} reads. The file goes when this bundle stops.
 */
@Component(name = "org.ketcd.admin", immediate = true, service = JaasRealm.class)
public final class AdminShell implements JaasRealm {
    static final String REALM = "ketcd";
    static final String PORT_FILE = "ssh.port";
    private static final Logger LOG = LoggerFactory.getLogger(AdminShell.class);
    /** How long a server Karaf started may take to listen before this gives up on it. */
    private static final long LISTEN_WAIT_MILLIS = 60_000;

    /** Keys, then the port file, one task at a time; created before any bind method runs. */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ketcd-admin");
        t.setDaemon(true);
        return t;
    });
    /**
     * The SSH server Karaf registered last. Karaf makes a new server at each reconfiguration and leaves the
     * stopped one registered, so only the newest counts.
     */
    private volatile SshServer latest;
    /** The port in the port file; worker thread only. */
    private int published = -1;
    private volatile BundleContext context;

    static Path adminDir() {
        return Path.of(System.getProperty("karaf.data"), "admin");
    }

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
    }

    @Deactivate
    void deactivate() {
        worker.shutdownNow();
        deletePortFile();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSshServer(SshServer server) {
        latest = server;
        worker.execute(this::publish);
    }

    void unbindSshServer(SshServer server) {
        if (latest == server) {
            latest = null;
        }
    }

    /** Makes the key pair unless it exists, then writes the newest server's port once it listens. */
    private void publish() {
        Path dir = adminDir();
        try {
            if (AdminKeys.ensure(dir)) {
                LOG.info("admin shell: made the operator key {}", dir.resolve(AdminKeys.PRIVATE_KEY));
            }
            // Karaf registers a server before it starts it; with port 0 the port is known once it listens
            long deadline = System.currentTimeMillis() + LISTEN_WAIT_MILLIS;
            for (SshServer server = latest; server != null; server = latest) {
                InetSocketAddress address = listeningAddress(server);
                if (address != null) {
                    if (address.getPort() != published) {
                        AdminKeys.writePrivate(dir.resolve(PORT_FILE), address.getPort() + "\n");
                        published = address.getPort();
                        LOG.info("admin shell: Karaf's shell over SSH on {}:{}, for user {} with key {} only (bin/ketcd admin)",
                                address.getHostString(), address.getPort(), AdminKeys.USER, dir.resolve(AdminKeys.PRIVATE_KEY));
                    }
                    return;
                }
                if (System.currentTimeMillis() > deadline) {
                    LOG.warn("admin shell: Karaf's SSH server is not listening after {} s (see its warning): no admin shell",
                            LISTEN_WAIT_MILLIS / 1000);
                    return;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("admin shell: cannot prepare {}: {}", dir, e.toString());
        }
    }

    private static InetSocketAddress listeningAddress(SshServer server) {
        try {
            for (SocketAddress address : server.getBoundAddresses()) {
                if (address instanceof InetSocketAddress) {
                    return (InetSocketAddress) address;
                }
            }
        } catch (RuntimeException stopped) {
            // a stopped server may have no acceptor any more
        }
        return null;
    }

    private static void deletePortFile() {
        try {
            Files.deleteIfExists(adminDir().resolve(PORT_FILE));
        } catch (IOException e) {
            LOG.warn("admin shell: cannot delete {}: {}", adminDir().resolve(PORT_FILE), e.toString());
        }
    }

    @Override
    public String getName() {
        return REALM;
    }

    @Override
    public int getRank() {
        return 0;
    }

    /** Karaf's public key module alone, on the member's own keys file, loaded through this bundle's import. */
    @Override
    public AppConfigurationEntry[] getEntries() {
        BundleContext bundleContext = context;
        Map<String, Object> options = Map.of(
                ProxyLoginModule.PROPERTY_MODULE, PublickeyLoginModule.class.getName(),
                ProxyLoginModule.PROPERTY_BUNDLE, Long.toString(bundleContext.getBundle().getBundleId()),
                BundleContext.class.getName(), bundleContext,
                "users", adminDir().resolve(AdminKeys.KEYS).toString());
        return new AppConfigurationEntry[] {
            new AppConfigurationEntry(ProxyLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED, options)
        };
    }
}
