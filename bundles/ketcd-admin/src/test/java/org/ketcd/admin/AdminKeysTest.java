package org.ketcd.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Properties;

import org.apache.karaf.jaas.modules.publickey.PublickeyLoginModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminKeysTest {
    @TempDir
    Path tmp;

    @Test
    void makesAKeyPairThatKarafsPublicKeyModuleAccepts() throws Exception {
        Path dir = tmp.resolve("admin");
        assertTrue(AdminKeys.ensure(dir));

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        for (String name : new String[] {AdminKeys.PRIVATE_KEY, AdminKeys.KEYS}) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))), name);
        }
        Properties keys = new Properties();
        keys.load(new StringReader(Files.readString(dir.resolve(AdminKeys.KEYS))));
        String[] entry = keys.getProperty(AdminKeys.USER).split(",");
        assertEquals("_g_:admingroup", entry[1].trim());
        assertTrue(keys.getProperty("_g_:admingroup").endsWith(",ssh"));

        PublicKey fromPrivate = publicKeyOf(Files.readString(dir.resolve(AdminKeys.PRIVATE_KEY)));
        assertTrue(PublickeyLoginModule.equals(fromPrivate, entry[0]));
        PublicKey other = publicKeyOf(Files.readString(otherKey()));
        assertFalse(PublickeyLoginModule.equals(other, entry[0]));
    }

    @Test
    void keepsAnExistingPairAndRemakesAnIncompleteOne() throws Exception {
        Path dir = tmp.resolve("admin");
        AdminKeys.ensure(dir);
        String key = Files.readString(dir.resolve(AdminKeys.PRIVATE_KEY));
        assertFalse(AdminKeys.ensure(dir));
        assertEquals(key, Files.readString(dir.resolve(AdminKeys.PRIVATE_KEY)));

        Files.delete(dir.resolve(AdminKeys.KEYS));
        assertTrue(AdminKeys.ensure(dir));
        assertFalse(key.equals(Files.readString(dir.resolve(AdminKeys.PRIVATE_KEY))));
        assertEquals(2, Files.list(dir).count(), "no temporary file left: " + Files.list(dir).toList());
    }

    private Path otherKey() throws Exception {
        Path dir = tmp.resolve("other");
        AdminKeys.ensure(dir);
        return dir.resolve(AdminKeys.PRIVATE_KEY);
    }

    private static PublicKey publicKeyOf(String pem) throws Exception {
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").replaceAll("\\s", "");
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        BigInteger e = key.getPublicExponent();
        return rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), e));
    }
}
