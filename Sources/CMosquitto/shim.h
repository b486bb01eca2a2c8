// libmosquitto 2.0 (Debian's libmosquitto-dev): the MQTT v5 client the uplink's broker binding uses.
#include <mosquitto.h>
#include <mqtt_protocol.h>
