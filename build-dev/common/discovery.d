build-dev/common/discovery.o: common/discovery.c common/first.h \
 common/caps.h common/discovery.h common/buf.h common/jsonrpc.h \
 common/json.h common/mcp_call.h common/mcp.h common/catalog.h \
 common/tool.h common/config.h common/crypto.h common/http.h \
 common/record.h common/scope.h common/apikey.h common/search.h \
 common/store.h common/upstream.h common/plan.h common/transport.h \
 common/result.h common/xalloc.h
common/first.h:
common/caps.h:
common/discovery.h:
common/buf.h:
common/jsonrpc.h:
common/json.h:
common/mcp_call.h:
common/mcp.h:
common/catalog.h:
common/tool.h:
common/config.h:
common/crypto.h:
common/http.h:
common/record.h:
common/scope.h:
common/apikey.h:
common/search.h:
common/store.h:
common/upstream.h:
common/plan.h:
common/transport.h:
common/result.h:
common/xalloc.h:
