package org.ketcd.camel.mqtt;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Component;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Configuration;

/**
 * Camel's {@code paho-mqtt5:} component with a producer that does not wait for each QoS 1/2 acknowledgement on the
 * calling thread: it completes the exchange when the broker acknowledged the publish. The member's Camel registers
 * it under Camel's own scheme when this fragment is attached, so route files stay as they are. Consumers, options
 * and a shared {@code client} behave as in Camel's component.
 * <p>The annotation names the scheme whose generated option configurers Camel uses (it reads the annotation of the
 * class itself, not of its superclass): without it no option of the URI could be set.
 */
@org.apache.camel.spi.annotations.Component("paho-mqtt5")
public class PipelinedPahoMqtt5Component extends PahoMqtt5Component {
    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        PahoMqtt5Configuration configuration = getConfiguration().copy();
        PipelinedPahoMqtt5Endpoint endpoint = new PipelinedPahoMqtt5Endpoint(uri, remaining, this, configuration);
        endpoint.setClient(getClient());
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
