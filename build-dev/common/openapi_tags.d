build-dev/common/openapi_tags.o: common/openapi_tags.c common/first.h \
 common/json.h common/buf.h common/openapi_private.h common/tool.h
common/first.h:
common/json.h:
common/buf.h:
common/openapi_private.h:
common/tool.h:
