package org.ketcd.camel.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of route files ({@code *.camel.yaml}, {@code *.camel.xml}): deploying a file starts its routes,
 * deploying it again replaces them, removing it stops them and unbinds the beans it defined (their destroy
 * method runs, so e.g. a broker connection factory defined in the file is closed). A file that does not load leaves no route of
 * it behind and touches no other file's routes; why it failed is one log line. Not thread-safe: one
 * thread (the Camel thread of the bundle) calls it.
 */
public final class RouteFiles {
    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    private final CamelContext context;
    private final Map<Path, Set<String>> routesByFile = new HashMap<>();
    /** The beans each file defined (YAML {@code beans:}), unbound (and destroyed) with its routes. */
    private final Map<Path, Set<String>> beansByFile = new HashMap<>();
    /** What each deployed file held, so offering the same content again (FileInstall after our own start scan) is a no-op. */
    private final Map<Path, byte[]> contentByFile = new HashMap<>();

    public RouteFiles(CamelContext context) {
        this.context = context;
    }

    /** Whether the deployer takes this file. */
    public static boolean isRouteFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".camel.yaml") || name.endsWith(".camel.yml") || name.endsWith(".camel.xml");
    }

    /** Starts the file's routes, replacing those it had; false (and one ERROR line) if it does not load. */
    public boolean deploy(Path file) {
        Path key = file.toAbsolutePath().normalize();
        byte[] content;
        try {
            content = Files.readAllBytes(key);
        } catch (java.io.IOException e) {
            LOG.error("ketcd-camel: route file {} not readable: {}", key, oneLine(e));
            return false;
        }
        if (java.util.Arrays.equals(content, contentByFile.get(key))) {
            return true;
        }
        undeploy(key, false);
        Set<String> before = routeIds();
        Set<String> beansBefore = beanNames();
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromBytes("file:" + key, content));
            Set<String> added = routeIds();
            added.removeAll(before);
            routesByFile.put(key, added);
            contentByFile.put(key, content);
            Set<String> beans = beanNames();
            beans.removeAll(beansBefore);
            beansByFile.put(key, beans);
            LOG.info("ketcd-camel: deployed {} (routes {})", key.getFileName(), added);
            return true;
        } catch (Exception | LinkageError e) {
            Set<String> partial = routeIds();
            partial.removeAll(before);
            stopAndRemove(partial);
            Set<String> beans = beanNames();
            beans.removeAll(beansBefore);
            unbind(beans);
            LOG.error("ketcd-camel: route file {} not deployed: {}", key, oneLine(e));
            LOG.debug("ketcd-camel: route file " + key, e);
            return false;
        }
    }

    /** Stops and removes the routes the file had started. */
    public void undeploy(Path file) {
        undeploy(file.toAbsolutePath().normalize(), true);
    }

    private void undeploy(Path key, boolean log) {
        contentByFile.remove(key);
        Set<String> ids = routesByFile.remove(key);
        if (ids != null) {
            stopAndRemove(ids);
            unbind(beansByFile.remove(key));
            if (log) {
                LOG.info("ketcd-camel: undeployed {} (routes {})", key.getFileName(), ids);
            }
        }
    }

    /** The routes each deployed file started. */
    public Map<Path, Set<String>> deployed() {
        return Map.copyOf(routesByFile);
    }

    private void stopAndRemove(Set<String> ids) {
        for (String id : ids) {
            try {
                context.getRouteController().stopRoute(id);
                context.removeRoute(id);
            } catch (Exception e) {
                LOG.warn("ketcd-camel: route {} not removed: {}", id, oneLine(e));
            }
        }
    }

    /** Unbinds beans from Camel's registry, which calls their destroy method (e.g. closes a broker connection). */
    private void unbind(Set<String> beans) {
        if (beans == null) {
            return;
        }
        for (String name : beans) {
            try {
                context.getRegistry().unbind(name);
            } catch (RuntimeException e) {
                LOG.warn("ketcd-camel: bean {} not removed: {}", name, oneLine(e));
            }
        }
    }

    private Set<String> beanNames() {
        return new HashSet<>(context.getRegistry().findByTypeWithName(Object.class).keySet());
    }

    private Set<String> routeIds() {
        List<Route> routes = context.getRoutes();
        return routes.stream().map(Route::getRouteId).collect(Collectors.toCollection(HashSet::new));
    }

    /** The root cause's message on one line: parse errors of the DSLs span several lines. */
    static String oneLine(Throwable e) {
        StringBuilder b = new StringBuilder();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (b.indexOf(message) < 0) {
                if (b.length() > 0) {
                    b.append(": ");
                }
                b.append(message);
            }
        }
        return b.toString().replaceAll("\\s*\\R\\s*", " | ");
    }
}
