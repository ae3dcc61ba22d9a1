build-dev/common/router.o: common/router.c common/first.h common/admin.h \
 common/catalog.h common/tool.h common/crypto.h common/scope.h \
 common/apikey.h common/store.h common/json.h common/buf.h \
 common/jsonrpc.h common/metrics_http.h common/http.h common/caps.h \
 common/mcp.h common/config.h common/record.h common/search.h \
 common/upstream.h common/plan.h common/mgmt.h common/router.h \
 common/sessions.h
common/first.h:
common/admin.h:
common/catalog.h:
common/tool.h:
common/crypto.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/json.h:
common/buf.h:
common/jsonrpc.h:
common/metrics_http.h:
common/http.h:
common/caps.h:
common/mcp.h:
common/config.h:
common/record.h:
common/search.h:
common/upstream.h:
common/plan.h:
common/mgmt.h:
common/router.h:
common/sessions.h:
