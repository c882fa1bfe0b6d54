package org.ketcd.systemtests.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The distribution of "the next build", made from the one under test for a rolling update: a copy of it (without
 * its data/, which a distribution makes as it runs) whose Ketcd bundles carry the next micro version
 * (Bundle-Version and Implementation-Version, e.g. 0.1.0.SNAPSHOT becomes 0.1.1.SNAPSHOT). Their code is this
 * build's; what changes is what a new release changes for Karaf and for an operator: other jars, another version.
 */
public record NextBuild(Path home, String version) {

    /** Makes the next build of the distribution at {@code home} in {@code target} (which must not exist). */
    public static NextBuild of(Path home, Path target) {
        try {
            copy(home, target);
            String next = null;
            try (Stream<Path> files = Files.walk(target.resolve("system/org/ketcd"))) {
                for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).toList()) {
                    String version = reversion(jar);
                    next = version != null ? version : next;
                }
            }
            if (next == null) {
                throw new AssertionError("no Ketcd bundle with an Implementation-Version (ketcd-server's) under "
                        + target.resolve("system/org/ketcd"));
            }
            return new NextBuild(target, next);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(from.resolve("data"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Rewrites the jar with the next micro version in its manifest; returns its next Implementation-Version (the
     * version a member logs and {@code --version} prints), or null when it has none.
     */
    private static String reversion(Path jar) throws IOException {
        Path rewritten = jar.resolveSibling(jar.getFileName() + ".next");
        String implementation;
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            Attributes main = manifest.getMainAttributes();
            main.putValue("Bundle-Version", nextMicro(main.getValue("Bundle-Version"), '.'));
            implementation = main.getValue("Implementation-Version") == null ? null
                    : nextMicro(main.getValue("Implementation-Version"), '-');
            if (implementation != null) {
                main.putValue("Implementation-Version", implementation);
            }
            try (OutputStream file = Files.newOutputStream(rewritten); JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (Enumeration<JarEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (List.of("META-INF/MANIFEST.MF", "META-INF/").contains(entry.getName())) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream body = in.getInputStream(entry)) {
                        body.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
        return implementation;
    }

    /** "0.1.0.SNAPSHOT" to "0.1.1.SNAPSHOT" ('.' before the qualifier), "0.1.0-SNAPSHOT" to "0.1.1-SNAPSHOT" ('-'). */
    static String nextMicro(String version, char qualifierSeparator) {
        if (version == null) {
            throw new AssertionError("a Ketcd bundle without a version");
        }
        String[] parts = version.split("\\.", 3);
        String micro = parts.length > 2 ? parts[2] : "0";
        int q = micro.indexOf(qualifierSeparator);
        String qualifier = q < 0 ? "" : micro.substring(q);
        int number = Integer.parseInt(q < 0 ? micro : micro.substring(0, q));
        return parts[0] + "." + (parts.length > 1 ? parts[1] : "0") + "." + (number + 1) + qualifier;
    }
}
