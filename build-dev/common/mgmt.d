build-dev/common/mgmt.o: common/mgmt.c common/first.h common/accounts.h \
 common/admin.h common/catalog.h common/tool.h common/crypto.h \
 common/scope.h common/apikey.h common/store.h common/apikeys.h \
 common/audit.h common/config.h common/record.h common/catalog_tags.h \
 common/jsonrpc.h common/buf.h common/json.h common/mcp_servers.h \
 common/mgmt.h common/http.h common/caps.h common/mcp.h common/search.h \
 common/upstream.h common/plan.h common/pct.h common/words.h \
 common/xalloc.h
common/first.h:
common/accounts.h:
common/admin.h:
common/catalog.h:
common/tool.h:
common/crypto.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/apikeys.h:
common/audit.h:
common/config.h:
common/record.h:
common/catalog_tags.h:
common/jsonrpc.h:
common/buf.h:
common/json.h:
common/mcp_servers.h:
common/mgmt.h:
common/http.h:
common/caps.h:
common/mcp.h:
common/search.h:
common/upstream.h:
common/plan.h:
common/pct.h:
common/words.h:
common/xalloc.h:
