package org.ketcd.bench;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Entry point of {@code ketcd-bench}: the load generator, JMH, and two helpers for the scripts. */
public final class Main {
    /** Kept referenced: java.util.logging holds loggers weakly. */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");


    public static void main(String[] args) throws Exception {
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        if (args.length > 0 && args[0].equals("jmh")) {
            String[] rest = new String[args.length - 1];
            System.arraycopy(args, 1, rest, 0, rest.length);
            org.openjdk.jmh.Main.main(rest);
            return;
        }
        if (args.length > 0 && args[0].equals("index-heap-cost")) {
            IndexHeapCost.run(Integer.parseInt(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1);
            return;
        }
        if (args.length > 0 && args[0].equals("free-ports")) {
            freePorts(args.length > 1 ? Integer.parseInt(args[1]) : 1);
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("ketcd-bench: " + e.getMessage());
            }
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        if (o.op == null) {
            System.err.print(Options.USAGE);
            System.exit(2);
        }
        switch (o.op) {
            case "wait-ready" -> System.exit(waitReady(o));
            case "mqtt-bridge" -> {
                int rc;
                try {
                    rc = new MqttBridge(o).run();
                } catch (Exception e) {
                    e.printStackTrace();
                    rc = 1;
                }
                System.exit(rc); // Paho's threads would keep the JVM alive
            }
            case "put", "range", "txn-put", "lease-grant", "lease-keepalive", "mixed", "watch", "camel-mqtt" -> {
                int rc = new LoadGenerator(o).run();
                System.exit(rc);
            }
            default -> {
                System.err.println("ketcd-bench: unknown op " + o.op);
                System.err.print(Options.USAGE);
                System.exit(2);
            }
        }
    }

    private static void freePorts(int n) throws Exception {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
            }
            StringBuilder b = new StringBuilder();
            for (ServerSocket s : sockets) {
                b.append(b.length() == 0 ? "" : " ").append(s.getLocalPort());
            }
            System.out.println(b);
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    /** Polls a linearizable range on the first endpoint; prints {@code READY <epoch ms>} at the first success. */
    private static int waitReady(Options o) throws InterruptedException {
        double limit = o.timeoutSec > 0 ? o.timeoutSec : 60;
        long deadline = System.nanoTime() + (long) (limit * 1e9);
        ManagedChannel ch = LoadGenerator.channel(o.endpoints.get(0));
        try {
            var kv = io.etcd.jetcd.api.KVGrpc.newBlockingStub(ch);
            RangeRequest req = RangeRequest.newBuilder()
                    .setKey(com.google.protobuf.ByteString.copyFromUtf8("ketcd-bench-ready-probe")).build();
            String last = "";
            while (System.nanoTime() < deadline) {
                try {
                    kv.withDeadlineAfter(1, TimeUnit.SECONDS).range(req);
                    System.out.println("READY " + System.currentTimeMillis());
                    return 0;
                } catch (RuntimeException e) {
                    last = Stats.message(e);
                    // gRPC backs off exponentially (1 s, 1.6 s, 2.6 s, ...) after refused connections: without
                    // this reset a server that starts listening after ~8 s was seen up to ~4 s late
                    ch.resetConnectBackoff();
                    Thread.sleep(20);
                }
            }
            System.out.println("NOT-READY after " + limit + " s: " + last);
            return 1;
        } finally {
            ch.shutdownNow();
        }
    }

    /** The endpoint whose member is the Raft leader, from Maintenance.Status on each; null if none answers so. */
    static String findLeader(List<String> endpoints) {
        for (String ep : endpoints) {
            ManagedChannel ch = LoadGenerator.channel(ep);
            try {
                StatusResponse s = MaintenanceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .status(StatusRequest.getDefaultInstance());
                if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                    return ep;
                }
            } catch (RuntimeException e) {
                System.err.println("status " + ep + ": " + Stats.message(e));
            } finally {
                ch.shutdownNow();
            }
        }
        return null;
    }

    private Main() {
    }
}
