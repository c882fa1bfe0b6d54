package org.ketcd.server.osgi;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.EtcdServer;
import org.ketcd.server.config.ConfigException;
import org.ketcd.server.config.ServerConfig;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --karaf-features} (env {@code ETCD_KARAF_FEATURES}, cfg key {@code karaf-features}): once this member's
 * {@link EtcdServer} is registered (the member serves), installs the named Karaf features through Karaf's
 * {@code FeaturesService}, on a thread of its own (never the DS activation thread), the missing ones in one call
 * (Karaf refreshes only what the new bundles need, e.g. ketcd-camel when a broker fragment attaches). Features
 * already installed are left alone. One INFO line per installed feature,
 * one ERROR line naming an unknown or failing feature; the member keeps running either way.
 *
 * <p>The {@code org.apache.karaf.features} package is imported optionally: this class names no Karaf type, only
 * {@link KarafFeatureInstaller} does, and that class is loaded only once the service has been found.
 */
@Component(name = "org.ketcd.server.karaf-features", configurationPid = "org.ketcd.server",
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true, service = {})
public final class KarafFeaturesComponent {
    static final String FEATURES_SERVICE = "org.apache.karaf.features.FeaturesService";
    /** How long to wait for Karaf's FeaturesService (it is a boot bundle: normally there at once). */
    static final long SERVICE_WAIT_MS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(KarafFeaturesComponent.class);

    /** Only to order the installation after the member's start: activated once the member serves. */
    @Reference
    private EtcdServer server;

    private volatile boolean stopped;
    private Thread worker;
    private ServiceTracker<Object, Object> tracker;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        List<String> features;
        try {
            features = ServerConfig.resolve(EtcdMemberComponent.commandLineArgs(), System.getenv(),
                    EtcdMemberComponent.cfgProperties(properties)).karafFeatures();
        } catch (ConfigException | java.io.IOException e) {
            return; // EtcdMemberComponent reports a bad configuration (and no member serves then)
        }
        if (features.isEmpty()) {
            return;
        }
        tracker = new ServiceTracker<>(context, FEATURES_SERVICE, null);
        tracker.open();
        worker = new Thread(() -> install(features), "ketcd-karaf-features");
        worker.setDaemon(true);
        worker.start();
    }

    private void install(List<String> features) {
        Object service;
        try {
            service = tracker.waitForService(SERVICE_WAIT_MS);
        } catch (InterruptedException e) {
            return; // deactivated
        }
        if (stopped) {
            return;
        }
        if (service == null) {
            LOG.error("ketcd: --karaf-features {}: Karaf's FeaturesService ({}) is not available after {} s; "
                    + "no feature installed", String.join(",", features), FEATURES_SERVICE,
                    TimeUnit.MILLISECONDS.toSeconds(SERVICE_WAIT_MS));
            return;
        }
        ServiceTracker<Object, Object> services = tracker;
        try {
            // the service registered at each use: Karaf replaces it while it boots (KarafFeatureInstaller)
            KarafFeatureInstaller.install(() -> current(services), features, () -> stopped);
        } catch (NoClassDefFoundError e) {
            LOG.error("ketcd: --karaf-features {}: the package org.apache.karaf.features is not wired to ketcd-server "
                    + "(refresh the bundle); no feature installed", String.join(",", features));
        }
    }

    private static Object current(ServiceTracker<Object, Object> services) {
        try {
            Object service = services.waitForService(SERVICE_WAIT_MS);
            if (service == null) {
                throw new IllegalStateException("Karaf's FeaturesService is gone");
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped while waiting for Karaf's FeaturesService", e);
        }
    }

    @Deactivate
    void deactivate() {
        stopped = true;
        Thread w = worker;
        worker = null;
        if (w != null) {
            w.interrupt();
            try {
                // a feature being installed is not interruptible: do not hold up the bundle's stop for long
                w.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
    }
}
