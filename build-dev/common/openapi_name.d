build-dev/common/openapi_name.o: common/openapi_name.c common/first.h \
 common/caps.h common/openapi_private.h common/tool.h common/xalloc.h
common/first.h:
common/caps.h:
common/openapi_private.h:
common/tool.h:
common/xalloc.h:
