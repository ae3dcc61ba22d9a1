build-dev/common/store_lookup.o: common/store_lookup.c common/first.h \
 common/apikey.h common/log.h common/scope.h common/store.h
common/first.h:
common/apikey.h:
common/log.h:
common/scope.h:
common/store.h:
