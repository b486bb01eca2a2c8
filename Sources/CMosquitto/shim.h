// libmosquitto 2.0 (Debian's libmosquitto-dev): the MQTT v5 client the uplink's broker binding uses.
#include <mosquitto.h>
#include <mqtt_protocol.h>
// The client's own loop waits with poll() and is woken through an eventfd (see MQTTClient).
#include <poll.h>
#include <sys/eventfd.h>
