package org.ketcd.admin;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * The member's operator key, in its admin directory ({@code ${karaf.data}/admin}), made once:
 * <ul>
 * <li>{@code client.key}: the private key, PKCS#8 PEM, which Karaf's {@code bin/client -k} and OpenSSH's
 * {@code ssh -i} both read;</li>
 * <li>{@code keys.properties}: the public key for user {@value #USER} in group admingroup, in the format of
 * Karaf's {@code etc/keys.properties}, read by the realm at each login.</li>
 * </ul>
 * RSA, as Karaf's PublickeyLoginModule compares RSA keys exactly; it reads EC coordinates as signed numbers,
 * which refuses most EC keys, and does not know Ed25519. Directory 0700, files 0600, whatever the umask.
 */
final class AdminKeys {
    static final String USER = "ketcd";
    static final String PRIVATE_KEY = "client.key";
    static final String KEYS = "keys.properties";
    /** Karaf's admingroup (its etc/users.properties), whose role "ssh" the SSH server requires. */
    static final String GROUP_LINE = "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh";
    private static final int RSA_BITS = 3072;

    private AdminKeys() {
    }

    /** Makes the key pair unless both files are there; true when it made one. */
    static boolean ensure(Path dir) throws IOException, GeneralSecurityException {
        if (Files.isRegularFile(dir.resolve(PRIVATE_KEY)) && Files.isRegularFile(dir.resolve(KEYS))) {
            return false;
        }
        createPrivateDirectory(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(RSA_BITS);
        KeyPair pair = generator.generateKeyPair();
        // the private key first: a keys file always has its private key
        writePrivate(dir.resolve(PRIVATE_KEY), pem(pair.getPrivate()));
        writePrivate(dir.resolve(KEYS), keysFile((RSAPublicKey) pair.getPublic()));
        return true;
    }

    static String keysFile(RSAPublicKey key) {
        return "# This member's operator: Karaf's shell over SSH (realm ketcd) accepts this key only; its private key\n"
                + "# is " + PRIVATE_KEY + " beside this file. Format of Karaf's etc/keys.properties: user = OpenSSH public key, groups.\n"
                + USER + " = " + openSshPublicKey(key) + ", _g_:admingroup\n"
                + GROUP_LINE + "\n";
    }

    /** The base64 key blob of OpenSSH's {@code ssh-rsa} public key line (RFC 4253 6.6). */
    static String openSshPublicKey(RSAPublicKey key) {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(blob)) {
            writeField(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
            // BigInteger's two's-complement bytes are SSH's mpint
            writeField(out, key.getPublicExponent().toByteArray());
            writeField(out, key.getModulus().toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Base64.getEncoder().encodeToString(blob.toByteArray());
    }

    private static void writeField(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        }
    }

    /** Writes a file readable by its owner only, replacing any file there at once. */
    static void writePrivate(Path file, String text) throws IOException {
        Path tmp;
        try {
            FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp", ownerOnly);
        } catch (UnsupportedOperationException notPosix) {
            tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        }
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
