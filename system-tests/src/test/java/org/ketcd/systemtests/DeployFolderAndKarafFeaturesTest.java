package org.ketcd.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketcd.systemtests.harness.CommandResult;
import org.ketcd.systemtests.harness.Member;

/**
 * Ketcd's own additions to a member started with bin/ketcd (one member, real process):
 * <ul>
 * <li>{@code <data-dir>/deploy} is created and is this member's hot-deploy folder: a {@code .cfg} dropped there
 * reaches Config Admin and a bundle jar is installed and started (FileInstall's log lines say so);</li>
 * <li>a shipped Ketcd bundle updated from the deploy folder comes back as shipped when the update is removed;</li>
 * <li>{@code --karaf-features}: a feature shipped in the distribution ({@code wrap}) is installed with one INFO
 * line, an unknown one gives exactly one ERROR line naming it, and the member keeps serving etcdctl.</li>
 * </ul>
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DeployFolderAndKarafFeaturesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void deploy_folder_is_per_member_and_karaf_features_are_installed_or_reported() throws Exception {
        Assumptions.assumeTrue(Member.Kind.target() == Member.Kind.KETCD,
                "deploy folder and --karaf-features are Ketcd's own; nothing to check against etcd");
        try (Member m = Member.start(Member.Kind.KETCD, "deploy", "--karaf-features", "wrap,no-such-feature")) {
            Path deploy = m.dataDir().resolve("deploy");
            assertTrue(Files.isDirectory(deploy), "bin/ketcd did not create " + deploy);

            awaitLog(m, "ketcd: --karaf-features: installed Karaf feature wrap/");
            awaitLog(m, "Karaf feature \"no-such-feature\" is unknown");

            // A configuration and a bundle dropped into this member's deploy folder.
            Files.writeString(deploy.resolve("org.ketcd.systemtests.probe.cfg"), "greeting = hello\n", StandardCharsets.UTF_8);
            Path jar = deploy.resolve("probe.jar");
            writeBundle(jar, "org.ketcd.systemtests.probe");
            awaitLog(m, "Creating configuration {org.ketcd.systemtests.probe} from " + deploy.resolve("org.ketcd.systemtests.probe.cfg"));
            awaitLog(m, "Started bundle: file:" + jar);

            // An update of a shipped Ketcd bundle (the same jar, as a newer build would be) dropped in, then removed:
            // the shipped bundle is back.
            Path shipped;
            try (java.util.stream.Stream<Path> jars = Files.list(Member.ketcdScript().getParent().getParent()
                    .resolve("system/org/ketcd/ketcd-shell"))) {
                Path versionDir = jars.findFirst().orElseThrow();
                try (java.util.stream.Stream<Path> inside = Files.list(versionDir)) {
                    shipped = inside.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
                }
            }
            Path update = deploy.resolve("ketcd-shell-update.jar");
            Path staged = Files.copy(shipped, deploy.getParent().resolve("ketcd-shell-update.jar"));
            Files.move(staged, update, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            awaitLog(m, "A bundle with the same symbolic name (org.ketcd.shell)");
            Files.delete(update);
            awaitLog(m, "Uninstalling bundle");
            awaitLog(m, "ketcd: the update of org.ketcd.shell in a deploy folder was removed; the shipped bundle mvn:org.ketcd/ketcd-shell/");

            CommandResult put = m.ctl("put", "/deploy/k", "v");
            assertEquals(0, put.exitCode(), put::toString);
            CommandResult get = m.ctl("get", "/deploy/k", "--print-value-only");
            assertEquals("v", get.stdout().strip(), get::toString);

            List<String> errors = logLines(m).stream()
                    .filter(l -> l.contains("ERROR") && l.contains("no-such-feature")).toList();
            assertEquals(1, errors.size(), () -> "expected one ERROR line for the unknown feature, got " + errors);
            List<String> installed = logLines(m).stream().filter(l -> l.contains("installed Karaf feature")).toList();
            assertEquals(1, installed.size(), () -> "expected one INFO line for wrap, got " + installed);
        }
    }

    /** A minimal OSGi bundle: a manifest and one text file. */
    private static void writeBundle(Path jar, String symbolicName) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        // written elsewhere first and moved in, so FileInstall never sees half a jar
        Path tmp = Files.createTempFile(jar.getParent().getParent(), "probe", ".jar");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.putNextEntry(new ZipEntry("probe.txt"));
            j.write("probe".getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        Files.move(tmp, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> logLines(Member m) throws IOException {
        return Files.readAllLines(m.logFile(), StandardCharsets.ISO_8859_1);
    }

    private static void awaitLog(Member m, String text) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(m.logFile(), StandardCharsets.ISO_8859_1).contains(text)) {
                return;
            }
            Member.sleep(250);
        }
        throw new AssertionError("not in the member's log within " + WAIT.toSeconds() + " s: " + text
                + "\nLast lines of " + m.logFile() + ":\n" + m.logTail(40));
    }
}
