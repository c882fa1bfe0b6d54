package org.ketcd.server.osgi;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * bin/ketcd's class-data archive (README "Start-up"): a JVM that writes the archive at its exit
 * ({@code -XX:ArchiveClassesAtExit}) is given {@code -Dketcd.cds.served=<marker file>}. The marker, made once the
 * member serves, tells the next bin/ketcd that the archive holds the classes of a member that started completely, not
 * the few of a start that failed, and may be used.
 */
final class ClassDataDump {
    static final String SERVED_MARKER_PROPERTY = "ketcd.cds.served";
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataDump.class);

    private ClassDataDump() {
    }

    static void memberServes() {
        String marker = System.getProperty(SERVED_MARKER_PROPERTY);
        if (marker == null || marker.isBlank()) {
            return;
        }
        try {
            Files.createFile(Path.of(marker));
        } catch (FileAlreadyExistsException e) {
            // served before (the member service restarted inside this JVM)
        } catch (IOException e) {
            LOG.debug("class-data archive: cannot mark {} ({}); the archive written at exit will not be used", marker,
                    e.toString());
        }
    }
}
