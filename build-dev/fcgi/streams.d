build-dev/fcgi/streams.o: fcgi/streams.c fcgi/../common/first.h \
 fcgi/../common/crypto.h fcgi/../common/http.h fcgi/../common/buf.h \
 fcgi/../common/caps.h fcgi/../common/log.h fcgi/../common/mcp.h \
 fcgi/../common/catalog.h fcgi/../common/tool.h fcgi/../common/config.h \
 fcgi/../common/crypto.h fcgi/../common/http.h fcgi/../common/record.h \
 fcgi/../common/scope.h fcgi/../common/apikey.h fcgi/../common/search.h \
 fcgi/../common/store.h fcgi/../common/upstream.h fcgi/../common/plan.h \
 fcgi/../common/sessions.h fcgi/../common/sse.h fcgi/../common/store.h \
 fcgi/../common/transport.h fcgi/../common/jsonrpc.h \
 fcgi/../common/json.h fcgi/../common/xalloc.h fcgi/fcgi_rec.h \
 fcgi/../common/buf.h fcgi/streams.h fcgi/../common/catalog.h \
 fcgi/../common/config.h fcgi/pool.h
fcgi/../common/first.h:
fcgi/../common/crypto.h:
fcgi/../common/http.h:
fcgi/../common/buf.h:
fcgi/../common/caps.h:
fcgi/../common/log.h:
fcgi/../common/mcp.h:
fcgi/../common/catalog.h:
fcgi/../common/tool.h:
fcgi/../common/config.h:
fcgi/../common/crypto.h:
fcgi/../common/http.h:
fcgi/../common/record.h:
fcgi/../common/scope.h:
fcgi/../common/apikey.h:
fcgi/../common/search.h:
fcgi/../common/store.h:
fcgi/../common/upstream.h:
fcgi/../common/plan.h:
fcgi/../common/sessions.h:
fcgi/../common/sse.h:
fcgi/../common/store.h:
fcgi/../common/transport.h:
fcgi/../common/jsonrpc.h:
fcgi/../common/json.h:
fcgi/../common/xalloc.h:
fcgi/fcgi_rec.h:
fcgi/../common/buf.h:
fcgi/streams.h:
fcgi/../common/catalog.h:
fcgi/../common/config.h:
fcgi/pool.h:
