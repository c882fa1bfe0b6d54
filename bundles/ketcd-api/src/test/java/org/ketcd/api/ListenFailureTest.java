package org.ketcd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ListenFailureTest {

    @Test
    void aTakenPortIsEtcdsListenErrorAndAFreeOneBindsAndIsFreeAgainAfterwards() throws Exception {
        int port;
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = taken.getLocalPort();
            IOException e = assertThrows(IOException.class, () -> ListenFailure.checkBindable("127.0.0.1", port));
            assertEquals("listen tcp 127.0.0.1:" + port + ": bind: address already in use", e.getMessage());
        }
        ListenFailure.checkBindable("127.0.0.1", port);
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort()); // the trial bind left nothing behind
        }
    }
}
