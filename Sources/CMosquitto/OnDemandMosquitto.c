// libmosquitto is opened when the first MQTT client is made, not when lockerd starts: a cabinet
// whose uplink is HTTPS, or that has none, never maps libmosquitto and the libssl and libcrypto it
// brings (about 2 MB of resident memory, README "Footprint"). Each mosquitto_ function lockerd
// calls is defined here with the header's own prototype (the compiler checks the two agree) and
// forwards to the library's, looked up on its first call. lockerd is therefore linked without
// libmosquitto; the Debian package still depends on libmosquitto1 (systemd/packaging/build-deb).
#include "CMosquitto.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define LIBRARY "libmosquitto.so.1"

static void *library;
static char openFailure[512];
static pthread_once_t openOnce = PTHREAD_ONCE_INIT;

static void openLibrary(void) {
    library = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(openFailure, sizeof openFailure, "%s", reason != NULL ? reason : LIBRARY " could not be opened");
    }
}

const char *lockerd_mosquitto_open(void) {
    pthread_once(&openOnce, openLibrary);
    return library != NULL ? NULL : openFailure;
}

static void *lookUp(const char *name) {
    return lockerd_mosquitto_open() == NULL ? dlsym(library, name) : NULL;
}

// One forwarding definition: the entry is looked up once and kept (a race between two first calls
// looks it up twice and stores the same address).
#define FORWARD(type, name, parameters, arguments, unavailable)                          \
    type name parameters {                                                                \
        static type (*entry) parameters;                                                  \
        type (*found) parameters = __atomic_load_n(&entry, __ATOMIC_ACQUIRE);             \
        if (found == NULL) {                                                              \
            found = (type (*) parameters)lookUp(#name);                                   \
            if (found == NULL) return unavailable;                                        \
            __atomic_store_n(&entry, found, __ATOMIC_RELEASE);                            \
        }                                                                                 \
        return found arguments;                                                           \
    }

#define FORWARD_VOID(name, parameters, arguments)                                         \
    void name parameters {                                                                \
        static void (*entry) parameters;                                                  \
        void (*found) parameters = __atomic_load_n(&entry, __ATOMIC_ACQUIRE);             \
        if (found == NULL) {                                                              \
            found = (void (*) parameters)lookUp(#name);                                   \
            if (found == NULL) return;                                                    \
            __atomic_store_n(&entry, found, __ATOMIC_RELEASE);                            \
        }                                                                                 \
        found arguments;                                                                  \
    }

typedef void (*ConnectCallback)(struct mosquitto *, void *, int, int, const mosquitto_property *);
typedef void (*DisconnectCallback)(struct mosquitto *, void *, int, const mosquitto_property *);
typedef void (*MessageCallback)(struct mosquitto *, void *, const struct mosquitto_message *, const mosquitto_property *);
typedef void (*PublishCallback)(struct mosquitto *, void *, int, int, const mosquitto_property *);
typedef int (*PasswordCallback)(char *, int, int, void *);

FORWARD(int, mosquitto_lib_init, (void), (), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(struct mosquitto *, mosquitto_new, (const char *id, bool clean_session, void *obj),
        (id, clean_session, obj), NULL)
FORWARD_VOID(mosquitto_destroy, (struct mosquitto *mosq), (mosq))
FORWARD(const char *, mosquitto_strerror, (int mosq_errno), (mosq_errno),
        LIBRARY " is not available")
FORWARD(int, mosquitto_threaded_set, (struct mosquitto *mosq, bool threaded), (mosq, threaded),
        MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_int_option, (struct mosquitto *mosq, enum mosq_opt_t option, int value),
        (mosq, option, value), MOSQ_ERR_NOT_SUPPORTED)
FORWARD_VOID(mosquitto_user_data_set, (struct mosquitto *mosq, void *obj), (mosq, obj))
FORWARD(int, mosquitto_username_pw_set, (struct mosquitto *mosq, const char *username, const char *password),
        (mosq, username, password), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_tls_set,
        (struct mosquitto *mosq, const char *cafile, const char *capath, const char *certfile,
         const char *keyfile, PasswordCallback pw_callback),
        (mosq, cafile, capath, certfile, keyfile, pw_callback), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_will_set_v5,
        (struct mosquitto *mosq, const char *topic, int payloadlen, const void *payload, int qos,
         bool retain, mosquitto_property *properties),
        (mosq, topic, payloadlen, payload, qos, retain, properties), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_connect_bind_v5,
        (struct mosquitto *mosq, const char *host, int port, int keepalive, const char *bind_address,
         const mosquitto_property *properties),
        (mosq, host, port, keepalive, bind_address, properties), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_reconnect, (struct mosquitto *mosq), (mosq), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_disconnect_v5,
        (struct mosquitto *mosq, int reason_code, const mosquitto_property *properties),
        (mosq, reason_code, properties), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_socket, (struct mosquitto *mosq), (mosq), -1)
FORWARD(bool, mosquitto_want_write, (struct mosquitto *mosq), (mosq), false)
FORWARD(int, mosquitto_loop_read, (struct mosquitto *mosq, int max_packets), (mosq, max_packets),
        MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_loop_write, (struct mosquitto *mosq, int max_packets), (mosq, max_packets),
        MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_loop_misc, (struct mosquitto *mosq), (mosq), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_publish_v5,
        (struct mosquitto *mosq, int *mid, const char *topic, int payloadlen, const void *payload,
         int qos, bool retain, const mosquitto_property *properties),
        (mosq, mid, topic, payloadlen, payload, qos, retain, properties), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_subscribe_v5,
        (struct mosquitto *mosq, int *mid, const char *sub, int qos, int options,
         const mosquitto_property *properties),
        (mosq, mid, sub, qos, options, properties), MOSQ_ERR_NOT_SUPPORTED)
FORWARD_VOID(mosquitto_connect_v5_callback_set, (struct mosquitto *mosq, ConnectCallback on_connect),
             (mosq, on_connect))
FORWARD_VOID(mosquitto_disconnect_v5_callback_set,
             (struct mosquitto *mosq, DisconnectCallback on_disconnect), (mosq, on_disconnect))
FORWARD_VOID(mosquitto_message_v5_callback_set, (struct mosquitto *mosq, MessageCallback on_message),
             (mosq, on_message))
FORWARD_VOID(mosquitto_publish_v5_callback_set, (struct mosquitto *mosq, PublishCallback on_publish),
             (mosq, on_publish))
FORWARD(int, mosquitto_property_add_binary,
        (mosquitto_property **proplist, int identifier, const void *value, uint16_t len),
        (proplist, identifier, value, len), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_property_add_int32, (mosquitto_property **proplist, int identifier, uint32_t value),
        (proplist, identifier, value), MOSQ_ERR_NOT_SUPPORTED)
FORWARD(int, mosquitto_property_add_string_pair,
        (mosquitto_property **proplist, int identifier, const char *name, const char *value),
        (proplist, identifier, name, value), MOSQ_ERR_NOT_SUPPORTED)
FORWARD_VOID(mosquitto_property_free_all, (mosquitto_property **properties), (properties))
FORWARD(const mosquitto_property *, mosquitto_property_read_binary,
        (const mosquitto_property *proplist, int identifier, void **value, uint16_t *len, bool skip_first),
        (proplist, identifier, value, len, skip_first), NULL)
FORWARD(const mosquitto_property *, mosquitto_property_read_string_pair,
        (const mosquitto_property *proplist, int identifier, char **name, char **value, bool skip_first),
        (proplist, identifier, name, value, skip_first), NULL)
