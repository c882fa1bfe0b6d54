package org.ketcd.server.osgi;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Karaf's MBeans (bundles, features, configuration, log, system, ...) in the JVM's platform MBean server, reachable
 * by local attach only ({@code jconsole <pid>}, {@code jcmd}): Karaf's bundles offer each MBean as an OSGi service
 * with a {@value #OBJECT_NAME} property, which Karaf's management feature would register behind an RMI port; this
 * registers them without opening any port. A name already taken (Karaf's management feature also installed) is left
 * to its holder.
 */
@Component(name = "org.ketcd.server.jmx", immediate = true, service = {})
public final class JmxWhiteboard {
    static final String OBJECT_NAME = "jmx.objectname";
    private static final Logger LOG = LoggerFactory.getLogger(JmxWhiteboard.class);

    private final MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
    private final Map<ServiceReference<Object>, ObjectName> registered = new ConcurrentHashMap<>();
    private ServiceTracker<Object, Object> tracker;

    @Activate
    void activate(BundleContext context) throws Exception {
        Filter withName = context.createFilter("(" + OBJECT_NAME + "=*)");
        tracker = new ServiceTracker<>(context, withName, null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                Object mbean = super.addingService(reference);
                if (mbean != null) {
                    register(reference, mbean);
                }
                return mbean;
            }

            @Override
            public void removedService(ServiceReference<Object> reference, Object mbean) {
                unregister(reference);
                super.removedService(reference, mbean);
            }
        };
        tracker.open(true);
    }

    @Deactivate
    void deactivate() {
        if (tracker != null) {
            tracker.close(); // unregisters every MBean through removedService
        }
    }

    private void register(ServiceReference<Object> reference, Object mbean) {
        String name = String.valueOf(reference.getProperty(OBJECT_NAME));
        try {
            ObjectName objectName = new ObjectName(name);
            platform.registerMBean(mbean, objectName);
            registered.put(reference, objectName);
            LOG.debug("JMX: registered {}", name);
        } catch (javax.management.InstanceAlreadyExistsException taken) {
            LOG.debug("JMX: {} is registered already", name);
        } catch (JMException | RuntimeException e) {
            LOG.warn("JMX: {} not registered: {}", name, e.toString());
        }
    }

    private void unregister(ServiceReference<Object> reference) {
        ObjectName name = registered.remove(reference);
        if (name != null) {
            try {
                platform.unregisterMBean(name);
            } catch (JMException e) {
                LOG.debug("JMX: {} was gone already: {}", name, e.toString());
            }
        }
    }
}
