build-dev/common/cache.o: common/cache.c common/first.h common/cache.h \
 common/scope.h common/apikey.h common/store.h common/log.h \
 common/xalloc.h
common/first.h:
common/cache.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/log.h:
common/xalloc.h:
