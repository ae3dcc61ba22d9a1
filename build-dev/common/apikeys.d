build-dev/common/apikeys.o: common/apikeys.c common/first.h \
 common/accounts.h common/admin.h common/catalog.h common/tool.h \
 common/crypto.h common/scope.h common/apikey.h common/store.h \
 common/admin_private.h common/apikeys.h common/jsonrpc.h common/buf.h \
 common/json.h
common/first.h:
common/accounts.h:
common/admin.h:
common/catalog.h:
common/tool.h:
common/crypto.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/admin_private.h:
common/apikeys.h:
common/jsonrpc.h:
common/buf.h:
common/json.h:
