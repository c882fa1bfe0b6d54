package org.ketcd.mvcc;

/** etcd's {@code revision{main, sub}}: the store revision of a change and its position inside it. */
record Revision(long main, long sub) implements Comparable<Revision> {

    @Override
    public int compareTo(Revision o) {
        int c = Long.compare(main, o.main);
        return c != 0 ? c : Long.compare(sub, o.sub);
    }
}
