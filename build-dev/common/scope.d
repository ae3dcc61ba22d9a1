build-dev/common/scope.o: common/scope.c common/first.h common/scope.h \
 common/apikey.h common/words.h common/catalog.h common/tool.h
common/first.h:
common/scope.h:
common/apikey.h:
common/words.h:
common/catalog.h:
common/tool.h:
