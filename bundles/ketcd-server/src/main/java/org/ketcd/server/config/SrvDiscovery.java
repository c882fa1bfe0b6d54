package org.ketcd.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * etcd's DNS SRV bootstrap ({@code --discovery-srv example.com}): the peers are the targets of the
 * {@code _etcd-server-ssl._tcp} and {@code _etcd-server._tcp} SRV records of the domain (with
 * {@code --discovery-srv-name n}: {@code _etcd-server-n._tcp}). As etcd does, the record whose address
 * is one of this member's advertised peer URLs gets this member's name, the others are named 0, 1, ...;
 * names do not enter the member ids, so every member computes the same cluster.
 *
 * <p>SRV lookups go to the system's DNS servers, or to those in the environment variable
 * {@value #DNS_SERVERS_ENV} (Ketcd's own, e.g. {@code 127.0.0.1:5353}; etcd has no such setting).
 */
final class SrvDiscovery {
    static final String DNS_SERVERS_ENV = "KETCD_DNS_SERVERS";

    private SrvDiscovery() {
    }

    /** The {@code --initial-cluster} value the SRV records describe. */
    static String initialCluster(String domain, String srvName, String selfName, List<URI> advertised, String dnsServers)
            throws ConfigException {
        List<String> parts = new ArrayList<>();
        int tempName = 0;
        boolean any = false;
        String suffix = srvName == null || srvName.isEmpty() ? "" : "-" + srvName;
        for (String[] service : new String[][] {{"_etcd-server-ssl" + suffix, "https"}, {"_etcd-server" + suffix, "http"}}) {
            String name = service[0] + "._tcp." + domain;
            for (String record : lookup(name, "SRV", dnsServers)) {
                any = true;
                String[] f = record.trim().split("\\s+"); // priority weight port target
                int port = Integer.parseInt(f[2]);
                String host = f[3].endsWith(".") ? f[3].substring(0, f[3].length() - 1) : f[3];
                InetSocketAddress address = new InetSocketAddress(resolve(host, dnsServers), port);
                URI self = advertised.stream().filter(u -> sameAddress(u, address, dnsServers)).findFirst().orElse(null);
                if (self != null && !self.getScheme().equals(service[1])) {
                    throw new ConfigException("bootstrap at " + service[1] + "://" + host + ":" + port + " from DNS for "
                            + name + " has scheme mismatch with expected peer " + self);
                }
                String member = self != null ? selfName : Integer.toString(tempName++);
                parts.add(member + "=" + service[1] + "://" + host + ":" + port);
            }
        }
        if (!any) {
            throw new ConfigException("error setting up initial cluster: no SRV records for _etcd-server" + suffix
                    + "._tcp." + domain + " or _etcd-server-ssl" + suffix + "._tcp." + domain);
        }
        return String.join(",", parts);
    }

    private static boolean sameAddress(URI url, InetSocketAddress address, String dnsServers) {
        try {
            return url.getPort() == address.getPort() && resolve(url.getHost(), dnsServers).equals(address.getAddress());
        } catch (ConfigException e) {
            return false;
        }
    }

    private static InetAddress resolve(String host, String dnsServers) throws ConfigException {
        try {
            if (dnsServers != null && !dnsServers.isEmpty() && !Character.isDigit(host.charAt(0)) && !host.contains(":")) {
                List<String> a = lookup(host, "A", dnsServers);
                if (!a.isEmpty()) {
                    return InetAddress.getByName(a.get(0).trim());
                }
            }
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException("error setting up initial cluster: cannot resolve " + host + ": " + e.getMessage());
        }
    }

    /** The records of one type for a name; none when the name does not exist. */
    private static List<String> lookup(String name, String type, String dnsServers) throws ConfigException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(DirContext.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        String servers = dnsServers == null || dnsServers.isEmpty() ? "dns:" : "dns://" + dnsServers.replace(",", " dns://");
        env.put(DirContext.PROVIDER_URL, servers);
        // Inside OSGi the JDK's DNS provider is found through the boot class path, not the bundle's loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
        DirContext ctx = null;
        try {
            ctx = new InitialDirContext(env);
            Attribute records = ctx.getAttributes(name, new String[] {type}).get(type);
            List<String> out = new ArrayList<>();
            if (records != null) {
                NamingEnumeration<?> all = records.getAll();
                while (all.hasMore()) {
                    out.add(all.next().toString());
                }
            }
            return out;
        } catch (NameNotFoundException e) {
            return List.of();
        } catch (NamingException e) {
            throw new ConfigException("error setting up initial cluster: DNS lookup of " + type + " " + name + " failed: "
                    + e.getMessage());
        } finally {
            thread.setContextClassLoader(previous);
            if (ctx != null) {
                try {
                    ctx.close();
                } catch (NamingException ignored) {
                    // nothing held
                }
            }
        }
    }
}
