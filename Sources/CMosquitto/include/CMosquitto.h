// libmosquitto 2.0 (Debian's libmosquitto-dev): the MQTT v5 client the uplink's broker binding uses.
#include <mosquitto.h>
#include <mqtt_protocol.h>
// The client's own loop waits with poll() and is woken through an eventfd (see MQTTClient).
#include <poll.h>
#include <sys/eventfd.h>

/// Opens libmosquitto.so.1 the first time it is asked (later calls return at once). NULL when the
/// library is open; otherwise why it could not be opened (dlerror's text), and every mosquitto_
/// function fails: an int result is MOSQ_ERR_NOT_SUPPORTED, a pointer NULL (see OnDemandMosquitto.c).
const char *lockerd_mosquitto_open(void);
