package org.ketcd.rest.config;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.ketcd.api.Bytes;

/**
 * Where the configuration API keeps things in the etcd keyspace. A value lives under its own path,
 * {@code /config/<path>}, as the raw bytes that were PUT, so {@code etcdctl get /config/app/db/url}
 * shows it as it is. A content type other than {@link #DEFAULT_TYPE} is kept in a sibling key,
 * {@code /config-types/<path>}, written in the same transaction (outside the {@code /config/} prefix,
 * so listings and watches of a tree see only values). Keys written by other clients (etcdctl, jetcd)
 * under {@code /config/} are served with the default type.
 */
final class ConfigKeys {
    static final String VALUES = "/config/";
    static final String TYPES = "/config-types/";
    static final String DEFAULT_TYPE = "text/plain; charset=utf-8";

    private ConfigKeys() {
    }

    static byte[] value(String path) {
        return (VALUES + path).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] type(String path) {
        return (TYPES + path).getBytes(StandardCharsets.UTF_8);
    }

    /** The path of a value key ({@code /config/a/b} -> {@code a/b}). */
    static String path(byte[] valueKey) {
        return new String(valueKey, StandardCharsets.UTF_8).substring(VALUES.length());
    }

    static byte[] end(byte[] prefix) {
        return Bytes.prefixEnd(prefix);
    }

    /**
     * The path of a request URI as it came (percent-encoded), decoded as UTF-8 and checked. Bytes that are not UTF-8 are
     * refused: decoding them to U+FFFD, as URI decoders do, would map different paths onto one key.
     */
    static String requestPath(String encoded) {
        return checkPath(decodePath(encoded));
    }

    private static String decodePath(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c != '%') {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int hi = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(encoded.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw new IllegalArgumentException("bad path '" + encoded + "': '%' at character " + i
                        + " is not followed by two hex digits");
            }
            bytes.write(hi * 16 + lo);
            i += 2;
        }
        byte[] raw = bytes.toByteArray();
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        CoderResult result = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
        if (result.isError()) {
            throw new IllegalArgumentException(String.format("bad path '%s': not UTF-8, byte %d of the decoded path"
                    + " (0x%02X) starts no valid sequence; paths are UTF-8 text, percent-encoded in the URL",
                    encoded, in.position(), raw[in.position()] & 0xFF));
        }
        return out.flip().toString();
    }

    /** A path is non-empty text without empty, "." or ".." segments; a trailing "/" names a tree. */
    static String checkPath(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (p.isEmpty()) {
            return path;
        }
        for (String segment : p.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("bad path '" + path + "': empty, '.' or '..' segment");
            }
        }
        return path;
    }
}
