package org.ketcd.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.PutRequest;
import org.ketcd.api.PutResponse;
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
 * MVCC apply: {@link MvccStore#put} into a Derby-backed store in a temp dir, with a {@code commit()}
 * (one Derby transaction, fsync) every {@code commitEvery} puts, as the state machine groups its commits.
 * The time per operation includes the share of the commit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class MvccApplyBench {

    @Param({"1000"})
    public int commitEvery;

    @Param({"10000"})
    public int keySpace;

    private Path dir;
    private MvccStore store;
    private byte[][] keys;
    private byte[] value;
    private long n;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("ketcd-jmh-mvcc-apply");
        store = MvccStore.open(dir, MvccOptions.defaults());
        keys = new byte[keySpace][];
        for (int i = 0; i < keySpace; i++) {
            keys[i] = Keys.key(i);
        }
        value = new byte[256];
        ThreadLocalRandom.current().nextBytes(value);
    }

    @Benchmark
    public PutResponse put() {
        PutResponse r = store.put(PutRequest.of(keys[(int) (n % keySpace)], value));
        if (++n % commitEvery == 0) {
            store.setConsistentIndex(n);
            store.commit();
        }
        return r;
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        Keys.deleteTree(dir);
    }
}
