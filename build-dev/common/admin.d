build-dev/common/admin.o: common/admin.c common/first.h \
 common/admin_private.h common/admin.h common/catalog.h common/tool.h \
 common/crypto.h common/scope.h common/apikey.h common/store.h \
 common/jsonrpc.h common/buf.h common/json.h common/log.h common/words.h
common/first.h:
common/admin_private.h:
common/admin.h:
common/catalog.h:
common/tool.h:
common/crypto.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/jsonrpc.h:
common/buf.h:
common/json.h:
common/log.h:
common/words.h:
