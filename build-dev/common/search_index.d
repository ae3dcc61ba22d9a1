build-dev/common/search_index.o: common/search_index.c common/first.h \
 common/search_private.h common/search.h common/catalog.h common/tool.h \
 common/xalloc.h
common/first.h:
common/search_private.h:
common/search.h:
common/catalog.h:
common/tool.h:
common/xalloc.h:
