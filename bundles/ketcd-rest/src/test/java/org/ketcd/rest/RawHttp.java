package org.ketcd.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** A client connection that writes raw bytes: to send what well-behaved HTTP clients never send. */
final class RawHttp implements AutoCloseable {
    final Socket socket;

    RawHttp(String clientUrl) throws IOException {
        URI url = URI.create(clientUrl);
        socket = new Socket(url.getHost(), url.getPort());
        socket.setSoTimeout(30_000);
    }

    RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads until {@code marker} has arrived (or the connection ends); everything read so far. */
    String readUntil(String marker) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (!got.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            got.write(buffer, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Everything until the server closes the connection. */
    String readToEnd() throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
