build-dev/common/jsonrpc.o: common/jsonrpc.c common/first.h common/caps.h \
 common/jsonrpc.h common/buf.h common/json.h
common/first.h:
common/caps.h:
common/jsonrpc.h:
common/buf.h:
common/json.h:
