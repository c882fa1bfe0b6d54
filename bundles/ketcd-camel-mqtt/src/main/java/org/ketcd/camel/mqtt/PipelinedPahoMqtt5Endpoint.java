package org.ketcd.camel.mqtt;

import org.apache.camel.Producer;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Component;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Configuration;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/** A {@code paho-mqtt5:} endpoint whose producer publishes asynchronously (its own client, as Camel's producer). */
public class PipelinedPahoMqtt5Endpoint extends PahoMqtt5Endpoint {
    public PipelinedPahoMqtt5Endpoint(String uri, String topic, PahoMqtt5Component component,
            PahoMqtt5Configuration configuration) {
        super(uri, topic, component, configuration);
    }

    @Override
    public Producer createProducer() throws Exception {
        // a client shared through the component or endpoint option is Camel's synchronous MqttClient
        return getClient() != null ? super.createProducer() : new PipelinedPahoMqtt5Producer(this);
    }

    MqttConnectionOptions connectionOptions() {
        return createMqttConnectionOptions();
    }

    MqttClientPersistence persistence() {
        return createMqttClientPersistence(getConfiguration());
    }

    static String newClientId() {
        return generateClientId();
    }
}
