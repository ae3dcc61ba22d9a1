build-dev/common/search_words.o: common/search_words.c common/first.h \
 common/search_private.h common/search.h common/catalog.h common/tool.h
common/first.h:
common/search_private.h:
common/search.h:
common/catalog.h:
common/tool.h:
