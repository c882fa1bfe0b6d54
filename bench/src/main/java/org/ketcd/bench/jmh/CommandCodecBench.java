package org.ketcd.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.ketcd.api.PutRequest;
import org.ketcd.raft.Command;
import org.ketcd.raft.CommandCodec;
import org.ketcd.raft.ProposedCommand;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The Raft entry codec (Hazelcast IdentifiedDataSerializable): a batch of puts, 8-byte keys, 256-byte values. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CommandCodecBench {

    @Param({"1", "64"})
    public int batchSize;

    private final CommandCodec codec = new CommandCodec();
    private List<ProposedCommand> batch;
    private byte[] encoded;

    @Setup
    public void setup() {
        batch = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            byte[] value = new byte[256];
            ThreadLocalRandom.current().nextBytes(value);
            batch.add(new ProposedCommand(1, i, new Command.Put(PutRequest.of(Keys.key(i), value))));
        }
        encoded = codec.encode(batch);
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(batch);
    }

    @Benchmark
    public List<ProposedCommand> decode() throws CommandCodec.UndecodableException {
        return codec.decode(encoded);
    }
}
