package org.ketcd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --karaf-features} (Ketcd's own flag): parsing, precedence and the one-line refusals of bad names. */
class KarafFeaturesFlagTest {

    private static ServerConfig resolve(String... args) throws ConfigException {
        return ServerConfig.resolve(args, Map.of(), Map.of());
    }

    private static String refusal(String value) {
        return assertThrows(ConfigException.class, () -> resolve("--karaf-features", value)).getMessage();
    }

    @Test
    void noneByDefault() throws Exception {
        assertEquals(List.of(), ServerConfig.defaults().karafFeatures());
        assertEquals(List.of(), resolve("--karaf-features", "").karafFeatures());
        assertEquals(List.of(), resolve("--karaf-features", "  ").karafFeatures());
    }

    @Test
    void namesAndVersionsInOrderBlanksIgnoredDuplicatesOnce() throws Exception {
        assertEquals(List.of("wrap", "ketcd-camel/0.1.0.SNAPSHOT", "my_feature.x", "eventadmin"),
                resolve("--karaf-features", " wrap, ketcd-camel/0.1.0.SNAPSHOT ,my_feature.x,eventadmin,wrap").karafFeatures());
        assertEquals(List.of("a/1.2.3"), resolve("--karaf-features=a/1.2.3").karafFeatures());
    }

    @Test
    void flagBeatsEnvironmentBeatsCfgFile() throws Exception {
        Map<String, String> cfg = Map.of("karaf-features", "from-cfg");
        assertEquals(List.of("from-cfg"), ServerConfig.resolve(new String[0], Map.of(), cfg).karafFeatures());
        Map<String, String> env = Map.of("ETCD_KARAF_FEATURES", "from-env");
        assertEquals(List.of("from-env"), ServerConfig.resolve(new String[0], env, cfg).karafFeatures());
        assertEquals(List.of("from-flag"),
                ServerConfig.resolve(new String[] {"--karaf-features", "from-flag"}, env, cfg).karafFeatures());
    }

    @Test
    void badNameIsRefusedNamingItAndTheFlag() {
        assertEquals("invalid value \"wrap,bad name\" for flag -karaf-features: bad feature name \"bad name\" "
                + "(letters, digits, '-', '_' and '.' only, optionally followed by /version)", refusal("wrap,bad name"));
        assertEquals("invalid value \"feat;rm -rf\" for flag -karaf-features: bad feature name \"feat;rm -rf\" "
                + "(letters, digits, '-', '_' and '.' only, optionally followed by /version)", refusal("feat;rm -rf"));
        assertTrue(refusal("caf\u00e9").contains("bad feature name \"caf\u00e9\""));
        assertTrue(refusal("/1.0").contains("bad feature name \"\""));
    }

    @Test
    void badVersionIsRefusedNamingTheFeature() {
        assertEquals("invalid value \"wrap/\" for flag -karaf-features: bad version \"\" of feature \"wrap\" "
                + "(letters, digits, '-', '_' and '.' only)", refusal("wrap/"));
        assertEquals("invalid value \"wrap/1/2\" for flag -karaf-features: bad version \"1/2\" of feature \"wrap\" "
                + "(letters, digits, '-', '_' and '.' only)", refusal("wrap/1/2"));
        assertTrue(refusal("wrap/[4,5)").contains("bad version \"[4\" of feature \"wrap\""));
    }

    @Test
    void emptyEntryIsRefused() {
        assertEquals("invalid value \"a,,b\" for flag -karaf-features: empty feature name "
                + "(expected name or name/version, comma separated)", refusal("a,,b"));
        assertTrue(refusal("a,").contains("empty feature name"));
    }

    @Test
    void badValueFromEnvironmentIsRefusedToo() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.resolve(new String[0], Map.of("ETCD_KARAF_FEATURES", "x y"), Map.of()));
        assertTrue(e.getMessage().startsWith("invalid value \"x y\" for flag -karaf-features: bad feature name \"x y\""),
                e.getMessage());
    }

    @Test
    void usageDocumentsTheFlag() {
        String usage = Flag.usage();
        assertTrue(usage.contains("--karaf-features ''\n"), usage);
        assertTrue(usage.contains("ETCD_KARAF_FEATURES"), usage);
    }
}
