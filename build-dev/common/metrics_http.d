build-dev/common/metrics_http.o: common/metrics_http.c common/first.h \
 common/admin.h common/catalog.h common/tool.h common/crypto.h \
 common/scope.h common/apikey.h common/store.h common/metrics.h \
 common/buf.h common/record.h common/metrics_http.h common/http.h \
 common/caps.h common/mcp.h common/config.h common/search.h \
 common/upstream.h common/plan.h
common/first.h:
common/admin.h:
common/catalog.h:
common/tool.h:
common/crypto.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/metrics.h:
common/buf.h:
common/record.h:
common/metrics_http.h:
common/http.h:
common/caps.h:
common/mcp.h:
common/config.h:
common/search.h:
common/upstream.h:
common/plan.h:
