build-dev/common/mcp.o: common/mcp.c common/first.h common/caps.h \
 common/crypto.h common/cursor.h common/buf.h common/discovery.h \
 common/jsonrpc.h common/json.h common/mcp.h common/catalog.h \
 common/tool.h common/config.h common/http.h common/record.h \
 common/scope.h common/apikey.h common/search.h common/store.h \
 common/upstream.h common/plan.h common/mcp_call.h common/transport.h \
 common/result.h common/sessions.h common/zone.h
common/first.h:
common/caps.h:
common/crypto.h:
common/cursor.h:
common/buf.h:
common/discovery.h:
common/jsonrpc.h:
common/json.h:
common/mcp.h:
common/catalog.h:
common/tool.h:
common/config.h:
common/http.h:
common/record.h:
common/scope.h:
common/apikey.h:
common/search.h:
common/store.h:
common/upstream.h:
common/plan.h:
common/mcp_call.h:
common/transport.h:
common/result.h:
common/sessions.h:
common/zone.h:
