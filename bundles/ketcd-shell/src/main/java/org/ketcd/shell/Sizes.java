package org.ketcd.shell;

/** Byte counts as an operator reads them: "1.5 MB (1572864 B)". */
final class Sizes {
    private Sizes() {
    }

    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s (%d B)", v, units[u], n);
    }
}
