package org.ketcd.rest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One {@link RestCluster} for a test class, in a temp dir removed afterwards: {@code @RegisterExtension static}. */
final class RestClusterExtension implements BeforeAllCallback, AfterAllCallback {
    private final int size;
    private final String[] flags;
    private Path dir;
    private RestCluster cluster;

    RestClusterExtension(int size, String... flags) {
        this.size = size;
        this.flags = flags;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("ketcd-rest-test");
        cluster = RestCluster.start(dir.resolve("cluster"), size, flags);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    RestCluster cluster() {
        return cluster;
    }

    /** A directory for more members of the test's own. */
    Path dir() {
        return dir;
    }
}
