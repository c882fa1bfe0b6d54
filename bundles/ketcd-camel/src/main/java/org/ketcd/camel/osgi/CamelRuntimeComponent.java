package org.ketcd.camel.osgi;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.ketcd.api.DeployedRoutes;
import org.ketcd.api.EtcdServer;
import org.ketcd.api.Member;
import org.ketcd.camel.cluster.KetcdClusterService;
import org.ketcd.camel.deploy.CamelRuntime;
import org.ketcd.camel.deploy.RouteFiles;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the member's Camel ({@link CamelRuntime}) once the member's {@link EtcdServer} is there, and deploys
 * route files from Karaf's deploy folders: it offers Felix FileInstall an {@link ArtifactInstaller} for
 * {@code *.camel.yaml} and {@code *.camel.xml}, and at start loads the route files already in those folders
 * itself (FileInstall does not offer them again to an installer that restarts, VERSIONS.md pitfall 11b).
 * Configuration (PID {@code org.ketcd.camel}, optional): {@code cluster-ttl-seconds}, the lease TTL of the
 * Camel cluster service (default {@value KetcdClusterService#DEFAULT_TTL_SECONDS}); {@code cluster-user} and
 * {@code cluster-password}, the etcd user the cluster service (the {@code master:} routes' leader election)
 * acts as once etcd's auth is enabled (it needs read-write on {@code __ketcd/camel/cluster/}).
 */
@Component(name = "org.ketcd.camel", immediate = true, service = {}, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class CamelRuntimeComponent {
    private static final Logger LOG = LoggerFactory.getLogger(CamelRuntimeComponent.class);

    @Reference
    private EtcdServer server;
    @Reference
    private ConfigurationAdmin configAdmin;

    private CamelRuntime runtime;
    private ServiceRegistration<ArtifactInstaller> installer;
    private ServiceRegistration<DeployedRoutes> routes;

    @Activate
    void activate(BundleContext bundleContext, Map<String, Object> properties) throws Exception {
        long ttl = Long.parseLong(String.valueOf(properties.getOrDefault("cluster-ttl-seconds",
                KetcdClusterService.DEFAULT_TTL_SECONDS)));
        Object user = properties.get("cluster-user");
        EtcdServer cluster = user == null || user.toString().isBlank() ? server
                : server.withPassword(user.toString(), String.valueOf(properties.getOrDefault("cluster-password", "")));
        runtime = CamelRuntime.start(server, cluster, memberName(), ttl);
        for (Path file : routeFilesInDeployFolders()) {
            runtime.deploy(file);
        }
        installer = bundleContext.registerService(ArtifactInstaller.class, new RouteFileInstaller(runtime), null);
        routes = bundleContext.registerService(DeployedRoutes.class, runtime, null);
    }

    @Deactivate
    void deactivate() throws Exception {
        if (routes != null) {
            try {
                routes.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the framework while the bundle stops
            }
            routes = null;
        }
        if (installer != null) {
            try {
                installer.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the framework while the bundle stops
            }
            installer = null;
        }
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    /** The member's name, as etcd's member list shows it (its hex id if it has none yet). */
    private String memberName() {
        long id = server.header(0).memberId();
        for (Member m : server.members()) {
            if (m.id() == id && !m.name().isEmpty()) {
                return m.name();
            }
        }
        return Long.toHexString(id);
    }

    /** Route files in the folders FileInstall watches (its factory configurations' felix.fileinstall.dir). */
    private List<Path> routeFilesInDeployFolders() {
        List<Path> files = new ArrayList<>();
        try {
            Configuration[] configs = configAdmin.listConfigurations("(service.factoryPid=org.apache.felix.fileinstall)");
            for (Configuration c : configs == null ? new Configuration[0] : configs) {
                Object dir = c.getProperties() == null ? null : c.getProperties().get("felix.fileinstall.dir");
                if (dir == null) {
                    continue;
                }
                Path folder = new File(dir.toString()).toPath();
                if (Files.isDirectory(folder)) {
                    try (Stream<Path> s = Files.list(folder)) {
                        s.filter(RouteFiles::isRouteFile).sorted().forEach(files::add);
                    }
                }
            }
        } catch (Exception e) {
            LOG.warn("ketcd-camel: deploy folders not listed: {}", e.toString());
        }
        return files;
    }
}
