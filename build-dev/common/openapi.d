build-dev/common/openapi.o: common/openapi.c common/first.h \
 common/config.h common/crypto.h common/json.h common/buf.h common/file.h \
 common/openapi.h common/catalog.h common/tool.h common/openapi_private.h \
 common/xalloc.h
common/first.h:
common/config.h:
common/crypto.h:
common/json.h:
common/buf.h:
common/file.h:
common/openapi.h:
common/catalog.h:
common/tool.h:
common/openapi_private.h:
common/xalloc.h:
