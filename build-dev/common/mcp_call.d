build-dev/common/mcp_call.o: common/mcp_call.c common/first.h \
 common/crypto.h common/log.h common/mcp_call.h common/mcp.h \
 common/catalog.h common/tool.h common/config.h common/http.h \
 common/buf.h common/caps.h common/record.h common/scope.h \
 common/apikey.h common/search.h common/store.h common/upstream.h \
 common/plan.h common/transport.h common/jsonrpc.h common/json.h \
 common/result.h common/zone.h
common/first.h:
common/crypto.h:
common/log.h:
common/mcp_call.h:
common/mcp.h:
common/catalog.h:
common/tool.h:
common/config.h:
common/http.h:
common/buf.h:
common/caps.h:
common/record.h:
common/scope.h:
common/apikey.h:
common/search.h:
common/store.h:
common/upstream.h:
common/plan.h:
common/transport.h:
common/jsonrpc.h:
common/json.h:
common/result.h:
common/zone.h:
