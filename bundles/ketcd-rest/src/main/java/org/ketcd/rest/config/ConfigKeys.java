package org.ketcd.rest.config;

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
