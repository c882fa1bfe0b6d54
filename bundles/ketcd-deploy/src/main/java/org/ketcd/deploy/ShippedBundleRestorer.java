package org.ketcd.deploy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Ketcd bundle updated from a deploy folder comes back as shipped when its jar is removed there. Felix FileInstall
 * updates the installed bundle of the same name and version from a dropped jar, and uninstalls that bundle when the
 * jar goes: without this, removing an update removed the feature's bundle. Restored: a bundle shipped by a Ketcd
 * feature ({@value #SHIPPED_PREFIX} location) that was updated and then uninstalled while a feature that lists it
 * is still installed (a {@code feature:uninstall} removes the feature first, and its bundles stay gone). It lives in
 * a bundle of its own so that the member's bundles, ketcd-server included, come back too; only this bundle's own
 * update cannot bring itself back.
 */
@Component(name = "org.ketcd.deploy.shipped-bundles", immediate = true, service = {})
public final class ShippedBundleRestorer implements BundleListener {
    private static final Logger LOG = LoggerFactory.getLogger(ShippedBundleRestorer.class);
    static final String SHIPPED_PREFIX = "mvn:org.ketcd/";
    /** Pause after an uninstall before the check: a feature:uninstall in progress has then removed its feature. */
    static final long SETTLE_MS = 1_000;

    private BundleContext context;
    private final Set<String> updated = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ketcd-shipped-bundles");
        t.setDaemon(true);
        return t;
    });

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addBundleListener(this);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        String location = event.getBundle().getLocation();
        if (!location.startsWith(SHIPPED_PREFIX)) {
            return;
        }
        if (event.getType() == BundleEvent.UPDATED) {
            updated.add(location);
        } else if (event.getType() == BundleEvent.UNINSTALLED && updated.remove(location)) {
            checks.schedule(() -> restoreIfListed(location), SETTLE_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void restoreIfListed(String location) {
        try {
            if (context.getBundle(location) != null || !listedByAnInstalledFeature(location)) {
                return;
            }
            Bundle shipped = context.installBundle(location);
            shipped.start();
            LOG.info("ketcd: the update of {} in a deploy folder was removed; the shipped bundle {} is back",
                    shipped.getSymbolicName(), location);
        } catch (Exception | NoClassDefFoundError e) {
            LOG.error("ketcd: the update of {} in a deploy folder was removed and the shipped bundle could not be "
                    + "installed again ({}); reinstall its feature", location, e.toString());
        }
    }

    private boolean listedByAnInstalledFeature(String location) throws Exception {
        ServiceReference<FeaturesService> ref = context.getServiceReference(FeaturesService.class);
        FeaturesService features = ref == null ? null : context.getService(ref);
        try {
            if (features == null) {
                return false;
            }
            for (Feature f : features.listInstalledFeatures()) {
                for (BundleInfo b : f.getBundles()) {
                    if (location.equals(b.getLocation().trim())) {
                        return true;
                    }
                }
            }
            return false;
        } finally {
            if (features != null) {
                context.ungetService(ref);
            }
        }
    }

    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(this);
        } catch (IllegalStateException stopping) {
            // the bundle's context is gone with it
        }
        checks.shutdownNow();
    }
}
