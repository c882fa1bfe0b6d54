package org.ketcd.systemtests.harness;

import java.util.List;

/** What one etcdctl invocation produced. exitCode is -1 when it timed out and was killed. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }

    public String describe() {
        return "$ " + String.join(" ", command) + "\n  exit=" + exitCode + (timedOut ? " (TIMED OUT)" : "")
                + "\n  stdout: " + indent(stdout) + "\n  stderr: " + indent(stderr);
    }

    private static String indent(String s) {
        return s.isEmpty() ? "<empty>" : s.strip().replace("\n", "\n          ");
    }

    @Override
    public String toString() {
        return describe();
    }
}
