build-dev/fcgi/serve.o: fcgi/serve.c fcgi/../common/first.h \
 fcgi/../common/admin.h fcgi/../common/catalog.h fcgi/../common/tool.h \
 fcgi/../common/crypto.h fcgi/../common/scope.h fcgi/../common/apikey.h \
 fcgi/../common/store.h fcgi/../common/audit.h fcgi/../common/admin.h \
 fcgi/../common/config.h fcgi/../common/record.h fcgi/../common/cache.h \
 fcgi/../common/http.h fcgi/../common/buf.h fcgi/../common/caps.h \
 fcgi/../common/log.h fcgi/../common/metrics.h fcgi/../common/router.h \
 fcgi/../common/http.h fcgi/../common/mcp.h fcgi/../common/search.h \
 fcgi/../common/upstream.h fcgi/../common/plan.h fcgi/../common/schema.h \
 fcgi/../common/sessions.h fcgi/../common/store.h \
 fcgi/../common/upstream.h fcgi/../common/xalloc.h fcgi/serve.h \
 fcgi/../common/catalog.h fcgi/../common/config.h
fcgi/../common/first.h:
fcgi/../common/admin.h:
fcgi/../common/catalog.h:
fcgi/../common/tool.h:
fcgi/../common/crypto.h:
fcgi/../common/scope.h:
fcgi/../common/apikey.h:
fcgi/../common/store.h:
fcgi/../common/audit.h:
fcgi/../common/admin.h:
fcgi/../common/config.h:
fcgi/../common/record.h:
fcgi/../common/cache.h:
fcgi/../common/http.h:
fcgi/../common/buf.h:
fcgi/../common/caps.h:
fcgi/../common/log.h:
fcgi/../common/metrics.h:
fcgi/../common/router.h:
fcgi/../common/http.h:
fcgi/../common/mcp.h:
fcgi/../common/search.h:
fcgi/../common/upstream.h:
fcgi/../common/plan.h:
fcgi/../common/schema.h:
fcgi/../common/sessions.h:
fcgi/../common/store.h:
fcgi/../common/upstream.h:
fcgi/../common/xalloc.h:
fcgi/serve.h:
fcgi/../common/catalog.h:
fcgi/../common/config.h:
