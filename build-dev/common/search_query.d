build-dev/common/search_query.o: common/search_query.c common/first.h \
 common/search_private.h common/search.h common/catalog.h common/tool.h \
 common/xalloc.h
common/first.h:
common/search_private.h:
common/search.h:
common/catalog.h:
common/tool.h:
common/xalloc.h:
