package org.ketcd.server.osgi;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.function.BooleanSupplier;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The part of {@link KarafFeaturesComponent} that names Karaf's types (loaded only when Karaf is there). */
final class KarafFeatureInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(KarafFeaturesComponent.class);

    /** How long a feature name may stay unknown before it is reported as unknown. */
    static final long LOOKUP_WAIT_MS = 20_000;
    /** Installations tried when Karaf replaced its FeaturesService meanwhile, and the pause between them. */
    static final int REPLACED_ATTEMPTS = 5;
    static final long REPLACED_RETRY_MS = 500;

    private KarafFeatureInstaller() {
    }

    /**
     * Installs those of {@code features} ({@code name} or {@code name/version}) not installed yet, all in one
     * call: a broker fragment of ketcd-camel and its host then resolve together. Karaf refreshes what the
     * new bundles need (e.g. a host that gains a fragment after a restart), nothing else.
     */
    static void install(java.util.function.Supplier<Object> service, List<String> features, BooleanSupplier stopped) {
        Supplier<FeaturesService> fs = () -> (FeaturesService) service.get();
        Set<String> missing = new java.util.LinkedHashSet<>();
        for (String id : features) {
            int slash = id.indexOf('/');
            String name = slash < 0 ? id : id.substring(0, slash);
            String version = slash < 0 ? null : id.substring(slash + 1);
            try {
                Feature[] known = lookUp(fs, name, version, stopped);
                if (known.length == 0) {
                    LOG.error("ketcd: --karaf-features: Karaf feature \"{}\" is unknown (no registered feature repository "
                            + "lists it); not installed", id);
                    continue;
                }
                boolean installed = false;
                for (Feature f : known) {
                    installed |= fs.get().isInstalled(f);
                }
                if (installed) {
                    LOG.debug("ketcd: --karaf-features: Karaf feature {} is already installed", id);
                } else {
                    missing.add(id);
                }
            } catch (Exception e) {
                LOG.error("ketcd: --karaf-features: Karaf feature \"{}\" not looked up: {}", id, oneLine(e));
            }
        }
        if (missing.isEmpty() || stopped.getAsBoolean()) {
            return;
        }
        try {
            installReplaced(fs, missing, stopped);
            for (String id : missing) {
                LOG.info("ketcd: --karaf-features: installed Karaf feature {}", installedId(fs.get(), id));
            }
        } catch (Exception e) {
            LOG.error("ketcd: --karaf-features: Karaf features {} could not be installed: {}", missing, oneLine(e));
        }
    }

    /**
     * Karaf's features bundle replaces its FeaturesService when its configuration or a service it uses arrives
     * (while it boots, after this member serves): the replaced one refuses work ({@link RejectedExecutionException}).
     * The installation goes to the service registered now, at most {@value #REPLACED_ATTEMPTS} times.
     */
    private static void installReplaced(Supplier<FeaturesService> fs, Set<String> missing, BooleanSupplier stopped)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                fs.get().installFeatures(missing, EnumSet.noneOf(FeaturesService.Option.class));
                return;
            } catch (RejectedExecutionException e) {
                if (attempt == REPLACED_ATTEMPTS || stopped.getAsBoolean()) {
                    throw e;
                }
                LOG.debug("ketcd: --karaf-features: Karaf's FeaturesService was replaced; installing through the new one");
                Thread.sleep(REPLACED_RETRY_MS);
            }
        }
    }

    /**
     * The features of that name, waiting up to {@value #LOOKUP_WAIT_MS} ms for them: while Karaf still
     * deploys its boot features (the member serves before that ends), its repositories can answer empty for
     * a feature they list (seen once in 6 starts).
     */
    private static Feature[] lookUp(Supplier<FeaturesService> service, String name, String version, BooleanSupplier stopped)
            throws Exception {
        long deadline = System.nanoTime() + LOOKUP_WAIT_MS * 1_000_000;
        while (true) {
            FeaturesService fs = service.get();
            Feature[] known = version == null ? fs.getFeatures(name) : fs.getFeatures(name, version);
            if (known != null && known.length > 0) {
                return known;
            }
            if (System.nanoTime() > deadline || stopped.getAsBoolean()) {
                return new Feature[0];
            }
            Thread.sleep(500);
        }
    }

    /** {@code name/version} of the installed feature {@code id} names (the id itself if none is found). */
    private static String installedId(FeaturesService fs, String id) throws Exception {
        int slash = id.indexOf('/');
        String name = slash < 0 ? id : id.substring(0, slash);
        for (Feature f : fs.listInstalledFeatures()) {
            if (f.getName().equals(name)) {
                return f.getId();
            }
        }
        return id;
    }

    private static String oneLine(Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        return why.replace('\n', ' ');
    }
}
