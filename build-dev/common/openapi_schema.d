build-dev/common/openapi_schema.o: common/openapi_schema.c common/first.h \
 common/json.h common/buf.h common/openapi_private.h common/tool.h \
 common/xalloc.h
common/first.h:
common/json.h:
common/buf.h:
common/openapi_private.h:
common/tool.h:
common/xalloc.h:
