package org.ketcd.camel.mqtt;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.apache.camel.support.DefaultAsyncProducer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes as Camel's paho-mqtt5 producer does (same headers: override topic, QoS, retained, properties), but hands
 * the message to Paho's asynchronous client and completes the exchange from Paho's callback once the broker
 * acknowledged it (QoS 1/2) or it was written (QoS 0). Paho queues publishes in call order and one MQTT session
 * keeps that order, so a caller that publishes from one thread keeps its order on the broker. A publish the broker
 * answers with an error reason code fails the exchange. Paho refuses a publish beyond the broker's Receive Maximum
 * ("Too many publishes in progress"): that fails the exchange at once, and the caller retries it.
 */
final class PipelinedPahoMqtt5Producer extends DefaultAsyncProducer {
    /** How long stopping waits for Paho's DISCONNECT. */
    private static final long DISCONNECT_TIMEOUT_MS = 5000;
    private static final Logger LOG = LoggerFactory.getLogger(PipelinedPahoMqtt5Producer.class);
    /** MQTT 5 reason codes from 0x80 on are errors (a PUBACK may carry one). */
    private static final int FIRST_ERROR_REASON = 0x80;

    private final PipelinedPahoMqtt5Endpoint endpoint;
    private volatile MqttAsyncClient client;

    PipelinedPahoMqtt5Producer(PipelinedPahoMqtt5Endpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        String clientId = endpoint.getConfiguration().getClientId();
        if (clientId == null) {
            clientId = PipelinedPahoMqtt5Endpoint.newClientId();
        }
        MqttAsyncClient c = new MqttAsyncClient(endpoint.getConfiguration().getBrokerUrl(), clientId, endpoint.persistence());
        LOG.debug("connecting client {} to broker {}", clientId, endpoint.getConfiguration().getBrokerUrl());
        c.connect(endpoint.connectionOptions()).waitForCompletion();
        client = c;
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        MqttAsyncClient c = client;
        client = null;
        if (c != null) {
            try {
                if (c.isConnected()) {
                    c.disconnect().waitForCompletion(DISCONNECT_TIMEOUT_MS);
                }
            } finally {
                c.close(true);
            }
        }
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        try {
            Message in = exchange.getIn();
            String topic = in.getHeader(PahoMqtt5Constants.CAMEL_PAHO_OVERRIDE_TOPIC, endpoint.getTopic(), String.class);
            int qos = in.getHeader(PahoMqtt5Constants.CAMEL_PAHO_MSG_QOS, endpoint.getConfiguration().getQos(), Integer.class);
            boolean retained = in.getHeader(PahoMqtt5Constants.CAMEL_PAHO_MSG_RETAINED,
                    endpoint.getConfiguration().isRetained(), Boolean.class);
            MqttProperties properties = in.getHeader(PahoMqtt5Constants.CAMEL_PAHO_MSG_PROPERTIES, MqttProperties.class);
            MqttMessage message = new MqttMessage(in.getBody(byte[].class));
            message.setQos(qos);
            message.setRetained(retained);
            if (properties != null) {
                message.setProperties(properties);
            }
            MqttAsyncClient c = client;
            if (c == null) {
                throw new IllegalStateException("paho-mqtt5 producer is stopped");
            }
            c.publish(topic, message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int refused = refusal(token);
                    if (refused != 0) {
                        exchange.setException(new MqttException(refused));
                    }
                    callback.done(false);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    exchange.setException(failure != null ? failure : new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION));
                    callback.done(false);
                }
            });
            return false;
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
    }

    /** The first error reason code of an acknowledgement, or 0. */
    private static int refusal(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        if (codes != null) {
            for (int code : codes) {
                if (code >= FIRST_ERROR_REASON) {
                    return code;
                }
            }
        }
        return 0;
    }
}
