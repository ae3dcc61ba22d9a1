build-dev/common/catalog.o: common/catalog.c common/first.h common/buf.h \
 common/caps.h common/catalog.h common/tool.h common/file.h common/json.h \
 common/schema.h common/xalloc.h
common/first.h:
common/buf.h:
common/caps.h:
common/catalog.h:
common/tool.h:
common/file.h:
common/json.h:
common/schema.h:
common/xalloc.h:
