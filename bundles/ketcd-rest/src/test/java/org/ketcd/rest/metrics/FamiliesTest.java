package org.ketcd.rest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ketcd.api.DurationHistogram;

/** Histograms print as etcd's: cumulative buckets at etcd's bounds, a label per peer before le, no family without samples. */
class FamiliesTest {
    @Test
    void peerRoundTripsPrintOneCumulativeHistogramPerPeerInEtcdsRoundTripBuckets() throws Exception {
        DurationHistogram trips = DurationHistogram.forRoundTrips();
        trips.observe(50_000); // 0.05 ms: the first bucket (0.0001)
        trips.observe(300_000); // 0.3 ms: le 0.0004
        trips.observe(2_000_000_000L); // 2 s: above 0.8192, +Inf only
        String text = print(new Families().histograms("etcd_network_peer_round_trip_time_seconds", "help", "To",
                Map.of("8211f1d0f64f3269", trips.snapshot())));
        assertTrue(text.contains("# TYPE etcd_network_peer_round_trip_time_seconds histogram\n"), text);
        assertTrue(text.contains("etcd_network_peer_round_trip_time_seconds_bucket{To=\"8211f1d0f64f3269\",le=\"0.0001\",} 1.0\n"), text);
        assertTrue(text.contains("etcd_network_peer_round_trip_time_seconds_bucket{To=\"8211f1d0f64f3269\",le=\"0.0002\",} 1.0\n"), text);
        assertTrue(text.contains("etcd_network_peer_round_trip_time_seconds_bucket{To=\"8211f1d0f64f3269\",le=\"0.0004\",} 2.0\n"), text);
        assertTrue(text.contains("etcd_network_peer_round_trip_time_seconds_bucket{To=\"8211f1d0f64f3269\",le=\"0.8192\",} 2.0\n"), text);
        assertTrue(text.contains("etcd_network_peer_round_trip_time_seconds_bucket{To=\"8211f1d0f64f3269\",le=\"+Inf\",} 3.0\n"), text);
        assertTrue(text.contains("etcd_network_peer_round_trip_time_seconds_count{To=\"8211f1d0f64f3269\",} 3.0\n"), text);
        assertTrue(text.contains("etcd_network_peer_round_trip_time_seconds_sum{To=\"8211f1d0f64f3269\",} 2.00035\n"), text);

        assertEquals("", print(new Families().histograms("etcd_network_peer_round_trip_time_seconds", "help", "To", Map.of())),
                "a member with no peer exports no family, as etcd");
    }

    private static String print(Families families) throws Exception {
        StringWriter text = new StringWriter();
        TextFormat.write004(text, Collections.enumeration(families.all()));
        return text.toString();
    }
}
