package org.ketcd.mvcc;

import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.ketcd.api.Bytes;
import org.ketcd.api.KeyValue;

/**
 * Feeds versions with their values to a hash, in revision order, without a value lookup per version: the
 * values come from one scan of Derby's value table in revision order, merged with the versions.
 */
final class StoreHashes {
    private StoreHashes() {
    }

    /** Hands each of {@code entries} (in revision order) to {@code sink} with its value. */
    static void forEachWithValue(List<KeyIndex.Entry> entries, DerbyBackend backend, Consumer<KeyIndex.Entry> sink) {
        Iterator<KeyIndex.Entry> next = entries.iterator();
        KeyIndex.Entry[] pending = {next.hasNext() ? next.next() : null};
        // tombstones have no value row; puts meet theirs in the scan, which may hold rows of versions not asked for
        backend.forEachValue(stored -> {
            while (pending[0] != null && pending[0].rev().compareTo(stored.rev()) <= 0) {
                KeyIndex.Entry e = pending[0];
                boolean mine = e.rev().equals(stored.rev());
                if (!e.tombstone() && !mine) {
                    throw new IllegalStateException("no value stored for the put at revision " + e.rev());
                }
                sink.accept(e.tombstone() ? withValue(e, Bytes.EMPTY) : withValue(e, stored.value()));
                pending[0] = next.hasNext() ? next.next() : null;
            }
            return pending[0] != null;
        });
        while (pending[0] != null) { // only tombstones can be left: their revisions are past the last value
            KeyIndex.Entry e = pending[0];
            if (!e.tombstone()) {
                throw new IllegalStateException("no value stored for the put at revision " + e.rev());
            }
            sink.accept(withValue(e, Bytes.EMPTY));
            pending[0] = next.hasNext() ? next.next() : null;
        }
    }

    private static KeyIndex.Entry withValue(KeyIndex.Entry e, byte[] value) {
        KeyValue kv = e.kv();
        return new KeyIndex.Entry(e.rev(), new KeyValue(kv.key(), kv.createRevision(), kv.modRevision(), kv.version(),
                value, kv.lease()), e.tombstone());
    }
}
