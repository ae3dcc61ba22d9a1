build-dev/common/catalog_tags.o: common/catalog_tags.c common/first.h \
 common/catalog_tags.h common/catalog.h common/tool.h common/json.h \
 common/buf.h common/xalloc.h
common/first.h:
common/catalog_tags.h:
common/catalog.h:
common/tool.h:
common/json.h:
common/buf.h:
common/xalloc.h:
