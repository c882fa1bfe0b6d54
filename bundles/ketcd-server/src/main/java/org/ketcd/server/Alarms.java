package org.ketcd.server;

import java.util.ArrayList;
import java.util.List;
import org.ketcd.api.Alarm;
import org.ketcd.api.AlarmType;

/** The cluster's active alarms, changed only by applied Raft commands and persisted with the store. */
final class Alarms {
    private volatile List<Alarm> active;

    Alarms(List<Alarm> persisted) {
        this.active = List.copyOf(persisted);
    }

    List<Alarm> list() {
        return active;
    }

    boolean isActive(AlarmType type) {
        return active.stream().anyMatch(a -> a.type() == type);
    }

    /** Returns the alarms the change touched, as etcd's AlarmResponse lists them. */
    /** Replaces all alarms, as a snapshot installed from the leader has them. */
    synchronized void replace(List<Alarm> alarms) {
        active = List.copyOf(alarms);
    }

    synchronized List<Alarm> activate(Alarm alarm) {
        if (!active.contains(alarm)) {
            List<Alarm> next = new ArrayList<>(active);
            next.add(alarm);
            active = List.copyOf(next);
        }
        return List.of(alarm);
    }

    synchronized List<Alarm> deactivate(Alarm alarm) {
        if (!active.contains(alarm)) {
            return List.of();
        }
        List<Alarm> next = new ArrayList<>(active);
        next.remove(alarm);
        active = List.copyOf(next);
        return List.of(alarm);
    }
}
