package org.ketcd.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.PutRequest;
import org.ketcd.api.RangeRequest;
import org.ketcd.api.RangeResponse;
import org.ketcd.mvcc.MvccOptions;
import org.ketcd.mvcc.MvccStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Key index lookups through {@link MvccStore#range}: one key (current revision) among {@code keys} keys
 * (the index class itself is package-private). The store is filled once per fork (not measured).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MvccRangeBench {

    @Param({"100000"})
    public int keys;

    private Path dir;
    private MvccStore store;
    private RangeRequest[] requests;

    @Setup(Level.Trial)
    public void fill() throws Exception {
        dir = Files.createTempDirectory("ketcd-jmh-mvcc-range");
        store = MvccStore.open(dir, MvccOptions.defaults());
        byte[] value = new byte[256];
        ThreadLocalRandom.current().nextBytes(value);
        requests = new RangeRequest[keys];
        for (int i = 0; i < keys; i++) {
            byte[] k = Keys.key(i);
            store.put(PutRequest.of(k, value));
            requests[i] = RangeRequest.of(k, null);
            if ((i + 1) % 5000 == 0) {
                store.setConsistentIndex(i + 1);
                store.commit();
            }
        }
        store.setConsistentIndex(keys);
        store.commit();
    }

    @Benchmark
    public RangeResponse rangeOneKey() {
        return store.range(requests[ThreadLocalRandom.current().nextInt(requests.length)]);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        Keys.deleteTree(dir);
    }
}
