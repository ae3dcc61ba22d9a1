build-dev/common/transport.o: common/transport.c common/first.h \
 common/sse.h common/buf.h common/transport.h common/config.h \
 common/crypto.h common/http.h common/caps.h common/jsonrpc.h \
 common/json.h
common/first.h:
common/sse.h:
common/buf.h:
common/transport.h:
common/config.h:
common/crypto.h:
common/http.h:
common/caps.h:
common/jsonrpc.h:
common/json.h:
