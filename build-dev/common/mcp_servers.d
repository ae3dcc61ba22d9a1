build-dev/common/mcp_servers.o: common/mcp_servers.c common/first.h \
 common/admin_private.h common/admin.h common/catalog.h common/tool.h \
 common/crypto.h common/scope.h common/apikey.h common/store.h \
 common/jsonrpc.h common/buf.h common/json.h common/mcp_servers.h \
 common/words.h
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
common/mcp_servers.h:
common/words.h:
