build-dev/fcgi/cfmcp-admin.o: fcgi/cfmcp-admin.c fcgi/../common/first.h \
 fcgi/../common/accounts.h fcgi/../common/admin.h \
 fcgi/../common/catalog.h fcgi/../common/tool.h fcgi/../common/crypto.h \
 fcgi/../common/scope.h fcgi/../common/apikey.h fcgi/../common/store.h \
 fcgi/../common/admin.h fcgi/../common/apikeys.h fcgi/../common/catalog.h \
 fcgi/../common/catalog_tags.h fcgi/../common/config.h \
 fcgi/../common/crypto.h fcgi/../common/jsonrpc.h fcgi/../common/buf.h \
 fcgi/../common/json.h fcgi/../common/log.h fcgi/../common/mcp_servers.h \
 fcgi/../common/openapi.h fcgi/../common/store.h fcgi/../common/words.h \
 fcgi/../common/xalloc.h
fcgi/../common/first.h:
fcgi/../common/accounts.h:
fcgi/../common/admin.h:
fcgi/../common/catalog.h:
fcgi/../common/tool.h:
fcgi/../common/crypto.h:
fcgi/../common/scope.h:
fcgi/../common/apikey.h:
fcgi/../common/store.h:
fcgi/../common/admin.h:
fcgi/../common/apikeys.h:
fcgi/../common/catalog.h:
fcgi/../common/catalog_tags.h:
fcgi/../common/config.h:
fcgi/../common/crypto.h:
fcgi/../common/jsonrpc.h:
fcgi/../common/buf.h:
fcgi/../common/json.h:
fcgi/../common/log.h:
fcgi/../common/mcp_servers.h:
fcgi/../common/openapi.h:
fcgi/../common/store.h:
fcgi/../common/words.h:
fcgi/../common/xalloc.h:
